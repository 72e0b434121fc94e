"""Appointments in the encrypted database: round trip, at rest, re-import, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import MemoryStore

from softphone.schedule.appointment import Appointment, AppointmentStatus, CallDirection
from softphone.schedule.ical import read_ics
from softphone.storage.appointments import AppointmentNotFoundError, AppointmentStore
from softphone.storage.database import LocalDatabase

NY = ZoneInfo("America/New_York")


@pytest.fixture
def db(tmp_path: Path):
    with LocalDatabase.open(tmp_path / "data.db", MemoryStore()) as db:
        yield db


def _raw(db: LocalDatabase) -> bytes:
    wal = Path(f"{db.path}-wal")
    return db.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_round_trip_keeps_zone_and_instant(db) -> None:
    store = AppointmentStore(db)
    original = Appointment(
        datetime(2026, 11, 1, 1, 30, tzinfo=NY), timedelta(minutes=45), "sip:pat@clinic.example",
        "Follow-up: Pat Doe", CallDirection.THEY_CALL, notes="bring meter",
        phrase_hash="scrypt$1024$8$1$c2FsdA==$aGFzaA==",
    )  # fmt: skip
    saved = store.add(original)
    back = store.get(saved.id)
    assert back.start.astimezone(UTC) == original.start.astimezone(UTC)
    assert back.start.tzinfo.key == "America/New_York"
    assert (back.duration, back.participant, back.title, back.direction, back.notes) == (
        original.duration, original.participant, original.title, original.direction, original.notes
    )  # fmt: skip
    assert back.phrase_hash == original.phrase_hash
    raw = _raw(db)
    for plain in (b"pat@clinic.example", b"Pat Doe", b"bring meter", b"c2FsdA=="):
        assert plain not in raw


def test_fixed_offsets_survive(db) -> None:
    from datetime import timezone

    store = AppointmentStore(db)
    start = datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    saved = store.add(Appointment(start, timedelta(minutes=15), "+911234567890"))
    assert store.get(saved.id).start.utcoffset() == timedelta(hours=5, minutes=30)


def test_between_mark_delete(db) -> None:
    store = AppointmentStore(db)
    day = datetime(2026, 12, 1, tzinfo=UTC)
    made = store.add_many(
        Appointment(day + timedelta(hours=h), timedelta(minutes=30), f"+1212555010{h % 10}")
        for h in (8, 9, 23, 25)
    )
    today = store.between(day, day + timedelta(days=1))
    assert [a.start.astimezone(UTC).hour for a in today] == [8, 9, 23]
    done = store.mark(made[0].id, AppointmentStatus.DONE, "answered", 1290.0)
    assert store.get(made[0].id) == done and done.outcome == "answered"
    assert store.delete(made[1].id) and store.get(made[1].id) is None
    with pytest.raises(AppointmentNotFoundError):
        store.mark(999, AppointmentStatus.DONE)


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//t//t//EN
BEGIN:VEVENT
UID:series-42@clinic.example
DTSTART:20261201T150000Z
DURATION:PT30M
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:{title}
ATTENDEE:tel:+12125550123
END:VEVENT
END:VCALENDAR
"""


def test_importing_the_same_calendar_again_updates_not_duplicates(db) -> None:
    store = AppointmentStore(db)
    horizon = datetime(2027, 6, 1, tzinfo=UTC)
    store.add_many(read_ics(ICS.format(title="Check-in"), horizon=horizon).appointments)
    first = store.all()
    store.mark(first[0].id, AppointmentStatus.DONE, "answered")
    store.add_many(read_ics(ICS.format(title="Check-in v2"), horizon=horizon).appointments)
    again = store.all()
    assert len(again) == 3
    assert {a.title for a in again} == {"Check-in v2"}
    assert [a.id for a in again] == [a.id for a in first]
    assert b"series-42" not in _raw(db)  # the UID is only a keyed hash


def test_a_failing_batch_stores_nothing(db) -> None:
    store = AppointmentStore(db)
    good = Appointment(datetime(2026, 12, 1, 9, tzinfo=UTC), timedelta(minutes=30), "+12125550123")
    with pytest.raises(AttributeError):
        store.add_many([good, object()])  # type: ignore[list-item]
    assert store.all() == []
