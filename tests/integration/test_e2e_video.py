"""The other side's video through the real engine: alice (this process) calls carol (a
second softphone process, `engine_peer.py`) end to end with video; carol sends the
moving test pattern (`PatternSource`, 640×480) and alice's `Engine.remote_video` slot
must show it, pause when carol's camera goes off, and be released with the call."""

from __future__ import annotations

import dataclasses
import logging
import os
import time

import pytest
from engine_peer import EnginePeer
from helpers import pattern_error, wait_until
from test_calls import CAROL, hang_up, media_of, place
from test_e2e import engine_with

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.gate import CallPolicy

pytestmark = pytest.mark.integration


@pytest.fixture
def video_carol(peers):
    peers.peer("stop", "carol", check=False)
    app = EnginePeer()
    try:
        app.register("carol", "carol-secret", e2e_video=True)
        yield app
    finally:
        app.close()


@pytest.fixture
def video_alice(testbed_profile):
    media = dataclasses.replace(testbed_profile.media, e2e_video=True)
    alice = engine_with(CallPolicy(), dataclasses.replace(testbed_profile, media=media))
    try:
        yield alice
    finally:
        alice.__exit__(None, None, None)


def newest(slot, after: int = 0, timeout: float = 10.0):
    """Poll the slot like the call window's timer does (which is also what makes the
    media loop convert frames at all)."""
    got = []
    wait_until(lambda: got.append(slot.newest(after)) or got[-1] is not None, timeout, 0.033)
    return got[-1]


def watch_until(slot, predicate, timeout: float) -> bool:
    """Keep reading the slot (someone is watching) until `predicate()` holds."""
    return wait_until(lambda: slot.newest() is not None and predicate(), timeout, 0.033)


def test_e2e_remote_video_reaches_the_slot_pauses_and_is_released(video_alice, video_carol, caplog):
    alice, carol = video_alice, video_carol
    call_id = place(alice, CAROL)
    arrived = carol.wait("CallDidArrive")
    carol_id = arrived["call_id"]
    carol.command("Answer", call_id=carol_id, source={"tone_hz": [600]})
    assert media_of(alice, call_id, timeout=20).media.end_to_end
    slot = alice.engine.remote_video(call_id)
    assert slot is not None and not slot.released
    first = newest(slot, timeout=20)
    assert first is not None, "no remote frame reached the slot"
    assert (first.width, first.height) == (640, 480)
    assert pattern_error(first.rgb) < 25, pattern_error(first.rgb)
    later = newest(slot, first.seq + 20)  # frames keep coming, each converted once
    assert later is not None and pattern_error(later.rgb) < 25
    stats = slot.stats()
    per_frame_ms = 1000 * stats.convert_s / stats.put
    print(
        f"\nremote video: {stats.put} frames converted on the media loop, "
        f"{per_frame_ms:.2f} ms mean, {1000 * stats.convert_max_s:.2f} ms max "
        f"(load {os.getloadavg()[0]:.2f})"
    )

    carol.command("SetVideo", call_id=carol_id, on=False)  # carol's camera off
    assert watch_until(slot, lambda: time.monotonic() - slot.last_arrival() > 1.5, 8)
    paused = slot.newest()
    watch_until(slot, lambda: False, 1.0)  # watched all along: still nothing new
    assert slot.newest(after=paused.seq) is None
    carol.command("SetVideo", call_id=carol_id, on=True)
    back = newest(slot, paused.seq, timeout=10)
    assert back is not None and pattern_error(back.rgb) < 25

    # on hold (a re-INVITE: the lines' directions change) carol stops sending, and
    # resumes after; pjsua's complaint about the video line stays out of the errors
    alice.submit(cmd.Hold(call_id))
    alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.local_hold)
    assert watch_until(slot, lambda: time.monotonic() - slot.last_arrival() > 1.5, 8)
    held = slot.newest()
    alice.submit(cmd.Resume(call_id))
    alice.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id and not e.local_hold)
    assert newest(slot, held.seq, timeout=10) is not None

    hang_up(alice, call_id)
    assert slot.released and slot.newest() is None
    pjsip_errors = [
        r.getMessage()
        for r in caplog.records
        if r.name == "softphone.pjsip" and r.levelno >= logging.ERROR
    ]
    # pjsua's complaint about our video line in its audio slot is expected (debug)
    assert not [m for m in pjsip_errors if "Invalid media type" in m], pjsip_errors
    assert alice.engine.remote_video(call_id) is None


def test_e2e_call_without_video_has_an_empty_slot(alice, video_carol):
    call_id = place(alice, CAROL)
    carol_id = video_carol.wait("CallDidArrive")["call_id"]
    video_carol.command("Answer", call_id=carol_id, source={"tone_hz": [600]})
    assert media_of(alice, call_id, timeout=20).media.end_to_end
    slot = alice.engine.remote_video(call_id)
    assert slot is not None  # there is a slot, watched here, but no video line: no frame
    assert not watch_until(slot, lambda: True, 1.5)
    assert not alice.seen(ev.CallVideoDidArrive) and slot.stats().put == 0
    hang_up(alice, call_id)
    assert slot.released and alice.engine.remote_video(call_id) is None
