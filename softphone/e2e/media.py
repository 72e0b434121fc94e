"""One end-to-end media session: an aiortc RTCPeerConnection with ICE, DTLS-SRTP, audio, video.

Every coroutine here runs on the e2e-media loop thread (`loop.MediaLoop`); the
engine thread submits them and never waits. What happens to the session comes back
through `notify(kind, value)`, called on the loop thread (the engine turns it into a
call on its own thread):

* "connected", `Connected`: DTLS is up and aiortc has checked the peer's certificate
  against the fingerprint in its SDP; `Connected` says what the transport really
  negotiated (read back from aiortc, not assumed from the SDP).
* "failed", a reason: ICE found no path, or DTLS failed (a fingerprint that does not
  match the certificate is the signature of someone in the middle).
* "first-audio", the monotonic time the first audio packet from the peer arrived
  (authenticated, of a negotiated codec).
* "video-frame", (width, height, count) for the first frame and every 15th after.

Received video: decoded by aiortc (its decoder thread), handed to `_pump_video` here;
when the call has a `VideoSlot` (`remote_video`) and someone is watching it, each
frame is converted to RGB once, on this thread, at most at the display rate, and put
into the slot (newest frame wins) for the call window to draw.

Audio: aiortc sets up ICE, DTLS and the SRTP keys; once the session has checked the
DTLS transport itself ("connected" above), the audio RTP goes through `AudioRtp`
(softphone.e2e.rtp) on pjmedia's clock thread: each 20 ms frame the conference
bridge mixes is encoded there (Opus straight from the bridge's 16 kHz,
`BridgeOpusEncoder`), protected with aiortc's own SRTP session and sent, and what
arrived is read, authenticated and kept for `RemoteAudio`, which decodes it when the
bridge asks for a frame. aiortc's audio track is parked meanwhile (it sends
nothing). With PCMU (offered second, for a peer without Opus) aiortc's sender keeps
sending from the track, which paces itself on the loop's clock and hands aiortc a
48 kHz frame. Packets that arrive before `AudioRtp` starts come through aiortc's
receiver (`DirectAudioBuffer`). Until the session has checked the DTLS transport no
audio from the bridge is sent (at most silence) and nothing received is played, so
the engine may join the call's port to the conference before that.

Hold: aiortc cannot renegotiate over this SIP layout (and has no ICE restart), so
hold and resume never touch the SDP aiortc saw: `AudioRtp` stops sending, and the
other senders' tracks are replaced with None (no RTP at all) and restored
(`RTCRtpSender.replaceTrack`).

Certificates: aiortc generates a fresh certificate per connection, valid 30 days, and
takes another one only through a private attribute. We set it there, with the
account's long-term identity (`identity`), so a verified contact is recognised.

Voice tuning (measured, see bench/e2e.py): aiortc encodes Opus as 96 kbit/s stereo
and decodes to stereo, which costs twice the CPU of what speech needs; its audio
jitter buffer waits for 4 packets (80 ms) before the first frame; and it moves every
audio frame through a thread (`run_in_executor` to encode, a decoder thread, then
back to the loop), whose hand-offs and wake-ups cost more CPU than the codec. So
speech is mono Opus at 32 kbit/s, the packets aiortc still receives go straight to
`RemoteAudio` in place of its jitter buffer, and from "connected" on `AudioRtp`
carries the audio (softphone.e2e.rtp says why and what it costs). Those are set
through aiortc's module-level codec lookup and private attributes; an aiortc upgrade
that moves one fails loudly (RuntimeError, the call ends) rather than silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender
import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.codecs.opus import SAMPLE_RATE, SAMPLES_PER_FRAME, TIME_BASE, OpusDecoder, OpusEncoder
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcconfiguration import RTCBundlePolicy
from cryptography.hazmat.primitives import hashes

from softphone.e2e import opus
from softphone.e2e.bridge import AudioBridge
from softphone.e2e.identity import DtlsIdentity
from softphone.e2e.loop import host_addresses
from softphone.e2e.resample import FACTOR, Downsampler, Upsampler
from softphone.e2e.rtp import AudioRtp, InOrder
from softphone.e2e.wire import restrict_codecs
from softphone.media.video_slot import VideoSlot

log = logging.getLogger(__name__)

AUDIO_CODECS = ("opus", "PCMU")  # what the end-to-end path offers, in order
VIDEO_CODECS = ("VP8",)
VIDEO_FPS = 15

OPUS_BITRATE = 32000

Notify = Callable[[str, Any], None]


class VoiceOpusEncoder(OpusEncoder):
    """aiortc's Opus encoder, mono at 32 kbit/s: speech, at half the CPU of stereo 96k.

    Our own tracks hand aiortc Opus packets already encoded (`BridgeAudioTrack`), which
    aiortc only packs: the codec is opened on the first raw frame, if one ever comes."""

    def __init__(self) -> None:
        self.codec = None
        self.first_packet_pts = None

    def encode(self, frame, force_keyframe: bool = False):
        if self.codec is None:
            self._open()
        return super().encode(frame, force_keyframe)

    def _open(self) -> None:
        self.codec = av.CodecContext.create("libopus", "w")
        self.codec.bit_rate = OPUS_BITRATE
        self.codec.format = "s16"
        self.codec.layout = "mono"
        self.codec.options = {"application": "voip"}
        self.codec.sample_rate = SAMPLE_RATE
        self.codec.time_base = TIME_BASE
        self.resampler = av.AudioResampler(
            format="s16", layout="mono", rate=SAMPLE_RATE, frame_size=SAMPLES_PER_FRAME
        )


class VoiceOpusDecoder(OpusDecoder):
    """aiortc's Opus decoder, decoding to mono (the bridge is mono)."""

    def __init__(self) -> None:
        self.codec = av.CodecContext.create("libopus", "r")
        self.codec.format = "s16"
        self.codec.layout = "mono"
        self.codec.sample_rate = SAMPLE_RATE


_aiortc_get_encoder = aiortc.rtcrtpsender.get_encoder
_aiortc_get_decoder = aiortc.rtcrtpreceiver.get_decoder


def _get_encoder(codec):
    if codec.mimeType.lower() == "audio/opus":
        return VoiceOpusEncoder()
    return _aiortc_get_encoder(codec)


def _get_decoder(codec):
    if codec.mimeType.lower() == "audio/opus":
        return VoiceOpusDecoder()
    return _aiortc_get_decoder(codec)


aiortc.rtcrtpsender.get_encoder = _get_encoder
aiortc.rtcrtpreceiver.get_decoder = _get_decoder


class DirectAudioBuffer(JitterBuffer):
    """Takes the place of aiortc's audio jitter buffer: each packet, in order, is handed
    to `deliver` at once, on the loop thread, and nothing goes on to aiortc's decoder.

    aiortc's buffer holds 4 packets before the first frame and always one more (a frame
    is complete only when the next timestamp arrives): 100 ms before anything is heard.
    An Opus or PCMU frame is one packet, so none of that is needed. aiortc then hands
    each frame to a decoder thread, which hands the decoded frame back to the loop
    (`run_coroutine_threadsafe`) for a task to pick up: two thread switches and three
    wake-ups per 20 ms packet, which cost far more than decoding it (`RemoteAudio`
    decodes here instead). Late and duplicate packets are dropped; the bridge's own
    queue (e2e.bridge) absorbs the jitter, as pjmedia's conference clock pulls from it
    every 20 ms. The packet is already authenticated and decrypted (SRTP) here.

    Only packets that arrive before the session starts `AudioRtp` come this way; it
    takes them all from then on, through the same `in_order` gate.
    """

    def __init__(self, deliver: Callable[[int, int, bytes], None], in_order: InOrder) -> None:
        super().__init__(capacity=16)
        self._in_order = in_order
        self._deliver = deliver

    def add(self, packet) -> tuple[bool, JitterFrame | None]:
        if self._in_order.accept(packet.sequence_number):
            self._deliver(packet.payload_type, packet.sequence_number, packet._data)
        return False, None


def _direct_audio(
    pc: RTCPeerConnection, deliver: Callable[[int, int, bytes], None], in_order: InOrder
) -> None:
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "audio":
            receiver = transceiver.receiver
            if not hasattr(receiver, "_RTCRtpReceiver__jitter_buffer"):
                raise RuntimeError("aiortc's receiver has no jitter buffer where expected")
            receiver._RTCRtpReceiver__jitter_buffer = DirectAudioBuffer(deliver, in_order)


class RemoteAudio:
    """The peer's audio packets, decoded into the bridge's 20 ms frames.

    Packets arrive in order, authenticated (`__call__`, the loop or pjmedia's clock
    thread) and wait, a few at most (`MAX_WAITING`, the oldest go), until the bridge
    wants a frame to play (`play`, pjmedia's clock thread, through
    `AudioBridge.player`): only then is one decoded, so audio nobody listens to is
    never decoded, as with pjmedia's own streams.

    Each 20 ms slot is played once, by sequence number. A packet missing when its slot
    is due (lost, or not there yet) is concealed by libopus (`opus.Decoder.conceal`:
    the voice carried on, fading, instead of a click and a gap), and if it comes later
    it is dropped (`late`): its slot has been played, and playing it would add 20 ms
    of delay for the rest of the call. Up to `MAX_CONCEAL` slots in a row are
    concealed; after that the peer has stopped sending (hold, a pause of its own) and
    the bridge gets nothing. A jump of more than `MAX_GAP` packets is a new start, not
    a loss. Codecs without concealment (PyAV's) play the next packet they have.

    Opus is decoded by libopus straight at the bridge's rate (`softphone.e2e.opus`):
    a 20 ms packet is one bridge frame. Without a libopus of our own, PyAV decodes
    Opus at 48 kHz (FFmpeg's libopus decoder has no other rate), brought down to the
    bridge's rate by `Downsampler`; PCMU and anything else go through PyAV's decoder
    and resampler. A packet that does not decode is dropped and counted, as aiortc
    does: it must never stop the thread that called us.
    """

    MAX_WAITING = 5  # packets: 100 ms, as the bridge's own queue
    MAX_CONCEAL = 5  # slots in a row (100 ms): libopus has faded out by then
    MAX_GAP = 5  # packets missing between two that arrived: beyond, a new start

    def __init__(
        self,
        bridge: AudioBridge,
        codec_for: Callable[[int], Any],
        on_first: Callable[[], None],
        receiving: Callable[[], bool],
    ) -> None:
        self._bridge = bridge
        self._codec_for = codec_for
        self._on_first = on_first
        self._receiving = receiving
        self._decoders: dict[int, Callable[[bytes], bytes]] = {}
        self._concealers: dict[int, Callable[[int], bytes]] = {}
        self._waiting: deque[tuple[int, int, bytes]] = deque(maxlen=self.MAX_WAITING)
        self._down = Downsampler()
        self._other: av.AudioResampler | None = None
        self._pending = b""
        self._first = True
        self._next: int | None = None  # the sequence number whose slot plays next
        self._last_type = -1  # the payload type played last (whose decoder conceals)
        self._concealed_run = 0
        self.errors = 0
        self.dropped = 0
        self.concealed = 0  # slots played from libopus's concealment
        self.late = 0  # packets that came after their slot was played
        bridge.player(self.play)

    def _behind(self, sequence: int) -> bool:
        """The packet's slot has been played already."""
        following = self._next
        return following is not None and (sequence - following) % 65536 >= 32768

    def __call__(self, payload_type: int, sequence: int, data: bytes) -> None:
        """One packet's payload, in order (any one thread at a time)."""
        if self._first and self._codec_for(payload_type) is not None:
            self._first = False
            self._on_first()
        if not self._receiving():
            return
        if self._behind(sequence):
            self.late += 1
            return
        waiting = self._waiting
        if len(waiting) == waiting.maxlen:
            self.dropped += 1  # nobody has been playing them: the oldest goes
        waiting.append((payload_type, sequence, data))

    def play(self) -> None:
        """Play the next slot into the bridge, if it has no frame to play (the thread
        that plays); never raises."""
        waiting, bridge = self._waiting, self._bridge
        if not self._receiving():
            waiting.clear()
            self._next = None
            return
        while not bridge.has_remote():
            while waiting and self._behind(waiting[0][1]):
                waiting.popleft()  # came in while its slot was being concealed
                self.late += 1
            if waiting:
                gap = (waiting[0][1] - self._next) % 65536 if self._next is not None else 0
                if 0 < gap <= self.MAX_GAP and self._conceal():
                    continue  # the missing one's slot
                self._play_packet(*waiting.popleft())
            elif not (self._concealed_run < self.MAX_CONCEAL and self._conceal()):
                return  # nothing to play: the port gives no frame

    def _play_packet(self, payload_type: int, sequence: int, data: bytes) -> None:
        self._next = (sequence + 1) % 65536
        self._concealed_run = 0
        try:
            pcm = self._decode(payload_type, data)
            if pcm:
                self._last_type = payload_type
                self._to_bridge(pcm)
        except Exception as e:  # a bad packet, never the caller's problem
            self.errors += 1
            if self.errors == 1:
                log.warning("an end-to-end audio packet did not decode: %s", type(e).__name__)

    def _conceal(self) -> bool:
        """One slot of concealment for the packet due now; False if there is none to
        be had (no packet played yet, or a codec without it)."""
        conceal = self._concealers.get(self._last_type)
        if conceal is None or self._next is None:
            return False
        try:
            pcm = conceal(self._bridge.frame_samples)
        except Exception:
            return False
        self._next = (self._next + 1) % 65536
        self._concealed_run += 1
        self.concealed += 1
        self._to_bridge(pcm)
        return True

    def _decode(self, payload_type: int, data: bytes) -> bytes:
        """16-bit mono PCM at the bridge's rate (b"": nothing to play)."""
        decoder = self._decoders.get(payload_type)
        if decoder is None:
            codec = self._codec_for(payload_type)
            if codec is None:
                return b""
            decoder = self._decoders[payload_type] = self._new_decoder(payload_type, codec)
        return decoder(data)

    def _new_decoder(self, payload_type: int, codec: Any) -> Callable[[bytes], bytes]:
        rate = self._bridge.clock_rate
        if codec.mimeType.lower() == "audio/opus" and rate in opus.RATES and opus.available():
            decoder = opus.Decoder(rate)
            self._concealers[payload_type] = decoder.conceal
            return decoder.decode
        decoder = _get_decoder(codec)

        def decode(data: bytes) -> bytes:
            frames = decoder.decode(JitterFrame(data=data, timestamp=0))
            return b"".join(self._convert(frame) for frame in frames)

        return decode

    def _convert(self, frame: av.AudioFrame) -> bytes:
        if frame.sample_rate == SAMPLE_RATE and frame.layout.name == "mono":
            # s16 mono is one packed plane (the decoders are told so): read it in place
            pcm = np.frombuffer(frame.planes[0], dtype=np.int16, count=frame.samples)
            usable = len(pcm) - len(pcm) % FACTOR
            return self._down(pcm[:usable]).tobytes()
        # PCMU and anything not 48 kHz mono
        if self._other is None:
            self._other = av.AudioResampler(
                format="s16", layout="mono", rate=self._bridge.clock_rate
            )
        return b"".join(o.to_ndarray().tobytes() for o in self._other.resample(frame))

    def _to_bridge(self, pcm: bytes) -> None:
        bridge = self._bridge
        n = bridge.frame_bytes
        if not self._pending and len(pcm) == n:  # the usual case: one packet, one frame
            bridge.put_remote(pcm)
            return
        pending = self._pending + pcm
        while len(pending) >= n:
            bridge.put_remote(pending[:n])
            pending = pending[n:]
        self._pending = pending


OPUS_INPUT_RATES = (8000, 12000, 16000, 24000, 48000)  # what libopus takes as it is


class BridgeOpusEncoder:
    """Opus straight from the bridge's frames, on the loop thread.

    libopus takes 16 kHz input as it is (its RTP clock stays 48 kHz, RFC 7587), so
    there is no resampling and no 48 kHz frame; and encoding here rather than in
    aiortc's encoder (which aiortc runs through `run_in_executor`, a thread hand-off
    and a wake-up of the loop for every 20 ms frame) costs only the encoding.
    Mono, 32 kbit/s, "voip": as `VoiceOpusEncoder`. libopus is called directly
    (`softphone.e2e.opus`) when we have it, else through PyAV.
    """

    def __init__(self, clock_rate: int) -> None:
        if clock_rate not in OPUS_INPUT_RATES:
            raise ValueError(f"libopus does not take {clock_rate} Hz input")
        self.clock_rate = clock_rate
        self._native = opus.Encoder(clock_rate, OPUS_BITRATE) if opus.available() else None
        if self._native is not None:
            return
        codec = av.CodecContext.create("libopus", "w")
        codec.bit_rate = OPUS_BITRATE
        codec.format = "s16"
        codec.layout = "mono"
        codec.options = {"application": "voip"}
        codec.sample_rate = clock_rate
        self._time_base = fractions.Fraction(1, clock_rate)
        codec.time_base = self._time_base
        self._codec = codec
        self._n = 0

    def encode(self, pcm: bytes) -> list[av.Packet | bytes]:
        if self._native is not None:
            return [self._native.encode(pcm)]
        samples = len(pcm) // 2
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm)
        frame.sample_rate = self.clock_rate
        frame.pts = self._n
        frame.time_base = self._time_base
        self._n += samples
        return self._codec.encode(frame)

    def payload(self, pcm: bytes) -> bytes:
        """One 20 ms frame's Opus packet (libopus returns one per frame)."""
        if self._native is not None:
            return self._native.encode(pcm)
        packets = self.encode(pcm)
        return bytes(packets[0]) if packets else b""


@dataclass(frozen=True)
class SessionConfig:
    audio_codecs: tuple[str, ...] = AUDIO_CODECS
    video: bool = False
    host_addresses: tuple[str, ...] = ()  # empty: every interface aioice finds
    # "host:port" STUN servers (the profile's): aioice asks the first for this host's
    # address as the network beyond a NAT sees it (a server-reflexive candidate)
    stun_servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Connected:
    """What the session's transport really does, read back once DTLS is up."""

    profile: str  # "UDP/TLS/RTP/SAVPF"
    srtp_profile: str  # e.g. "SRTP_AEAD_AES_256_GCM"
    remote_fingerprint: bytes  # SHA-256 of the certificate the peer presented
    audio_codec: str
    clock_rate: int
    video_codec: str | None


class FrameSource(Protocol):
    """Where outgoing video comes from (a camera, or a synthetic pattern in tests).

    `read()` returns an RGB frame as a uint8 array of shape (height, width, 3), or
    None when no new frame is ready. Called on the e2e-media loop thread, 15 times a
    second; it must not block. The devices issue's camera interface provides this
    through its bounded "newest frame wins" queue.
    """

    def read(self) -> np.ndarray | None: ...


class PatternSource:
    """A moving test pattern (any thread): what tests and `--video` without a camera send."""

    def __init__(self, width: int = 640, height: int = 480) -> None:
        self.width, self.height = width, height
        self._n = 0
        x = np.arange(width, dtype=np.uint16)
        self._ramp = np.broadcast_to(x[None, :], (height, width))

    def read(self) -> np.ndarray:
        self._n += 1
        frame = np.empty((self.height, self.width, 3), dtype=np.uint8)
        frame[..., 0] = (self._ramp + self._n * 4) % 256
        frame[..., 1] = (np.arange(self.height)[:, None] * 255 // self.height).astype(np.uint8)
        frame[..., 2] = (self._n * 8) % 256
        return frame


class BridgeAudioTrack(MediaStreamTrack):
    """Outgoing audio for aiortc's sender: 20 ms frames from the bridge, paced on the
    loop's clock and raised to 48 kHz for aiortc's encoder (PCMU).

    With Opus negotiated the audio leaves through `AudioRtp` instead (softphone.e2e.rtp)
    and this track is parked (`park`): aiortc's sender waits on it and sends nothing."""

    kind = "audio"

    def __init__(self, bridge: AudioBridge) -> None:
        super().__init__()
        self._bridge = bridge
        self._start: float | None = None
        self._pts = 0  # at 48 kHz: the raw frames' rate
        self._up = Upsampler()
        self._samples = bridge.frame_samples * FACTOR
        self._parked = False
        self._unpark: asyncio.Future | None = None
        # Set once the session has checked the DTLS transport itself (`_read_back`):
        # until then only silence leaves, whatever the bridge holds.
        self.open = False
        self._opened = False

    @property
    def parked(self) -> bool:
        return self._parked

    def park(self) -> None:
        """The audio goes out another way: from now on `recv` returns nothing until the
        track stops."""
        self._parked = True

    def stop(self) -> None:
        super().stop()
        if self._unpark is not None and not self._unpark.done():
            self._unpark.set_result(None)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._parked:
            self._unpark = asyncio.get_running_loop().create_future()
            await self._unpark
            raise MediaStreamError
        await self._pace()
        return self._frame(self._take())

    def _take(self) -> bytes:
        if not self.open:
            return self._bridge.silence
        if not self._opened:
            # The bridge may have queued frames while the transport came up (the
            # engine attaches the call's port early): send from the newest one on.
            self._opened = True
            self._bridge.keep_newest_local()
        return self._bridge.take_local()

    async def _pace(self) -> None:
        now = time.monotonic()
        if self._start is None:
            self._start = now
            return
        self._pts += self._samples
        due = self._start + self._pts / SAMPLE_RATE
        if due > now:
            await asyncio.sleep(due - now)
        elif now - due > 0.2:  # the loop stalled: start a new timeline, do not burst
            self._start = now - self._pts / SAMPLE_RATE

    def _frame(self, pcm: bytes) -> av.AudioFrame:
        up = self._up(np.frombuffer(pcm, dtype=np.int16))
        frame = av.AudioFrame(format="s16", layout="mono", samples=len(up))
        frame.planes[0].update(up.tobytes())
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._pts
        frame.time_base = TIME_BASE
        return frame


class SourceVideoTrack(MediaStreamTrack):
    """Outgoing video from a `FrameSource`, at `VIDEO_FPS`."""

    kind = "video"

    def __init__(self, source: FrameSource) -> None:
        super().__init__()
        self._source = source
        self._start: float | None = None
        self._n = 0
        self._last: np.ndarray | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        else:
            self._n += 1
            due = self._start + self._n / VIDEO_FPS
            if due > now:
                await asyncio.sleep(due - now)
        image = self._source.read()
        if image is not None:
            self._last = image
        if self._last is None:
            self._last = np.zeros((480, 640, 3), dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(self._last, format="rgb24")
        frame.pts = self._n * (90000 // VIDEO_FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        return frame


def _to_slot(slot: VideoSlot, frame: av.VideoFrame) -> None:
    """One received frame, as RGB, into the call's slot (loop thread). The conversion
    (libswscale) is the cost this adds to the loop, so it is timed for `slot.stats()`."""
    started = time.perf_counter()
    rgb = frame.to_ndarray(format="rgb24")  # a new array, owned by the slot from here
    slot.put(rgb, time.perf_counter() - started)


class E2eSession:
    """One call's end-to-end media. Create anywhere; use only on the loop thread."""

    def __init__(
        self,
        identity: DtlsIdentity,
        config: SessionConfig,
        bridge: AudioBridge,
        notify: Notify,
        video_source: FrameSource | None = None,
        remote_video: VideoSlot | None = None,
    ) -> None:
        self._identity = identity
        self._remote_video = remote_video
        self._video_errors = 0
        self._config = config
        self._bridge = bridge
        self._notify = notify
        self._video_source = video_source
        self._pc: RTCPeerConnection | None = None
        self._audio_track: BridgeAudioTrack | None = None
        self._audio_rtp: AudioRtp | None = None
        self._in_order = InOrder()
        self._opus_encoder: BridgeOpusEncoder | None = None
        self._video_track: SourceVideoTrack | None = None
        self._tasks: list[asyncio.Task] = []
        self._expected_fingerprint: bytes | None = None
        self._reported: str | None = None  # "connected" / "failed": each said once
        self._sending = True
        self._video_on = video_source is not None
        self._closed = False
        self.receiving = True
        self._remote_audio = RemoteAudio(
            bridge,
            self._audio_codec,
            lambda: self._notify("first-audio", time.monotonic()),
            lambda: self.receiving and self._audio_track is not None and self._audio_track.open,
        )

    # -- negotiation ---------------------------------------------------------------

    async def create_offer(self) -> str:
        pc = self._new_peer_connection()
        pc.addTransceiver(self._audio_track, direction="sendrecv")
        if self._config.video:
            pc.addTransceiver(self._video_track or "video", direction="sendrecv")
        self._prefer_codecs(pc)
        _direct_audio(pc, self._remote_audio, self._in_order)
        with host_addresses(self._config.host_addresses):
            await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp

    async def create_answer(self, offer_sdp: str, expected_fingerprint: bytes) -> str:
        pc = self._new_peer_connection()
        self._expected_fingerprint = expected_fingerprint
        allowed = {"audio": self._config.audio_codecs, "video": VIDEO_CODECS}
        offer_sdp = restrict_codecs(offer_sdp, allowed)
        await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "audio":
                transceiver.sender.replaceTrack(self._audio_track)
            elif transceiver.kind == "video" and self._config.video:
                transceiver.sender.replaceTrack(self._video_track)
            transceiver.direction = "sendrecv"
        self._prefer_codecs(pc)
        _direct_audio(pc, self._remote_audio, self._in_order)
        with host_addresses(self._config.host_addresses):
            await pc.setLocalDescription(await pc.createAnswer())
        self._negotiated()
        return pc.localDescription.sdp

    async def accept_answer(self, answer_sdp: str, expected_fingerprint: bytes) -> None:
        if self._pc is None:
            raise RuntimeError("no offer was made")
        self._expected_fingerprint = expected_fingerprint
        await self._pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))
        self._negotiated()

    def _negotiated(self) -> None:
        """Both SDPs are set (aiortc's senders start only once DTLS is up)."""
        if self._sends_opus():
            self._audio_track.park()  # `AudioRtp` sends it, from "connected" on
            self._opus_encoder = BridgeOpusEncoder(self._bridge.clock_rate)

    def _sends_opus(self) -> bool:
        codec = self._audio_codec(None)
        return (
            codec is not None
            and codec.mimeType.lower() == "audio/opus"
            and self._bridge.clock_rate in OPUS_INPUT_RATES
        )

    def _audio_codec(self, payload_type: int | None) -> Any:
        """The negotiated audio codec (None: the one aiortc sends), as aiortc holds it."""
        for transceiver in self._pc.getTransceivers() if self._pc else []:
            if transceiver.kind != "audio":
                continue
            codecs = getattr(transceiver, "_codecs", None) or []
            if payload_type is None:
                return codecs[0] if codecs else None
            return next((c for c in codecs if c.payloadType == payload_type), None)
        return None

    def _new_peer_connection(self) -> RTCPeerConnection:
        if self._pc is not None:
            raise RuntimeError("the session already has a peer connection")
        servers = [RTCIceServer(urls=f"stun:{server}") for server in self._config.stun_servers]
        config = RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        pc = RTCPeerConnection(config)
        # aiortc exposes no public way to use our own certificate (aiortc #1099):
        # the name-mangled attribute is read when the transceivers are created.
        pc._RTCPeerConnection__certificates = [self._identity.rtc_certificate()]
        self._pc = pc
        self._audio_track = BridgeAudioTrack(self._bridge)
        if self._config.video and self._video_source is not None:
            self._video_track = SourceVideoTrack(self._video_source)
        pc.on("track", self._on_track)
        pc.on("connectionstatechange", self._on_connection_state)
        return pc

    def _prefer_codecs(self, pc: RTCPeerConnection) -> None:
        for transceiver in pc.getTransceivers():
            wanted = self._config.audio_codecs if transceiver.kind == "audio" else VIDEO_CODECS
            available = RTCRtpSender.getCapabilities(transceiver.kind).codecs
            chosen = [
                codec
                for name in wanted
                for codec in available
                if codec.mimeType.split("/", 1)[1].lower() == name.lower()
            ]
            if not chosen:
                raise ValueError(f"none of the codecs {wanted} is available in aiortc")
            transceiver.setCodecPreferences(chosen)

    # -- state ---------------------------------------------------------------------

    def _dtls(self) -> Any:
        transceivers = self._pc.getTransceivers() if self._pc else []
        return transceivers[0].sender.transport if transceivers else None

    async def _on_connection_state(self) -> None:
        pc = self._pc
        if pc is None or self._closed:
            return
        state = pc.connectionState
        if state == "connected" and self._reported is None:
            try:
                connected = self._read_back()
            except Exception as e:  # anything unexpected here must fail the call
                self._fail(f"could not read back the DTLS-SRTP state: {type(e).__name__}: {e}")
                return
            try:
                self._start_audio_rtp()
            except Exception as e:
                self._fail(f"could not start the end-to-end audio: {type(e).__name__}: {e}")
                return
            self._reported = "connected"
            if self._audio_track is not None:
                self._audio_track.open = True
            self._notify("connected", connected)
        elif state == "failed":
            self._fail(self._failure_reason())

    def _read_back(self) -> Connected:
        dtls = self._dtls()
        ssl = dtls._ssl  # aiortc keeps the pyOpenSSL connection here
        selected = ssl.get_selected_srtp_profile()
        if not selected:
            raise ValueError("no SRTP profile was negotiated")
        peer = ssl.get_peer_certificate()
        if peer is None:
            raise ValueError("the peer presented no certificate")
        digest = peer.to_cryptography().fingerprint(hashes.SHA256())
        # aiortc checked this already (RTCDtlsTransport._validate_fingerprint);
        # checking again keeps "end to end" from depending on one library's branch.
        if self._expected_fingerprint is None or digest != self._expected_fingerprint:
            raise ValueError("the peer's certificate is not the one its SDP names")
        audio = video = None
        for transceiver in self._pc.getTransceivers():
            codecs = getattr(transceiver, "_codecs", None) or []
            if transceiver.kind == "audio" and codecs:
                audio = codecs[0]
            elif transceiver.kind == "video" and codecs:
                video = codecs[0]
        return Connected(
            profile="UDP/TLS/RTP/SAVPF",
            srtp_profile=selected.decode(),
            remote_fingerprint=digest,
            audio_codec=audio.mimeType.split("/", 1)[1] if audio else "?",
            clock_rate=audio.clockRate if audio else 0,
            video_codec=video.mimeType.split("/", 1)[1] if video else None,
        )

    def _start_audio_rtp(self) -> None:
        """From now on audio RTP goes through `AudioRtp` (only once the transport has
        been checked, `_read_back`): all of it received, and all of it sent with Opus
        (with PCMU, aiortc's sender keeps sending from the track)."""
        transceiver = next((t for t in self._pc.getTransceivers() if t.kind == "audio"), None)
        codec = self._audio_codec(None)
        if transceiver is None or codec is None:
            return
        payload_types = frozenset(c.payloadType for c in getattr(transceiver, "_codecs", ()))
        encoder = self._opus_encoder
        self._audio_rtp = AudioRtp(
            dtls=transceiver.receiver.transport,
            sender=transceiver.sender,
            payload_type=codec.payloadType,
            payload_types=payload_types,
            rtp_clock_rate=codec.clockRate,
            frame_clock_rate=self._bridge.clock_rate,
            encode=encoder.payload if encoder is not None else None,
            deliver=self._remote_audio,
            in_order=self._in_order,
            pull=not any(t.kind == "video" for t in self._pc.getTransceivers()),
        )
        sends = transceiver.currentDirection in ("sendrecv", "sendonly")
        rtp = self._audio_rtp
        rtp.start(sending=self._sending and sends)
        self._bridge.direct(rtp.send if encoder is not None else None, rtp.pull)

    def _failure_reason(self) -> str:
        pc = self._pc
        dtls = self._dtls()
        if pc is not None and pc.iceConnectionState == "failed":
            return "end-to-end media found no network path to the peer (ICE failed)"
        if dtls is not None and dtls.state == "failed":
            mismatch = self._fingerprint_mismatch(dtls)
            if mismatch:
                return (
                    "end-to-end DTLS handshake refused: the peer's certificate does not match "
                    "the fingerprint in its SDP (someone may be intercepting the call)"
                )
            return "end-to-end DTLS handshake failed"
        return "end-to-end media connection failed"

    def _fingerprint_mismatch(self, dtls: Any) -> bool:
        with contextlib.suppress(Exception):
            peer = dtls._ssl.get_peer_certificate()
            if peer is not None and self._expected_fingerprint is not None:
                return peer.to_cryptography().fingerprint(hashes.SHA256()) != (
                    self._expected_fingerprint
                )
        return False

    def _fail(self, reason: str) -> None:
        if self._reported == "failed" or self._closed:
            return
        self._reported = "failed"
        self._notify("failed", reason)

    # -- media ---------------------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        # audio needs no task: `RemoteAudio` takes each packet as it arrives
        if track.kind == "video":
            self._tasks.append(asyncio.ensure_future(self._pump_video(track)))

    async def _pump_video(self, track: MediaStreamTrack) -> None:
        count = 0
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            count += 1
            slot = self._remote_video
            if slot is not None and slot.due():
                try:
                    _to_slot(slot, frame)
                except Exception as e:  # a frame that does not convert is dropped, and
                    self._video_errors += 1  # must never stop this task
                    if self._video_errors == 1:
                        log.warning("a received video frame did not convert: %r", e)
            if count == 1 or count % VIDEO_FPS == 0:
                self._notify("video-frame", (frame.width, frame.height, count))

    async def set_sending(self, sending: bool) -> None:
        """Hold (False) or resume (True): stop or restart every outgoing stream."""
        if self._pc is None or sending == self._sending:
            return
        self._sending = sending
        if self._audio_rtp is not None:
            self._audio_rtp.set_sending(sending)
        for transceiver in self._pc.getTransceivers():
            if transceiver.kind == "audio":
                if not self._audio_track.parked:  # a parked track sends nothing anyway
                    transceiver.sender.replaceTrack(self._audio_track if sending else None)
            elif transceiver.kind == "video":
                on = sending and self._video_on
                transceiver.sender.replaceTrack(self._video_track if on else None)

    async def set_video(self, on: bool) -> None:
        """Camera on or off mid-call, without renegotiation (the video line stays)."""
        if self._pc is None:
            return
        self._video_on = on
        for transceiver in self._pc.getTransceivers():
            if transceiver.kind == "video":
                live = on and self._sending and self._video_track is not None
                transceiver.sender.replaceTrack(self._video_track if live else None)

    async def stats(self) -> dict[str, float]:
        """Audio RTP counters, from aiortc's own statistics."""
        if self._pc is None:
            return {}
        out = {"rx_packets": 0, "tx_packets": 0, "rx_lost": 0, "jitter": 0.0}
        for stat in (await self._pc.getStats()).values():
            if getattr(stat, "kind", None) != "audio":
                continue
            if stat.type == "inbound-rtp":
                out["rx_packets"] += stat.packetsReceived
                out["rx_lost"] += max(stat.packetsLost, 0)
                out["jitter"] = max(out["jitter"], float(stat.jitter))
            elif stat.type == "outbound-rtp":
                out["tx_packets"] += stat.packetsSent  # `AudioRtp` keeps this counter too
        if self._audio_rtp is not None:  # what it received never reached aiortc's counters
            received = self._audio_rtp.stats
            out["rx_packets"] += received.packets
            out["rx_lost"] += received.lost
            out["jitter"] = max(out["jitter"], received.jitter)
        out["concealed"] = self._remote_audio.concealed
        return out

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._audio_rtp is not None:
            self._bridge.direct(None, None)
            self._audio_rtp.stop()
        for task in self._tasks:
            task.cancel()
        for track in (self._audio_track, self._video_track):
            if track is not None:
                track.stop()
        if self._pc is not None:
            await self._pc.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
