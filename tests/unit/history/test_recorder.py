"""The history recorder: engine events in, encrypted rows out, settings honoured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.config.settings import HistorySettings
from softphone.engine import events as ev
from softphone.history.recorder import AUDIT_DIAL_REFUSED, AUDIT_INBOUND_REFUSED, HistoryRecorder
from softphone.policy.inbound import BLOCKED, NOT_APPROVED
from softphone.storage.database import CallRecord, Direction, LocalDatabase


@pytest.fixture
def db(tmp_path: Path):
    with LocalDatabase.open(tmp_path / "data.db", MemoryStore()) as db:
        yield db


def _media() -> ev.MediaSecurity:
    return ev.MediaSecurity(True, "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "sdes")


def _answered_call(call_id: str, direction: ev.Direction) -> list[ev.Event]:
    return [
        ev.CallDidStart(call_id, "acc", "sip:bob@127.0.0.1", direction),
        *( [ev.CallDidArrive(call_id, "acc", "sip:bob@127.0.0.1", "bob", False)]
           if direction is ev.Direction.INCOMING else [] ),
        ev.CallStateDidChange(call_id, ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallMediaDidChange(call_id, _media(), "PCMU", 8000, False, False),
        ev.CallDidEnd(call_id, 200, "Normal call clearing", 12.5, media=_media()),
    ]  # fmt: skip


def _run(recorder: HistoryRecorder, events: list[ev.Event]) -> None:
    for event in events:
        recorder.on_event(event)
    assert recorder.flush()


def test_answered_calls_both_ways(db) -> None:
    recorder = HistoryRecorder(db, HistorySettings())
    _run(recorder, _answered_call("c1", ev.Direction.OUTGOING))
    _run(recorder, _answered_call("in1", ev.Direction.INCOMING))
    recorder.close()
    calls = db.list_calls()
    assert [(c.direction, c.outcome, c.encrypted_media) for c in calls] == [
        (Direction.INCOMING, "answered", True),
        (Direction.OUTGOING, "answered", True),
    ]
    assert calls[0].peer == "sip:bob@127.0.0.1" and calls[0].duration_s == 12.5


@pytest.mark.parametrize(
    ("direction", "rang", "code", "security", "outcome"),
    [
        (ev.Direction.INCOMING, True, 487, None, "missed"),
        (ev.Direction.INCOMING, True, 603, None, "declined"),
        (ev.Direction.OUTGOING, False, 486, None, "busy"),
        (ev.Direction.OUTGOING, False, 404, None, "failed: 404 Not Found"),
        (ev.Direction.OUTGOING, False, 488, "no SRTP", "refused: no SRTP"),
    ],
)  # fmt: skip
def test_outcomes(db, direction, rang, code, security, outcome) -> None:
    recorder = HistoryRecorder(db, HistorySettings())
    events: list[ev.Event] = [ev.CallDidStart("c", "acc", "sip:x@y", direction)]
    if rang:
        events.append(ev.CallDidArrive("c", "acc", "sip:x@y", "x", False))
    reason = {404: "Not Found"}.get(code, "x")
    events.append(ev.CallDidEnd("c", code, reason, 0.0, security_failure=security))
    _run(recorder, events)
    recorder.close()
    (call,) = db.list_calls()
    assert call.outcome == outcome and not call.encrypted_media


def test_policy_refusals_are_audited_and_blocked_callers_leave_no_identity(db) -> None:
    recorder = HistoryRecorder(db, HistorySettings())
    caller = "sip:+12125550199@gw;user=phone"
    _run(
        recorder,
        [
            ev.CallDidStart("in9", "acc", caller, ev.Direction.INCOMING),
            ev.IncomingCallWasRefused(caller, 603, NOT_APPROVED, True, "+12125550199"),
            ev.CallDidEnd("in9", 603, "Decline", 0.0),
            ev.CallDidStart("in10", "acc", "sip:spam@evil.example", ev.Direction.INCOMING),
            ev.IncomingCallWasRefused(
                '"Spam" <sip:spam@evil.example>', 603, BLOCKED, True, "spam@evil.example"
            ),
            ev.CallDidEnd("in10", 603, "Decline", 0.0),
            ev.CallDialWasRefused("c5", "1 900 555 0100", "call", "denied", "premium", "premium"),
        ],
    )
    recorder.close()
    (call,) = db.list_calls()  # one row: the unapproved caller, not the blocked one
    assert (call.peer, call.outcome, call.direction) == (
        "+12125550199",
        f"refused: {NOT_APPROVED}",
        Direction.INCOMING,
    )
    audit = db.list_audit()
    assert [(a.event, a.detail) for a in audit] == [
        (AUDIT_INBOUND_REFUSED, NOT_APPROVED),
        (AUDIT_INBOUND_REFUSED, BLOCKED),
        (AUDIT_DIAL_REFUSED, "call: premium"),
    ]
    everything = repr(db.list_calls()) + repr(audit)
    assert "spam" not in everything and "evil.example" not in everything


def test_dont_keep_history_writes_nothing_and_clears_the_past(db) -> None:
    db.add_call(
        CallRecord(datetime.now(UTC), 1.0, Direction.OUTGOING, "answered", True, False, "sip:a@b")
    )
    recorder = HistoryRecorder(db, HistorySettings(keep=False))
    _run(recorder, _answered_call("c1", ev.Direction.OUTGOING))
    recorder.close()
    assert db.list_calls() == [] and db.list_audit() == []


def test_retention_drops_old_calls(db) -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    for days in (1, 29, 31, 400):
        db.add_call(
            CallRecord(now - timedelta(days=days), 1.0, Direction.OUTGOING, "answered", True,
                       False, f"sip:{days}@x")
        )  # fmt: skip
    recorder = HistoryRecorder(db, HistorySettings(retention_days=30), now=lambda: now)
    assert recorder.flush()
    assert sorted(c.peer for c in db.list_calls()) == ["sip:1@x", "sip:29@x"]
    recorder.set_settings(HistorySettings(retention_days=7))
    assert recorder.flush()
    recorder.close()
    assert [c.peer for c in db.list_calls()] == ["sip:1@x"]


def test_recorder_tells_which_row_an_engine_call_became(db) -> None:
    recorder = HistoryRecorder(db, HistorySettings())
    _run(recorder, _answered_call("c1", ev.Direction.OUTGOING))
    _run(recorder, _answered_call("c2", ev.Direction.INCOMING))
    rows = {c.id: c for c in db.list_calls()}
    assert rows[recorder.row_id_for("c2")].direction is Direction.INCOMING
    assert rows[recorder.row_id_for("c1")].direction is Direction.OUTGOING
    assert recorder.row_id_for("never") is None
    db.set_call_note(recorder.row_id_for("c1"), "call quality: 4/5")
    assert db.get_call(recorder.row_id_for("c1")).note == "call quality: 4/5"
    recorder.close()


def test_recorder_remembers_no_row_when_history_is_off(db) -> None:
    recorder = HistoryRecorder(db, HistorySettings(keep=False))
    _run(recorder, _answered_call("c1", ev.Direction.OUTGOING))
    assert recorder.row_id_for("c1") is None
    recorder.close()


def test_recorder_remembers_only_the_latest_rows(db, monkeypatch) -> None:
    import softphone.history.recorder as module

    monkeypatch.setattr(module, "REMEMBERED_ROWS", 2)
    recorder = HistoryRecorder(db, HistorySettings())
    for call_id in ("a", "b", "c"):
        _run(recorder, _answered_call(call_id, ev.Direction.OUTGOING))
    assert recorder.row_id_for("a") is None
    assert recorder.row_id_for("b") is not None and recorder.row_id_for("c") is not None
    recorder.close()


def test_the_echo_peers_leg_of_a_test_call_is_not_history(db) -> None:
    recorder = HistoryRecorder(db, HistorySettings())
    _run(
        recorder,
        [
            ev.LoopbackDidStart("test-caller-1", "sip:echo@127.0.0.1:5999", "AA:BB", "peer"),
            *_answered_call("out1", ev.Direction.OUTGOING),
            ev.CallDidStart("in7", "peer", "sip:test@127.0.0.1", ev.Direction.INCOMING),
            ev.CallStateDidChange("in7", ev.CallState.CONFIRMED, 200, "OK"),
            ev.CallDidEnd("in7", 200, "Normal call clearing", 12.5),
        ],
    )
    recorder.close()
    assert [c.direction for c in db.list_calls()] == [Direction.OUTGOING]
