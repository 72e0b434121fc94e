"""Today view on a real encrypted database and a real live schedule: sections, add/edit with
a verification phrase (only its hash stored, off the GUI thread), running late, cancel,
.ics import (a bad line named, nothing imported) and export, reminders (privacy mode),
"Call now" through the policy with the phrase check in the call window, the appointment
marked done with the real duration, a follow-up, and an expected incoming caller."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from helpers_ui import context, open_database
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QMessageBox

from softphone.config.settings import PrivacySettings, ScheduleSettings, Settings
from softphone.directory.contacts import ContactDirectory
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.gate import dial_plan
from softphone.policy.numbers import classify
from softphone.schedule.appointment import Appointment, AppointmentStatus, CallDirection
from softphone.schedule.ical import read_ics
from softphone.schedule.live import LiveSchedule
from softphone.schedule.phrase import hash_phrase, verify_phrase
from softphone.security.secret import Secret
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import Contact, PhoneEntry
from softphone.ui.main_window import MainWindow
from softphone.ui.today_model import AppointmentRole

NOW = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
PAT = "sip:pat@sip.example.com"
PHRASE = "blue heron 42"


@pytest.fixture
def database(tmp_path):
    db = open_database(tmp_path)
    yield db
    db.close()


@pytest.fixture
def store(database):
    return AppointmentStore(database)


@pytest.fixture
def make_window(qtbot, bridge, tmp_path, database, store):
    made: list[LiveSchedule] = []

    def make(**kw) -> MainWindow:
        ctx = context(bridge, tmp_path, database=database, **kw)
        ctx.directory = kw.get("directory") or ContactDirectory(database, "US")
        ctx.schedule = LiveSchedule(
            store.between, dial_plan(ctx.account.profile), now=lambda: NOW, refresh_s=3600
        )
        made.append(ctx.schedule)
        win = MainWindow(ctx)
        win.today_view.now = win.appointment_calls.now = lambda: NOW
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.tabs.setCurrentWidget(win.today_view)
        win.today_view.reload()
        return win

    yield make
    for schedule in made:
        schedule.close()


def _at(minutes: int, **kw) -> Appointment:
    kw.setdefault("participant", PAT)
    return Appointment(NOW + timedelta(minutes=minutes), timedelta(minutes=30), **kw)


def _texts(view) -> list[str]:
    return [view.model.index(i).data() for i in range(view.model.rowCount())]


def _wait_rows(qtbot, view, n: int) -> None:
    qtbot.waitUntil(lambda: sum(r.kind == "appointment" for r in view.model.rows) == n)


def _select(view, title: str) -> Appointment:
    rows = view.model.rows
    row = next(i for i, r in enumerate(rows) if r.appointment and r.appointment.title == title)
    view.list.setCurrentIndex(view.model.index(row))
    return view.model.index(row).data(AppointmentRole)


def test_today_sections_running_late_and_cancel(qtbot, make_window, store, screenshot) -> None:
    store.add_many(
        [
            _at(-180, title="Overdue check"),
            _at(-5, title="Happening now", direction=CallDirection.THEY_CALL),
            _at(45, title="Later today", phrase_hash="scrypt$x"),
            _at(24 * 60 + 30, title="Tomorrow visit", participant="+1 212 555 0100"),
        ]
    )
    win = make_window()
    view = win.today_view
    _wait_rows(qtbot, view, 4)
    headers = [r.text for r in view.model.rows if r.kind == "header"]
    assert headers[:2] == ["Now", "Overdue"] and "Tomorrow" in headers
    now_line = next(t for t in _texts(view) if "Happening now" in t)
    assert now_line.endswith("Happening now · pat@sip.example.com · they call us")
    assert view.model.rows[1].state == "now"
    assert "phrase set" in next(t for t in _texts(view) if "Later today" in t)
    screenshot(win, "today_view")
    later = _select(view, "Later today")
    assert view.call_button.isEnabled() and view.late_button.isEnabled()
    view.late_menu.actions()[1].trigger()  # about 10 min
    qtbot.waitUntil(lambda: any("running late: about 10 min" in t for t in _texts(view)))
    assert store.get(later.id).outcome.startswith("running late: about 10 min")
    assert store.get(later.id).status is AppointmentStatus.PLANNED
    assert view.model.rows[view.model.row_of(later.id)].state == "late"
    assert view.selected().id == later.id
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    view.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: store.get(later.id).status is AppointmentStatus.CANCELLED)
    qtbot.waitUntil(lambda: "cancelled" in next(t for t in _texts(view) if "Later today" in t))
    assert not view.call_button.isEnabled()  # a cancelled appointment is not called


def test_appointment_dialog_with_a_contact_and_a_phrase(
    qtbot, make_window, store, database, screenshot
) -> None:
    directory = ContactDirectory(database, "US")
    john = directory.add(
        Contact("John Smith", department="Dermatology",
                numbers=(PhoneEntry("(212) 555-0123", label="work"),))
    )  # fmt: skip
    win = make_window(directory=directory)
    view = win.today_view
    qtbot.waitUntil(lambda: len(view.contacts) == 1)
    dialog = view.open_editor(None)
    qtbot.waitExposed(dialog)
    combo = dialog.participant_combo
    combo.setCurrentIndex(combo.findText("John Smith – Dermatology · work (212) 555-0123"))
    assert dialog.participant() == ("+12125550123", john.id)
    assert dialog.advice_label.text().startswith("Calling: Allowed")
    start = NOW + timedelta(hours=2)
    dialog.start_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp())))
    dialog.minutes_spin.setValue(20)
    qtbot.keyClicks(dialog.title_edit, "Skin check")
    qtbot.keyClicks(dialog.phrase_edit, PHRASE)
    screenshot(dialog, "appointment_dialog")
    with qtbot.waitSignal(dialog.appointmentSaved, timeout=10_000) as saved:
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        assert dialog.phrase_edit.text() == ""  # taken out of the widget at once
    stored = store.get(saved.args[0].id)
    assert (stored.participant, stored.contact_id) == ("+12125550123", john.id)
    assert stored.title == "Skin check"
    assert stored.start == start and stored.duration == timedelta(minutes=20)
    assert stored.phrase_hash.startswith("scrypt$") and PHRASE not in stored.phrase_hash
    assert verify_phrase(Secret(PHRASE), stored.phrase_hash)
    wal = database.path.with_name(database.path.name + "-wal")
    raw = database.path.read_bytes() + wal.read_bytes()
    assert PHRASE.encode() not in raw
    qtbot.waitUntil(lambda: any("Skin check" in t for t in _texts(view)))
    assert "John Smith – Dermatology" in next(t for t in _texts(view) if "Skin check" in t)
    qtbot.waitUntil(lambda: win.ctx.schedule.index().next_change(NOW) is not None)
    # the live schedule (the engine's inbound check) sees the appointment's window
    plan = dial_plan(win.ctx.account.profile)
    opens = start - timedelta(minutes=5)
    assert win.ctx.schedule.index().scheduled(classify("tel:+12125550123", plan), opens)

    edit = view.open_editor(stored)
    assert edit.participant() == ("+12125550123", john.id) and edit.remove_phrase_check.isVisible()
    edit.they_call_radio.setChecked(True)
    with qtbot.waitSignal(edit.appointmentSaved, timeout=10_000):
        edit.buttons.button(edit.buttons.StandardButton.Save).click()
    kept = store.get(stored.id)
    assert kept.phrase_hash == stored.phrase_hash and kept.direction is CallDirection.THEY_CALL
    edit = view.open_editor(kept)
    edit.remove_phrase_check.setChecked(True)
    with qtbot.waitSignal(edit.appointmentSaved, timeout=10_000):
        edit.buttons.button(edit.buttons.StandardButton.Save).click()
    assert store.get(stored.id).phrase_hash is None


def test_appointment_dialog_refuses_a_short_phrase_and_no_participant(
    qtbot, make_window, store
) -> None:
    win = make_window()
    view = win.today_view
    dialog = view.open_editor(None)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "whom to call is empty" in dialog.error_label.text()
    dialog.participant_combo.setEditText("+1 212 555 0100")
    qtbot.keyClicks(dialog.phrase_edit, "abc")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "at least 4 characters" in dialog.error_label.text())
    assert "abc" not in dialog.error_label.text() and dialog.isVisible()
    assert store.all() == []


def test_today_ics_import_error_names_the_line_and_imports_nothing(
    qtbot, make_window, store, tmp_path
) -> None:
    win = make_window()
    view = win.today_view
    day = (NOW + timedelta(days=1)).strftime("%Y%m%d")
    good = f"UID:a\nDTSTART:{day}T090000Z\nSUMMARY:Review\nATTENDEE:sip:pat@sip.example.com"
    bad = "UID:b\nDTSTART:not-a-date\nATTENDEE:tel:+12125550123"
    body = "\n".join(f"BEGIN:VEVENT\n{e}\nEND:VEVENT" for e in (good, bad))
    path = tmp_path / "clinic.ics"
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{body}\nEND:VCALENDAR\n")
    view.import_from(path)
    qtbot.waitUntil(lambda: "Nothing was imported" in view.message_label.text())
    assert "clinic.ics" in view.message_label.text() and "line 12: " in view.message_label.text()
    assert store.all() == []
    allday = f"UID:c\nDTSTART;VALUE=DATE:{day}\nSUMMARY:Holiday"
    body = "\n".join(f"BEGIN:VEVENT\n{e}\nEND:VEVENT" for e in (good, allday))
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{body}\nEND:VCALENDAR\n")
    view.import_from(path)
    qtbot.waitUntil(lambda: view.message_label.text().startswith("Imported"))
    assert view.message_label.text() == "Imported 1 appointment (skipped: 1 all-day)."
    _wait_rows(qtbot, view, 1)
    out = tmp_path / "out.ics"
    view.export_to(out)
    qtbot.waitUntil(lambda: "Exported 1 appointment " in view.message_label.text())
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [back] = read_ics(out.read_bytes()).appointments
    assert back.title == "Review" and back.participant == PAT


@pytest.mark.parametrize("private", [False, True])
def test_today_reminder_once_before_the_start(qtbot, make_window, store, private) -> None:
    store.add(_at(4, title="Skin check"))
    store.add(_at(30, title="Later"))
    settings = Settings(
        schedule=ScheduleSettings(reminder_minutes=5),
        privacy=PrivacySettings(show_caller_in_notifications=not private),
    )
    win = make_window(settings=settings)
    view = win.today_view
    with qtbot.waitSignal(view.reminderDue, timeout=5000) as due:
        pass
    title, message = due.args
    assert title == "Appointment in 4 min"
    assert ("pat@sip.example.com" in message) is (not private)
    assert ("Skin check" in message) is (not private)
    assert win.last_notification == (title, message) and title in win.banner.text()
    with qtbot.assertNotEmitted(view.reminderDue, wait=100):
        view.check_reminders()  # once per appointment


def test_today_call_now_phrase_check_done_and_follow_up(
    qtbot, make_window, store, fake_engine, screenshot
) -> None:
    a = store.add(_at(-2, title="Skin check", phrase_hash=hash_phrase(Secret(PHRASE), n=2**10)))
    win = make_window()
    view = win.today_view
    _wait_rows(qtbot, view, 1)
    _select(view, "Skin check")
    qtbot.mouseClick(view.call_button, Qt.MouseButton.LeftButton)
    [call] = fake_engine.commands(cmd.MakeCall)
    assert call.uri == PAT
    fake_engine.emit(ev.CallDidStart(call.call_id, "acc1", PAT, ev.Direction.OUTGOING))
    qtbot.waitUntil(lambda: call.call_id in win.call_windows)
    window = win.call_windows[call.call_id]
    assert window.appointment_label.text().startswith("Scheduled:")
    assert "Skin check" in window.appointment_label.text()
    panel = window.phrase_panel
    assert panel is not None and panel.isVisible()
    qtbot.keyClicks(panel.phrase_edit, "red fox")
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    assert panel.phrase_edit.text() == ""
    qtbot.waitUntil(lambda: panel.verified is False)
    assert "does NOT match" in panel.result_label.text()
    assert panel.result_label.property("kind") == "error"
    screenshot(window, "phrase_mismatch")
    qtbot.keyClicks(panel.phrase_edit, "  Blue  HERON 42 ")
    qtbot.keyClick(panel.phrase_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.verified is True)
    assert panel.result_label.text().startswith("✔  Verified")
    assert panel.result_label.property("kind") == "ok" and not panel.check_button.isEnabled()
    shown = " ".join(w.text() for w in window.findChildren(type(panel.result_label)))
    assert PHRASE.lower() not in shown.lower() and "heron" not in shown.lower()
    screenshot(window, "phrase_confirmation")
    fake_engine.emit(
        ev.CallStateDidChange(call.call_id, ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallDidEnd(call.call_id, 200, "Normal call clearing", 754.0),
    )
    qtbot.waitUntil(lambda: call.call_id in win.after_call)
    done = store.get(a.id)
    assert done.status is AppointmentStatus.DONE and done.actual_duration_s == 754.0
    assert done.outcome == "call completed (12:34)"
    after = win.after_call[call.call_id]
    qtbot.waitExposed(after)
    assert after.appointment_label.text() == (
        "The appointment was marked done: call completed (12:34)."
    )
    texts = " ".join(w.text() for w in after.findChildren(type(after.appointment_label)))
    assert "pat" not in texts.lower() and "Skin" not in texts  # names no one
    qtbot.mouseClick(after.follow_up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Follow-up added" in after.follow_up_label.text())
    follow = next(x for x in store.all() if x.id != a.id)
    assert follow.start == a.start + timedelta(days=7) and follow.title == "Follow-up: Skin check"
    assert follow.participant == PAT and follow.phrase_hash == a.phrase_hash
    screenshot(after, "after_call_follow_up")


def test_today_failed_call_keeps_the_appointment_open(qtbot, make_window, store, fake_engine):
    a = store.add(_at(-2, title="Skin check"))
    win = make_window()
    _wait_rows(qtbot, win.today_view, 1)
    _select(win.today_view, "Skin check")
    qtbot.mouseClick(win.today_view.call_button, Qt.MouseButton.LeftButton)
    [call] = fake_engine.commands(cmd.MakeCall)
    fake_engine.emit(
        ev.CallDidStart(call.call_id, "acc1", PAT, ev.Direction.OUTGOING),
        ev.CallDidEnd(call.call_id, 486, "Busy Here", 0.0),
    )
    qtbot.waitUntil(lambda: store.get(a.id).outcome is not None)
    kept = store.get(a.id)
    assert kept.status is AppointmentStatus.PLANNED and kept.outcome.endswith(": busy")
    qtbot.waitUntil(lambda: any("last attempt" in t for t in _texts(win.today_view)))


@pytest.mark.parametrize("private", [False, True])
def test_incoming_call_from_a_scheduled_participant_shows_the_appointment(
    qtbot, make_window, store, fake_engine, private, screenshot
) -> None:
    phrase = hash_phrase(Secret(PHRASE), n=2**10)
    store.add(_at(5, title="Skin check", direction=CallDirection.THEY_CALL, phrase_hash=phrase))
    settings = Settings(privacy=PrivacySettings(show_caller_in_notifications=not private))
    win = make_window(settings=settings)
    win.ctx.schedule.refresh(wait=5)
    fake_engine.emit(ev.CallDidArrive("in1", "acc1", f'"Pat" <{PAT}>', "Pat", False))
    qtbot.waitUntil(lambda: "in1" in win.incoming)
    label = win.incoming["in1"].appointment_label
    assert label.isVisible()
    hm = (NOW + timedelta(minutes=5)).astimezone().strftime("%H:%M")
    if private:
        assert label.text() == f"Scheduled appointment at {hm}"
    else:
        assert label.text().startswith(f"Scheduled: {hm}") and "Skin check" in label.text()
        screenshot(win.incoming["in1"], "incoming_scheduled_call")
    qtbot.mouseClick(win.incoming["in1"].answer_button, Qt.MouseButton.LeftButton)
    window = win.call_windows["in1"]  # the appointment and its phrase check come along
    assert "Skin check" in window.appointment_label.text() and window.phrase_panel is not None
    fake_engine.emit(ev.CallDidArrive("in2", "acc1", "sip:stranger@sip.example.com", "", False))
    qtbot.waitUntil(lambda: "in2" in win.incoming)
    assert not win.incoming["in2"].appointment_label.isVisible()


def test_today_without_a_database_says_why(qtbot, bridge, tmp_path) -> None:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    assert "unavailable" in win.today_view.message_label.text()
    assert not win.today_view.add_button.isEnabled()
