"""Hold, mute, DTMF, transfers, conference, call waiting, REFER: through real calls."""

from __future__ import annotations

import pytest
from helpers import BaresipEvents, wait_until
from test_calls import BOB, CAROL, hang_up, heard, media_of, peer_heard, place

from softphone.engine import commands as cmd
from softphone.engine import events as ev

pytestmark = pytest.mark.integration


def test_hold_and_resume_keep_srtp(alice, peers):
    peers.start_peer("bob")
    call_id = place(alice, BOB)
    assert media_of(alice, call_id).media.encrypted
    alice.submit(cmd.Hold(call_id))
    held = alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.local_hold)
    assert held.media.encrypted
    alice.submit(cmd.Resume(call_id))
    back = alice.wait_for(
        ev.CallMediaDidChange, lambda e: e.call_id == call_id and not e.local_hold
    )
    assert back.media.encrypted and back.media.keying == "sdes"
    alice.drain(1.5)
    assert heard(alice, call_id, 440).detected
    hang_up(alice, call_id)


def test_remote_hold_is_reported(alice, peers):
    peers.start_peer("bob")
    call_id = place(alice, BOB)
    media_of(alice, call_id)
    peers.peer("cmd", "bob", "hold")
    held = alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.remote_hold)
    assert held.media.encrypted
    peers.peer("cmd", "bob", "resume")
    alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and not e.remote_hold)
    hang_up(alice, call_id)


def test_mute_silences_what_the_peer_hears(alice, peers):
    peers.start_peer("bob")
    call_id = place(alice, BOB, tone=1000)
    media_of(alice, call_id)
    alice.submit(cmd.SetMute(call_id, True))
    alice.drain(2.5)
    hang_up(alice, call_id)
    assert not peer_heard(peers, "bob", 1000)


def test_unmuted_control_is_heard(alice, peers):
    """The control for the mute test: same call without mute, the tone is heard."""
    peers.start_peer("bob")
    call_id = place(alice, BOB, tone=1000)
    media_of(alice, call_id)
    alice.submit(cmd.SetMute(call_id, True))
    alice.submit(cmd.SetMute(call_id, False))
    alice.drain(2.5)
    hang_up(alice, call_id)
    assert peer_heard(peers, "bob", 1000)


@pytest.mark.parametrize("method", ["rfc4733", "info"])
def test_dtmf_sent(alice, peers, method):
    peers.start_peer("bob")
    bob = BaresipEvents("bob")
    try:
        call_id = place(alice, BOB)
        media_of(alice, call_id)
        alice.submit(cmd.SendDtmf(call_id, "159#", method=method))
        assert wait_until(lambda: len(bob.of_type("CALL_DTMF_START")) >= 4, 8), bob.events
        digits = "".join(e.get("param", "") for e in bob.of_type("CALL_DTMF_START"))
        assert digits == "159#"
        hang_up(alice, call_id)
    finally:
        bob.close()


def test_dtmf_received(alice, peers):
    peers.start_peer("bob")
    call_id = place(alice, BOB)
    media_of(alice, call_id)
    peers.peer("cmd", "bob", "sndcode", "7")
    got = alice.wait_for(ev.CallDtmfDidArrive, lambda e: e.call_id == call_id)
    assert got.digit == "7" and got.method == "rfc4733"
    hang_up(alice, call_id)


def test_reject_busy_and_decline(alice, peers):
    peers.start_peer("carol")
    for code in (486, 603):
        peers.peer("dial", "carol", "sip:alice@127.0.0.1")
        arrived = alice.wait_for(ev.CallDidArrive)
        alice.submit(cmd.Reject(arrived.call_id, code))
        ended = alice.wait_for(ev.CallDidEnd, lambda e, c=arrived.call_id: e.call_id == c)
        assert ended.media is None
        assert wait_until(lambda c=code: str(c) in peers.log("carol"), 5)


def test_call_waiting_second_call_while_in_call(alice, peers):
    peers.start_peer("bob")
    peers.start_peer("carol", "--tone", "880")
    first = place(alice, BOB)
    media_of(alice, first)
    peers.peer("dial", "carol", "sip:alice@127.0.0.1")
    waiting = alice.wait_for(ev.CallDidArrive)
    assert waiting.waiting
    alice.submit(cmd.Answer(waiting.call_id, analyze=(880,)))
    held = alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == first and e.local_hold)
    assert held.media.encrypted
    assert media_of(alice, waiting.call_id).media.encrypted
    alice.drain(2.0)
    assert heard(alice, waiting.call_id, 880).detected
    hang_up(alice, waiting.call_id)
    hang_up(alice, first)


def test_blind_transfer(alice, peers):
    peers.start_peer("bob")
    peers.start_peer("carol")
    call_id = place(alice, BOB)
    media_of(alice, call_id)
    alice.submit(cmd.TransferBlind(call_id, CAROL))
    final = alice.wait_for(
        ev.CallTransferDidProgress, lambda e: e.call_id == call_id and e.final, timeout=15
    )
    assert 200 <= final.code < 300
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert wait_until(lambda: "Call established" in peers.log("carol"), 5)


def test_attended_transfer(alice, peers):
    peers.start_peer("bob")
    peers.start_peer("carol")
    to_bob = place(alice, BOB)
    media_of(alice, to_bob)
    alice.submit(cmd.Hold(to_bob))
    alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == to_bob and e.local_hold)
    to_carol = place(alice, CAROL)
    media_of(alice, to_carol)
    alice.submit(cmd.TransferAttended(to_bob, to_carol))
    final = alice.wait_for(
        ev.CallTransferDidProgress, lambda e: e.call_id == to_bob and e.final, timeout=15
    )
    assert 200 <= final.code < 300
    ended = {alice.wait_for(ev.CallDidEnd, timeout=15).call_id for _ in range(2)}
    assert ended == {to_bob, to_carol}
    # bob and carol now talk to each other: carol's call was replaced, not dropped
    assert wait_until(lambda: "Call established" in peers.log("bob"), 5)


def _bob_and_carol_on_two_calls(alice, peers, conference: bool) -> None:
    """Call bob (440 Hz) and carol (880 Hz), sending silence ourselves, so that
    what each peer hears from us can only be the other peer; then hang up."""
    peers.start_peer("bob", "--tone", "440")
    peers.start_peer("carol", "--tone", "880")
    to_bob = place(alice, BOB, tone=None)
    media_of(alice, to_bob)
    to_carol = place(alice, CAROL, tone=None)
    media_of(alice, to_carol)
    if conference:
        alice.submit(cmd.Conference((to_bob, to_carol)))
        alice.wait_for(ev.ConferenceDidChange)
    alice.drain(3.0)
    hang_up(alice, to_bob)
    hang_up(alice, to_carol)


def test_local_three_way_conference(alice, peers):
    _bob_and_carol_on_two_calls(alice, peers, conference=True)
    assert peer_heard(peers, "bob", 880), "bob did not hear carol through the bridge"
    assert peer_heard(peers, "carol", 440), "carol did not hear bob through the bridge"


def test_without_conference_peers_do_not_hear_each_other(alice, peers):
    """The control for the conference test."""
    _bob_and_carol_on_two_calls(alice, peers, conference=False)
    assert not peer_heard(peers, "bob", 880)


def test_incoming_refer_is_surfaced_and_refused_by_default(alice, peers):
    peers.start_peer("bob")
    peers.start_peer("carol")
    call_id = place(alice, BOB)
    media_of(alice, call_id)
    peers.peer("cmd", "bob", "transfer", CAROL)
    asked = alice.wait_for(ev.CallTransferWasRequested, lambda e: e.call_id == call_id)
    assert "carol" in asked.target
    assert not asked.accepted and "disabled by policy" in asked.reason
    alice.drain(1.0)
    assert not alice.seen(ev.CallDidStart, lambda e: "carol" in e.remote_uri)
    hang_up(alice, call_id)
