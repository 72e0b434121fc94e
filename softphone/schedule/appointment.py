"""Appointments (scheduled calls) and their time windows. Pure values, any thread.

All times are timezone-aware; windows are computed on absolute time, so an
appointment across a DST change or midnight lasts exactly its duration. A window is
the appointment widened by the organisation's early and late margins: the span in
which the participant's call is expected ("scheduled participants only" accepts
calls then) and in which "call now" makes sense.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class CallDirection(enum.StrEnum):
    WE_CALL = "we_call"
    THEY_CALL = "they_call"


class AppointmentStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"
    MISSED = "missed"


@dataclass(frozen=True)
class Margins:
    early: timedelta = timedelta(minutes=10)
    late: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Appointment:
    start: datetime  # timezone-aware
    duration: timedelta
    participant: str  # a SIP/tel URI or a number, as written
    title: str = ""
    direction: CallDirection = CallDirection.WE_CALL
    contact_id: int | None = None
    notes: str | None = None  # kept minimal: no clinical detail belongs here
    phrase_hash: str | None = None  # caller verification (`schedule.phrase`)
    status: AppointmentStatus = AppointmentStatus.PLANNED
    outcome: str | None = None
    actual_duration_s: float | None = None
    source_uid: str | None = None  # iCalendar UID/occurrence: a re-import updates, not duplicates
    id: int | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("an appointment's start must be timezone-aware")
        if self.duration <= timedelta(0):
            raise ValueError("an appointment must last longer than zero")
        if not self.participant.strip():
            raise ValueError("an appointment needs a participant (URI or number)")

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end(self) -> datetime:
        # Arithmetic on an aware datetime in one zone is wall-clock arithmetic (09:30 +
        # 1 h across "clocks go back" is 2 real hours): go through UTC.
        return (self.start_utc + self.duration).astimezone(self.start.tzinfo)

    def window(self, margins: Margins) -> tuple[datetime, datetime]:
        start = self.start_utc
        return start - margins.early, start + self.duration + margins.late

    def in_window(self, now: datetime, margins: Margins) -> bool:
        opens, closes = self.window(margins)
        return opens <= now <= closes

    @property
    def open(self) -> bool:
        """Still to happen (not done, cancelled or missed)."""
        return self.status is AppointmentStatus.PLANNED


def overdue(appointment: Appointment, now: datetime) -> bool:
    """Planned, and its start has passed without the call being done."""
    return appointment.open and now > appointment.start


def upcoming(
    appointments: list[Appointment], now: datetime, horizon: timedelta
) -> list[Appointment]:
    """Open appointments from the overdue ones to `now + horizon`, earliest first."""
    last = now + horizon
    chosen = [a for a in appointments if a.open and a.start <= last]
    return sorted(chosen, key=lambda a: (a.start, a.id or 0))
