"""Two end-to-end sessions in one process, over 127.0.0.1: the wire format, DTLS-SRTP,
audio through the bridges, hold, and a forged fingerprint. No SIP involved."""

from __future__ import annotations

import queue
import time

import numpy as np
import pytest

pytest.importorskip("aiortc")

from helpers import pattern_error, wait_until

from softphone.e2e import opus, wire
from softphone.e2e.bridge import AudioBridge
from softphone.e2e.identity import generate_identity
from softphone.e2e.loop import MediaLoop
from softphone.e2e.media import E2eSession, PatternSource, SessionConfig
from softphone.engine.tone import analyse_tone
from softphone.media.video_slot import VideoSlot

PJSUA_OFFER_HEAD = (
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=pjmedia\r\nt=0 0\r\n"
    "m=audio 4000 RTP/SAVP 0\r\nc=IN IP4 127.0.0.1\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ\r\n"
    "a=sendrecv\r\n"
)


def pjsua_offer(slots: int) -> str:
    """What pjsua offers for a call made with 1 + `slots` audio lines."""
    extra = "".join(
        f"m=audio {4002 + 2 * i} RTP/SAVP 0\r\nc=IN IP4 127.0.0.1\r\n" for i in range(slots)
    )
    return PJSUA_OFFER_HEAD + extra


PJSUA_ANSWER_HEAD = (
    "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=pjmedia\r\nt=0 0\r\n"
    "m=audio 4010 RTP/SAVP 0\r\nc=IN IP4 127.0.0.1\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:t0r0/apkukU7JjjfR0mY8GEimBq4OiPEm9eKSFOx\r\n"
    "a=sendrecv\r\n"
)


def pjsua_answer(offer: str) -> str:
    """What pjsua answers: its SDES line, and each X-E2E line rejected (port 0, as is)."""
    rejected = [
        f"m={wire.section_kind(s)} 0 {wire.E2E_PROTO} {' '.join(s[0].split()[3:])}\r\n"
        "c=IN IP4 0.0.0.0\r\n"
        for s in wire.Sdp.parse(offer).sections
        if wire.is_e2e(s)
    ]
    return PJSUA_ANSWER_HEAD + "".join(rejected)


CONFIG = SessionConfig(host_addresses=("127.0.0.1",))


@pytest.fixture(scope="module")
def loop():
    media_loop = MediaLoop("e2e-test")
    media_loop.start()
    yield media_loop
    media_loop.stop()


class Side:
    def __init__(self, loop, config=CONFIG, identity=None, video=False):
        self.loop = loop
        self.remote_video = VideoSlot() if video else None
        self.identity = identity or generate_identity()
        self.bridge = AudioBridge()
        self.events: queue.Queue = queue.Queue()
        self.session = E2eSession(
            self.identity,
            config,
            self.bridge,
            lambda kind, value: self.events.put((kind, value)),
            video_source=PatternSource(320, 240) if video else None,
            remote_video=self.remote_video,
        )

    def run(self, coro, timeout=10):
        return self.loop.submit(coro).result(timeout)

    def wait(self, kind, timeout=10):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                got = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            seen.append(got[0])
            if got[0] == kind:
                return got[1]
            if got[0] == "failed":
                raise AssertionError(f"session failed: {got[1]}")
        raise AssertionError(f"no {kind} within {timeout} s (saw {seen})")

    def feed_tone(self, freq, seconds):
        """Queue `seconds` of a tone into the bridge as pjmedia would, frame by frame."""
        n = self.bridge.frame_samples
        t = np.arange(int(self.bridge.clock_rate * seconds)) / self.bridge.clock_rate
        pcm = (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
        for start in range(0, len(pcm) - n + 1, n):
            self.bridge.put_local(pcm[start : start + n].tobytes())
            time.sleep(0.02)

    def heard(self):
        frames = []
        while (frame := self.bridge.take_remote()) is not None:
            frames.append(np.frombuffer(frame, dtype=np.int16))
        return np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)


def negotiate(a: Side, b: Side, tamper=None):
    offer_sections = wire.local_sections(a.run(a.session.create_offer()), commit="C" * 43)
    n = len(offer_sections)
    offer = wire.merge(pjsua_offer(n), offer_sections, tuple(range(1, n + 1)))
    if tamper:
        offer = tamper(offer)
    peer_offer = wire.peer_e2e(offer)
    answer_sections = wire.local_sections(
        b.run(b.session.create_answer(peer_offer.aiortc_sdp, peer_offer.fingerprint)),
        nonce="N" * 43,
    )
    answer = wire.merge(pjsua_answer(offer), answer_sections, peer_offer.slots, inactive_first=True)
    peer_answer = wire.peer_e2e(answer)
    a.run(a.session.accept_answer(peer_answer.aiortc_sdp, peer_answer.fingerprint))
    return offer, answer


def close(*sides):
    for side in sides:
        side.run(side.session.close())


def test_session_connects_and_audio_flows_both_ways(loop):
    a, b = Side(loop), Side(loop)
    offer, answer = negotiate(a, b)
    assert len(offer) < 1500 and len(answer) < 1500, (len(offer), len(answer))
    got_a, got_b = a.wait("connected"), b.wait("connected")
    assert got_a.remote_fingerprint == b.identity.fingerprint
    assert got_b.remote_fingerprint == a.identity.fingerprint
    assert got_a.srtp_profile.startswith("SRTP_") and got_a.audio_codec == "opus"
    a.heard(), b.heard()
    a.feed_tone(1000, 1.5)  # b hears 1 kHz
    tone = analyse_tone(b.heard()[-8000:], 16000, 1000)
    assert tone.detected, tone
    b.feed_tone(600, 1.5)
    assert analyse_tone(a.heard()[-8000:], 16000, 600).detected
    assert not analyse_tone(a.heard()[-8000:], 16000, 1000).detected  # the control
    close(a, b)


def test_pcmu_only_peer_negotiates_pcmu(loop):
    a = Side(loop)
    b = Side(loop, SessionConfig(audio_codecs=("PCMU",), host_addresses=("127.0.0.1",)))
    negotiate(a, b)
    assert a.wait("connected").audio_codec == "PCMU"
    b.wait("connected")
    close(a, b)


def test_hold_stops_the_stream(loop):
    a, b = Side(loop), Side(loop)
    negotiate(a, b)
    a.wait("connected"), b.wait("connected")
    a.run(a.session.set_sending(False))
    time.sleep(0.3)
    b.heard()
    a.feed_tone(1000, 1.0)
    assert len(b.heard()) == 0  # nothing at all arrives while held
    a.run(a.session.set_sending(True))
    a.feed_tone(1000, 1.2)
    assert analyse_tone(b.heard()[-8000:], 16000, 1000).detected
    close(a, b)


def test_forged_fingerprint_fails_dtls(loop):
    """An intermediary rewrites the offer's fingerprint: aiortc refuses the handshake."""
    a, b = Side(loop), Side(loop)
    real = ":".join(f"{x:02X}" for x in a.identity.fingerprint)
    forged = ":".join(f"{x:02X}" for x in generate_identity().fingerprint)
    negotiate(a, b, tamper=lambda sdp: sdp.replace(real, forged))
    reason = b.wait("failed", timeout=15)
    assert "DTLS" in reason or "ICE" in reason, reason
    close(a, b)


def test_video_frames_arrive(loop):
    config = SessionConfig(video=True, host_addresses=("127.0.0.1",))
    a, b = Side(loop, config, video=True), Side(loop, config, video=True)
    negotiate(a, b)
    assert a.wait("connected").video_codec == "VP8"
    width, height, _count = b.wait("video-frame", timeout=15)
    assert (width, height) == (320, 240)
    a.wait("video-frame", timeout=15)
    close(a, b)


def test_received_video_reaches_the_slot_as_rgb_while_someone_watches(loop):
    config = SessionConfig(video=True, host_addresses=("127.0.0.1",))
    a, b = Side(loop, config, video=True), Side(loop, config, video=True)
    negotiate(a, b)
    b.wait("video-frame", timeout=15)
    time.sleep(0.5)
    assert b.remote_video.stats().put == 0  # frames arrive, nobody looks: none converted
    assert wait_until(lambda: b.remote_video.newest() is not None, 5)
    got = b.remote_video.newest()
    assert (got.width, got.height) == (320, 240)
    assert pattern_error(got.rgb) < 20  # the sender's picture, through VP8
    assert wait_until(lambda: (b.remote_video.newest(after=got.seq) or got).seq > got.seq + 3, 5)
    stats = b.remote_video.stats()
    assert stats.put >= 4 and stats.convert_s > 0
    close(a, b)


def test_nothing_leaves_before_the_session_checked_dtls_then_the_newest_frame():
    from softphone.e2e.media import BridgeAudioTrack

    bridge = AudioBridge()
    track = BridgeAudioTrack(bridge)
    frames = [bytes([n]) * bridge.frame_bytes for n in (1, 2, 3)]
    for frame in frames:
        bridge.put_local(frame)
    assert track._take() == bridge.silence  # the port may be attached; still nothing
    track.open = True
    assert track._take() == frames[2]  # what queued meanwhile is stale: newest first
    bridge.put_local(frames[0])
    assert track._take() == frames[0]


def test_remote_audio_waits_for_the_check_and_survives_bad_packets():
    from softphone.e2e.media import BridgeOpusEncoder, RemoteAudio

    def codec(mime):
        return type("Codec", (), {"mimeType": mime, "clockRate": 48000, "channels": 2})()

    codecs = {111: codec("audio/opus"), 100: codec("audio/nonsense")}
    bridge, firsts, state = AudioBridge(), [], {"open": False}
    remote = RemoteAudio(bridge, codecs.get,
                         lambda: firsts.append(1), lambda: state["open"])  # fmt: skip
    encoder = BridgeOpusEncoder(bridge.clock_rate)
    tone = (8000 * np.sin(2 * np.pi * 600 * np.arange(320) / 16000)).astype(np.int16).tobytes()
    packets = [bytes(p) for _ in range(3) for p in encoder.encode(tone)]
    remote(111, 1, packets[0])
    assert bridge.take_remote() is None and firsts == [1]  # it arrived, it is not played
    state["open"] = True
    remote(111, 2, packets[1])
    assert len(bridge.take_remote()) == bridge.frame_bytes
    remote(100, 3, packets[1])  # no decoder for it: dropped and counted, never raised
    assert bridge.take_remote() is not None and remote.errors == 1  # its slot concealed
    remote(96, 4, packets[2])  # a payload type nobody negotiated: ignored
    assert remote.concealed == 1


def test_remote_audio_decodes_only_what_is_played():
    """pjmedia asks a port for frames only while something listens to it: what nobody
    asks for is never decoded, and only the newest few packets wait."""
    from softphone.e2e.media import RemoteAudio

    bridge, remote, packets = _opus_remote(12)
    for n, packet in enumerate(packets):
        remote(111, n, packet)
    assert remote._decoders == {}  # nothing decoded yet
    assert remote.dropped == 12 - RemoteAudio.MAX_WAITING
    frames = []
    while (frame := bridge.take_remote()) is not None:
        frames.append(frame)
    # the newest ones, one frame each; then the peer stopped: concealed for a while
    assert len(frames) == RemoteAudio.MAX_WAITING + RemoteAudio.MAX_CONCEAL
    assert remote.concealed == RemoteAudio.MAX_CONCEAL


def test_without_a_libopus_of_our_own_pyav_codes_opus(monkeypatch):
    """No libopus for ctypes (softphone.e2e.opus): PyAV's encoder, and its 48 kHz
    decoder brought down to the bridge's rate, carry the audio the same."""
    from softphone.e2e import opus
    from softphone.e2e.media import BridgeOpusEncoder, RemoteAudio

    monkeypatch.setattr(opus, "library", lambda: None)
    opus_codec = type("Codec", (), {"mimeType": "audio/opus", "clockRate": 48000, "channels": 2})()
    bridge = AudioBridge()
    remote = RemoteAudio(bridge, lambda pt: opus_codec, lambda: None, lambda: True)
    encoder = BridgeOpusEncoder(bridge.clock_rate)
    assert encoder._native is None
    t = np.arange(320 * 40) / 16000
    pcm = (8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16)
    heard = []
    for n in range(40):
        remote(111, n, encoder.payload(pcm[n * 320 : (n + 1) * 320].tobytes()))
        if (frame := bridge.take_remote()) is not None:
            heard.append(frame)
    assert analyse_tone(np.frombuffer(b"".join(heard[-20:]), dtype=np.int16), 16000, 600).detected


needs_libopus = pytest.mark.skipif(not opus.available(), reason="no libopus for ctypes")


def _opus_remote(count: int = 60):
    """A RemoteAudio taking Opus, and `count` packets of a 600 Hz tone."""
    from softphone.e2e.media import BridgeOpusEncoder, RemoteAudio

    opus_codec = type("Codec", (), {"mimeType": "audio/opus", "clockRate": 48000})()
    bridge = AudioBridge()
    remote = RemoteAudio(bridge, lambda pt: opus_codec, lambda: None, lambda: True)
    encoder = BridgeOpusEncoder(bridge.clock_rate)
    t = np.arange(320 * count) / 16000
    pcm = (8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16)
    packets = [encoder.payload(pcm[n * 320 : (n + 1) * 320].tobytes()) for n in range(count)]
    return bridge, remote, packets


def _level(frame: bytes) -> float:
    return float(np.sqrt(np.mean(np.frombuffer(frame, dtype=np.int16).astype(float) ** 2)))


@needs_libopus
def test_a_lost_packet_is_concealed_in_its_slot_and_a_late_one_dropped():
    """Each slot plays once, by sequence number: a packet missing when its slot is
    due is concealed (the tone carried on, not a gap), and when it comes after all,
    it is dropped rather than played 20 ms late for the rest of the call."""
    from softphone.e2e.media import RemoteAudio

    bridge, remote, packets = _opus_remote()
    frames = []
    for n in range(20):
        if n != 10:  # lost
            remote(111, 65530 + n, packets[n])  # across the sequence number's wrap
        frames.append(bridge.take_remote())
    assert remote.concealed == 1 and all(f is not None for f in frames)
    assert _level(frames[10]) > 2000  # the tone, where silence would have been
    # a packet that is not there when its slot is due: concealed, then it comes
    frames.append(bridge.take_remote())  # slot 20: nothing yet
    remote(111, (65530 + 20) % 65536, packets[20])  # late
    remote(111, (65530 + 21) % 65536, packets[21])
    frames.append(bridge.take_remote())
    assert remote.concealed == 2 and remote.late == 1
    assert frames[-1] is not None and bridge.take_remote() is not None  # slot 22: concealed
    # the peer stops (hold): a few slots of fading concealment, then nothing
    rest = []
    while (frame := bridge.take_remote()) is not None:
        rest.append(frame)
    assert len(rest) < RemoteAudio.MAX_CONCEAL
    assert _level(rest[-1]) < _level(frames[10])


@needs_libopus
def test_a_new_start_is_not_concealed_as_a_loss():
    """A jump in sequence numbers beyond MAX_GAP (the peer restarted its stream) plays
    the new packet at once instead of concealing the whole gap."""
    from softphone.e2e.media import RemoteAudio

    bridge, remote, packets = _opus_remote()
    for n in range(5):
        remote(111, n, packets[n])
        assert bridge.take_remote() is not None
    remote(111, 5 + RemoteAudio.MAX_GAP + 1, packets[6])
    frame = bridge.take_remote()
    assert frame is not None and remote.concealed == 0
    # a small gap is concealed slot by slot, then the packet plays in its own slot
    remote(111, 5 + RemoteAudio.MAX_GAP + 4, packets[7])
    for _ in range(3):
        assert bridge.take_remote() is not None
    assert remote.concealed == 2 and not remote._waiting
