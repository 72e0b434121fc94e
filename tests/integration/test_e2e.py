"""End-to-end calls between two softphone processes through the test bed, and with baresip.

Alice is this process's engine; carol is a second engine in a child process
(`engine_peer.py`), registered through the same Kamailio (baresip's carol is stopped
first). Audio is checked with tones both ways; the SAS on both sides must match.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
from engine_peer import EnginePeer
from helpers import SipDump
from test_calls import BOB, CAROL, hang_up, heard, media_of, place

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.engine import Engine
from softphone.engine.gate import CallPolicy
from softphone.policy.end_to_end import (
    LABEL_E2E_NOT_VERIFIED,
    LABEL_E2E_VERIFIED,
    LABEL_TO_SERVER,
    E2eMode,
    PeerE2eFacts,
)
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration


@pytest.fixture
def carol_app(peers):
    """carol as a second softphone process (baresip's carol stopped first)."""
    peers.peer("stop", "carol", check=False)
    app = EnginePeer()
    try:
        app.register("carol", "carol-secret")
        yield app
    finally:
        app.close()


def engine_with(policy: CallPolicy, profile, user="alice") -> EngineSession:
    session = EngineSession(Engine(policy=policy))
    session.__enter__()
    session.wait_for(ev.EngineDidStart)
    report = add_and_register(session, profile, user, Secret(f"{user}-secret"))
    assert report.ok, report
    return session


def e2e_call(alice, carol_app, tone=1000, carol_tone=600) -> tuple[str, str, ev.CallMediaDidChange]:
    call_id = place(alice, CAROL, tone=tone, analyze=(carol_tone,))
    arrived = carol_app.wait("CallDidArrive")
    carol_app.command(
        "Answer", call_id=arrived["call_id"], source={"tone_hz": [carol_tone]}, analyze=[tone]
    )
    return call_id, arrived["call_id"], media_of(alice, call_id, timeout=20)


def test_e2e_call_same_sas_audio_both_ways_and_verification(alice, carol_app, testbed):
    dump = SipDump(Path(testbed.env["KAMAILIO_SIPDUMP_DIR"]))
    call_id, carol_id, media = e2e_call(alice, carol_app)
    m = media.media
    assert m.encrypted and m.end_to_end and m.keying == "dtls" and not m.verified
    assert m.suite.startswith("SRTP_") and m.profile == "UDP/TLS/RTP/SAVPF"
    assert m.label == LABEL_E2E_NOT_VERIFIED
    assert media.codec == "opus"
    sas_alice = alice.wait_for(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id)
    sas_carol = carol_app.wait("CallSasDidBecomeReady")
    assert sas_alice.sas == sas_carol["sas"] and len(sas_alice.sas) == 4
    assert sas_alice.identity == "new" and sas_alice.peer == "carol@127.0.0.1"
    # each side names the other's certificate
    carol_media = carol_app.wait("CallMediaDidChange", lambda e: e["media"]["end_to_end"])
    assert carol_media["media"]["peer_fingerprint"] == sas_carol["peer_fingerprint"]
    assert sas_alice.peer_fingerprint == m.peer_fingerprint
    alice.drain(2.5)
    assert heard(alice, call_id, 600).detected
    assert not heard(alice, call_id, 1000).detected  # the control: our own tone is not echoed
    carol_app.command("AnalyzeAudio", call_id=carol_id, frequencies=[1000], seconds=1.0)
    assert carol_app.wait("CallAudioWasAnalyzed")["tones"][0]["detected"]
    # what Kamailio relayed: the SDES line 0 answered inactive, our lines, no DTLS key anywhere
    relayed = dump.new_text()
    assert "X-E2E/UDP/TLS/RTP/SAVPF" in relayed and "a=x-e2e-commit:" in relayed
    assert "a=x-e2e-nonce:" in relayed and "softphone-e2e/1 reveal" in relayed
    # the users compare the SAS and say it matched
    alice.submit(cmd.ConfirmSas(call_id, True))
    verified = alice.wait_for(ev.CallVerificationDidChange, lambda e: e.call_id == call_id)
    assert verified.verified
    relabelled = alice.wait_for(
        ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.media.verified
    )
    assert relabelled.media.label == LABEL_E2E_VERIFIED
    ended = hang_up(alice, call_id)
    assert ended.security_failure is None and ended.media.end_to_end
    assert carol_app.wait("CallDidEnd")["security_failure"] is None


def test_e2e_audio_lost_on_the_way_is_concealed(alice, carol_app, monkeypatch):
    """One audio packet in ten lost before alice's end takes it in: libopus conceals
    each in its slot (counted in the call's statistics) and carol's tone goes on."""
    from softphone.e2e.rtp import AudioRtp

    arrived = itertools.count()
    take_in = AudioRtp._receive

    def lossy(self, data: bytes) -> None:
        if next(arrived) % 10 != 5:  # else: the network lost it
            take_in(self, data)

    monkeypatch.setattr(AudioRtp, "_receive", lossy)
    call_id, _carol_id, _media = e2e_call(alice, carol_app)
    alice.drain(2.5)
    tone = heard(alice, call_id, 600)
    assert tone.detected, tone
    alice.submit(cmd.RequestStats(call_id))
    stats = alice.wait_for(ev.CallStatsDidUpdate, lambda e: e.call_id == call_id).stats
    assert stats.concealed_frames is not None and stats.concealed_frames >= 5, stats
    assert stats.rx_lost >= 5, stats  # the loss is seen as loss, not as late packets
    hang_up(alice, call_id)
    assert carol_app.wait("CallDidEnd")["security_failure"] is None


def test_sas_mismatch_ends_the_call_and_says_why(alice, carol_app):
    call_id, _carol_id, _media = e2e_call(alice, carol_app)
    alice.wait_for(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id)
    alice.submit(cmd.ConfirmSas(call_id, False))
    failed = alice.wait_for(ev.CallVerificationDidChange, lambda e: e.call_id == call_id)
    assert not failed.verified and "did not match" in failed.reason
    ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert "did not match" in ended.security_failure
    carol_app.wait("CallDidEnd")


def test_callee_hangs_up_an_e2e_call(alice, carol_app):
    call_id, carol_id, _media = e2e_call(alice, carol_app)
    carol_app.command("Hangup", call_id=carol_id)
    ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert ended.media.end_to_end and ended.security_failure is None


def test_baresip_gets_an_sdes_call_labelled_to_the_server_only(alice, peers):
    peers.start_peer("bob")
    call_id = place(alice, BOB)
    media = media_of(alice, call_id).media
    assert media.keying == "sdes" and not media.end_to_end
    assert media.label == LABEL_TO_SERVER
    alice.drain(1.0)
    assert heard(alice, call_id, 440).detected
    hang_up(alice, call_id)
    assert not alice.seen(ev.CallSasDidBecomeReady)


def test_contact_requiring_e2e_refuses_the_sdes_fallback(testbed_profile, peers):
    peers.start_peer("bob")
    facts = {"bob@127.0.0.1": PeerE2eFacts(requirement=E2eMode.REQUIRED)}
    policy = CallPolicy(e2e_peers=lambda a: facts.get(a, PeerE2eFacts()))
    session = engine_with(policy, testbed_profile)
    try:
        call_id = place(session, BOB)
        failed = session.wait_for(ev.CallSecurityDidFail, lambda e: e.call_id == call_id)
        assert "end-to-end encryption is required" in failed.reason
        assert "answered without end-to-end" in failed.reason
        ended = session.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
        assert ended.security_failure == failed.reason
        assert not session.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)
    finally:
        session.__exit__(None, None, None)


def test_profile_requiring_e2e_refuses_an_sdes_caller(testbed_profile, peers):
    media = dataclasses.replace(testbed_profile.media, end_to_end="required")
    session = engine_with(CallPolicy(), dataclasses.replace(testbed_profile, media=media))
    try:
        peers.start_peer("bob")
        peers.peer("dial", "bob", "sip:alice@127.0.0.1")
        failed = session.wait_for(ev.CallSecurityDidFail, timeout=15)
        assert "required" in failed.reason and "only SDES" in failed.reason
        assert not session.seen(ev.CallDidArrive)  # it never rang
    finally:
        session.__exit__(None, None, None)


def test_e2e_call_from_carol_to_alice(alice, carol_app):
    carol_app.command(
        "MakeCall",
        call_id="c-out",
        account_id="acc",
        uri="sip:alice@127.0.0.1",
        source={"tone_hz": [700]},
        analyze=[1100],
    )
    arrived = alice.wait_for(ev.CallDidArrive, timeout=15)
    alice.submit(
        cmd.Answer(arrived.call_id, source=cmd.AudioSource(tone_hz=(1100,)), analyze=(700,))
    )
    media = media_of(alice, arrived.call_id, timeout=20)
    assert media.media.end_to_end
    ours = alice.wait_for(ev.CallSasDidBecomeReady, lambda e: e.call_id == arrived.call_id)
    assert ours.sas == carol_app.wait("CallSasDidBecomeReady")["sas"]
    alice.drain(2.0)
    assert heard(alice, arrived.call_id, 700).detected
    hang_up(alice, arrived.call_id)
