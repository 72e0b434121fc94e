"""Unit tests for softphone.tasks.session: waiting on engine events in order, with a backlog.

A fake engine stands in for the real one; events are pushed from other threads
as the engine thread would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.tasks.session import EngineSession


class FakeEngine:
    """What EngineSession uses of Engine: subscribe, start, stop, submit, new_id."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[ev.Event], None]] = []
        self.started = 0
        self.stopped = 0
        self.submitted: list[object] = []
        self._ids = 0

    def subscribe(self, listener: Callable[[ev.Event], None]) -> None:
        self.listeners.append(listener)

    def start(self) -> None:
        self.started += 1

    def stop(self) -> None:
        self.stopped += 1

    def submit(self, command: object) -> None:
        self.submitted.append(command)

    def new_id(self, prefix: str = "c") -> str:
        self._ids += 1
        return f"{prefix}{self._ids}"

    def emit(self, *events: ev.Event) -> None:
        for event in events:
            for listener in self.listeners:
                listener(event)


def fail(name: str) -> ev.CommandDidFail:
    return ev.CommandDidFail(name, "boom")


def state(call_id: str, s: ev.CallState) -> ev.CallStateDidChange:
    return ev.CallStateDidChange(call_id, s, 200, "OK")


STOP = ev.EngineDidStop()


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def session(engine: FakeEngine) -> EngineSession:
    return EngineSession(engine)  # type: ignore[arg-type]


@pytest.fixture
def later(engine: FakeEngine) -> Iterator[Callable[..., None]]:
    """later(delay, *events): emit `events` from another thread after `delay` seconds."""
    threads: list[threading.Thread] = []

    def schedule(delay: float, *events: ev.Event, gap: float = 0.0) -> None:
        def run() -> None:
            time.sleep(delay)
            for event in events:
                engine.emit(event)
                time.sleep(gap)

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    yield schedule
    for thread in threads:
        thread.join(5)


# ------------------------------------------------------------------ plumbing


def test_session_subscribes_once(engine: FakeEngine, session: EngineSession) -> None:
    assert len(engine.listeners) == 1
    assert session.engine is engine


def test_session_context_starts_and_stops_engine(engine: FakeEngine) -> None:
    with EngineSession(engine) as s:  # type: ignore[arg-type]
        assert isinstance(s, EngineSession)
        assert (engine.started, engine.stopped) == (1, 0)
    assert (engine.started, engine.stopped) == (1, 1)


def test_session_stops_engine_on_error(engine: FakeEngine) -> None:
    with pytest.raises(KeyError), EngineSession(engine):  # type: ignore[arg-type]
        raise KeyError("x")
    assert engine.stopped == 1


def test_session_submit_and_new_id_go_to_engine(engine: FakeEngine, session: EngineSession) -> None:
    command = cmd.Hangup("c1")
    session.submit(command)
    assert engine.submitted == [command]
    assert session.new_id("out") == "out1"
    assert session.new_id() == "c2"


# ------------------------------------------------------------------ wait_for


def test_session_event_emitted_before_wait(engine: FakeEngine, session: EngineSession) -> None:
    engine.emit(STOP)
    assert session.wait_for(ev.EngineDidStop, timeout=1) is STOP


def test_session_event_from_another_thread(session: EngineSession, later) -> None:
    later(0.05, STOP)
    started = time.monotonic()
    assert session.wait_for(ev.EngineDidStop, timeout=5) is STOP
    assert time.monotonic() - started < 2


def test_session_same_kind_in_order(session: EngineSession, later) -> None:
    events = [fail(f"cmd{i}") for i in range(20)]
    later(0.0, *events, gap=0.001)
    got = [session.wait_for(ev.CommandDidFail, timeout=5) for _ in events]
    assert got == events
    assert all(a is b for a, b in zip(got, events, strict=True))


def test_session_events_are_consumed(engine: FakeEngine, session: EngineSession) -> None:
    engine.emit(STOP)
    session.wait_for(ev.EngineDidStop, timeout=1)
    with pytest.raises(TimeoutError):
        session.wait_for(ev.EngineDidStop, timeout=0.1)


def test_session_skipped_event_found_by_later_wait(
    engine: FakeEngine, session: EngineSession
) -> None:
    first, second = fail("first"), fail("second")
    engine.emit(first, second, STOP)
    assert session.wait_for(ev.EngineDidStop, timeout=1) is STOP
    # Both CommandDidFail were skipped by that wait; they come back oldest first.
    assert session.wait_for(ev.CommandDidFail, timeout=0.1) is first
    assert session.wait_for(ev.CommandDidFail, timeout=0.1) is second


def test_session_backlog_across_threads(session: EngineSession, later) -> None:
    ringing = state("c1", ev.CallState.EARLY)
    confirmed = state("c1", ev.CallState.CONFIRMED)
    later(0.02, ringing, fail("x"), confirmed, STOP, gap=0.005)
    assert session.wait_for(ev.EngineDidStop, timeout=5) is STOP
    assert session.wait_for(ev.CallStateDidChange, timeout=0.1) is ringing
    assert session.wait_for(ev.CommandDidFail, timeout=0.1).command == "x"
    assert session.wait_for(ev.CallStateDidChange, timeout=0.1) is confirmed


def test_session_match_skips_but_keeps_non_matching(
    engine: FakeEngine, session: EngineSession
) -> None:
    early = state("c1", ev.CallState.EARLY)
    other = state("c2", ev.CallState.CONFIRMED)
    mine = state("c1", ev.CallState.CONFIRMED)
    engine.emit(early, other, mine)
    got = session.wait_for(
        ev.CallStateDidChange,
        lambda e: e.call_id == "c1" and e.state == ev.CallState.CONFIRMED,
        timeout=1,
    )
    assert got is mine
    assert session.wait_for(ev.CallStateDidChange, timeout=0.1) is early
    assert session.wait_for(ev.CallStateDidChange, lambda e: e.call_id == "c2", timeout=0.1) is (
        other
    )


def test_session_match_on_backlog_takes_oldest_matching(
    engine: FakeEngine, session: EngineSession
) -> None:
    a1, b1, a2 = fail("a"), fail("b"), fail("a")
    engine.emit(a1, b1, a2, STOP)
    session.wait_for(ev.EngineDidStop, timeout=1)
    assert session.wait_for(ev.CommandDidFail, lambda e: e.command == "a", timeout=0.1) is a1
    assert session.wait_for(ev.CommandDidFail, lambda e: e.command == "a", timeout=0.1) is a2
    assert session.wait_for(ev.CommandDidFail, timeout=0.1) is b1


def test_session_tuple_of_kinds_returns_first_of_either(
    engine: FakeEngine, session: EngineSession
) -> None:
    failed = fail("x")
    engine.emit(state("c1", ev.CallState.EARLY), failed, STOP)
    kinds = (ev.CommandDidFail, ev.EngineDidStop)
    assert session.wait_for(kinds, timeout=1) is failed
    assert session.wait_for(kinds, timeout=1) is STOP


def test_session_subclass_matches_base_kind(engine: FakeEngine, session: EngineSession) -> None:
    engine.emit(STOP)
    assert session.wait_for(ev.Event, timeout=1) is STOP


def test_session_timeout_names_the_event(session: EngineSession) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="no CallDidEnd within"):
        session.wait_for(ev.CallDidEnd, timeout=0.2)
    elapsed = time.monotonic() - started
    assert 0.19 <= elapsed < 2


def test_session_timeout_names_all_kinds_of_a_tuple(session: EngineSession) -> None:
    with pytest.raises(TimeoutError) as info:
        session.wait_for((ev.CallMediaDidChange, ev.CallDidEnd), timeout=0.05)
    message = str(info.value)
    assert "CallMediaDidChange" in message
    assert "CallDidEnd" in message


def test_session_timeout_not_extended_by_other_events(session: EngineSession, later) -> None:
    later(0.0, *[fail(str(i)) for i in range(100)], gap=0.01)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        session.wait_for(ev.EngineDidStop, timeout=0.3)
    assert time.monotonic() - started < 0.9
    # What arrived meanwhile is kept, in order.
    assert session.wait_for(ev.CommandDidFail, timeout=0.1).command == "0"


def test_session_timeout_keeps_event_arriving_later(session: EngineSession, later) -> None:
    later(0.3, STOP)
    with pytest.raises(TimeoutError):
        session.wait_for(ev.EngineDidStop, timeout=0.05)
    assert session.wait_for(ev.EngineDidStop, timeout=5) is STOP


# ------------------------------------------------------------- history, drain, seen


def test_session_history_records_everything_received_in_order(
    engine: FakeEngine, session: EngineSession
) -> None:
    events = [fail("a"), state("c1", ev.CallState.EARLY), STOP]
    engine.emit(*events)
    session.wait_for(ev.EngineDidStop, timeout=1)
    assert session.history == events
    session.wait_for(ev.CommandDidFail, timeout=0.1)  # from the backlog: not recorded twice
    assert session.history == events


def test_session_drain_collects_for_the_given_time(session: EngineSession, later) -> None:
    events = [fail(str(i)) for i in range(5)]
    later(0.02, *events, gap=0.01)
    started = time.monotonic()
    session.drain(0.4)
    assert 0.39 <= time.monotonic() - started < 2
    assert session.history == events
    # Drained events stay available to wait_for, oldest first.
    assert [session.wait_for(ev.CommandDidFail, timeout=0.05) for _ in events] == events


def test_session_drain_with_nothing_arriving(session: EngineSession) -> None:
    started = time.monotonic()
    session.drain(0.1)
    assert time.monotonic() - started >= 0.09
    assert session.history == []


def test_session_seen_includes_consumed_and_pending(
    engine: FakeEngine, session: EngineSession
) -> None:
    consumed, pending = fail("a"), fail("b")
    engine.emit(consumed, pending, STOP)
    session.wait_for(ev.CommandDidFail, timeout=1)
    session.drain(0.05)
    assert session.seen(ev.CommandDidFail) == [consumed, pending]
    assert session.seen(ev.CommandDidFail, lambda e: e.command == "b") == [pending]
    assert session.seen(ev.EngineDidStop) == [STOP]
    assert session.seen(ev.CallDidEnd) == []
    # seen() does not consume: the pending one is still there for wait_for.
    assert session.wait_for(ev.CommandDidFail, timeout=0.1) is pending


def test_session_seen_includes_events_still_queued(
    engine: FakeEngine, session: EngineSession
) -> None:
    failed = fail("a")
    engine.emit(failed)
    assert session.seen(ev.CommandDidFail) == [failed]


def test_session_zero_timeout_still_finds_queued_event(
    engine: FakeEngine, session: EngineSession
) -> None:
    engine.emit(STOP)
    assert session.wait_for(ev.EngineDidStop, timeout=0) is STOP


def test_session_zero_timeout_finds_backlogged_event(
    engine: FakeEngine, session: EngineSession
) -> None:
    engine.emit(fail("a"), STOP)
    session.wait_for(ev.EngineDidStop, timeout=1)
    assert session.wait_for(ev.CommandDidFail, timeout=0).command == "a"
