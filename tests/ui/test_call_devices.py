"""Sound devices during a call (fake engine): the call window shows the microphone and
speaker in use, its menu switches either (`SetAudioDevices`, the choice saved), and a
device that goes away is said plainly ("Headset disconnected — using Speakers"). The
incoming call rings on the ringer device (the engine's) and beeps only without it."""

from __future__ import annotations

import json

import pytest
from helpers import DEVICES, device_switch
from helpers_ui import context
from PySide6.QtGui import QGuiApplication

from softphone.config.settings import AudioSettings, Settings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui.call_flow import CallLauncher
from softphone.ui.call_window import CallWindow
from softphone.ui.incoming import IncomingCallDialog


@pytest.fixture
def window(qtbot, bridge, fake_engine, tmp_path):
    ctx = context(bridge, tmp_path, sound_devices=True)
    fake_engine.emit(DEVICES)
    qtbot.waitUntil(lambda: bridge.audio_devices is not None)
    win = CallWindow(ctx, CallLauncher(ctx), "c1", "sip:bob@pbx.example.com")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    fake_engine.emit(
        ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"),
        device_switch("microphone", "Built-in microphone", "call started"),
        device_switch("speaker", "Speakers", "call started"),
    )
    row = win.devices_row
    qtbot.waitUntil(lambda: "Speakers" in row.status_label.text())
    return win


def test_call_devices_menu_switches_the_speaker_mid_call_and_saves_it(
    qtbot, window, fake_engine, tmp_path
) -> None:
    row = window.devices_row
    assert row.status_label.text() == "Microphone: Built-in microphone · Speaker: Speakers"
    texts = [a.text() for a in row.role_actions["speaker"]]
    assert texts == ["System default — Speakers (ALSA)", "Speakers (ALSA)", "Headset (ALSA)"]
    assert row.role_actions["speaker"][0].isChecked()  # following the default
    headset = row.role_actions["speaker"][2]
    headset.trigger()
    assert fake_engine.commands(cmd.SetAudioDevices)[-1].speaker == "Headset"
    assert fake_engine.commands(cmd.SetAudioDevices)[-1].microphone is None
    qtbot.waitUntil(lambda: (tmp_path / "settings.json").exists())
    assert json.loads((tmp_path / "settings.json").read_text())["audio"]["speaker"] == "Headset"
    fake_engine.emit(device_switch("speaker", "Headset", "switched by the user"))
    qtbot.waitUntil(lambda: "Speaker: Headset" in row.status_label.text())
    assert row.notice_label.text() == "Speaker: Headset"
    assert row.role_actions["speaker"][2].isChecked()  # the menu, rebuilt, shows the choice


def test_call_devices_fallback_is_shown_to_the_user(qtbot, window, fake_engine, screenshot) -> None:
    row = window.devices_row
    fake_engine.emit(device_switch("speaker", "Headset", "switched by the user"))
    qtbot.waitUntil(lambda: "Speaker: Headset" in row.status_label.text())
    # the headset is pulled out: the engine moves the call to the default
    fake_engine.emit(
        device_switch(
            "speaker",
            "Speakers",
            "Headset was removed; Headset is not available: using the system default",
            fallback=True,
        )
    )
    qtbot.waitUntil(lambda: row.notice_label.text() == "Headset disconnected — using Speakers")
    assert row.notice_label.property("kind") == "busy" and row.notice_label.isVisible()
    assert "Speaker: Speakers" in row.status_label.text()
    fake_engine.emit(ev.AudioDeviceDidFail("microphone", None, "no device"))
    qtbot.waitUntil(lambda: row.notice_label.text() == "No microphone: no device")
    fake_engine.emit(ev.CallDidEnd("c1", 200, "Normal call clearing", 10.0))
    qtbot.waitUntil(lambda: window.ended)
    assert not row.devices_button.isEnabled()


def test_call_devices_menu_screenshot(qtbot, window, fake_engine) -> None:
    """The in-call device menu open over the call window (the screen, as a person sees it)."""
    from conftest import SCREENSHOTS

    row = window.devices_row
    tls = ev.SignallingSecurity("tls", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "pbx.example.com")
    sdes = ev.MediaSecurity(True, "RTP/SAVP", "AES_256_CM_HMAC_SHA1_80", "sdes")
    fake_engine.emit(ev.CallMediaDidChange("c1", sdes, "PCMU", 8000, False, False, tls))
    row.role_actions["speaker"][2].trigger()  # Headset
    fake_engine.emit(device_switch("speaker", "Headset", "switched by the user"))
    qtbot.waitUntil(lambda: "Speaker: Headset" in row.status_label.text())
    assert row.role_actions["speaker"][2].isChecked()
    window.move(40, 40)
    button = row.devices_button
    row.menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
    qtbot.waitExposed(row.menu)
    qtbot.wait(150)
    top_left = window.frameGeometry().topLeft()
    menu_geo = row.menu.geometry()
    right = max(window.frameGeometry().right(), menu_geo.right()) + 10
    bottom = max(window.frameGeometry().bottom(), menu_geo.bottom()) + 10
    shot = QGuiApplication.primaryScreen().grabWindow(
        0, top_left.x(), top_left.y(), right - top_left.x(), bottom - top_left.y()
    )
    SCREENSHOTS.mkdir(exist_ok=True)
    assert shot.save(str(SCREENSHOTS / "call_devices_menu.png"))
    row.menu.hide()


def test_incoming_call_rings_on_the_ringer_and_beeps_only_without_it(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    arrived = ev.CallDidArrive("c9", "acc1", "sip:carol@pbx.example.com", "Carol", False)
    user = Settings(audio=AudioSettings(ringer="Headset"))
    ctx = context(bridge, tmp_path, settings=user, sound_devices=True)
    dialog = IncomingCallDialog(ctx, arrived)
    qtbot.addWidget(dialog)
    assert not dialog.beeping  # the engine rings on the ringer device
    fake_engine.emit(ev.AudioDeviceDidFail("ringer", "Headset", "cannot ring on Headset"))
    qtbot.waitUntil(lambda: dialog.beeping)  # no ringer: the system beep at least
    dialog.answer_button.click()
    answer = fake_engine.commands(cmd.Answer)[-1]
    assert answer.devices and answer.hold_others
    plain = IncomingCallDialog(context(bridge, tmp_path), arrived)
    qtbot.addWidget(plain)
    assert plain.beeping  # calls without sound devices: the window beeps
