"""No pjsua2 object is ever left to the cyclic garbage collector, or dies off the engine
thread, through a session of real calls (see `pjsua2_watch`).

Once in CI the process crashed in a collection on the e2e-media loop thread. A pjsua2
object that only the collector can free dies on whichever thread allocates when a
collection is due; this runs an engine through registrations, refused and failed
calls, an SDES call with hold and resume, and end-to-end calls both ways with another
engine, and fails with the chain of holders of any pjsua2 object found in the garbage.
"""

from __future__ import annotations

import pjsua2 as pj
import pytest
from engine_peer import EnginePeer
from helpers import profile_on_port
from pjsua2_watch import assert_engine_leaves_nothing
from test_calls import BOB, CAROL, hang_up, media_of, place

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.engine import Engine  # noqa: F401  imported before the watch: pjframes' probe
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration


def _bad_certificate(s: EngineSession, profile, testbed) -> None:
    bad = profile_on_port(profile, int(testbed.env["SIP_TLS_EXPIRED_PORT"]))
    report = add_and_register(s, bad, "alice", Secret("alice-secret"), account_id="bad")
    assert not report.ok and report.certificate_problem is not None, report
    s.submit(cmd.RemoveAccount("bad"))


def _failing_function(s: EngineSession) -> None:
    """A function run on the engine thread fails with a pjsua2 object in its frame."""

    def fails() -> None:
        prm = pj.CallOpParam(True)  # noqa: F841  # a local its traceback would keep
        raise LookupError("on purpose")

    with pytest.raises(LookupError, match="on purpose"):
        s.engine.run(fails).result(5)


def _refused_calls(s: EngineSession) -> None:
    nobody = place(s, "sip:nobody@127.0.0.1")  # not registered: 404
    assert s.wait_for(ev.CallDidEnd, lambda e: e.call_id == nobody).code == 404
    s.submit(cmd.Hold("no-such-call"))  # a command that fails on the engine thread
    s.wait_for(ev.CommandDidFail, lambda e: e.call_id == "no-such-call")


def _hold_and_resume(s: EngineSession, call_id: str, peer: EnginePeer | None = None) -> None:
    """Hold, then resume once the hold's re-INVITE is through (an end-to-end call says
    it is held at once: then the peer is asked)."""
    s.submit(cmd.Hold(call_id))
    s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.local_hold, 15)
    s.drain(1.0)  # the hold's re-INVITE through (a resume during it fails: PJ_EINVALIDOP)
    if peer is not None:
        peer.wait("CallMediaDidChange", lambda e: e["remote_hold"])
    s.submit(cmd.Resume(call_id))
    s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and not e.local_hold, 15)
    if peer is not None:
        peer.wait("CallMediaDidChange", lambda e: not e["remote_hold"] and e["media"]["end_to_end"])


def _sdes_call(s: EngineSession, peers) -> None:
    peers.start_peer("bob")
    call_id = place(s, BOB)
    media_of(s, call_id)
    _hold_and_resume(s, call_id)
    s.submit(cmd.RequestStats(call_id))
    s.wait_for(ev.CallStatsDidUpdate, lambda e: e.call_id == call_id)
    hang_up(s, call_id)


def _e2e_calls(s: EngineSession, peers) -> None:
    peers.peer("stop", "carol", check=False)
    carol = EnginePeer()
    try:
        carol.register("carol", "carol-secret")
        # out, held and resumed, verified, hung up by us
        call_id = place(s, CAROL)
        carol.command("Answer", call_id=carol.wait("CallDidArrive")["call_id"])
        assert media_of(s, call_id, timeout=20).media.end_to_end
        s.wait_for(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id)
        _hold_and_resume(s, call_id, carol)
        s.submit(cmd.RequestStats(call_id))
        s.wait_for(ev.CallStatsDidUpdate, lambda e: e.call_id == call_id)
        s.submit(cmd.ConfirmSas(call_id, True))
        s.wait_for(ev.CallVerificationDidChange, lambda e: e.call_id == call_id)
        hang_up(s, call_id)
        carol.wait("CallDidEnd")
        # in, answered, hung up by the caller
        carol.command("MakeCall", call_id="k1", account_id="acc", uri="sip:alice@127.0.0.1")
        arrived = s.wait_for(ev.CallDidArrive, timeout=15)
        s.submit(cmd.Answer(arrived.call_id))
        assert media_of(s, arrived.call_id, timeout=20).media.end_to_end
        carol.command("Hangup", call_id="k1")
        s.wait_for(ev.CallDidEnd, lambda e: e.call_id == arrived.call_id)
        # out, refused by the callee while ringing
        call_id = place(s, CAROL)
        carol.command("Reject", call_id=carol.wait("CallDidArrive")["call_id"], code=486)
        assert s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id).code == 486
    finally:
        carol.close()


def test_no_pjsua2_object_is_left_to_the_garbage_collector(testbed_profile, testbed, peers):
    def scenario(s: EngineSession) -> None:
        _bad_certificate(s, testbed_profile, testbed)
        assert add_and_register(s, testbed_profile, "alice", Secret("alice-secret")).ok
        _refused_calls(s)
        _failing_function(s)
        _sdes_call(s, peers)
        _e2e_calls(s, peers)

    assert_engine_leaves_nothing(
        scenario, {"PjCall", "PjAccount", "CallOpParam", "PjE2ePort", "CallInfo"}
    )
