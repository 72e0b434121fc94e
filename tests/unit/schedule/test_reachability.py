"""Appointment windows at their edges, across midnight and DST; who may call now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from softphone.policy.decision import Verdict
from softphone.policy.inbound import (
    NOT_NOW_CODE,
    REFUSAL_CODE,
    CallerFacts,
    InboundMode,
    InboundPolicy,
    caller_identity,
    decide_inbound,
    refusal_code,
)
from softphone.policy.numbers import DialPlan
from softphone.schedule.appointment import (
    Appointment,
    AppointmentStatus,
    Margins,
    overdue,
    upcoming,
)
from softphone.schedule.phrase import hash_phrase, verify_phrase
from softphone.schedule.reachability import ScheduleIndex
from softphone.security.secret import Secret

NY = ZoneInfo("America/New_York")
PLAN = DialPlan("US", home_domains=("clinic.example",))
MARGINS = Margins(early=timedelta(minutes=10), late=timedelta(minutes=15))


def appt(start: datetime, minutes: int = 30, who: str = "tel:+1-212-555-0123", **kw) -> Appointment:
    return Appointment(start, timedelta(minutes=minutes), who, **kw)


def at(caller: str, index: ScheduleIndex, when: datetime) -> bool:
    return index.scheduled(caller_identity(caller, PLAN), when)


def test_window_edges_are_inclusive() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=NY)
    index = ScheduleIndex([appt(start)], PLAN, MARGINS)
    opens, closes = start - MARGINS.early, start + timedelta(minutes=45)
    assert not at("+12125550123", index, opens - timedelta(seconds=1))
    assert at("+12125550123", index, opens)
    assert at("+12125550123", index, closes)
    assert not at("+12125550123", index, closes + timedelta(seconds=1))


@pytest.mark.parametrize(
    "caller",
    ["tel:+12125550123", "(212) 555-0123", "sip:+12125550123@gw.example;user=phone",
     '"Pat" <sip:2125550123@clinic.example>'],
)  # fmt: skip
def test_the_participant_in_any_formatting(caller: str) -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=NY)
    index = ScheduleIndex([appt(start)], PLAN, MARGINS)
    assert at(caller, index, start)
    assert not at("+12125550124", index, start)


def test_sip_participants_compare_without_case_or_parameters() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    index = ScheduleIndex([appt(start, who="sip:Pat@Clinic.Example")], PLAN, MARGINS)
    assert at("sips:pat@clinic.example;transport=tls", index, start)
    assert not at("sip:pat@other.example", index, start)


def test_window_across_midnight() -> None:
    start = datetime(2026, 12, 31, 23, 50, tzinfo=NY)
    index = ScheduleIndex([appt(start, 30)], PLAN, MARGINS)
    assert at("+12125550123", index, datetime(2027, 1, 1, 0, 30, tzinfo=NY))
    assert not at("+12125550123", index, datetime(2027, 1, 1, 0, 36, tzinfo=NY))


def test_window_across_the_dst_change_lasts_its_real_duration() -> None:
    # 01:30 EDT on the night clocks go back; 60 minutes later it is 01:30 EST.
    start = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=0)
    index = ScheduleIndex([appt(start, 60)], PLAN, Margins(timedelta(0), timedelta(0)))
    assert start.utcoffset() == timedelta(hours=-4)
    end_utc = start.astimezone(UTC) + timedelta(minutes=60)
    assert at("+12125550123", index, end_utc)
    assert not at("+12125550123", index, end_utc + timedelta(seconds=1))
    assert end_utc.astimezone(NY).hour == 1  # 01:30 again, EST
    assert index.next_change(start) == end_utc
    assert appt(start, 60).end.astimezone(UTC) == end_utc  # (PEP 495: == across zones)


def test_cancelled_and_done_appointments_open_no_window() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    index = ScheduleIndex(
        [
            appt(start, status=AppointmentStatus.CANCELLED),
            appt(start, status=AppointmentStatus.DONE),
        ],
        PLAN,
        MARGINS,
    )
    assert not at("+12125550123", index, start)


def test_next_change_for_signing_out_between_appointments() -> None:
    first, second = datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 11, tzinfo=UTC)
    index = ScheduleIndex([appt(second), appt(first)], PLAN, MARGINS)
    assert index.next_change(first - timedelta(hours=1)) == first - MARGINS.early
    assert index.next_change(first) == first + timedelta(minutes=45)
    assert not index.any_window_open(first + timedelta(minutes=46))
    assert index.next_change(second + timedelta(hours=1)) is None


def test_inbound_decisions_at_the_window_edges() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=NY)
    index = ScheduleIndex([appt(start)], PLAN, MARGINS)
    policy = InboundPolicy(mode=InboundMode.SCHEDULED)
    caller = caller_identity("sip:+12125550123@gw.example;user=phone", PLAN)

    def verdict(when: datetime):
        facts = CallerFacts(scheduled=index.scheduled(caller, when))
        return decide_inbound(caller, facts, policy, PLAN)

    assert verdict(start - timedelta(minutes=10)).verdict is Verdict.ALLOWED
    early = verdict(start - timedelta(minutes=11))
    assert early.verdict is Verdict.DENIED and refusal_code(early) == NOT_NOW_CODE
    block = InboundPolicy(InboundMode.SCHEDULED, ("+12125550123",))
    blocked = decide_inbound(caller, CallerFacts(scheduled=True), block, PLAN)
    assert refusal_code(blocked) == REFUSAL_CODE


def test_today_view_order_and_overdue() -> None:
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    late = appt(now - timedelta(minutes=20), id=1)
    soon = appt(now + timedelta(hours=1), id=2)
    tomorrow = appt(now + timedelta(days=1), id=3)
    done = appt(now - timedelta(hours=2), id=4, status=AppointmentStatus.DONE)
    assert upcoming([tomorrow, soon, done, late], now, timedelta(hours=12)) == [late, soon]
    assert overdue(late, now) and not overdue(soon, now) and not overdue(done, now)


def test_appointments_refuse_naive_times_and_empty_participants() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        appt(datetime(2026, 12, 1, 9))
    with pytest.raises(ValueError, match="participant"):
        appt(datetime(2026, 12, 1, 9, tzinfo=UTC), who=" ")
    with pytest.raises(ValueError, match="longer than zero"):
        appt(datetime(2026, 12, 1, 9, tzinfo=UTC), minutes=0)


def test_verification_phrase_is_hashed_and_forgiving_about_spacing_and_case() -> None:
    stored = hash_phrase(Secret("Blue  Heron"), n=2**10)
    assert "heron" not in stored.lower()
    assert verify_phrase(Secret(" blue heron "), stored)
    assert not verify_phrase(Secret("blue herons"), stored)
    assert hash_phrase(Secret("Blue Heron"), n=2**10) != stored  # salted
    with pytest.raises(ValueError):
        hash_phrase(Secret("ab"))
