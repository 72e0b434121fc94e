"""The engine's view of the schedule: rebuilt off-thread, never blocking a lookup."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from softphone.policy.numbers import DialPlan, classify
from softphone.schedule.appointment import Appointment
from softphone.schedule.live import LiveSchedule

PLAN = DialPlan("US")
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_index_follows_the_appointments_after_refresh() -> None:
    appointments: list[Appointment] = []
    asked: list[tuple[datetime, datetime]] = []

    def load(start: datetime, end: datetime) -> list[Appointment]:
        asked.append((start, end))
        return list(appointments)

    live = LiveSchedule(load, PLAN, refresh_s=3600, now=lambda: NOW)
    try:
        live.refresh(wait=2)
        caller = classify("+12125550123", PLAN)
        assert not live.index().scheduled(caller, NOW)
        appointments.append(Appointment(NOW, timedelta(minutes=30), "tel:+12125550123"))
        live.refresh(wait=2)
        assert live.index().scheduled(caller, NOW)
        assert asked[-1] == (NOW - timedelta(days=1), NOW + timedelta(days=2))
    finally:
        live.close()


def test_a_failing_or_slow_database_never_blocks_a_lookup() -> None:
    gate = threading.Event()
    calls = 0

    def load(start: datetime, end: datetime) -> list[Appointment]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk gone")
        gate.wait(5)
        return [Appointment(NOW, timedelta(minutes=30), "tel:+12125550123")]

    live = LiveSchedule(load, PLAN, refresh_s=3600, now=lambda: NOW)
    try:
        assert not live.index().scheduled(classify("+12125550123", PLAN), NOW)  # not waiting
        gate.set()
        live.refresh(wait=2)  # this rebuild fails: the last good index stays
        live.refresh(wait=2)
        assert live.index().scheduled(classify("+12125550123", PLAN), NOW)
    finally:
        live.close()
