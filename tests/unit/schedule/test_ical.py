"""iCalendar import/export: recurrences, time zones across DST, malformed files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from softphone.schedule.appointment import Appointment, CallDirection
from softphone.schedule.ical import CalendarImportError, read_ics, write_ics

NY = ZoneInfo("America/New_York")
HORIZON = datetime(2027, 6, 1, tzinfo=UTC)


def ics(*events: str, timezones: str = "") -> str:
    body = "\n".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n{timezones}{body}\nEND:VCALENDAR\n"


def read(text: str, **kw):
    return read_ics(text, horizon=HORIZON, local_zone=NY, **kw)


LONDON_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:STANDARD
DTSTART:19701025T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE
"""


def test_weekly_series_keeps_local_time_across_dst_with_vtimezone() -> None:
    report = read(
        ics(
            """UID:w1
DTSTART;TZID=Europe/London:20270318T090000
DURATION:PT30M
RRULE:FREQ=WEEKLY;COUNT=3
ATTENDEE:sip:pat@clinic.example""",
            timezones=LONDON_VTIMEZONE,
        )
    )
    starts = [a.start.astimezone(UTC) for a in report.appointments]
    # 09:00 in London: GMT before 28 March 2027, BST after.
    assert starts == [
        datetime(2027, 3, 18, 9, tzinfo=UTC),
        datetime(2027, 3, 25, 9, tzinfo=UTC),
        datetime(2027, 4, 1, 8, tzinfo=UTC),
    ]
    assert {a.participant for a in report.appointments} == {"sip:pat@clinic.example"}


def test_tzid_without_vtimezone_uses_the_iana_zone_across_dst() -> None:
    report = read(
        ics("""UID:d1
DTSTART;TZID=America/New_York:20261031T090000
DTEND;TZID=America/New_York:20261031T094500
RRULE:FREQ=DAILY;COUNT=3
EXDATE;TZID=America/New_York:20261101T090000
ATTENDEE:tel:+1-212-555-0123""")
    )
    assert [a.start.astimezone(UTC).hour for a in report.appointments] == [13, 14]  # EDT, EST
    assert all(a.duration == timedelta(minutes=45) for a in report.appointments)
    assert report.appointments[1].start.astimezone(NY).hour == 9


def test_moved_and_cancelled_occurrences() -> None:
    report = read(
        ics(
            """UID:s
DTSTART:20261201T150000Z
DURATION:PT20M
RRULE:FREQ=DAILY;UNTIL=20261204T150000Z
ATTENDEE:tel:+12125550123
SUMMARY:Check-in""",
            """UID:s
RECURRENCE-ID:20261202T150000Z
DTSTART:20261202T170000Z
DURATION:PT40M
SUMMARY:Check-in (moved)""",
            """UID:s
RECURRENCE-ID:20261203T150000Z
DTSTART:20261203T150000Z
STATUS:CANCELLED""",
        )
    )
    got = [(a.start.astimezone(UTC).day, a.start.hour, a.duration.seconds // 60, a.title)
           for a in report.appointments]  # fmt: skip
    assert got == [
        (1, 15, 20, "Check-in"),
        (2, 17, 40, "Check-in (moved)"),
        (4, 15, 20, "Check-in"),
    ]
    assert len({a.source_uid for a in report.appointments}) == 3


def test_unbounded_series_stops_at_the_horizon() -> None:
    report = read(
        ics("UID:u\nDTSTART:20270501T100000Z\nRRULE:FREQ=DAILY\nATTENDEE:tel:+12125550123")
    )
    assert len(report.appointments) == 31  # 1..31 May; the horizon is 1 June
    assert all(a.duration == timedelta(minutes=15) for a in report.appointments)  # default


@pytest.mark.parametrize(
    ("fields", "participant"),
    [
        ("ATTENDEE;CN=Dr:mailto:dr@x.example\nATTENDEE;CN=Pat:sips:pat@x.example",
         "sips:pat@x.example"),
        ("ORGANIZER:sip:dr@x.example\nATTENDEE:sip:dr@x.example\nATTENDEE:tel:+15551234567",
         "tel:+15551234567"),
        ("LOCATION:Video visit – call (212) 555-0199", "+12125550199"),
        ("DESCRIPTION:Join with sip:room42@video.example\\, PIN 1234", "sip:room42@video.example"),
        ("LOCATION:Room 4\nDESCRIPTION:Patient phone +44 20 7946 0000", "+442079460000"),
    ],
)  # fmt: skip
def test_whom_to_call(fields: str, participant: str) -> None:
    report = read(ics(f"UID:p\nDTSTART:20261201T150000Z\n{fields}"))
    (appointment,) = report.appointments
    assert appointment.participant == participant


def test_skipped_events_are_counted_not_errors() -> None:
    report = read(
        ics(
            "UID:a\nDTSTART;VALUE=DATE:20261201\nSUMMARY:Holiday",
            "UID:b\nDTSTART:20261201T150000Z\nSUMMARY:Team meeting",
            "UID:c\nDTSTART:20261201T150000Z\nSTATUS:CANCELLED\nATTENDEE:tel:+12125550123",
            "UID:d\nDTSTART:20261201T160000Z\nATTENDEE:tel:+12125550123",
        )
    )
    assert (report.events, report.skipped_all_day, report.skipped_no_participant,
            report.skipped_cancelled, len(report.appointments)) == (4, 1, 1, 1, 1)  # fmt: skip


def test_description_is_searched_but_never_kept() -> None:
    report = read(ics("UID:x\nDTSTART:20261201T150000Z\nDESCRIPTION:diabetes review +12125550123"))
    (appointment,) = report.appointments
    assert appointment.notes is None and "diabetes" not in repr(appointment)


def test_round_trip() -> None:
    original = [
        Appointment(datetime(2026, 12, 1, 9, tzinfo=NY), timedelta(minutes=30),
                    "sip:pat@clinic.example", "Follow-up", CallDirection.THEY_CALL,
                    source_uid="a-1"),
        Appointment(datetime(2026, 12, 2, 23, 45, tzinfo=UTC), timedelta(hours=1),
                    "+12125550123", "Late call", source_uid="a-2"),
    ]  # fmt: skip
    again = read(write_ics(original)).appointments
    assert [(a.start, a.duration, a.title, a.direction, a.source_uid) for a in again] == [
        (o.start, o.duration, o.title, o.direction, o.source_uid) for o in original
    ]
    assert again[1].participant == "tel:+12125550123"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ("hello world", "not a readable iCalendar file: line 1: Failed to parse line"),
        ("BEGIN:VCARD\nVERSION:3.0\nFN:x\nEND:VCARD\n", "no VCALENDAR"),
        (ics("UID:m\nSUMMARY:no start\nATTENDEE:tel:+12125550123"), "DTSTART is missing"),
        (ics("UID:t\nDTSTART;TZID=Mars/Olympus:20261201T090000\nATTENDEE:tel:+12125550123"),
         "unknown time zone 'Mars/Olympus'"),
        (ics("UID:r\nDTSTART:20261201T090000Z\nRRULE:FREQ=SOMETIMES\nATTENDEE:tel:+12125550123"),
         "invalid recurrence rule"),
        (ics("UID:e\nDTSTART:20261201T090000Z\nDTEND:20261201T080000Z\nATTENDEE:tel:+12125550123"),
         "ends before it starts"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026", "line"),
    ],
)  # fmt: skip
def test_malformed_files_are_refused_whole(text, message: str) -> None:
    with pytest.raises(CalendarImportError, match=message):
        read_ics(text, horizon=HORIZON, local_zone=NY)


def test_one_bad_event_refuses_the_whole_file() -> None:
    good = "UID:g\nDTSTART:20261201T090000Z\nATTENDEE:tel:+12125550123"
    bad = "UID:b\nDTSTART:not-a-date\nATTENDEE:tel:+12125550123"
    with pytest.raises(CalendarImportError, match="line 11: invalid literal") as info:
        read(ics(good, bad))
    assert "not-a-date" in str(info.value) and "<class" not in str(info.value)


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_parse_errors_name_the_files_own_line_with_folded_lines(end: str) -> None:
    # vobject 0.9.9 numbers lines twice over ("line 23" for the 12th): the message
    # must name the line a person finds in an editor, folded continuations included.
    event = "UID:f\nSUMMARY:a long\n  folded title\nDESCRIPTION:x\n y\nDTSTART:20261301T250000Z"
    text = ics(event).replace("\n", end)
    lines = text.split(end)
    bad = next(i for i, line in enumerate(lines, 1) if line.startswith("DTSTART"))
    assert bad == 10
    with pytest.raises(CalendarImportError, match=f"line {bad}: "):
        read(text)
