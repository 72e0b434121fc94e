"""An appointment's "Call now" on the real engine: through CallLauncher and the engine's own
dial gate to the embedded TLS + SRTP echo peer (no network, no test bed); the call window
shows the encrypted badge, hanging up marks the appointment done with the real duration,
and the quality rating lands on the history row the recorder wrote for that call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from helpers import running_bridge
from helpers_ui import open_database
from PySide6.QtCore import Qt

from softphone.config.settings import HistorySettings
from softphone.engine import commands as cmd
from softphone.engine.loopback import loopback_profile
from softphone.history.recorder import HistoryRecorder
from softphone.schedule.appointment import Appointment, AppointmentStatus
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import Direction
from softphone.ui.context import AccountInfo, UiContext
from softphone.ui.main_window import MainWindow
from softphone.ui.security_text import Level

CALLER = "ui-loop-caller"


@pytest.fixture
def engine_bridge(qtbot):
    with running_bridge() as pair:
        yield pair


def test_call_now_reaches_the_embedded_peer_and_marks_the_appointment_done(
    qtbot, engine_bridge, tmp_path
) -> None:
    engine, bridge = engine_bridge
    db = open_database(tmp_path)
    recorder = HistoryRecorder(db, HistorySettings())
    engine.subscribe(recorder.on_event)
    try:
        with qtbot.waitSignal(bridge.loopbackStarted, timeout=10_000) as started:
            bridge.submit(cmd.StartLoopback(CALLER))
        peer = started.args[0]
        port = int(peer.uri.split(":")[2].split(";")[0])
        account = AccountInfo(CALLER, replace(loopback_profile(("sdes",)), port=port), "test")
        ctx = UiContext(
            bridge, database=db, recorder=recorder, account=account,
            settings_file=tmp_path / "settings.json",
        )  # fmt: skip
        store = AppointmentStore(db)
        now = datetime.now(UTC)
        a = store.add(Appointment(now - timedelta(minutes=1), timedelta(minutes=30), peer.uri,
                                  "Loopback visit"))  # fmt: skip
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        win.tabs.setCurrentWidget(win.today_view)
        win.today_view.reload()
        view = win.today_view
        qtbot.waitUntil(lambda: view.model.row_of(a.id) >= 0)
        view.select(a.id)
        qtbot.mouseClick(view.call_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(win.call_windows) == 1, timeout=10_000)
        [(call_id, window)] = win.call_windows.items()
        assert "Loopback visit" in window.appointment_label.text()
        qtbot.waitUntil(lambda: window.badge.level is Level.ENCRYPTED, timeout=10_000)
        qtbot.waitUntil(lambda: window.state_label.text() == "Connected", timeout=5000)
        qtbot.wait(1100)  # a measurable duration
        qtbot.mouseClick(window.hangup_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: call_id in win.after_call, timeout=10_000)
        done = store.get(a.id)
        assert done.status is AppointmentStatus.DONE
        assert 1.0 <= done.actual_duration_s < 30, done.actual_duration_s
        assert done.outcome.startswith("call completed (0:0")
        after = win.after_call[call_id]
        assert after.appointment_label.text().startswith("The appointment was marked done")
        assert after.rating_box.isVisible()
        with qtbot.waitSignal(after.ratingStored, timeout=5000):
            qtbot.mouseClick(after.rating_buttons.button(5), Qt.MouseButton.LeftButton)
        # one row: the echo peer's own (incoming) leg is not a call with anyone
        [row] = db.list_calls()
        assert row.direction is Direction.OUTGOING
        assert row.peer == peer.uri and row.outcome == "answered" and row.encrypted_media
        assert row.note == "call quality: 5/5 (excellent)"
        assert abs(row.duration_s - done.actual_duration_s) < 0.5
    finally:
        recorder.close()
        db.close()
