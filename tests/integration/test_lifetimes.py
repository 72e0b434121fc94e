"""pjsua2 object lifetimes: many calls in a row leave nothing behind."""

from __future__ import annotations

import gc
import os
import threading

import pytest
from test_calls import BOB, hang_up, media_of, place

from softphone.engine.pjobjects import PjCall

pytestmark = pytest.mark.integration


def _snapshot(s) -> dict[str, int]:
    def on_engine() -> dict[str, int]:
        gc.collect()  # on the engine thread: pjsua2 objects may only die here
        return {
            "registry": s.engine.calls.live_count(),
            "parked_ports": s.engine.calls.parked_ports(),
            "pj_calls": sum(isinstance(o, PjCall) for o in gc.get_objects()),
        }

    counts = s.engine.run(on_engine).result(10)
    counts["python_threads"] = threading.active_count()
    counts["native_threads"] = len(os.listdir("/proc/self/task"))
    counts["fds"] = len(os.listdir("/proc/self/fd"))
    return counts


def test_twenty_calls_in_a_row_leak_nothing(alice, peers):
    peers.start_peer("bob")
    hang_up(alice, _call(alice))  # warm-up: first TLS connection, media ports
    alice.drain(1.5)
    before = _snapshot(alice)
    assert before["registry"] == 0 and before["pj_calls"] == 0, before
    for _ in range(20):
        call_id = _call(alice)
        ended = hang_up(alice, call_id)
        assert ended.media.encrypted
    alice.drain(1.5)  # past the ports' grace period
    after = _snapshot(alice)
    assert after["registry"] == 0, after
    assert after["parked_ports"] == 0, after
    assert after["pj_calls"] == 0, after
    assert after["python_threads"] == before["python_threads"], (before, after)
    assert after["native_threads"] == before["native_threads"], (before, after)
    assert after["fds"] <= before["fds"] + 2, (before, after)


def _call(s) -> str:
    call_id = place(s, BOB)
    assert media_of(s, call_id).media.encrypted
    return call_id


def test_engine_stops_cleanly_with_a_call_up(session, testbed_profile, peers):
    """Stopping the engine mid-call hangs up and destroys everything on its thread."""
    from softphone.security.secret import Secret
    from softphone.tasks.register import add_and_register

    peers.start_peer("bob")
    assert add_and_register(session, testbed_profile, "alice", Secret("alice-secret")).ok
    call_id = place(session, BOB)
    media_of(session, call_id)
    session.engine.stop()
    session.engine.stop()  # idempotent
    assert session.engine.endpoint is None
