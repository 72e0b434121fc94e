"""The call window built ahead (`SpareCallWindow`): built in steps, hidden, deaf to
every call until bound; bound, it is the window a call would have had (same texts,
same size, same reactions); a device notice heard before its call is gone; the main
window opens its calls in it and prepares the next one."""

from __future__ import annotations

import pytest
from helpers import DEVICES, device_switch
from helpers_ui import account, context
from PySide6.QtCore import Qt

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui.call_flow import CallLauncher
from softphone.ui.call_window import CallWindow, SpareCallWindow
from softphone.ui.main_window import MainWindow
from softphone.ui.security_text import Level

PEER = "sip:+12125550100@pbx.example.com;user=phone"
SDES = ev.MediaSecurity(True, "RTP/SAVP", "AES_256_CM_HMAC_SHA1_80", "sdes")
TLS = ev.SignallingSecurity("tls", "TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384", "pbx", "AB:CD")


def _ready(qtbot, spare: SpareCallWindow) -> CallWindow:
    spare.prepare()
    qtbot.waitUntil(lambda: spare.ready, timeout=5000)
    window = spare.take(after_ms=60_000)
    assert window is not None
    qtbot.addWidget(window)
    return window


def _shown(qtbot, window: CallWindow) -> CallWindow:
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)  # grow_soon
    return window


def test_spare_is_deaf_until_bound_then_a_call_window_like_any(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    ctx = context(bridge, tmp_path)
    launcher = CallLauncher(ctx)
    spare = SpareCallWindow(ctx, launcher)
    window = _ready(qtbot, spare)
    assert window.call_id is None and window.isHidden()
    assert window.testAttribute(Qt.WidgetAttribute.WA_WState_Created)  # native window made
    assert not spare.ready and spare.take() is None  # the next one is not built yet
    # no call is its call yet
    fake_engine.emit(
        ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallMediaDidChange("c1", SDES, "PCMU", 8000, False, False, signalling=TLS),
    )
    qtbot.wait(50)
    assert window.badge.level is Level.PENDING and window.state_label.text() == "Calling…"

    window.bind("c1", PEER)
    fresh = CallWindow(ctx, launcher, "c2", PEER)
    qtbot.addWidget(fresh)
    for w in (_shown(qtbot, window), _shown(qtbot, fresh)):
        assert w.windowTitle() == "Call — +12125550100@pbx.example.com"
        assert w.peer_label.text() == "+12125550100@pbx.example.com"
        assert w.peer_label.toolTip() == PEER
        assert w.state_label.text() == "Calling…" and w.badge.level is Level.PENDING
    assert window.size() == fresh.size()
    assert window.legs.call_id == "c1" and window.video_panel.call_id == "c1"

    fake_engine.emit(
        ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallMediaDidChange("c1", SDES, "PCMU", 8000, False, False, signalling=TLS),
    )
    qtbot.waitUntil(lambda: window.badge.level is Level.ENCRYPTED)
    assert window.state_label.text() == "Connected" and fresh.badge.level is Level.PENDING
    qtbot.mouseClick(window.mute_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.SetMute) == [cmd.SetMute("c1", True)]
    window.close()
    assert fake_engine.commands(cmd.Hangup) == [cmd.Hangup("c1")]
    spare.close()


def test_spare_closed_unbound_ends_no_call(qtbot, bridge, fake_engine, tmp_path) -> None:
    ctx = context(bridge, tmp_path)
    window = _ready(qtbot, SpareCallWindow(ctx, CallLauncher(ctx)))
    closed: list[str] = []
    window.windowClosed.connect(closed.append)
    window.close()
    assert fake_engine.commands(cmd.Hangup) == [] and closed == []
    window.bind("c1", PEER)
    with pytest.raises(ValueError, match="c1"):
        window.bind("c2", PEER)  # one call per window


def test_spare_forgets_a_device_notice_heard_before_its_call(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    ctx = context(bridge, tmp_path, sound_devices=True)
    fake_engine.emit(DEVICES, device_switch("speaker", "Speakers", "call started"))
    qtbot.waitUntil(lambda: "speaker" in bridge.audio_in_use)
    window = _ready(qtbot, SpareCallWindow(ctx, CallLauncher(ctx)))
    row = window.devices_row
    fake_engine.emit(device_switch("speaker", "Headset", "switched by the user"))  # before its call
    qtbot.waitUntil(lambda: not row.notice_label.isHidden())
    window.bind("c1", PEER)
    _shown(qtbot, window)
    assert not row.notice_label.isVisible()
    assert row.status_label.text() == "Microphone: – · Speaker: Headset"


def test_main_window_opens_the_call_in_the_spare_and_prepares_another(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start()  # prepares the spare
    spare = win.spare_call_window
    qtbot.waitUntil(lambda: spare.ready, timeout=5000)
    built = spare._window
    win.ctx.account = account()  # as if signed in (start found no account in the settings)
    fake_engine.emit(ev.CallDidStart("ui1", "acc1", PEER, ev.Direction.OUTGOING))
    qtbot.waitUntil(lambda: "ui1" in win.call_windows)
    window = win.call_windows["ui1"]
    assert window is built and window.call_id == "ui1"
    qtbot.waitExposed(window)
    assert window.peer_label.text() == "+12125550100@pbx.example.com"
    qtbot.waitUntil(lambda: spare.ready, timeout=5000)  # the next one
    assert spare._window is not window
    window.close()
    qtbot.waitUntil(lambda: "ui1" not in win.call_windows)
    win.close()  # the spare goes with the main window
    assert not spare.ready


def test_spare_is_built_again_in_the_language_saved_in_settings(
    qtbot, bridge, fake_engine, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("SOFTPHONE_LANG")
    monkeypatch.setattr("softphone.ui.translations.system_language", lambda system=None: "en")
    monkeypatch.setattr("softphone.ui.settings_dialog.system_language", lambda: "en")
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start()
    spare = win.spare_call_window
    qtbot.waitUntil(lambda: spare.ready, timeout=5000)
    assert spare._window.hangup_button.text() == "Hang up"
    win.open_settings()
    dialog = win.settings_dialog
    qtbot.addWidget(dialog)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: spare.ready, timeout=5000)
    win.ctx.account = account()
    fake_engine.emit(ev.CallDidStart("ui1", "acc1", PEER, ev.Direction.OUTGOING))
    qtbot.waitUntil(lambda: "ui1" in win.call_windows)
    window = win.call_windows["ui1"]
    assert window.hangup_button.text() == "挂断"  # as a window built now would say
