"""Call shortcuts through the real engine and the test bed: bob (baresip) calls the
app, Ctrl+Shift+A typed in the main window answers, Ctrl+Shift+M mutes, Ctrl+Shift+H
hangs up, and baresip sees the call established and closed. A real window under Xvfb."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the gui extra is not installed")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from softphone.config.settings import AccountSettings, SecretRef, Settings
from softphone.engine import events as ev
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.context import UiContext
from softphone.ui.main_window import MainWindow
from softphone.ui.security_text import Level

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _keys(qtbot, widget, key: Qt.Key) -> None:
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(widget, key, CTRL_SHIFT)


def test_ui_shortcuts_answer_mute_hang_up_a_real_call(qtbot, bridge, peers, tmp_path) -> None:
    peers.start_peer("bob", "--manual")
    store = EncryptedFileStore.create(tmp_path / "s.enc", "a passphrase", scrypt_n=2**10)
    store.set("sip", "alice@127.0.0.1", "alice-secret")
    profile = str(REPO / "sip_profiles" / "testbed.toml")
    account = AccountSettings(profile, "alice", SecretRef("sip", "alice@127.0.0.1"))
    ctx = UiContext(bridge, settings=Settings(accounts=(account,)), store=store)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start()
    status = win.status_bar_widget.text_label
    qtbot.waitUntil(lambda: status.text().startswith("Registered"), timeout=15_000)

    peers.peer("dial", "bob", "sip:alice@127.0.0.1")
    qtbot.waitUntil(lambda: win.call_actions.answer.isEnabled(), timeout=10_000)
    [call_id] = win.incoming
    win.dial_pad.number_edit.setFocus()
    states: list[ev.CallState] = []
    bridge.callStateChanged.connect(lambda e: states.append(e.state))
    _keys(qtbot, win.dial_pad.number_edit, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: ev.CallState.CONFIRMED in states, timeout=10_000)
    call = win.call_windows[call_id]
    qtbot.waitUntil(lambda: call.badge.level is Level.ENCRYPTED, timeout=10_000)

    _keys(qtbot, win, Qt.Key.Key_M)
    assert call.mute_button.isChecked() and call.mute_button.text() == "Unmute"
    with qtbot.waitSignal(bridge.callEnded, timeout=10_000) as ended:
        _keys(qtbot, call, Qt.Key.Key_H)
    assert ended.args[0].call_id == call_id
    assert call.ended
    # baresip reports our BYE as "session closed: Connection reset by peer".
    qtbot.waitUntil(lambda: "session closed" in peers.log("bob"), timeout=5000)
    assert "Call established: sip:alice@127.0.0.1" in peers.log("bob")
