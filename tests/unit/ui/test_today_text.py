"""The Today view's pure logic: sections and lines, reminders, running late, after the call,
follow-ups, the editor's appointment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from softphone.schedule.appointment import Appointment, AppointmentStatus, CallDirection
from softphone.ui.today_text import (
    after_call,
    build_appointment,
    due_reminders,
    follow_up,
    follow_up_start,
    incoming_text,
    is_running_late,
    line,
    load_range,
    next_reminder,
    reminder_text,
    running_late,
    schedule_rows,
)

NOW = datetime(2024, 5, 7, 10, 0, tzinfo=UTC)  # a Tuesday


def _a(minutes_from_now: int, length: int = 30, **kw) -> Appointment:
    kw.setdefault("participant", "sip:pat@clinic.example")
    kw.setdefault("id", minutes_from_now + 10_000)
    return Appointment(NOW + timedelta(minutes=minutes_from_now), timedelta(minutes=length), **kw)


def test_today_sections_now_overdue_then_days() -> None:
    appointments = [
        _a(-120, title="Missed it"),  # ended 90 min ago, still planned: overdue
        _a(-10, title="In progress", contact_id=7),
        _a(30, title="Later today", direction=CallDirection.THEY_CALL),
        _a(-300, title="Done early", status=AppointmentStatus.DONE, actual_duration_s=754),
        _a(24 * 60, title="Tomorrow's"),
        _a(2 * 24 * 60, title="Thursday's"),
        _a(3 * 24 * 60, title="Cancelled Friday", status=AppointmentStatus.CANCELLED),
        _a(9 * 24 * 60, title="Beyond the horizon"),
    ]
    rows = schedule_rows(appointments, NOW, {7: "Pat Doe – Dermatology"}, UTC)
    shown = [(r.kind, r.text if r.kind == "header" else r.appointment.title, r.state) for r in rows]
    assert shown == [
        ("header", "Now", ""),
        ("appointment", "In progress", "now"),
        ("header", "Overdue", ""),
        ("appointment", "Missed it", "overdue"),
        ("header", "Today", ""),
        ("appointment", "Done early", "done"),
        ("appointment", "Later today", "planned"),
        ("header", "Tomorrow", ""),
        ("appointment", "Tomorrow's", "planned"),
        ("header", "Thursday 09 May", ""),
        ("appointment", "Thursday's", "planned"),
    ]
    assert rows[1].text == "09:50–10:20 · In progress · Pat Doe – Dermatology · we call"
    assert rows[5].text == "05:00–05:30 · Done early · pat@clinic.example · we call · done, 12:34"
    assert rows[6].text.endswith("· they call us")


def test_today_line_in_the_appointments_zone_or_the_viewers() -> None:
    ny = ZoneInfo("America/New_York")
    a = Appointment(datetime(2024, 5, 7, 9, 0, tzinfo=ny), timedelta(minutes=45), "+1 212 555 0100",
                    phrase_hash="scrypt$...")  # fmt: skip
    assert line(a, NOW, {}, ny).startswith("09:00–09:45 · Appointment · +1 212 555 0100")
    assert line(a, NOW, {}, UTC).startswith("13:00–13:45")
    assert "phrase set" in line(a, NOW, {})


def test_today_load_range_covers_overdue_and_the_horizon() -> None:
    start, end = load_range(NOW, UTC)
    assert start == NOW - timedelta(days=7)
    assert end == datetime(2024, 5, 14, 0, 0, tzinfo=UTC)


def test_reminders_fall_due_once_within_the_lead_time() -> None:
    soon, later, past = _a(4, id=1), _a(20, id=2), _a(-1, id=3)
    cancelled = _a(3, id=4, status=AppointmentStatus.CANCELLED)
    appointments = [soon, later, past, cancelled]
    assert due_reminders(appointments, NOW, 5, set()) == [soon]
    assert due_reminders(appointments, NOW, 5, {1}) == []
    assert due_reminders(appointments, NOW, 0, set()) == []  # reminders off
    assert next_reminder(appointments, NOW, 5, {1}) == NOW + timedelta(minutes=15)
    assert next_reminder([soon], NOW, 5, {1}) is None


def test_reminder_text_keeps_the_participant_out_in_privacy_mode() -> None:
    a = _a(4, title="Check-up", contact_id=7)
    title, body = reminder_text(a, NOW, True, {7: "Pat Doe"}, UTC)
    assert title == "Appointment in 4 min"
    assert body == "10:04 Check-up with Pat Doe (we call)"
    title, body = reminder_text(a, NOW, False, {7: "Pat Doe"}, UTC)
    assert "Pat" not in title + body and "Check-up" not in body and "10:04" in body
    assert incoming_text(a, False, UTC) == "Scheduled appointment at 10:04"
    assert incoming_text(a, True, UTC) == "Scheduled: 10:04–10:34 Check-up"


def test_running_late_is_the_outcome_of_an_open_appointment() -> None:
    text = running_late(10, NOW, UTC)
    assert text == "running late: about 10 min (said at 10:00)"
    late = _a(5, outcome=text)
    assert is_running_late(late)
    assert schedule_rows([late], NOW, {}, UTC)[1].state == "late"
    assert text in line(late, NOW, {})
    assert not is_running_late(_a(5, outcome=text, status=AppointmentStatus.DONE))


def test_after_call_done_with_the_real_duration_or_kept_with_the_attempt() -> None:
    a = _a(-5)
    assert after_call(a, True, 754.4, 200, "OK", None, NOW, UTC) == (
        AppointmentStatus.DONE, "call completed (12:34)", 754.4
    )  # fmt: skip
    status, outcome, duration = after_call(a, False, 0.0, 486, "Busy Here", None, NOW, UTC)
    assert status is AppointmentStatus.PLANNED and duration is None
    assert outcome == "last attempt 10:00: busy"
    _, outcome, _ = after_call(a, True, 3.0, 200, "OK", "media not encrypted", NOW, UTC)
    assert outcome == "last attempt 10:00: refused: media not encrypted"


def test_follow_up_same_participant_a_week_later_never_in_the_past() -> None:
    a = _a(-60, title="Check-up", contact_id=7, phrase_hash="h", status=AppointmentStatus.DONE,
           outcome="call completed (10:00)", actual_duration_s=600.0, notes="x")  # fmt: skip
    start = follow_up_start(a, NOW)
    assert start == a.start + timedelta(days=7)
    new = follow_up(a, start)
    assert (new.participant, new.contact_id, new.phrase_hash) == (a.participant, 7, "h")
    assert new.title == "Follow-up: Check-up" and new.status is AppointmentStatus.PLANNED
    assert new.id is None and new.outcome is None and new.notes is None
    assert follow_up(new, start).title == "Follow-up: Check-up"
    old = _a(-10 * 24 * 60)
    assert follow_up_start(old, NOW) > NOW


def test_build_appointment_keeps_id_phrase_and_status() -> None:
    base = _a(60, id=5, phrase_hash="h", outcome="running late: about 5 min (said at 10:00)")
    edited = build_appointment(
        base, participant=" +1 212 555 0100 ", contact_id=None, start=NOW, minutes=20,
        title=" Review ", they_call=True, notes="",
    )  # fmt: skip
    assert edited.id == 5 and edited.phrase_hash == "h" and edited.participant == "+1 212 555 0100"
    assert edited.duration == timedelta(minutes=20) and edited.title == "Review"
    assert edited.direction is CallDirection.THEY_CALL and edited.notes is None
    with pytest.raises(ValueError, match="whom to call"):
        build_appointment(None, participant=" ", contact_id=None, start=NOW, minutes=20,
                          title="", they_call=False, notes="")  # fmt: skip
    with pytest.raises(ValueError, match="duration"):
        build_appointment(None, participant="x", contact_id=None, start=NOW, minutes=0,
                          title="", they_call=False, notes="")  # fmt: skip
