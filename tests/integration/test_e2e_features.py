"""Hold/resume, transfer and video on end-to-end calls between two softphone processes."""

from __future__ import annotations

import dataclasses
import time

import pytest
from engine_peer import EnginePeer
from helpers import wait_until
from test_calls import BOB, CAROL, hang_up, heard, media_of, place
from test_e2e import carol_app, e2e_call, engine_with  # noqa: F401  (fixture)

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.gate import CallPolicy
from softphone.policy.end_to_end import LABEL_TO_SERVER

pytestmark = pytest.mark.integration


def test_hold_and_resume_an_e2e_call(alice, carol_app):  # noqa: F811
    call_id, _carol_id, _media = e2e_call(alice, carol_app)
    alice.drain(1.5)
    assert heard(alice, call_id, 600).detected
    carol_events = len(carol_app.seen("CallMediaDidChange"))
    alice.submit(cmd.Hold(call_id))
    held = alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.local_hold)
    assert held.media.end_to_end and held.media.encrypted
    assert wait_until(
        lambda: any(e["remote_hold"] for e in carol_app.seen("CallMediaDidChange")[carol_events:]),
        5,
    )
    alice.drain(1.5)
    assert not heard(alice, call_id, 600, 1.0).detected  # nothing flows while held
    carol_events = len(carol_app.seen("CallMediaDidChange"))
    alice.submit(cmd.Resume(call_id))
    back = alice.wait_for(
        ev.CallMediaDidChange, lambda e: e.call_id == call_id and not e.local_hold
    )
    assert back.media.end_to_end and back.media.suite == held.media.suite
    assert wait_until(
        lambda: any(
            not e["remote_hold"] for e in carol_app.seen("CallMediaDidChange")[carol_events:]
        ),
        5,
    )
    alice.drain(1.5)
    assert heard(alice, call_id, 600).detected
    # the same DTLS session throughout: no renegotiation, no new SAS
    assert len(alice.seen(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id)) == 1
    assert not alice.seen(ev.CallOfferWasRefused) and not alice.seen(ev.CallSecurityDidFail)
    hang_up(alice, call_id)


def test_remote_hold_of_an_e2e_call(alice, carol_app):  # noqa: F811
    call_id, carol_id, _media = e2e_call(alice, carol_app)
    carol_app.command("Hold", call_id=carol_id)
    held = alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.remote_hold)
    assert held.media.end_to_end
    alice.drain(1.0)
    assert not heard(alice, call_id, 600, 0.8).detected
    carol_app.command("Resume", call_id=carol_id)
    alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and not e.remote_hold)
    alice.drain(1.5)
    assert heard(alice, call_id, 600).detected
    hang_up(alice, call_id)


@pytest.fixture
def transferable_carol(peers):
    peers.peer("stop", "carol", check=False)
    made = []

    def start(config):
        app = EnginePeer(config)
        made.append(app)
        app.register("carol", "carol-secret")
        return app

    yield start
    for app in made:
        app.close()


def test_blind_transfer_of_an_e2e_call_to_baresip(alice, peers, transferable_carol):
    peers.start_peer("bob")
    carol = transferable_carol({"transfers": True})
    call_id, _carol_id, _media = e2e_call(alice, carol)
    alice.submit(cmd.TransferBlind(call_id, BOB))
    final = alice.wait_for(
        ev.CallTransferDidProgress, lambda e: e.call_id == call_id and e.final, timeout=15
    )
    assert 200 <= final.code < 300
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    asked = carol.wait("CallTransferWasRequested")
    assert asked["accepted"] and asked["new_call_id"]
    # the call carol places for the transfer is an ordinary SDES call, labelled as such
    new_media = carol.wait("CallMediaDidChange", lambda e: e["call_id"] == asked["new_call_id"])
    assert new_media["media"]["keying"] == "sdes" and not new_media["media"]["end_to_end"]
    assert wait_until(lambda: "Call established" in peers.log("bob"), 5)
    assert LABEL_TO_SERVER  # the UI shows it "encrypted to the server only"


def test_transfer_refused_when_the_target_requires_e2e(alice, peers, transferable_carol):
    peers.start_peer("bob")
    carol = transferable_carol(
        {"transfers": True, "peers": {"bob@127.0.0.1": {"requirement": "required"}}}
    )
    call_id, _carol_id, _media = e2e_call(alice, carol)
    alice.submit(cmd.TransferBlind(call_id, BOB))
    asked = carol.wait("CallTransferWasRequested")
    assert not asked["accepted"] and "required" in asked["reason"]
    alice.drain(1.0)
    assert "Call established" not in peers.log("bob")
    hang_up(alice, call_id)


def test_vp8_video_both_ways_and_camera_off_mid_call(testbed_profile, transferable_carol):
    carol = transferable_carol({})
    carol.close()  # re-register carol with video on
    carol = EnginePeer({})
    try:
        carol.register("carol", "carol-secret", e2e_video=True)
        media = dataclasses.replace(testbed_profile.media, e2e_video=True)
        alice = engine_with(CallPolicy(), dataclasses.replace(testbed_profile, media=media))
        try:
            call_id = place(alice, CAROL)
            arrived = carol.wait("CallDidArrive")
            carol.command("Answer", call_id=arrived["call_id"], source={"tone_hz": [600]})
            assert media_of(alice, call_id, timeout=20).media.end_to_end
            ours = alice.wait_for(ev.CallVideoDidArrive, lambda e: e.call_id == call_id, 20)
            assert (ours.width, ours.height) == (640, 480)
            theirs = carol.wait("CallVideoDidArrive", timeout=20)
            assert (theirs["width"], theirs["height"]) == (640, 480)
            alice.submit(cmd.SetVideo(call_id, False))  # camera off
            time.sleep(1.0)
            before = len(carol.seen("CallVideoDidArrive"))
            time.sleep(2.5)
            assert len(carol.seen("CallVideoDidArrive")) == before  # no frames while off
            alice.submit(cmd.SetVideo(call_id, True))
            assert wait_until(lambda: len(carol.seen("CallVideoDidArrive")) > before, 8)
            assert alice.seen(ev.CallVideoDidArrive)  # carol's camera never stopped
            hang_up(alice, call_id)
        finally:
            alice.__exit__(None, None, None)
    finally:
        carol.close()
