"""iCalendar (.ics) import and export of appointments, with `vobject`.

Pure (no storage), any thread. `read_ics` parses and validates the whole file before
returning anything, so a caller that stores the result in one transaction imports all
or nothing. It expands recurring events (RRULE, RDATE, EXDATE, moved or cancelled
occurrences by RECURRENCE-ID) up to a horizon, honours time zones (the file's
VTIMEZONE blocks, else the IANA name in TZID; floating times are read in the given
local zone) and finds whom to call: an ATTENDEE with a `sip:`, `sips:` or `tel:`
URI, else a URI or phone number in LOCATION, else in DESCRIPTION. Events with no one
to call and all-day events are skipped and counted, not errors: a calendar holds
more than calls. What is malformed — unreadable text, a missing or invalid DTSTART,
a broken RRULE — is a `CalendarImportError` naming the line or the event.

Only what a call needs is kept: the SUMMARY as the title and the participant; the
DESCRIPTION is searched for a number but never stored (no clinical notes left behind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import vobject
from dateutil.tz import tzutc

from softphone.schedule.appointment import Appointment, AppointmentStatus, CallDirection

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_OCCURRENCES_PER_EVENT = 5000
DEFAULT_DURATION = timedelta(minutes=15)
_URI = re.compile(r"\b(?:sips?|tel):[^\s<>\"',]+", re.IGNORECASE)
_PRODID = "-//softphone//scheduled calls//EN"


class CalendarImportError(ValueError):
    """The file cannot be imported; nothing from it was taken."""


@dataclass(frozen=True)
class ImportReport:
    appointments: tuple[Appointment, ...]
    events: int
    skipped_all_day: int
    skipped_no_participant: int
    skipped_cancelled: int


def read_ics(
    data: bytes | str,
    *,
    region: str = "US",
    local_zone: tzinfo | None = None,
    horizon: datetime | None = None,
) -> ImportReport:
    """Every appointment in `data`, occurrences expanded up to `horizon` (default: a
    year from now)."""
    text = _text(data)
    horizon = horizon or datetime.now(UTC) + timedelta(days=366)
    local_zone = local_zone or datetime.now().astimezone().tzinfo or UTC
    events = _events(text)
    overrides = _overrides(events, local_zone)
    out: list[Appointment] = []
    all_day = no_participant = cancelled = 0
    for number, event in enumerate(events, 1):
        if _has(event, "recurrence-id"):
            continue  # applied through `overrides`
        where = _where(number, event)
        start = _start(event, where, local_zone)
        if start is None:
            all_day += 1
            continue
        if _status(event) == "CANCELLED":
            cancelled += 1
            continue
        participant = _participant(event, region)
        if participant is None:
            no_participant += 1
            continue
        template = Appointment(
            start=start,
            duration=_duration(event, start, where, local_zone),
            participant=participant,
            title=_value(event, "summary") or "",
            direction=_direction(event),
            source_uid=_value(event, "uid"),
        )
        out.extend(_occurrences(event, template, where, local_zone, horizon, overrides))
    return ImportReport(tuple(out), len(events), all_day, no_participant, cancelled)


def write_ics(appointments: list[Appointment]) -> str:
    """A VCALENDAR with one VEVENT per appointment (times in UTC)."""
    cal = vobject.iCalendar()
    cal.add("prodid").value = _PRODID
    for appointment in appointments:
        event = cal.add("vevent")
        uid = appointment.source_uid or f"softphone-{appointment.id or id(appointment)}@local"
        event.add("uid").value = uid
        # vobject names UTC only for dateutil's tzutc (it cannot guess a TZID otherwise).
        event.add("dtstamp").value = datetime.now(tzutc()).replace(microsecond=0)
        event.add("dtstart").value = appointment.start.astimezone(tzutc())
        event.add("duration").value = appointment.duration
        if appointment.title:
            event.add("summary").value = appointment.title
        attendee = event.add("attendee")
        attendee.value = _as_uri(appointment.participant)
        event.add("x-softphone-direction").value = appointment.direction.value
        if appointment.status is AppointmentStatus.CANCELLED:
            event.add("status").value = "CANCELLED"
    return cal.serialize()


# -- reading helpers -------------------------------------------------------------------


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise CalendarImportError(f"file larger than {MAX_FILE_BYTES // 2**20} MB")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CalendarImportError(f"not UTF-8 text (byte {e.start})") from None
    if "\x00" in data:
        raise CalendarImportError("binary data, not an iCalendar file")
    if not data.strip():
        raise CalendarImportError("the file is empty")
    return data


def _events(text: str) -> list:
    try:
        components = list(vobject.readComponents(text, validate=False, ignoreUnreadable=False))
    except vobject.base.ParseError as e:
        problem = _parse_problem(text, e)
        raise CalendarImportError(f"not a readable iCalendar file: {problem}") from None
    except Exception as e:  # vobject raises assorted errors on garbage
        raise CalendarImportError(f"not a readable iCalendar file: {e}") from None
    calendars = [c for c in components if c.name == "VCALENDAR"]
    if not calendars:
        raise CalendarImportError("no VCALENDAR in the file")
    events = []
    for calendar in calendars:
        events.extend(calendar.contents.get("vevent", []))
    return events


_ON_LINE = re.compile(r"\bon line \d+")
_EXCEPTION = re.compile(r"unhandled exception on line \d+: <class '\w+'>: ")
_LINE_ENDS = re.compile(r"\r\n|\r|\n")


def _parse_problem(text: str, error: vobject.base.ParseError) -> str:
    """vobject's message with the real line number, for a person to find it."""
    reported = getattr(error, "lineNumber", None)
    message = str(getattr(error, "msg", error))
    if reported is None:
        return message
    line = physical_line(text, int(reported))
    message = _EXCEPTION.sub("", message).replace("In transformToNative, ", "")
    return f"line {line}: {_ON_LINE.sub(f'on line {line}', message)}"


def physical_line(text: str, reported: int) -> int:
    """The file's line for a line number vobject reported.

    vobject 0.9.9 counts a logical line as its physical lines plus one (its line-end
    pattern also matches the empty end of every line), so it says "line 23" for the
    12th line. Walk its own line pattern to map its number back.
    """
    number, physical = 1, 1
    for match in vobject.base.logical_lines_re.finditer(text):
        if number >= reported or not match.group():
            break
        number += vobject.base.wrap_re.subn("", match.group())[1]
        physical += len(_LINE_ENDS.findall(match.group()))
    return physical


def _where(number: int, event) -> str:
    uid = _value(event, "uid")
    line = getattr(event, "lineNumber", None)
    place = f"event {number}" + (f" (line {line})" if line else "")
    return f"{place}, UID {uid}" if uid else place


def _has(event, name: str) -> bool:
    return name in event.contents


def _value(event, name: str) -> str | None:
    if not _has(event, name):
        return None
    value = event.contents[name][0].value
    return str(value).strip() if value is not None else None


def _status(event) -> str:
    return (_value(event, "status") or "").upper()


def _start(event, where: str, local_zone: tzinfo) -> datetime | None:
    if not _has(event, "dtstart"):
        raise CalendarImportError(f"{where}: DTSTART is missing")
    try:
        value = event.dtstart.value
    except Exception as e:
        raise CalendarImportError(f"{where}: DTSTART is not a date or time ({e})") from None
    if isinstance(value, datetime):
        return _aware(value, event.dtstart, where, local_zone)
    if isinstance(value, date):
        return None  # an all-day event is not a call
    raise CalendarImportError(f"{where}: DTSTART is not a date or time")


def _aware(value: datetime, line, where: str, local_zone: tzinfo) -> datetime:
    if value.tzinfo is not None and value.utcoffset() is not None:
        return _zoneinfo(value)
    params = getattr(line, "params", {})
    # vobject moves a TZID it cannot resolve into X-VOBJ-ORIGINAL-TZID.
    tzid = (params.get("TZID") or params.get("X-VOBJ-ORIGINAL-TZID") or [None])[0]
    if tzid:
        try:
            return value.replace(tzinfo=ZoneInfo(tzid))
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarImportError(f"{where}: unknown time zone {tzid!r}") from None
    return value.replace(tzinfo=local_zone)  # a floating time: the user's own zone


def _zoneinfo(value: datetime) -> datetime:
    """The same wall time in `zoneinfo`: vobject resolves IANA names to pytz zones, whose
    offsets go wrong under `dateutil.rrule` arithmetic (a DST change keeps the old one)."""
    name = getattr(value.tzinfo, "zone", None)
    if name and hasattr(value.tzinfo, "localize"):
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(name))
    return value


def _duration(event, start: datetime, where: str, local_zone: tzinfo) -> timedelta:
    if _has(event, "duration"):
        duration = event.duration.value
        if not isinstance(duration, timedelta):
            raise CalendarImportError(f"{where}: DURATION is not a duration")
    elif _has(event, "dtend"):
        end = event.dtend.value
        if not isinstance(end, datetime):
            raise CalendarImportError(f"{where}: DTEND is not a date-time")
        duration = _aware(end, event.dtend, where, local_zone) - start
    else:
        duration = timedelta(0)
    if duration < timedelta(0):
        raise CalendarImportError(f"{where}: the event ends before it starts")
    return duration or DEFAULT_DURATION


def _direction(event) -> CallDirection:
    raw = (_value(event, "x-softphone-direction") or "").lower()
    try:
        return CallDirection(raw)
    except ValueError:
        return CallDirection.WE_CALL


def _participant(event, region: str) -> str | None:
    organizer = (_value(event, "organizer") or "").lower()
    for attendee in event.contents.get("attendee", []):
        value = str(attendee.value or "").strip()
        if value.lower() != organizer and value.lower().startswith(("sip:", "sips:", "tel:")):
            return value
    for name in ("location", "description"):
        found = _callable_in(_value(event, name) or "", region)
        if found:
            return found
    return None


def _callable_in(text: str, region: str) -> str | None:
    uri = _URI.search(text)
    if uri:
        return uri.group(0).rstrip(".;")
    # POSSIBLE, not VALID: fictional ranges (555-01xx) are still what the user wrote.
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _overrides(events: list, local_zone: tzinfo) -> dict[tuple[str, datetime], object]:
    """Moved or cancelled occurrences: (UID, original start in UTC) -> the VEVENT."""
    found = {}
    for number, event in enumerate(events, 1):
        if not _has(event, "recurrence-id"):
            continue
        where = _where(number, event)
        value = event.contents["recurrence-id"][0].value
        if not isinstance(value, datetime):
            continue  # an all-day override of an all-day series: nothing to call
        original = _aware(value, event.contents["recurrence-id"][0], where, local_zone).astimezone(
            UTC
        )
        found[(_value(event, "uid") or "", original)] = event
    return found


def _occurrences(
    event, template: Appointment, where: str, local_zone: tzinfo, horizon: datetime, overrides
) -> list[Appointment]:
    uid = template.source_uid or ""
    if not any(_has(event, n) for n in ("rrule", "rdate")):
        return [template]
    starts = _expand(event, template.start, where, horizon)
    out = []
    for start in starts:
        key = (uid, start.astimezone(UTC))
        moved = overrides.get(key)
        occurrence_uid = f"{uid}/{key[1]:%Y%m%dT%H%M%SZ}"
        if moved is None:
            out.append(_replace(template, start=start, source_uid=occurrence_uid))
            continue
        if _status(moved) == "CANCELLED":
            continue
        new_start = _start(moved, where, local_zone) or start
        out.append(
            _replace(
                template,
                start=new_start,
                duration=_duration(moved, new_start, where, local_zone),
                title=_value(moved, "summary") or template.title,
                source_uid=occurrence_uid,
            )
        )
    return out


def _expand(event, start: datetime, where: str, horizon: datetime) -> list[datetime]:
    try:
        rules = event.getrruleset(addRDate=True)
    except Exception as e:
        raise CalendarImportError(f"{where}: invalid recurrence rule ({e})") from None
    dtstart = event.dtstart.value
    zone = start.tzinfo
    wall_clock = (
        not isinstance(dtstart, datetime)
        or dtstart.tzinfo is None
        or hasattr(dtstart.tzinfo, "localize")
    )
    excluded = _wall_times(event, "exdate") if wall_clock else set()
    out: list[datetime] = []
    for occurrence in rules:
        if wall_clock:
            # Naive or pytz-zoned expansion: keep each occurrence's local wall time and
            # give it the real zone, so 09:00 stays 09:00 across DST; EXDATE is then
            # matched on wall time too (vobject compares mismatched offsets).
            if occurrence.replace(tzinfo=None) in excluded:
                continue
            occurrence = occurrence.replace(tzinfo=None).replace(tzinfo=zone)
        if occurrence > horizon:
            break
        out.append(occurrence)
        if len(out) > MAX_OCCURRENCES_PER_EVENT:
            raise CalendarImportError(
                f"{where}: more than {MAX_OCCURRENCES_PER_EVENT} occurrences before the horizon"
            )
    if not out and isinstance(dtstart, datetime):
        return []
    return out


def _wall_times(event, name: str) -> set[datetime]:
    found = set()
    for line in event.contents.get(name, []):
        values = line.value if isinstance(line.value, list) else [line.value]
        found.update(v.replace(tzinfo=None) for v in values if isinstance(v, datetime))
    return found


def _replace(template: Appointment, **changes) -> Appointment:
    from dataclasses import replace

    return replace(template, **changes)


def _as_uri(participant: str) -> str:
    lowered = participant.strip().lower()
    if lowered.startswith(("sip:", "sips:", "tel:")):
        return participant.strip()
    digits = "".join(ch for ch in participant if ch.isdigit() or ch == "+")
    return f"tel:{digits}"
