"""Keyboard shortcuts for calls, application-wide: answer, decline, hang up and mute
from the keyboard while the main window (with the number field focused), the ringing
window or the call window is active; named in the tooltips and the Call menu."""

from __future__ import annotations

from helpers_ui import context
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui.main_window import MainWindow

CALLER = '"Bob" <sip:bob@clinic.example;transport=tls>'
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _window(qtbot, bridge, tmp_path) -> MainWindow:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _ring(qtbot, win, fake_engine, call_id: str = "in1"):
    fake_engine.emit(ev.CallDidArrive(call_id, "acc1", CALLER, "Bob", False))
    qtbot.waitUntil(lambda: call_id in win.incoming and win.call_actions.answer.isEnabled())
    return win.incoming[call_id]


def _keys(qtbot, widget, key: Qt.Key) -> None:
    """Ctrl+Shift+key typed into `widget`, its window the active one (as a user's)."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(widget, key, CTRL_SHIFT)


def test_shortcuts_answer_from_the_main_window_then_mute_and_hang_up(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    win = _window(qtbot, bridge, tmp_path)
    assert not win.call_actions.answer.isEnabled() and not win.call_actions.mute.isEnabled()
    _ring(qtbot, win, fake_engine)
    win.dial_pad.number_edit.setFocus()  # typing a number must not swallow the keys
    _keys(qtbot, win.dial_pad.number_edit, Qt.Key.Key_A)
    assert fake_engine.commands(cmd.Answer) == [cmd.Answer("in1", hold_others=True)]
    call = win.call_windows["in1"]
    fake_engine.emit(ev.CallStateDidChange("in1", ev.CallState.CONFIRMED, 200, "OK"))
    _keys(qtbot, call, Qt.Key.Key_M)
    assert fake_engine.commands(cmd.SetMute) == [cmd.SetMute("in1", True)]
    assert call.mute_button.isChecked()
    _keys(qtbot, win, Qt.Key.Key_M)  # from the main window too: unmute
    assert fake_engine.commands(cmd.SetMute)[-1] == cmd.SetMute("in1", False)
    _keys(qtbot, win.dial_pad.number_edit, Qt.Key.Key_H)
    assert fake_engine.commands(cmd.Hangup) == [cmd.Hangup("in1")]


def test_shortcuts_decline_and_hang_up_a_ringing_call(qtbot, bridge, fake_engine, tmp_path) -> None:
    win = _window(qtbot, bridge, tmp_path)
    dialog = _ring(qtbot, win, fake_engine, "in1")
    _keys(qtbot, dialog, Qt.Key.Key_D)
    assert fake_engine.commands(cmd.Reject) == [cmd.Reject("in1", 603)]
    assert not dialog.isVisible()
    dialog2 = _ring(qtbot, win, fake_engine, "in2")
    _keys(qtbot, dialog2, Qt.Key.Key_H)  # hang up on a ringing call: decline it
    assert fake_engine.commands(cmd.Reject)[-1] == cmd.Reject("in2", 603)
    assert fake_engine.commands(cmd.Answer) == [] and win.call_windows == {}


def test_shortcuts_do_nothing_without_a_call(qtbot, bridge, fake_engine, tmp_path) -> None:
    win = _window(qtbot, bridge, tmp_path)
    for key in (Qt.Key.Key_A, Qt.Key.Key_D, Qt.Key.Key_H, Qt.Key.Key_M):
        _keys(qtbot, win, key)
    assert fake_engine.submitted == []


def test_shortcuts_are_named_in_tooltips_and_the_call_menu(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    win = _window(qtbot, bridge, tmp_path)
    dialog = _ring(qtbot, win, fake_engine)
    assert dialog.answer_button.toolTip().endswith("(Ctrl+Shift+A)")
    assert dialog.decline_button.toolTip() == "Refuse the call (603 Decline) (Ctrl+Shift+D)"
    qtbot.mouseClick(dialog.answer_button, Qt.MouseButton.LeftButton)
    call = win.call_windows["in1"]
    assert call.mute_button.toolTip().endswith("(Ctrl+Shift+M)")
    assert call.hangup_button.toolTip().endswith("(Ctrl+Shift+H)")
    menus = {a.text(): a.menu() for a in win.menuBar().actions()}
    texts = [a.text() for a in menus["&Call"].actions()]
    assert texts == ["&Answer", "&Decline", "&Hang up", "&Mute"]


def test_shortcuts_settings_has_keys_everywhere(qtbot, bridge, tmp_path) -> None:
    win = _window(qtbot, bridge, tmp_path)
    assert win.settings_action.shortcuts()  # Ctrl+, where the platform names none
