"""The call window's video: the other side's picture from the engine's slot, large and
in its own aspect ratio, your camera small in the corner, "Waiting for video…" before
the first picture and "Video paused" when pictures stop or the call is held."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import pattern_error
from helpers_ui import account
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from test_call_verification import E2E, TLS, make_window

from softphone.e2e.media import PatternSource
from softphone.engine import events as ev
from softphone.media.camera import CameraMode, SyntheticCamera
from softphone.media.camera_feed import CameraFeed
from softphone.ui.video_view import BACKGROUND, fit


def video_account():
    acc = account()
    acc.profile = dataclasses.replace(
        acc.profile, media=dataclasses.replace(acc.profile.media, e2e_video=True)
    )
    return acc


def media_event(local_hold: bool = False, remote_hold: bool = False) -> ev.CallMediaDidChange:
    return ev.CallMediaDidChange("c1", E2E, "opus", 48000, local_hold, remote_hold, TLS)


@pytest.fixture
def feed():
    feed = CameraFeed(lambda: SyntheticCamera(CameraMode(320, 240, 15)))
    yield feed
    feed.stop()


@pytest.fixture
def video_window(qtbot, bridge, fake_engine, tmp_path, feed):
    window = make_window(qtbot, bridge, tmp_path, account=video_account(), camera=feed)
    fake_engine.emit(ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"), media_event())
    qtbot.waitUntil(window.video_panel.isVisible)
    return window


def rendered(view) -> np.ndarray:
    """What the view shows on screen, as RGB (logical pixels)."""
    image = view.grab().toImage().scaled(view.size()).convertToFormat(QImage.Format.Format_RGB888)
    ptr = image.constBits()
    rows = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def test_call_video_shows_the_other_side_large_and_your_camera_small(
    qtbot, video_window, fake_engine, screenshot
):
    panel = video_window.video_panel
    view = panel.view
    assert view.isVisible() and view.message == "Waiting for video…"
    assert panel.remote_label.text() == "Waiting for video…"
    slot = fake_engine.video_slots.open("c1")  # the engine opens it with the media
    slot.put(PatternSource(640, 480).read())
    fake_engine.emit(ev.CallVideoDidArrive("c1", 640, 480, 1))
    qtbot.waitUntil(lambda: panel.remote_frames_shown == 1)
    assert view.frame is slot.newest()  # the slot's own frame: drawn without a copy
    assert view.message == ""
    assert panel.remote_label.text() == "Receiving video from the other side (640 × 480)"
    qtbot.mouseClick(panel.camera_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.local_image is not None, timeout=5000)

    shown = rendered(view)
    picture = fit(QSize(640, 480), view.rect())
    assert picture.width() * 3 == pytest.approx(picture.height() * 4, abs=4)  # 4:3 kept
    assert picture.width() > view.width() * 0.6 or picture.height() > view.height() * 0.9
    pip = view.pip_rect()
    assert pip.right() < view.width() and pip.bottom() < view.height()
    assert pip.width() < picture.width() / 2  # small, in the corner
    # the pattern's green ramp, left of the corner where your camera is drawn
    inside = shown[picture.top() : picture.bottom(), picture.left() : pip.left() - 2]
    assert pattern_error(inside) < 20
    if picture.left() > 2:  # letterboxed at the sides: the background, not stretched
        assert tuple(shown[view.height() // 2, 1]) == BACKGROUND.getRgb()[:3]
    # high DPI: drawn at the screen's device pixels, your camera at the size it is drawn
    expected_dpr = float(os.environ.get("SOFTPHONE_TEST_EXPECT_DPR", view.devicePixelRatioF()))
    assert view.devicePixelRatioF() == expected_dpr
    assert view.grab().devicePixelRatio() == expected_dpr
    drawn_pixels = view.pip_rect().width() * expected_dpr
    assert view.local_image.width() * 2 > drawn_pixels  # never blown up 2× or more
    screenshot(video_window, "call_video")


def test_call_video_on_a_high_dpi_screen():
    """The test above again, in a process whose screen has twice the pixels."""
    env = dict(os.environ, QT_SCALE_FACTOR="2", SOFTPHONE_TEST_EXPECT_DPR="2.0")
    test = f"{__file__}::test_call_video_shows_the_other_side_large_and_your_camera_small"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_call_video_paused_when_pictures_stop_or_the_call_is_held(qtbot, video_window, fake_engine):
    panel = video_window.video_panel
    slot = fake_engine.video_slots.open("c1")
    source = PatternSource(320, 240)
    slot.put(source.read())
    qtbot.waitUntil(lambda: panel.remote_frames_shown == 1)
    assert panel.view.message == ""
    qtbot.waitUntil(lambda: panel.view.message == "Video paused", timeout=3000)  # > 1 s
    assert panel.remote_label.text() == "Video paused"
    assert panel.view.frame is not None  # the last picture stays, dimmed
    slot.put(source.read())
    qtbot.waitUntil(lambda: panel.view.message == "")
    fake_engine.emit(media_event(remote_hold=True))
    qtbot.waitUntil(lambda: panel.view.message == "Video paused")
    fake_engine.emit(media_event())
    slot.put(source.read())
    qtbot.waitUntil(lambda: panel.view.message == "" and panel.remote_frames_shown == 3)


def test_call_video_lets_go_of_the_slot_when_the_call_ends(qtbot, video_window, fake_engine):
    panel = video_window.video_panel
    slot = fake_engine.video_slots.open("c1")
    slot.put(PatternSource(320, 240).read())
    qtbot.waitUntil(lambda: panel.remote_frames_shown == 1)
    fake_engine.video_slots.release("c1")  # the engine, as the call ends
    qtbot.waitUntil(lambda: panel._slot is None)
    fake_engine.emit(ev.CallDidEnd("c1", 200, "Normal call clearing", 5.0, E2E))
    qtbot.waitUntil(lambda: video_window.ended)
    assert panel.view.frame is None and not panel.view.isVisible()
    assert not panel._timer.isActive() and slot.released


def test_call_video_timer_turns_without_a_new_frame_change_nothing(
    qtbot, video_window, fake_engine
):
    panel = video_window.video_panel
    slot = fake_engine.video_slots.open("c1")
    slot.put(PatternSource(320, 240).read())
    qtbot.waitUntil(lambda: panel.remote_frames_shown == 1)
    shown = panel.view.frame
    qtbot.wait(300)  # about 9 timer turns
    assert panel.remote_frames_shown == 1 and panel.view.frame is shown
