"""DeferredEngine: the desktop app's engine, started after the first window. What is
subscribed, set and submitted before the start reaches the engine, in order; after
it, everything goes straight through; stopping before, during and after a start."""

from __future__ import annotations

import threading

import pytest

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.gate import CallPolicy
from softphone.ui.deferred_engine import DeferredEngine


class FakeEngine:
    """What DeferredEngine uses of `Engine`; `start` emits EngineDidStart like it."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.log: list[object] = []
        self.listeners: list = []
        self.policy: CallPolicy | None = None
        self.running = False
        self.stopped = False

    def subscribe(self, listener) -> None:
        self.listeners.append(listener)

    def unsubscribe(self, listener) -> None:
        self.listeners.remove(listener)

    def set_policy(self, policy: CallPolicy) -> None:
        self.policy = policy

    def start(self) -> None:
        if self.fail:
            raise RuntimeError("no endpoint")
        self.running = True
        for listener in list(self.listeners):
            listener(ev.EngineDidStart("2.15", ("sip-tls",)))

    def submit(self, command: cmd.Command) -> None:
        assert self.running, "submitted before start"
        self.log.append(command)

    def stop(self) -> None:
        self.stopped = True


def test_kept_until_started_then_handed_over_in_order() -> None:
    fake = FakeEngine()
    engine = DeferredEngine(lambda: fake)
    heard: list[object] = []
    engine.subscribe(heard.append)
    policy = CallPolicy()
    engine.set_policy(policy)
    first, second = cmd.ListAudioDevices(), cmd.Hangup("c1")
    engine.submit(first)
    engine.submit(second)
    assert engine.engine is None and fake.log == []
    engine.start()
    assert engine.engine is fake
    assert fake.log == [first, second]
    assert fake.policy is policy
    assert [type(e) for e in heard] == [ev.EngineDidStart]  # heard the start
    third = cmd.Hangup("c2")
    engine.submit(third)
    assert fake.log == [first, second, third]
    later: list[object] = []
    engine.subscribe(later.append)
    engine.unsubscribe(heard.append)
    assert fake.listeners == [later.append]
    engine.stop()
    assert fake.stopped


def test_ids_are_unique_before_and_after_the_start() -> None:
    engine = DeferredEngine(FakeEngine)
    before = {engine.new_id("ui") for _ in range(3)}
    engine.start()
    after = {engine.new_id("ui") for _ in range(3)}
    assert len(before | after) == 6


def test_stopped_before_the_start_never_builds_the_engine() -> None:
    built: list[FakeEngine] = []
    engine = DeferredEngine(lambda: built.append(FakeEngine()) or built[-1])
    engine.submit(cmd.ListAudioDevices())
    engine.stop()  # the app closed before its window painted
    engine.start()
    assert built == []
    engine.submit(cmd.Hangup("c1"))  # dropped, no error


def test_stop_waits_for_a_start_under_way() -> None:
    importing = threading.Event()
    release = threading.Event()
    fake = FakeEngine()

    def slow_import() -> FakeEngine:
        importing.set()
        release.wait(5)
        return fake

    engine = DeferredEngine(slow_import)
    starter = threading.Thread(target=engine.start)
    starter.start()
    assert importing.wait(5)
    stopper = threading.Thread(target=engine.stop)
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive()  # waits for the import to end
    release.set()
    stopper.join(5)
    starter.join(5)
    assert not fake.running  # built after the stop: never started


def test_a_failed_start_raises_and_later_commands_are_dropped() -> None:
    engine = DeferredEngine(lambda: FakeEngine(fail=True))
    engine.submit(cmd.ListAudioDevices())
    with pytest.raises(RuntimeError, match="no endpoint"):
        engine.start()
    assert engine.engine is None
    engine.submit(cmd.Hangup("c1"))  # kept nowhere useful, but no error
    engine.stop()
