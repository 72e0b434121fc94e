"""Appointments (scheduled calls) in the encrypted local database.

Any thread, through the `LocalDatabase`'s lock and transactions (this module is part
of the storage package and uses its row-encryption helpers). Start times are stored
plain (UTC seconds) with the zone they were written in, so range queries ("today",
windows) run in SQL; participant, title, notes, phrase hash and outcome are AES-GCM
cells bound to their row. An iCalendar UID is stored only as a keyed hash, so
importing the same calendar again updates its appointments instead of duplicating
them, and an import is one transaction: all or nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from softphone.schedule.appointment import Appointment, AppointmentStatus, CallDirection
from softphone.storage.database import LocalDatabase

_TABLE = "appointments"
_CELLS = ("participant", "title", "notes", "phrase_hash", "outcome")


class AppointmentNotFoundError(LookupError):
    pass


class AppointmentStore:
    def __init__(self, db: LocalDatabase) -> None:
        self._db = db

    def add(self, appointment: Appointment) -> Appointment:
        return self.add_many([appointment])[0]

    def add_many(self, appointments: Iterable[Appointment]) -> list[Appointment]:
        """Insert, or update the row with the same iCalendar UID; one transaction."""
        db = self._db
        saved = []
        with db.transaction():
            for appointment in appointments:
                row_id = self._existing(appointment) or db._next_id(_TABLE)
                self._write(row_id, appointment, insert=not self._exists(row_id))
                saved.append(replace(appointment, id=row_id))
        return saved

    def update(self, appointment: Appointment) -> Appointment:
        if appointment.id is None or not self._exists(appointment.id):
            raise AppointmentNotFoundError(f"no appointment {appointment.id}")
        with self._db.transaction():
            self._write(appointment.id, appointment, insert=False)
        return appointment

    def get(self, appointment_id: int) -> Appointment | None:
        rows = self._db._select(f"SELECT * FROM {_TABLE} WHERE id = ?", (appointment_id,))
        return self._appointment(rows[0]) if rows else None

    def between(self, start: datetime, end: datetime) -> list[Appointment]:
        """Appointments starting in [start, end), earliest first."""
        rows = self._db._select(
            f"SELECT * FROM {_TABLE} WHERE start >= ? AND start < ? ORDER BY start, id",
            (start.timestamp(), end.timestamp()),
        )
        return [self._appointment(r) for r in rows]

    def all(self) -> list[Appointment]:
        rows = self._db._select(f"SELECT * FROM {_TABLE} ORDER BY start, id")
        return [self._appointment(r) for r in rows]

    def delete(self, appointment_id: int) -> bool:
        return self._db._delete(_TABLE, appointment_id)

    def mark(
        self,
        appointment_id: int,
        status: AppointmentStatus,
        outcome: str | None = None,
        actual_duration_s: float | None = None,
    ) -> Appointment:
        current = self.get(appointment_id)
        if current is None:
            raise AppointmentNotFoundError(f"no appointment {appointment_id}")
        changed = replace(
            current, status=status, outcome=outcome, actual_duration_s=actual_duration_s
        )
        return self.update(changed)

    # -- rows ----------------------------------------------------------------------

    def _exists(self, row_id: int) -> bool:
        return bool(self._db._select(f"SELECT 1 FROM {_TABLE} WHERE id = ?", (row_id,)))

    def _existing(self, appointment: Appointment) -> int | None:
        if appointment.id is not None:
            return appointment.id
        key = self._source_key(appointment)
        if key is None:
            return None
        rows = self._db._select(f"SELECT id FROM {_TABLE} WHERE source_key = ?", (key,))
        return rows[0]["id"] if rows else None

    def _source_key(self, appointment: Appointment) -> bytes | None:
        uid = appointment.source_uid
        return self._db._cipher.lookup_key(uid, _TABLE, "source_key") if uid else None

    def _write(self, row_id: int, a: Appointment, *, insert: bool) -> None:
        enc = self._db._encrypter(_TABLE, row_id)
        cells = [enc(name, getattr(a, name)) for name in _CELLS]
        values = (
            a.start_utc.timestamp(),
            _zone_name(a.start),
            a.duration.total_seconds(),
            a.direction.value,
            a.status.value,
            *cells,
            a.contact_id,
            a.actual_duration_s,
            self._source_key(a),
        )
        columns = "start, zone, duration_s, direction, status, " + ", ".join(_CELLS)
        columns += ", contact_id, actual_duration_s, source_key"
        conn: sqlite3.Connection = self._db._conn
        if insert:
            conn.execute(
                f"INSERT INTO {_TABLE} (id, created, {columns})"
                f" VALUES (?, ?, {', '.join('?' * len(values))})",
                (row_id, datetime.now(UTC).timestamp(), *values),
            )
        else:
            names = [c.strip() for c in columns.split(",")]
            if values[-1] is None:  # read back without its UID: keep the stored hash
                names, values = names[:-1], values[:-1]
            assignments = ", ".join(f"{c} = ?" for c in names)
            conn.execute(f"UPDATE {_TABLE} SET {assignments} WHERE id = ?", (*values, row_id))

    def _appointment(self, row: sqlite3.Row) -> Appointment:
        dec = self._db._decrypter(_TABLE, row["id"])
        zone = _zone(row["zone"])
        return Appointment(
            start=datetime.fromtimestamp(row["start"], UTC).astimezone(zone),
            duration=timedelta(seconds=row["duration_s"]),
            participant=dec("participant", row["participant"]) or "",
            title=dec("title", row["title"]) or "",
            direction=CallDirection(row["direction"]),
            contact_id=row["contact_id"],
            notes=dec("notes", row["notes"]),
            phrase_hash=dec("phrase_hash", row["phrase_hash"]),
            status=AppointmentStatus(row["status"]),
            outcome=dec("outcome", row["outcome"]),
            actual_duration_s=row["actual_duration_s"],
            source_uid=None,  # only its keyed hash is stored
            id=row["id"],
        )


def _zone_name(start: datetime) -> str:
    key = getattr(start.tzinfo, "key", None)  # zoneinfo
    if key:
        return str(key)
    offset = start.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone(name: str) -> tzinfo:
    if name.startswith("UTC") and len(name) == 9:
        sign = 1 if name[3] == "+" else -1
        hours, minutes = int(name[4:6]), int(name[7:9])
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
