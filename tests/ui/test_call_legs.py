"""A second call from the call window, through the policy: consult then attended transfer
(TransferAttended), add a call and merge (Conference); the first call is held meanwhile
and taken off hold if the second call ends first."""

from __future__ import annotations

import pytest
from helpers_ui import context
from PySide6.QtCore import Qt

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui.main_window import MainWindow

FIRST = "c-first"


@pytest.fixture
def first(qtbot, bridge, fake_engine, tmp_path):
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    win.show()
    fake_engine.emit(
        ev.CallDidStart(FIRST, "acc1", "sip:pat@sip.example.com", ev.Direction.OUTGOING),
        ev.CallStateDidChange(FIRST, ev.CallState.CONFIRMED, 200, "OK"),
    )
    qtbot.waitUntil(lambda: FIRST in win.call_windows)
    window = win.call_windows[FIRST]
    qtbot.mouseClick(window.add_call_button, Qt.MouseButton.LeftButton)
    assert window.legs.isVisible()
    return win, window


def _second(qtbot, win, fake_engine, button: str) -> str:
    legs = win.call_windows[FIRST].legs
    qtbot.keyClicks(legs.target_edit, "sip:nurse@sip.example.com")
    qtbot.mouseClick(getattr(legs, button), Qt.MouseButton.LeftButton)
    [call] = fake_engine.commands(cmd.MakeCall)
    assert call.uri == "sip:nurse@sip.example.com"
    assert fake_engine.commands(cmd.Hold) == [cmd.Hold(FIRST)]
    fake_engine.emit(
        ev.CallDidStart(call.call_id, "acc1", call.uri, ev.Direction.OUTGOING),
        ev.CallStateDidChange(call.call_id, ev.CallState.CONFIRMED, 200, "OK"),
    )
    qtbot.waitUntil(lambda: call.call_id in win.call_windows and legs.leg_connected)
    return call.call_id


def test_consult_then_attended_transfer(qtbot, first, fake_engine, screenshot) -> None:
    win, window = first
    leg = _second(qtbot, win, fake_engine, "consult_button")
    legs = window.legs
    assert window.hold_button.isChecked() and window.hold_button.text() == "Resume"
    assert legs.complete_button.isVisible() and not legs.merge_button.isVisible()
    screenshot(window, "call_consult_transfer")
    qtbot.mouseClick(legs.complete_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.TransferAttended) == [cmd.TransferAttended(FIRST, leg)]
    fake_engine.emit(
        ev.CallTransferDidProgress(FIRST, 200, "OK", True),
        ev.CallDidEnd(leg, 200, "replaced", 5.0),
        ev.CallDidEnd(FIRST, 200, "transferred", 30.0),
    )
    qtbot.waitUntil(lambda: window.ended)
    assert fake_engine.commands(cmd.Resume) == []  # handed over, not taken back


def test_add_a_call_and_merge_into_a_conference(qtbot, first, fake_engine) -> None:
    win, window = first
    leg = _second(qtbot, win, fake_engine, "add_button")
    legs = window.legs
    assert legs.merge_button.isVisible() and not legs.complete_button.isVisible()
    qtbot.mouseClick(legs.merge_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.Conference) == [cmd.Conference((FIRST, leg))]
    fake_engine.emit(ev.ConferenceDidChange((FIRST, leg)))
    qtbot.waitUntil(lambda: legs.finished)
    assert legs.status_label.text().startswith("Conference:")
    assert not window.hold_button.isChecked()  # the engine took it off hold to mix it
    assert fake_engine.commands(cmd.Resume) == []


def test_second_call_ending_first_takes_the_first_off_hold(qtbot, first, fake_engine) -> None:
    win, window = first
    leg = _second(qtbot, win, fake_engine, "consult_button")
    fake_engine.emit(ev.CallDidEnd(leg, 486, "Busy Here", 0.0))
    qtbot.waitUntil(lambda: window.legs.leg_id is None)
    assert fake_engine.commands(cmd.Resume) == [cmd.Resume(FIRST)]
    assert not window.hold_button.isChecked() and window.legs.consult_button.isEnabled()
    assert "back" in window.legs.status_label.text()


def test_second_call_to_a_denied_number_is_never_placed(qtbot, first, fake_engine) -> None:
    win, window = first
    qtbot.keyClicks(window.legs.target_edit, "+1 900 555 0100")
    qtbot.mouseClick(window.legs.consult_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.MakeCall) == [] and fake_engine.commands(cmd.Hold) == []
    assert "premium" in win.banner.text()
