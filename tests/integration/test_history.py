"""Call history from real calls through the test bed, stored encrypted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import MemoryStore
from test_calls import BOB, hang_up, media_of, place

from softphone.config.settings import HistorySettings
from softphone.engine import events as ev
from softphone.engine.engine import Engine
from softphone.engine.gate import CallPolicy
from softphone.history.recorder import AUDIT_INBOUND_REFUSED, HistoryRecorder
from softphone.policy.inbound import InboundMode, InboundPolicy
from softphone.security.secret import Secret
from softphone.storage.database import Direction, LocalDatabase
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration


@pytest.fixture
def db(tmp_path: Path):
    with LocalDatabase.open(tmp_path / "data.db", MemoryStore()) as db:
        yield db


@contextmanager
def _session(policy: CallPolicy, profile, recorder: HistoryRecorder) -> Iterator[EngineSession]:
    """A registered engine whose events reach `recorder`; the recorder is closed after
    the engine, even when registering fails."""
    try:
        with EngineSession(Engine(policy=policy)) as s:
            s.wait_for(ev.EngineDidStart)
            assert add_and_register(s, profile, "alice", Secret("alice-secret")).ok
            s.engine.subscribe(recorder.on_event)
            yield s
    finally:
        recorder.close()


def test_a_real_call_lands_in_the_history(db, testbed_profile, peers):
    recorder = HistoryRecorder(db, HistorySettings())
    with _session(CallPolicy(), testbed_profile, recorder) as s:
        peers.start_peer("bob")
        call_id = place(s, BOB)
        media_of(s, call_id)
        s.drain(1.0)
        hang_up(s, call_id)
        assert recorder.flush()
    (call,) = db.list_calls()
    assert call.direction is Direction.OUTGOING
    assert call.outcome == "answered" and call.encrypted_media and not call.verified
    assert "bob@127.0.0.1" in call.peer and call.duration_s >= 0.5
    raw = db.path.read_bytes() + Path(f"{db.path}-wal").read_bytes()
    assert b"bob@127.0.0.1" not in raw  # the peer is encrypted at rest


def test_a_refused_caller_is_audited_with_a_minimal_history_row(db, testbed_profile, peers):
    recorder = HistoryRecorder(db, HistorySettings())
    policy = CallPolicy(inbound=InboundPolicy(mode=InboundMode.APPROVED))
    with _session(policy, testbed_profile, recorder) as s:
        peers.start_peer("bob")
        peers.peer("dial", "bob", "sip:alice@127.0.0.1", "--wait", "5", check=False)
        s.wait_for(ev.IncomingCallWasRefused)
        s.wait_for(ev.CallDidEnd)
        assert recorder.flush()
    (call,) = db.list_calls()
    assert (call.peer, call.outcome) == (
        "bob@127.0.0.1",
        "refused: only approved contacts may call",
    )
    assert [(a.event, a.detail) for a in db.list_audit()] == [
        (AUDIT_INBOUND_REFUSED, "only approved contacts may call")
    ]
