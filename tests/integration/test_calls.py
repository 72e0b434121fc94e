"""Real calls through Kamailio to baresip peers: encryption, audio, refusal of plaintext."""

from __future__ import annotations

import dataclasses
import wave

import pytest
from helpers import read_wav_mono, wait_until

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.tone import analyse_tone

pytestmark = pytest.mark.integration

BOB = "sip:bob@127.0.0.1"
CAROL = "sip:carol@127.0.0.1"


def place(s, uri: str, tone: int | None = 1000, analyze: tuple[int, ...] = (440,)) -> str:
    """Call `uri` from account "acc", sending a tone (None: silence)."""
    call_id = s.new_id("t")
    source = cmd.AudioSource(tone_hz=(tone,) if tone else ())
    s.submit(cmd.MakeCall(call_id, "acc", uri, source=source, analyze=analyze))
    return call_id


def media_of(s, call_id: str, timeout: float = 10) -> ev.CallMediaDidChange:
    got = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=timeout
    )
    assert isinstance(got, ev.CallMediaDidChange), f"call ended: {got}"
    return got


def hang_up(s, call_id: str) -> ev.CallDidEnd:
    s.submit(cmd.Hangup(call_id))
    return s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)


def heard(s, call_id: str, freq: int, seconds: float = 1.0) -> ev.ToneMeasurement:
    s.submit(cmd.AnalyzeAudio(call_id, (freq,), seconds))
    return s.wait_for(ev.CallAudioWasAnalyzed, lambda e: e.call_id == call_id).tones[0]


def peer_heard(peers, user: str, freq: int) -> bool:
    """Did baresip's recording of what it received contain `freq`?"""

    def complete() -> bool:  # baresip writes the WAV header when the call closes
        try:
            return bool(peers.recordings(user)) and read_wav_mono(peers.recordings(user)[-1])
        except (EOFError, wave.Error):
            return False

    assert wait_until(complete, 5), f"{user} recorded nothing"
    samples, rate = read_wav_mono(peers.recordings(user)[-1])
    return analyse_tone(samples[rate // 2 :], rate, freq).detected


def assert_sdes(media: ev.CallMediaDidChange) -> None:
    m = media.media
    assert m.encrypted and m.keying == "sdes" and m.profile == "RTP/SAVP", m
    assert m.suite and m.suite.startswith("AES")


def test_call_out_sdes_srtp_audio_both_ways(alice, peers):
    peers.start_peer("bob")  # sends 440 Hz, records what it receives
    call_id = place(alice, BOB, tone=1000)
    media = media_of(alice, call_id)
    assert_sdes(media)
    assert media.signalling.tls_version == "TLSv1.2"
    alice.drain(2.5)
    assert heard(alice, call_id, 440).detected
    ended = hang_up(alice, call_id)
    assert ended.security_failure is None and ended.media.encrypted
    assert ended.setup_ms is not None and ended.first_rtp_ms is not None
    assert peer_heard(peers, "bob", 1000)


def test_call_in_sdes_srtp_audio_both_ways(alice, peers):
    peers.start_peer("bob", "--tone", "600")
    peers.peer("dial", "bob", "sip:alice@127.0.0.1")
    arrived = alice.wait_for(ev.CallDidArrive)
    assert "bob" in arrived.remote_uri and not arrived.waiting
    alice.submit(
        cmd.Answer(arrived.call_id, source=cmd.AudioSource(tone_hz=(1200,)), analyze=(600,))
    )
    assert_sdes(media_of(alice, arrived.call_id))
    alice.drain(2.5)
    assert heard(alice, arrived.call_id, 600).detected
    hang_up(alice, arrived.call_id)
    assert peer_heard(peers, "bob", 1200)


def test_plain_rtp_peer_refused_outgoing(alice, peers):
    peers.start_peer("carol", "--plain")
    call_id = place(alice, CAROL)
    ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert ended.code == 488
    assert not alice.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)


def test_plain_rtp_peer_refused_incoming(alice, peers):
    peers.start_peer("carol", "--plain")
    out = peers.peer("dial", "carol", "sip:alice@127.0.0.1", "--wait", "5", check=False)
    assert "established" not in out
    refused = alice.wait_for(ev.IncomingCallWasRefused)
    assert refused.code == 488 and "unencrypted" in refused.reason
    assert "carol" in refused.remote_uri
    assert not alice.seen(ev.CallDidArrive)  # it never rang
    assert not alice.seen(ev.CallMediaDidChange)


def test_dtls_keying_trap_never_yields_plaintext(session, testbed_profile, peers):
    """This pjsua2 build, asked for DTLS keying, offers plain RTP/AVP: we must not connect."""
    from softphone.security.secret import Secret
    from softphone.tasks.register import add_and_register

    media = dataclasses.replace(testbed_profile.media, keying=("dtls",))
    profile = dataclasses.replace(testbed_profile, media=media)
    assert add_and_register(session, profile, "alice", Secret("alice-secret")).ok
    peers.start_peer("carol", "--plain")
    call_id = place(session, CAROL)
    failure = session.wait_for(ev.CallSecurityDidFail, lambda e: e.call_id == call_id)
    assert "plain" in failure.reason
    ended = session.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert ended.security_failure
    assert not session.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)
    assert "Call established" not in peers.log("carol")
    # the engine learnt it: the next DTLS-only call is refused before any INVITE
    again = place(session, CAROL)
    failed = session.wait_for(ev.CommandDidFail, lambda e: e.call_id == again)
    assert "DTLS" in failed.error
