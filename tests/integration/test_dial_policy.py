"""Dial and inbound policy through the real engine and the test bed's Kamailio.

Kamailio's sipdump shows every request it relayed, so "no INVITE was sent" is read
off the wire, with a control in each test that shows the trace does see INVITEs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import SipDump, wait_until
from test_calls import BOB, hang_up, media_of

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.engine import Engine
from softphone.engine.gate import CallPolicy
from softphone.policy.dialing import BUILTIN_POLICY
from softphone.policy.inbound import CallerFacts, InboundMode, InboundPolicy
from softphone.policy.pin import PinAuthority, PinError, hash_pin
from softphone.policy.signalling import TransferPolicy
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration

PREMIUM = "1 (900) 555-0100"
LONDON = "+44 20 7946 0000"


@pytest.fixture
def engine_with(testbed_profile, testbed) -> Iterator[Callable[[CallPolicy], EngineSession]]:
    """Start engines with a given policy, registered as alice; all stopped afterwards."""
    with contextlib.ExitStack() as stack:

        def start(policy: CallPolicy) -> EngineSession:
            s = stack.enter_context(EngineSession(Engine(policy=policy)))
            s.wait_for(ev.EngineDidStart)
            report = add_and_register(s, testbed_profile, "alice", Secret("alice-secret"))
            assert report.ok, report
            return s

        yield start


@pytest.fixture
def dump(testbed) -> SipDump:
    return SipDump(Path(testbed.env["KAMAILIO_SIPDUMP_DIR"]))


def _dial(s: EngineSession, target: str, **kw) -> str:
    call_id = s.new_id("p")
    s.submit(cmd.MakeCall(call_id, "acc", target, **kw))
    return call_id


def _ended_at_kamailio(s: EngineSession, call_id: str) -> ev.CallDidEnd:
    """An allowed number nobody registered: Kamailio answers 404 after relaying nothing."""
    return s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)


def test_denied_number_never_sends_an_invite(engine_with, dump):
    alice = engine_with(CallPolicy())
    call_id = _dial(alice, PREMIUM)
    refused = alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == call_id)
    assert (refused.verdict, refused.number_class, refused.path) == ("denied", "premium", "call")
    # The control: an allowed number in the same session does reach Kamailio.
    allowed = _dial(alice, "(212) 555-0123")
    assert _ended_at_kamailio(alice, allowed).code == 404
    assert wait_until(lambda: dump.invites_to("+12125550123"), 3)
    assert not dump.invites_to("+19005550100")
    assert not alice.seen(ev.CallDidStart, lambda e: e.call_id == call_id)


def test_denied_domain_never_sends_an_invite(engine_with, dump):
    alice = engine_with(CallPolicy())
    call_id = _dial(alice, "sip:bob@evil.example")
    refused = alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == call_id)
    assert "evil.example" in refused.reason
    alice.drain(0.5)
    assert "evil.example" not in dump.new_text()


def test_pin_required_number_dials_after_the_right_pin_only(engine_with, dump, tmp_path):
    pins = PinAuthority(hash_pin(Secret("4821"), n=2**10), tmp_path / "attempts.json")
    alice = engine_with(CallPolicy(role="clinician", pins=pins))
    key = "+442079460000"

    without = _dial(alice, LONDON)
    refused = alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == without)
    assert (refused.verdict, refused.number_class) == ("needs_pin", "international")

    elsewhere = pins.authorize("+33142685300", Secret("4821"))  # right PIN, other number
    wrong_target = _dial(alice, LONDON, authorization=elsewhere)
    alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == wrong_target)
    with pytest.raises(PinError, match="wrong authorization code"):
        pins.authorize(key, Secret("1111"))
    alice.drain(0.5)
    assert not dump.invites_to(key)

    assert wait_until(lambda: pins.attempts().wait(time.time()) == 0, 3)  # the back-off
    authorization = pins.authorize(key, Secret("4821"))
    authorized = _dial(alice, "011 44 (20) 7946-0000", authorization=authorization)
    assert _ended_at_kamailio(alice, authorized).code == 404
    assert wait_until(lambda: dump.invites_to(key), 3)
    assert not alice.seen(ev.CallDialWasRefused, lambda e: e.call_id == authorized)


def test_unapproved_caller_is_rejected_and_approved_one_rings(engine_with, peers):
    def facts(caller) -> CallerFacts:
        return CallerFacts(approved=caller.key == "carol@127.0.0.1")

    policy = CallPolicy(inbound=InboundPolicy(mode=InboundMode.APPROVED), caller_facts=facts)
    alice = engine_with(policy)
    peers.start_peer("bob")
    start = len(peers.log("bob"))
    out = peers.peer("dial", "bob", "sip:alice@127.0.0.1", "--wait", "5", check=False)
    assert "established" not in out
    refused = alice.wait_for(ev.IncomingCallWasRefused)
    assert refused.by_policy and refused.code == 603
    assert refused.reason == "only approved contacts may call"
    assert wait_until(lambda: "session closed: 603 Decline" in peers.log("bob")[start:], 5)
    assert not alice.seen(ev.CallDidArrive)  # it never rang

    peers.start_peer("carol", "--manual")
    peers.peer("dial", "carol", "sip:alice@127.0.0.1", check=False)
    arrived = alice.wait_for(ev.CallDidArrive, timeout=10)
    assert "carol" in arrived.remote_uri
    alice.submit(cmd.Reject(arrived.call_id))


def test_refer_to_a_denied_number_is_refused(engine_with, peers, dump):
    policy = CallPolicy(transfers=TransferPolicy(accept_transfers=True))
    alice = engine_with(policy)
    peers.start_peer("bob")
    call_id = _dial(alice, BOB)
    media_of(alice, call_id)
    peers.peer("cmd", "bob", "transfer", "sip:+19005550100@127.0.0.1;user=phone")
    asked = alice.wait_for(ev.CallTransferWasRequested, lambda e: e.call_id == call_id)
    assert not asked.accepted and "premium" in asked.reason, asked
    refused = alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == call_id)
    assert refused.path == "refer"
    alice.drain(1.0)
    assert not dump.invites_to("+19005550100")
    assert not alice.seen(ev.CallDidStart, lambda e: "9005550100" in e.remote_uri)
    hang_up(alice, call_id)


def test_our_blind_transfer_to_a_denied_number_sends_no_refer(engine_with, peers, dump):
    alice = engine_with(CallPolicy(dialing=BUILTIN_POLICY, role="kiosk"))
    peers.start_peer("bob")
    call_id = _dial(alice, BOB)
    media_of(alice, call_id)
    alice.submit(cmd.TransferBlind(call_id, "+1 212 555 0123"))
    refused = alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == call_id)
    assert (refused.path, refused.verdict) == ("transfer", "denied")
    alice.drain(0.5)
    assert "REFER " not in dump.new_text()
    hang_up(alice, call_id)


def test_scheduled_participant_is_accepted_and_others_told_not_now(
    engine_with, peers, testbed_profile
):
    from datetime import UTC, datetime, timedelta

    from softphone.engine.gate import dial_plan
    from softphone.schedule.appointment import Appointment, CallDirection
    from softphone.schedule.reachability import ScheduleIndex
    from softphone.tasks.policy import caller_facts

    now = datetime.now(UTC)
    carol_now = Appointment(
        now - timedelta(minutes=5),
        timedelta(minutes=30),
        "sip:carol@127.0.0.1",
        direction=CallDirection.THEY_CALL,
    )
    bob_later = Appointment(now + timedelta(hours=2), timedelta(minutes=30), "sip:bob@127.0.0.1")
    index = ScheduleIndex([carol_now, bob_later], dial_plan(testbed_profile))
    policy = CallPolicy(
        inbound=InboundPolicy(mode=InboundMode.SCHEDULED),
        caller_facts=caller_facts(schedule=lambda: index),
    )
    alice = engine_with(policy)

    peers.start_peer("bob")
    start = len(peers.log("bob"))
    peers.peer("dial", "bob", "sip:alice@127.0.0.1", "--wait", "5", check=False)
    refused = alice.wait_for(ev.IncomingCallWasRefused)
    assert refused.code == 480 and refused.reason == "only scheduled participants may call now"
    assert wait_until(lambda: "480 Temporarily Unavailable" in peers.log("bob")[start:], 5)

    peers.start_peer("carol", "--manual")
    peers.peer("dial", "carol", "sip:alice@127.0.0.1", check=False)
    arrived = alice.wait_for(ev.CallDidArrive, timeout=10)
    assert "carol" in arrived.remote_uri
    alice.submit(cmd.Reject(arrived.call_id))
