"""`softphone schedule list|add|import|export`: appointments from the command line.

Caller's thread. Opens the encrypted local database with the data key from the secret
store; an import is validated whole and stored in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from softphone.schedule.appointment import Appointment, CallDirection, overdue
from softphone.schedule.ical import ImportReport, read_ics, write_ics
from softphone.security.secret_store import SecretStore
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import LocalDatabase
from softphone.storage.locations import database_path


@contextmanager
def appointments(store: SecretStore, path: Path | None = None) -> Iterator[AppointmentStore]:
    with LocalDatabase.open(path or database_path(), store) as db:
        yield AppointmentStore(db)


@dataclass(frozen=True)
class Row:
    id: int
    start: str
    minutes: int
    who: str
    direction: str
    status: str
    title: str
    overdue: bool


def list_rows(store: AppointmentStore, start: datetime, days: int, now: datetime) -> list[Row]:
    found = store.between(start, start + timedelta(days=days))
    return [
        Row(
            id=a.id or 0,
            start=a.start.astimezone().isoformat(timespec="minutes"),
            minutes=int(a.duration.total_seconds() // 60),
            who=a.participant,
            direction=a.direction.value,
            status=a.status.value,
            title=a.title,
            overdue=overdue(a, now),
        )
        for a in found
    ]


def add(
    store: AppointmentStore,
    participant: str,
    start: datetime,
    minutes: int,
    title: str = "",
    they_call: bool = False,
    phrase_hash: str | None = None,
) -> Appointment:
    direction = CallDirection.THEY_CALL if they_call else CallDirection.WE_CALL
    appointment = Appointment(
        start, timedelta(minutes=minutes), participant, title, direction, phrase_hash=phrase_hash
    )
    return store.add(appointment)


def import_file(store: AppointmentStore, path: Path, region: str) -> ImportReport:
    report = read_ics(path.read_bytes(), region=region)
    store.add_many(report.appointments)  # one transaction: all or nothing
    return report


def export(store: AppointmentStore, start: datetime | None = None) -> str:
    chosen = store.all()
    if start is not None:
        chosen = [a for a in chosen if a.start_utc >= start.astimezone(UTC)]
    return write_ics(chosen)
