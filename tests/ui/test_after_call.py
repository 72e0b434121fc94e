"""After a call: the call window (which shows the patient) closes by itself; the optional
"How was the call quality?" rating is stored on the history row of that very call (the
recorder's row for the engine call id), shown in the history; not asked for calls that
never connected or when history is not kept."""

from __future__ import annotations

import pytest
from helpers_ui import context, open_database
from PySide6.QtCore import Qt

from softphone.config.settings import HistorySettings, Settings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.history.recorder import HistoryRecorder
from softphone.ui import call_window
from softphone.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, bridge, fake_engine, tmp_path, monkeypatch):
    monkeypatch.setattr(call_window, "CLOSE_AFTER_END_MS", 200)
    db = open_database(tmp_path)
    made = []

    def make(settings: Settings | None = None) -> MainWindow:
        settings = settings or Settings()
        recorder = HistoryRecorder(db, settings.history)
        fake_engine.subscribe(recorder.on_event)
        made.append(recorder)
        ctx = context(bridge, tmp_path, database=db, recorder=recorder, settings=settings)
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    yield make
    for recorder in made:
        recorder.close()
    db.close()


def _call(qtbot, win, fake_engine, number: str, *, answered: bool) -> str:
    win.dial_pad.set_number(number)
    qtbot.mouseClick(win.dial_pad.call_button, Qt.MouseButton.LeftButton)
    call = fake_engine.commands(cmd.MakeCall)[-1]
    fake_engine.emit(
        ev.CallDidStart(call.call_id, "acc1", f"sip:{number}@x", ev.Direction.OUTGOING)
    )
    qtbot.waitUntil(lambda: call.call_id in win.call_windows)
    if answered:
        fake_engine.emit(ev.CallStateDidChange(call.call_id, ev.CallState.CONFIRMED, 200, "OK"))
        fake_engine.emit(ev.CallDidEnd(call.call_id, 200, "Normal call clearing", 95.0))
    else:
        fake_engine.emit(ev.CallDidEnd(call.call_id, 486, "Busy Here", 0.0))
    return call.call_id


def test_after_call_rating_is_stored_with_that_call(qtbot, window, fake_engine, screenshot):
    win = window()
    first = _call(qtbot, win, fake_engine, "+12125550100", answered=True)
    qtbot.waitUntil(lambda: first in win.after_call)
    win.after_call[first].close()
    second = _call(qtbot, win, fake_engine, "+12125550111", answered=True)
    qtbot.waitUntil(lambda: second in win.after_call)
    dialog = win.after_call[second]
    qtbot.waitExposed(dialog)
    assert dialog.rating_box.isVisible() and not dialog.follow_up_box.isVisible()
    assert dialog.rating_label.text() == "How was the call quality?"
    texts = " ".join(w.text() for w in dialog.findChildren(type(dialog.rating_label)))
    assert "555" not in texts  # the prompt names no one
    screenshot(dialog, "evaluation_prompt")
    qtbot.waitUntil(lambda: second not in win.call_windows)  # closed by itself
    with qtbot.waitSignal(dialog.ratingStored, timeout=5000):
        qtbot.mouseClick(dialog.rating_buttons.button(4), Qt.MouseButton.LeftButton)
    assert dialog.rating_label.text().startswith("Thank you: rated 4 (good)")
    assert not dialog.rating_buttons.button(2).isEnabled()
    notes = {r.peer: r.note for r in win.ctx.database.list_calls()}
    assert notes == {
        "sip:+12125550111@x": "call quality: 4/5 (good)",
        "sip:+12125550100@x": None,
    }
    qtbot.waitUntil(lambda: win.history_model.rowCount() == 2)
    outcomes = [win.history_model.index(i, 4).data() for i in range(2)]
    assert outcomes == ["answered · quality 4/5", "answered"]
    screenshot(dialog, "evaluation_stored")


def test_after_call_not_asked_for_a_call_that_never_connected(qtbot, window, fake_engine):
    win = window()
    call_id = _call(qtbot, win, fake_engine, "+12125550100", answered=False)
    qtbot.waitUntil(lambda: call_id not in win.call_windows)
    assert win.after_call == {}
    assert win.banner.text() == "Call not connected: Busy Here"  # the reason outlives the window


def test_after_call_not_asked_when_history_is_not_kept(qtbot, window, fake_engine):
    win = window(Settings(history=HistorySettings(keep=False)))
    call_id = _call(qtbot, win, fake_engine, "+12125550100", answered=True)
    qtbot.waitUntil(lambda: call_id not in win.call_windows)
    assert win.after_call == {}
