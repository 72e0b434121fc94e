"""Auto sign-out: registered only while an appointment window is open."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from softphone.engine import commands as cmd
from softphone.policy.numbers import DialPlan
from softphone.schedule.appointment import Appointment, Margins
from softphone.schedule.reachability import ScheduleIndex
from softphone.schedule.signout import AutoSignOut

PLAN = DialPlan("US")
T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
MARGINS = Margins(timedelta(minutes=10), timedelta(minutes=15))


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t


def index(*starts: datetime) -> ScheduleIndex:
    return ScheduleIndex(
        [Appointment(s, timedelta(minutes=30), "+12125550123") for s in starts], PLAN, MARGINS
    )


def test_registers_around_windows_only_and_sleeps_until_the_next_edge() -> None:
    sent: list[cmd.Command] = []
    clock = Clock()
    nine = T0 + timedelta(hours=1)
    auto = AutoSignOut(sent.append, "acc", index(nine), now=clock, recheck_s=600)
    delay = auto.tick()
    assert sent == [cmd.Unregister("acc")]
    assert delay == 600  # the window opens in 50 min: the recheck comes first
    clock.t = nine - timedelta(minutes=10, seconds=1)
    assert auto.tick() < 2 and sent == [cmd.Unregister("acc")]
    clock.t = nine - timedelta(minutes=10)
    auto.tick()
    assert sent[-1] == cmd.Register("acc")
    clock.t = nine + timedelta(minutes=44)
    auto.tick()
    assert len(sent) == 2  # still inside the window (30 min + 15 min late margin)
    clock.t = nine + timedelta(minutes=45, seconds=1)
    auto.tick()
    assert sent[-1] == cmd.Unregister("acc") and len(sent) == 3


def test_a_new_schedule_takes_effect_at_once() -> None:
    sent: list[cmd.Command] = []
    clock = Clock()
    auto = AutoSignOut(sent.append, "acc", index(), now=clock, recheck_s=600)
    auto.start()
    try:
        deadline = time.monotonic() + 2
        while not sent and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sent == [cmd.Unregister("acc")]
        auto.update(index(T0))  # a visit starting now
        deadline = time.monotonic() + 2
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sent[-1] == cmd.Register("acc")
    finally:
        auto.stop()
