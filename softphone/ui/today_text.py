"""What the Today view shows and decides about appointments. Pure, any thread.

Sections: "Now" (open, between start and end), "Overdue" (open, ended without the
call being done), then one per day from today over `HORIZON_DAYS` (open
appointments, and the day's done or cancelled ones for context). A line holds the
time, the title, who (the contact's name when the appointment names one) and who
calls whom, and the status: running late, done with the real duration, the last
failed attempt. Reminders fall due `minutes` before the start, once per appointment.
After a call the appointment is done (connected: the real duration) or keeps its
place with the failed attempt as its outcome, so it can be tried again. "I'm running
late" is stored as the outcome text of an open appointment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from softphone.schedule.appointment import Appointment, AppointmentStatus, CallDirection
from softphone.ui.dates import long_day
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate
from softphone.ui.notify_text import caller_address

HORIZON_DAYS = 7
OVERDUE_DAYS = 7
# Outcomes are stored in the appointment as English words (data, read back by
# `is_running_late` and shown translated by `outcome_text`), whatever the UI's language.
LATE_PREFIX = "running late"
ATTEMPT_PREFIX = "last attempt"
FOLLOW_UP_PREFIX = "Follow-up"
_LATE = re.compile(r"^running late: about (\d+) min \(said at (\d\d:\d\d)\)$")
_ATTEMPT = re.compile(r"^last attempt (\d\d:\d\d): (.*)$")
_COMPLETED = re.compile(r"^call completed \(([\d:]+)\)$")
_REFUSED_OR_FAILED = re.compile(r"^(refused|failed): (.*)$")
_END_WORDS = {
    "busy": QT_TRANSLATE_NOOP("TodayText", "busy"),
    "declined": QT_TRANSLATE_NOOP("TodayText", "declined"),
    "no answer": QT_TRANSLATE_NOOP("TodayText", "no answer"),
}
_STATUS_WORDS = {
    "planned": QT_TRANSLATE_NOOP("TodayText", "planned"),
    "done": QT_TRANSLATE_NOOP("TodayText", "done"),
    "cancelled": QT_TRANSLATE_NOOP("TodayText", "cancelled"),
    "missed": QT_TRANSLATE_NOOP("TodayText", "missed"),
}
MAX_MINUTES = 8 * 60


@dataclass(frozen=True)
class Row:
    kind: str  # "header" or "appointment"
    text: str
    appointment: Appointment | None = None
    state: str = ""  # now, overdue, late, planned, done, cancelled, missed


def load_range(now: datetime, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """Which appointments the view reads: a week back (overdue) to the horizon's end."""
    midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=OVERDUE_DAYS), midnight + timedelta(days=HORIZON_DAYS)


def _end_text(words: str) -> str:
    if words in _END_WORDS:
        return translate("TodayText", _END_WORDS[words])
    m = _REFUSED_OR_FAILED.match(words)
    if m and m.group(1) == "refused":
        return translate("TodayText", "refused: {reason}").format(reason=m.group(2))
    if m:
        return translate("TodayText", "failed: {reason}").format(reason=m.group(2))
    return words


def outcome_text(outcome: str) -> str:
    """A stored outcome (`running_late`, `after_call`) in the UI's language; anything
    else (typed by someone, or unknown) as it is."""
    m = _LATE.match(outcome)
    if m:
        return translate(
            "TodayText", "running late: about %n min (said at {time})", None, int(m.group(1))
        ).format(time=m.group(2))
    m = _ATTEMPT.match(outcome)
    if m:
        return translate("TodayText", "last attempt {time}: {outcome}").format(
            time=m.group(1), outcome=_end_text(m.group(2))
        )
    m = _COMPLETED.match(outcome)
    if m:
        return translate("TodayText", "call completed ({duration})").format(duration=m.group(1))
    return _end_text(outcome)


def status_text(status: AppointmentStatus) -> str:
    words = _STATUS_WORDS.get(status.value)
    return translate("TodayText", words) if words else status.value


def _hm(moment: datetime, tz: tzinfo | None) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def clock(seconds: float) -> str:
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def who(a: Appointment, names: Mapping[int, str]) -> str:
    if a.contact_id is not None and a.contact_id in names:
        return names[a.contact_id]
    return caller_address(a.participant)


def direction_words(direction: CallDirection) -> str:
    if direction is CallDirection.WE_CALL:
        return translate("TodayText", "we call")
    return translate("TodayText", "they call us")


def is_running_late(a: Appointment) -> bool:
    return a.open and (a.outcome or "").startswith(LATE_PREFIX)


def state(a: Appointment, now: datetime) -> str:
    if not a.open:
        return a.status.value
    if is_running_late(a):
        return "late"
    if a.start_utc <= now <= a.end:
        return "now"
    return "overdue" if now > a.end else "planned"


def line(a: Appointment, now: datetime, names: Mapping[int, str], tz: tzinfo | None = None) -> str:
    parts = [
        f"{_hm(a.start, tz)}–{_hm(a.end, tz)}",
        a.title or translate("TodayText", "Appointment"),
        who(a, names),
        direction_words(a.direction),
    ]
    if a.phrase_hash:
        parts.append(translate("TodayText", "phrase set"))
    said = status_text(a.status)
    if a.status is AppointmentStatus.DONE and a.actual_duration_s:
        said = translate("TodayText", "done, {duration}").format(
            duration=clock(a.actual_duration_s)
        )
    if not a.open and a.outcome:
        parts.append(
            translate("TodayText", "{status} — {outcome}").format(
                status=said, outcome=outcome_text(a.outcome)
            )
        )
    elif not a.open:
        parts.append(said)
    elif a.outcome:
        parts.append(outcome_text(a.outcome))
    return translate("TodayText", " · ").join(parts)


def _day_title(day: datetime, today: datetime) -> str:
    delta = (day.date() - today.date()).days
    if delta == 0:
        return translate("TodayText", "Today")
    if delta == 1:
        return translate("TodayText", "Tomorrow")
    return long_day(day)


def schedule_rows(
    appointments: Iterable[Appointment],
    now: datetime,
    names: Mapping[int, str] | None = None,
    tz: tzinfo | None = None,
) -> list[Row]:
    names = names or {}
    today = now.astimezone(tz)
    last_day = (today + timedelta(days=HORIZON_DAYS)).date()
    ordered = sorted(appointments, key=lambda a: (a.start_utc, a.id or 0))
    current = [a for a in ordered if a.open and a.start_utc <= now <= a.end]
    late_ones = [a for a in ordered if a.open and a.end < now]
    rows: list[Row] = []
    for title, chosen in (
        (translate("TodayText", "Now"), current),
        (translate("TodayText", "Overdue"), late_ones),
    ):
        if chosen:
            rows.append(Row("header", title))
            rows += [Row("appointment", line(a, now, names, tz), a, state(a, now)) for a in chosen]
    shown = {id(a) for a in current + late_ones}
    by_day: dict[str, list[Appointment]] = {}
    for a in ordered:
        day = a.start.astimezone(tz)
        if id(a) in shown or not today.date() <= day.date() < last_day:
            continue
        if not a.open and day.date() != today.date():
            continue  # done or cancelled on another day: not in the way
        if a.open and a.start_utc <= now:
            continue
        by_day.setdefault(_day_title(day, today), []).append(a)
    for title, chosen in by_day.items():
        rows.append(Row("header", title))
        rows += [Row("appointment", line(a, now, names, tz), a, state(a, now)) for a in chosen]
    return rows


# -- reminders -----------------------------------------------------------------------------


def due_reminders(
    appointments: Iterable[Appointment], now: datetime, minutes: int, reminded: set[int]
) -> list[Appointment]:
    """Open appointments starting within `minutes` that were not reminded of yet."""
    if minutes <= 0:
        return []
    lead = timedelta(minutes=minutes)
    return [
        a
        for a in appointments
        if a.open and a.id not in reminded and a.start_utc - lead <= now < a.start_utc
    ]


def next_reminder(
    appointments: Iterable[Appointment], now: datetime, minutes: int, reminded: set[int]
) -> datetime | None:
    """When the next reminder falls due (for the view's timer), if any."""
    if minutes <= 0:
        return None
    lead = timedelta(minutes=minutes)
    times = [
        a.start_utc - lead
        for a in appointments
        if a.open and a.id not in reminded and a.start_utc - lead > now
    ]
    return min(times, default=None)


def reminder_text(
    a: Appointment,
    now: datetime,
    show_details: bool,
    names: Mapping[int, str] | None = None,
    tz: tzinfo | None = None,
) -> tuple[str, str]:
    """(title, message) of a reminder; in privacy mode neither names the participant."""
    minutes = max(0, math.ceil((a.start_utc - now).total_seconds() / 60))
    if minutes:
        title = translate("TodayText", "Appointment in %n min", None, minutes)
    else:
        title = translate("TodayText", "Appointment now")
    if not show_details:
        return title, translate("TodayText", "At {time}: details in the Today tab.").format(
            time=_hm(a.start, tz)
        )
    return title, translate("TodayText", "{time} {title} with {who} ({direction})").format(
        time=_hm(a.start, tz),
        title=a.title or translate("TodayText", "Appointment"),
        who=who(a, names or {}),
        direction=direction_words(a.direction),
    )


def incoming_text(a: Appointment, show_details: bool, tz: tzinfo | None = None) -> str:
    """What the ringing window says about the appointment the caller belongs to."""
    if not show_details:
        return translate("TodayText", "Scheduled appointment at {time}").format(
            time=_hm(a.start, tz)
        )
    return translate("TodayText", "Scheduled: {start}–{end} {title}").format(
        start=_hm(a.start, tz),
        end=_hm(a.end, tz),
        title=a.title or translate("TodayText", "Appointment"),
    )


# -- changes ------------------------------------------------------------------------------


def running_late(minutes: int, now: datetime, tz: tzinfo | None = None) -> str:
    """The outcome stored for "I'm running late" (English: data; see `outcome_text`)."""
    return f"{LATE_PREFIX}: about {minutes} min (said at {_hm(now, tz)})"


def end_words(code: int, reason: str, security_failure: str | None) -> str:
    if security_failure:
        return f"refused: {security_failure}"
    named = {486: "busy", 600: "busy", 603: "declined", 480: "no answer", 408: "no answer"}
    return named.get(code) or f"failed: {code} {reason}".strip()


def after_call(
    a: Appointment,
    connected: bool,
    duration_s: float,
    code: int,
    reason: str,
    security_failure: str | None,
    now: datetime,
    tz: tzinfo | None = None,
) -> tuple[AppointmentStatus, str, float | None]:
    """(status, outcome, real duration) for the appointment once its call ended."""
    if connected and not security_failure:
        return AppointmentStatus.DONE, f"call completed ({clock(duration_s)})", duration_s
    words = end_words(code, reason, security_failure)
    return a.status, f"{ATTEMPT_PREFIX} {_hm(now, tz)}: {words}", a.actual_duration_s


def follow_up_start(a: Appointment, now: datetime, days: int = 7) -> datetime:
    """A week after the appointment, same wall-clock time; never in the past."""
    start = a.start + timedelta(days=days)
    while start.astimezone(now.tzinfo) <= now:
        start += timedelta(days=1)
    return start


def follow_up(a: Appointment, start: datetime) -> Appointment:
    """A new appointment with the same participant, direction, length and phrase."""
    title = a.title or translate("TodayText", "Appointment")
    # The title is the user's text, so the prefix is in the UI's language.
    prefix = translate("TodayText", "Follow-up: {title}")
    marks = tuple(m for m in (FOLLOW_UP_PREFIX, prefix.split("{title}", 1)[0].strip()) if m)
    if not title.startswith(marks):
        title = prefix.format(title=title)
    return replace(
        a,
        start=start,
        title=title,
        status=AppointmentStatus.PLANNED,
        outcome=None,
        actual_duration_s=None,
        source_uid=None,
        notes=None,
        id=None,
    )


def build_appointment(
    base: Appointment | None,
    *,
    participant: str,
    contact_id: int | None,
    start: datetime,
    minutes: int,
    title: str,
    they_call: bool,
    notes: str,
) -> Appointment:
    """The edited appointment (same id, phrase and status as `base`); ValueError says why."""
    if not participant.strip():
        raise ValueError(
            translate(
                "TodayText", "whom to call is empty: pick a contact or type a number or SIP address"
            )
        )
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(
            translate("TodayText", "the duration must be 1 to {max} minutes").format(
                max=MAX_MINUTES
            )
        )
    fields = dict(
        start=start,
        duration=timedelta(minutes=minutes),
        participant=participant.strip(),
        title=title.strip(),
        direction=CallDirection.THEY_CALL if they_call else CallDirection.WE_CALL,
        contact_id=contact_id,
        notes=notes.strip() or None,
    )
    if base is None:
        return Appointment(**fields)
    return replace(base, **fields)
