"""End-to-end verification in the call window, driven by the engine's events (fake engine):
the SAS and its buttons (ConfirmSas), a known identity verified at once, the LOUD
identity-changed warning, a mismatch ending the call with the reason, and the camera
button (SetVideo) with its local preview from the synthetic camera."""

from __future__ import annotations

import dataclasses

import pytest
from helpers_ui import account, context
from PySide6.QtCore import Qt

from softphone.e2e.media import PatternSource
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.media.camera import CameraMode, SyntheticCamera
from softphone.media.camera_feed import CameraFeed
from softphone.ui.call_flow import CallLauncher
from softphone.ui.call_window import CallWindow
from softphone.ui.e2e_text import SasStage
from softphone.ui.security_text import Level

TLS = ev.SignallingSecurity("tls", "TLSv1.3", "TLS_AES_256_GCM_SHA384")
E2E = ev.MediaSecurity(True, "UDP/TLS/RTP/SAVPF", "SRTP_AEAD_AES_256_GCM", "dtls", True)
FP_NEW = ":".join(["3A"] * 32)
FP_OLD = ":".join(["9C"] * 32)
PEER = "carol@example.com"
MISMATCH = "the short authentication strings did not match: someone may be intercepting the call"


def media(m: ev.MediaSecurity = E2E) -> ev.CallMediaDidChange:
    return ev.CallMediaDidChange("c1", m, "opus", 48000, False, False, signalling=TLS)


def sas(identity: str = "new") -> ev.CallSasDidBecomeReady:
    return ev.CallSasDidBecomeReady("c1", "k7xq", PEER, FP_NEW, identity)


def make_window(qtbot, bridge, tmp_path, **ctx_kw) -> CallWindow:
    ctx = context(bridge, tmp_path, **ctx_kw)
    win = CallWindow(ctx, CallLauncher(ctx), "c1", f"sip:{PEER}")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot, bridge, tmp_path) -> CallWindow:
    return make_window(qtbot, bridge, tmp_path)


def connect(qtbot, fake_engine, window, *extra) -> None:
    fake_engine.emit(
        ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"), media(), *extra
    )
    qtbot.waitUntil(lambda: window.badge.level is Level.END_TO_END)


def test_verification_sas_shown_big_and_verified_sends_confirm_sas(
    qtbot, window, fake_engine, screenshot
) -> None:
    connect(qtbot, fake_engine, window, sas())
    panel = window.sas_panel
    qtbot.waitUntil(lambda: panel.view.stage is SasStage.COMPARE)
    assert panel.isVisible() and panel.sas_label.text() == "K 7 X Q"
    assert panel.sas_label.font().pointSizeF() >= 2.5 * window.state_label.font().pointSizeF()
    assert panel.sas_label.accessibleName() == "Short code: K, 7, X, Q"
    assert panel.match_button.isEnabled() and panel.mismatch_button.isEnabled()
    assert panel.match_button.accessibleName() == "Verified: the codes match"
    assert panel.mismatch_button.accessibleName() == "Mismatch: the codes differ"
    assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (not verified)"
    screenshot(window, "e2e_sas_compare")
    qtbot.mouseClick(panel.match_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.ConfirmSas) == [cmd.ConfirmSas("c1", True)]
    assert not panel.match_button.isEnabled()
    fake_engine.emit(
        ev.CallVerificationDidChange("c1", PEER, FP_NEW, True, "the users confirmed"),
        media(dataclasses.replace(E2E, verified=True)),
    )
    qtbot.waitUntil(lambda: panel.view.stage is SasStage.VERIFIED)
    assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (verified)"
    assert window.badge.accessibleName() == "end-to-end encrypted (verified)"
    assert "no one is in the middle" in panel.result_label.text()
    assert not panel.match_button.isVisible()
    screenshot(window, "e2e_verified")


def test_verification_known_identity_is_verified_at_once(qtbot, window, fake_engine) -> None:
    fake_engine.emit(
        ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"),
        media(dataclasses.replace(E2E, verified=True)),
        sas("known"),
        ev.CallVerificationDidChange("c1", PEER, FP_NEW, True, "verified on an earlier call"),
    )
    qtbot.waitUntil(lambda: window.sas_panel.view.stage is SasStage.KNOWN)
    assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (verified)"
    assert not window.sas_panel.match_button.isVisible()
    assert "earlier call" in window.sas_panel.result_label.text()
    assert not window.identity_banner.isVisible()
    assert fake_engine.commands(cmd.ConfirmSas) == []


def test_verification_identity_changed_is_loud_before_anyone_talks(
    qtbot, window, fake_engine, screenshot
) -> None:
    changed = ev.CallPeerIdentityDidChange("c1", PEER, FP_OLD, FP_NEW)
    # the engine's order: the warning comes before the media and the code
    fake_engine.emit(ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"), changed)
    banner = window.identity_banner
    qtbot.waitUntil(banner.isVisible)
    fake_engine.emit(media(), sas("changed"))
    qtbot.waitUntil(lambda: window.sas_panel.view.code != "")
    assert window.sas_panel.view.stage is SasStage.CHANGED
    assert "CHANGED" in banner.title_label.text()
    assert "different identity than the one you verified" in banner.body_label.text()
    assert "compare the code again" in banner.body_label.text().lower()
    # not colour alone: the words are in the accessible name and description too
    assert banner.accessibleName() == banner.title_label.text()
    assert "different identity" in banner.accessibleDescription()
    assert "9C:9C:9C" in banner.accessibleDescription()
    assert banner.property("kind") == "unencrypted"  # solid red, white text
    # above everything else that says something about the call's security
    layout = window.layout()
    assert layout.indexOf(banner) < layout.indexOf(window.badge) < layout.indexOf(window.sas_panel)
    assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (not verified)"
    assert window.sas_panel.match_button.isEnabled()
    screenshot(window, "e2e_identity_changed")


def test_verification_mismatch_ends_the_call_and_says_why(
    qtbot, window, fake_engine, screenshot
) -> None:
    connect(qtbot, fake_engine, window, sas())
    qtbot.waitUntil(lambda: window.sas_panel.view.stage is SasStage.COMPARE)
    qtbot.mouseClick(window.sas_panel.mismatch_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.ConfirmSas) == [cmd.ConfirmSas("c1", False)]
    fake_engine.emit(
        ev.CallVerificationDidChange("c1", PEER, FP_NEW, False, MISMATCH, mismatch=True),
        ev.CallSecurityDidFail("c1", MISMATCH),
        ev.CallDidEnd("c1", 200, "Normal call clearing", 12.0, E2E, security_failure=MISMATCH),
    )
    qtbot.waitUntil(lambda: window.ended)
    assert window.sas_panel.view.stage is SasStage.MISMATCH
    assert "intercepting" in window.sas_panel.result_label.text()
    assert window.state_label.text().startswith("Call ended — the short authentication strings")
    assert "did not match" in window.message_label.text()
    assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (not verified)"
    assert "did NOT match" in window.badge.end_to_end_label.text()
    screenshot(window, "e2e_mismatch")


def test_verification_camera_button_only_with_video_and_sends_set_video(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    acc = account()
    acc.profile = dataclasses.replace(
        acc.profile, media=dataclasses.replace(acc.profile.media, e2e_video=True)
    )
    feed = CameraFeed(lambda: SyntheticCamera(CameraMode(320, 240, 15)))
    window = make_window(qtbot, bridge, tmp_path, account=acc, camera=feed)
    try:
        video = window.video_panel
        assert not video.isVisible()
        fake_engine.emit(media(ev.MediaSecurity(True, "RTP/SAVP", "AES", "sdes")))
        qtbot.waitUntil(lambda: window.badge.level is Level.ENCRYPTED)
        assert not video.isVisible()  # no video on an SDES call
        connect(qtbot, fake_engine, window)
        qtbot.waitUntil(video.isVisible)
        # the engine starts its video on (black): off until the user turns it on
        assert fake_engine.commands(cmd.SetVideo) == [cmd.SetVideo("c1", False)]
        assert video.camera_button.accessibleName() == "Camera"
        qtbot.mouseClick(video.camera_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: cmd.SetVideo("c1", True) in fake_engine.submitted, timeout=5000)
        qtbot.waitUntil(lambda: video.frames_shown >= 3, timeout=5000)
        assert video.view.local_image is not None and feed.on  # your camera, in the corner
        assert video.remote_label.text() == "Waiting for video…"
        fake_engine.video_slots.open("c1").put(PatternSource(640, 480).read())
        fake_engine.emit(ev.CallVideoDidArrive("c1", 640, 480, 1))
        qtbot.waitUntil(lambda: video.remote_frames_shown == 1)
        assert video.remote_label.text() == "Receiving video from the other side (640 × 480)"
        qtbot.mouseClick(video.camera_button, Qt.MouseButton.LeftButton)
        assert fake_engine.commands(cmd.SetVideo)[-1] == cmd.SetVideo("c1", False)
        qtbot.waitUntil(lambda: not feed.on, timeout=5000)
    finally:
        feed.stop()


def test_verification_camera_without_video_in_the_profile_stays_hidden(
    qtbot, window, fake_engine
) -> None:
    connect(qtbot, fake_engine, window, sas())
    qtbot.wait(50)
    assert not window.video_panel.isVisible()
    assert fake_engine.commands(cmd.SetVideo) == []


def test_verification_in_simplified_chinese(
    qtbot, bridge, fake_engine, tmp_path, screenshot
) -> None:
    from softphone.ui.translations import use_language

    assert use_language("zh_CN") == "zh_CN"  # the conftest puts English back
    window = make_window(qtbot, bridge, tmp_path)
    changed = ev.CallPeerIdentityDidChange("c1", PEER, FP_OLD, FP_NEW)
    fake_engine.emit(
        ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"),
        changed,
        media(),
        sas("changed"),
    )
    qtbot.waitUntil(lambda: window.sas_panel.view.stage is SasStage.CHANGED)
    assert window.identity_banner.title_label.text() == "⚠ 警告：此联系人的身份已变更"
    assert window.badge.headline_label.text() == "✔✔  端到端加密（未验证）"
    assert window.sas_panel.match_button.text() == "✔ 已验证 — 验证码一致"
    screenshot(window, "e2e_identity_changed_zh_CN")
