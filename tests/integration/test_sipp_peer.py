"""Real SIP through Kamailio against a scripted SIPp peer, for what baresip cannot do.

A. The peer (callee or caller) re-INVITEs an SDES-SRTP call with plaintext
   or a weaker suite: the refusal must be a 488 on the wire and the call must
   go on encrypted (linphone-sdk #411: "mandatory" encryption silently
   downgraded by a re-INVITE).
B. The callee answers 302: the redirect is surfaced, and followed only when
   the user decides so.

SIPp (Debian's, UDP/TCP only) is carol over UDP (tests/sipp_peer.py, scenarios
in tests/integration/sipp/); alice is the engine over TLS; Kamailio relays.
On failure the assertion message carries SIPp's log and message trace.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import SipDump, wait_until
from sipp_peer import SippPeer

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register

pytestmark = pytest.mark.integration

CAROL = "sip:carol@127.0.0.1"
# 30 bytes of key || salt, base64: a constant test key, never a real one
TEST_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"


@pytest.fixture
def carol(testbed, tmp_path):
    peer = SippPeer(tmp_path / "sipp", "carol", testbed.env["SIP_CAROL_PASSWORD"])
    try:
        peer.register()
        yield peer
    finally:
        peer.close()


def register_alice(session, profile) -> None:
    report = add_and_register(session, profile, "alice", Secret("alice-secret"))
    assert report.ok, report


def call_carol(s) -> str:
    call_id = s.new_id("t")
    s.submit(cmd.MakeCall(call_id, "acc", CAROL))
    return call_id


# ------------------------------------------------ A. mid-call downgrade

DOWNGRADES = {
    # srtp mandatory: pjsua refuses plain RTP by itself, and so do we
    "plain-mandatory": ("mandatory", "RTP/AVP", "a=sendrecv"),
    # srtp optional + plaintext allowed: pjsua would take the plain re-offer;
    # only our guard (Calls.on_call_rx_offer) stands between the call and plaintext
    "plain-optional": ("optional", "RTP/AVP", "a=sendrecv"),
    # SRTP kept but the suite weakened from _80 to _32 authentication tags
    "weaker-suite": (
        "mandatory",
        "RTP/SAVP",
        f"a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:{TEST_KEY}",
    ),
}

DOWNGRADE_CASES = [
    pytest.param(
        direction,
        case,
        id=f"{direction}-{case}",
    )
    for direction in ("outgoing", "incoming")
    for case in DOWNGRADES
]


@pytest.mark.parametrize(("direction", "case"), DOWNGRADE_CASES)
def test_mid_call_downgrade_is_refused(session, testbed_profile, carol, direction, case):
    """carol re-INVITEs 1 s into an SDES-SRTP call with weaker media, then hangs up."""
    srtp, profile_name, attr = DOWNGRADES[case]
    profile = testbed_profile
    if srtp != "mandatory":
        media = dataclasses.replace(profile.media, srtp=srtp, allow_plaintext_media=True)
        profile = dataclasses.replace(profile, media=media)
    register_alice(session, profile)
    carol.keys.update(reinvite_profile=profile_name, reinvite_attr=attr)

    if direction == "outgoing":  # alice calls carol; carol answers, then re-offers
        carol.start("uas_reinvite.xml")
        call_id = call_carol(session)
    else:  # carol calls alice, then re-offers
        carol.keys["callee"] = "sip:alice@127.0.0.1"
        carol.start("uac_reinvite.xml")
        try:
            call_id = session.wait_for(ev.CallDidArrive, timeout=10).call_id
        except TimeoutError:
            pytest.fail(f"carol's call did not arrive\n{carol.report()}")
        session.submit(cmd.Answer(call_id))
    media = session.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=10
    )
    assert isinstance(media, ev.CallMediaDidChange), f"{media}\n{carol.report()}"
    assert media.media.encrypted and media.media.keying == "sdes", media
    assert media.media.suite == "AES_CM_128_HMAC_SHA1_80", media

    try:
        ended = session.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)
    except TimeoutError:
        pytest.fail(f"call did not end\n{carol.report()}")
    code = carol.wait(10)
    report = carol.report()
    assert "reinvite-answer: 488" in carol.log, report
    assert code == 0, report
    # the call outlived the refused offer (carol's BYE got its 200), encrypted throughout
    assert ended.security_failure is None, ended
    assert ended.media is not None and ended.media.encrypted, ended
    changes = session.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)
    assert all(c.media.encrypted for c in changes), changes
    assert all(c.media.suite == "AES_CM_128_HMAC_SHA1_80" for c in changes), changes
    refused = session.seen(ev.CallOfferWasRefused, lambda e: e.call_id == call_id)
    if srtp != "mandatory" or case == "weaker-suite":
        # pjsua itself would have accepted these offers: our guard must have refused them
        assert refused, f"our guard did not refuse the offer\n{report}"
    assert all("re-offer refused" in r.reason for r in refused), refused


# ------------------------------------------------------- B. 3xx redirect


BOB_ANSWERED = ("answering call", "Call established")


@pytest.mark.parametrize("accept", [True, False], ids=["accept", "reject"])
def test_redirect_is_surfaced_not_followed(alice, peers, carol, accept):
    peers.start_peer("bob")
    bob_log_start = len(peers.log("bob"))
    dump = SipDump(Path(peers.env["KAMAILIO_SIPDUMP_DIR"]))
    carol.keys["redirect_to"] = "sip:bob@127.0.0.1"
    carol.start("uas_redirect.xml")

    call_id = call_carol(alice)
    try:
        redirect = alice.wait_for(
            ev.CallRedirectWasRequested, lambda e: e.call_id == call_id, timeout=10
        )
    except TimeoutError:
        pytest.fail(f"no redirect surfaced: {alice.history}\n{carol.report()}")
    assert "bob@127.0.0.1" in redirect.target, redirect
    assert carol.wait(10) == 0, carol.report()  # 302 sent, ACKed
    # nothing happens until we decide
    alice.drain(0.5)
    assert not dump.invites_to("bob"), dump.invites_to("bob")
    assert not alice.seen(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert not alice.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)

    alice.submit(cmd.DecideRedirect(call_id, accept=accept))
    if accept:
        media = alice.wait_for(
            (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=10
        )
        assert isinstance(media, ev.CallMediaDidChange), media
        assert media.media.encrypted and media.media.keying == "sdes", media
        assert media.signalling is not None and media.signalling.encrypted, media
        assert wait_until(lambda: "Call established" in peers.log("bob")[bob_log_start:], 5)
        assert dump.invites_to("bob")
        alice.submit(cmd.Hangup(call_id))
        ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)
        assert ended.media is not None and ended.media.encrypted, ended
    else:
        ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)
        assert ended.code in (302, 487), ended  # pjsip ends a refused redirect with 487
        alice.drain(0.5)
        assert not dump.invites_to("bob"), dump.invites_to("bob")
        bob_log = peers.log("bob")[bob_log_start:]
        assert not any(s in bob_log for s in BOB_ANSWERED), bob_log
        assert not alice.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)
        # processRedirect(REJECT) raises PJSIP_ESESSIONTERMINATED after ending the
        # call; that is success and must not be reported as a failed command
        assert not alice.seen(ev.CommandDidFail, lambda e: e.call_id == call_id)


def test_redirect_to_a_denied_number_is_refused_by_the_dial_policy(alice, peers, carol):
    """A 302 towards a premium number is refused at once; no INVITE goes there."""
    dump = SipDump(Path(peers.env["KAMAILIO_SIPDUMP_DIR"]))
    carol.keys["redirect_to"] = "sip:+19005550100@127.0.0.1;user=phone"
    carol.start("uas_redirect.xml")
    call_id = call_carol(alice)
    redirect = alice.wait_for(
        ev.CallRedirectWasRequested, lambda e: e.call_id == call_id, timeout=10
    )
    assert not redirect.allowed and "premium" in redirect.reason, redirect
    refused = alice.wait_for(ev.CallDialWasRefused, lambda e: e.call_id == call_id)
    assert (refused.path, refused.verdict, refused.number_class) == (
        "redirect",
        "denied",
        "premium",
    )
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)
    assert carol.wait(10) == 0, carol.report()
    alice.drain(0.5)
    assert dump.invites_to("carol"), "the control: the first INVITE is in the trace"
    assert not dump.invites_to("+19005550100"), dump.invites_to("+19005550100")
