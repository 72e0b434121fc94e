"""Audio RTP once DTLS is up, on pjmedia's clock thread, without aiortc's per-packet
machinery: our own 12-byte RTP header over aiortc's own SRTP sessions.

Why (measured on the callee of bench/e2e.py, py-spy and perf): with aiortc carrying
the audio, its loop thread spent about 5 % of a core on one call, four times what
pjmedia spends on a whole SDES call, and the codec was a tenth of it. The rest was
Python objects and hand-offs per 20 ms packet (every datagram first parsed as STUN by
aioice, queued for the DTLS transport's task, parsed into an RtpPacket, routed and
counted; every frame through the track, the sender's task, an RtpPacket with three
header extensions, one a datetime call, and three coroutine layers to the socket),
and the loop waking up 60-130 times a second, each wake-up costing about 0.1 ms of
CPU on a small virtual machine, where code that runs once every 20 ms also runs
about three times slower than in a loop (its caches are cold).

So once the session has checked the DTLS transport (media.E2eSession), pjmedia's
clock thread, which calls the call's bridge port every 20 ms anyway, does the audio
in that same call, as pjmedia's own streams do (`AudioBridge.direct`): `send`
encodes the frame it just mixed, puts a header in front, protects it and sends it on
the socket of the pair ICE nominated; `pull` reads what waits on that socket, takes
the SRTP audio (unprotected, checked, kept for `deliver`) and hands everything else
(DTLS, STUN consent checks, RTCP) to aioice on the loop, which meanwhile does not
watch the socket. The loop wakes up only for aiortc's RTCP and ICE's consent checks;
should the clock stop pulling, it reads the socket again (`_watch`). A video call
keeps the loop reading (its packets need the loop anyway) and audio is taken from
each datagram before aioice looks at it.

Security is aiortc's: the keys, the SRTP sessions and their replay windows are the
ones aiortc derived from the DTLS handshake, and this starts only after the
session's own check of the peer's certificate. Nothing is sent that did not go
through `protect`, nothing is played that did not pass `unprotect`'s
authentication; a datagram that fails it is dropped and counted, never passed on.
The sessions are used from two threads from then on, so every use, aiortc's
included, goes through one lock (`_LockedSession`). aiortc's RTCP keeps running:
the sender's counters are kept up to date, so its sender reports say what was sent.

aiortc 1.16 / aioice 0.13 private attributes are used (`_tx_srtp`, `_rx_srtp`,
`_connection._nominated`, `_connection._protocols`, the sender's counters); the
versions are pinned, and a missing attribute raises (the call ends) rather than
sending anything another way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

import pylibsrtp

log = logging.getLogger(__name__)

_NTP_EPOCH = 2208988800  # 1900 -> 1970
_HEADER = struct.Struct("!BBHII")


def _random_sequence() -> int:
    # below 2^15, as aiortc does: a wrap early in the stream upsets some SRTP stacks
    return int.from_bytes(os.urandom(2), "big") % 32768


def rtp_header(payload_type: int, sequence: int, timestamp: int, ssrc: int, marker: bool) -> bytes:
    return _HEADER.pack(0x80, (0x80 if marker else 0) | payload_type, sequence, timestamp, ssrc)


def rtp_payload(packet: bytes) -> tuple[int, int, int, bytes] | None:
    """(payload type, sequence number, timestamp, payload) of a plain RTP packet, or
    None when it is not one (version, lengths). CSRCs, a header extension and padding
    are skipped."""
    if len(packet) < 12 or packet[0] >> 6 != 2:
        return None
    first = packet[0]
    start = 12 + 4 * (first & 0x0F)
    if first & 0x10:
        if len(packet) < start + 4:
            return None
        start += 4 + 4 * int.from_bytes(packet[start + 2 : start + 4], "big")
    end = len(packet)
    if first & 0x20:
        end -= packet[-1]
    if end < start:
        return None
    _b0, b1, sequence, timestamp, _ssrc = _HEADER.unpack_from(packet)
    return b1 & 0x7F, sequence, timestamp, packet[start:end]


class InOrder:
    """Lets each sequence number through once, in order: a packet repeated or older
    than the last one let through is refused. Shared by both ways packets may come
    (aiortc's, before `AudioRtp` starts, and `AudioRtp`'s)."""

    def __init__(self) -> None:
        self.last: int | None = None

    def accept(self, sequence: int) -> bool:
        last = self.last
        if last is not None and (sequence == last or (sequence - last) % 65536 >= 32768):
            return False
        self.last = sequence
        return True


class ReceiveStats:
    """RFC 3550 counters for one incoming stream: packets, loss, interarrival jitter
    (in timestamp units, as aiortc reports it)."""

    def __init__(self, clock_rate: int) -> None:
        self.clock_rate = clock_rate
        self.packets = 0
        self.jitter = 0.0
        self._base: int | None = None
        self._max = 0  # extended highest sequence number
        self._transit: float | None = None

    def add(self, sequence: int, timestamp: int, arrival: float) -> None:
        self.packets += 1
        if self._base is None:
            self._base = self._max = sequence
        else:
            delta = (sequence - self._max) % 65536
            if delta < 32768:
                self._max += delta
        transit = arrival * self.clock_rate - timestamp
        if self._transit is not None:
            d = abs(transit - self._transit)
            if d < self.clock_rate:  # not a timestamp wrap or a new timeline
                self.jitter += (d - self.jitter) / 16
        self._transit = transit

    @property
    def lost(self) -> int:
        if self._base is None:
            return 0
        return max(self._max - self._base + 1 - self.packets, 0)


class _LockedSession:
    """aiortc's SRTP session, once two threads use it: the loop (aiortc's RTCP, video)
    and pjmedia's clock thread (audio). libsrtp's sessions are not thread-safe."""

    def __init__(self, session: pylibsrtp.Session, lock: threading.Lock) -> None:
        self.session = session
        self._lock = lock

    def protect(self, packet: bytes) -> bytes:
        with self._lock:
            return self.session.protect(packet)

    def protect_rtcp(self, packet: bytes) -> bytes:
        with self._lock:
            return self.session.protect_rtcp(packet)

    def unprotect(self, packet: bytes) -> bytes:
        with self._lock:
            return self.session.unprotect(packet)

    def unprotect_rtcp(self, packet: bytes) -> bytes:
        with self._lock:
            return self.session.unprotect_rtcp(packet)


def _direct(session: pylibsrtp.Session, name: str) -> Callable[[bytes], bytes]:
    """`session.<name>` (protect / unprotect) called straight through pylibsrtp's cffi
    module with a buffer of our own: the same libsrtp call, without the wrapper's two
    Python frames and a buffer allocated per packet. Falls back to the session's own
    method if pylibsrtp is laid out otherwise. Not thread-safe: under `AudioRtp._lock`.
    Raises pylibsrtp.Error as the session's method does."""
    try:
        from pylibsrtp import _srtp_assert
        from pylibsrtp._binding import ffi, lib

        srtp = session._srtp[0]
        call = {"protect": lib.srtp_protect, "unprotect": lib.srtp_unprotect}[name]
        trailer = pylibsrtp.SRTP_MAX_TRAILER_LEN if name == "protect" else 0
    except (ImportError, AttributeError, KeyError, TypeError):
        return getattr(session, name)
    cdata = ffi.new("char[]", 1500)
    view = ffi.buffer(cdata)
    length = ffi.new("int *")
    limit = 1500 - trailer

    def direct(packet: bytes) -> bytes:
        n = len(packet)
        if n > limit:
            raise ValueError("packet is too long")
        view[0:n] = packet
        length[0] = n
        _srtp_assert(call(srtp, cdata, length))
        return view[0 : length[0]]

    return direct


def is_audio_rtp(data: bytes, payload_types: frozenset[int]) -> bool:
    """SRTP (first byte 128-191, RFC 7983) for one of `payload_types`, and not RTCP
    (second byte 192-223, RFC 5761)."""
    return (
        len(data) > 12
        and 127 < data[0] < 192
        and not 191 < data[1] < 224
        and data[1] & 0x7F in payload_types
    )


PULL_STALE_S = 0.1  # no pull for this long: the loop reads the socket again
WATCH_S = 0.2
MAX_PULL = 64  # datagrams read in one pull at most


class AudioRtp:
    """One call's audio RTP over aiortc's DTLS transport.

    `start`, `stop` and `set_sending` run on the loop thread. `send(pcm)` and `pull()`
    are for pjmedia's clock thread (through the call's `AudioBridge`), which calls
    them once every 20 ms anyway, as it does pjmedia's own streams:

    * `send`: the frame the conference bridge mixed for the peer is encoded
      (`encode(pcm) -> payload`), protected and sent there and then;
    * `pull` (with `pull=True`): the datagrams waiting on the socket are read; audio
      is unprotected and handed to `deliver(payload_type, sequence, payload)` (which decodes it
      for the bridge to play in the same tick), everything else (DTLS, STUN, RTCP) is
      passed to aioice on the loop thread, as if the loop had read it.

    Meanwhile the loop does not watch the socket (the transport's `pause_reading`),
    so an audio call wakes the loop only for aiortc's RTCP and ICE's consent checks:
    in this design a wake-up costs more than the work it wakes up for. Should the
    clock stop pulling (no tick for `PULL_STALE_S`), the loop reads the socket again
    (`_watch`), and each datagram goes the same way from there. Without `pull` (a
    video call, whose packets the loop has to handle anyway), the loop reads every
    datagram and audio is taken from it before aioice sees it.
    """

    def __init__(
        self,
        dtls: Any,
        sender: Any,
        payload_type: int,
        payload_types: frozenset[int],
        rtp_clock_rate: int,
        frame_clock_rate: int,
        encode: Callable[[bytes], bytes] | None,
        deliver: Callable[[int, int, bytes], None],
        in_order: InOrder | None = None,
        pull: bool = True,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._tx = dtls._tx_srtp
        self._rx = dtls._rx_srtp
        self._protect = _direct(self._tx, "protect")
        self._unprotect = _direct(self._rx, "unprotect")
        self._connection = dtls.transport._connection
        if self._tx is None or self._rx is None:
            raise RuntimeError("the DTLS transport has no SRTP session")
        self._nominated: dict = self._connection._nominated
        self._dtls = dtls
        self._sender_stats = sender.__dict__ if sender is not None else {}
        if sender is not None and "_RTCRtpSender__packet_count" not in self._sender_stats:
            raise RuntimeError("aiortc's sender has no packet counter where expected")
        self._ssrc = sender._ssrc if sender is not None else 0
        self._payload_type = payload_type
        self._payload_types = payload_types
        self._rtp_per_sample = rtp_clock_rate // frame_clock_rate
        self._encode = encode
        self._deliver = deliver
        self._in_order = in_order or InOrder()
        self._want_pull = pull
        # the SRTP sessions and our sockets, across threads; held only around a
        # libsrtp call or a socket call, never while decoding
        self._lock = threading.Lock()
        self._rx_lock = threading.Lock()  # one received packet at a time, in order
        self._sockets: dict[Any, socket.socket] = {}  # aioice's protocol -> our copy
        self._originals: dict[Any, Callable[[bytes, Any], None]] = {}
        self._pulled: Any = None  # the protocol whose socket `pull` reads
        self._paused: Any = None  # its transport, while the loop does not read it
        self._last_pull = 0.0
        self._watcher: Any = None
        self._sequence = _random_sequence()
        self._timestamp = int.from_bytes(os.urandom(4), "big")
        self._marker = True
        self.sending = False
        self.running = False
        self.stats = ReceiveStats(rtp_clock_rate)
        self.sent = 0
        self.pulls = 0
        self.send_errors = 0
        self.dropped = 0  # received: failed authentication, malformed, late or repeated

    # -- life (loop thread) -------------------------------------------------------

    def start(self, sending: bool) -> None:
        if self.running:
            return
        for protocol in list(self._connection._protocols):
            original = protocol.datagram_received
            self._originals[protocol] = original
            protocol.datagram_received = self._hook(original)
            # a socket object of our own on the same socket, for the clock thread
            # (asyncio's transport is the loop's alone); closed in `stop`
            ours = protocol.transport.get_extra_info("socket").dup()
            ours.setblocking(False)
            self._sockets[protocol] = ours
        self._dtls._tx_srtp = _LockedSession(self._tx, self._lock)
        self._dtls._rx_srtp = _LockedSession(self._rx, self._lock)
        self._dtls.on("statechange", self._on_dtls_state)
        self.running = True
        self.set_sending(sending)
        pair = self._nominated.get(1)
        transport = pair.protocol.transport if pair is not None else None
        # the socket is the loop's alone with a proactor (Windows), whose reads are
        # already under way when it pauses
        selector = isinstance(self._loop, asyncio.SelectorEventLoop)
        if self._want_pull and selector and callable(getattr(transport, "pause_reading", None)):
            self._pulled = pair.protocol
            self._last_pull = time.monotonic()
            self._read_on_loop(False)
            self._watcher = self._loop.call_later(WATCH_S, self._watch)

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        self.sending = False
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        self._read_on_loop(True)
        self._pulled = None
        for protocol in self._originals:
            protocol.__dict__.pop("datagram_received", None)  # the class's own again
        self._originals.clear()
        with self._lock:  # no `send` or `pull` is using them now, and none will
            for ours in self._sockets.values():
                ours.close()
            self._sockets.clear()
            self._dtls._tx_srtp = self._tx
            self._dtls._rx_srtp = self._rx
        self._dtls.remove_listener("statechange", self._on_dtls_state)

    def _on_dtls_state(self) -> None:
        if self._dtls.state != "connected":
            self.stop()

    def set_sending(self, sending: bool) -> None:
        sending = sending and self.running and self._encode is not None
        if sending and not self.sending:
            self._marker = True  # a talkspurt starts
        self.sending = sending

    def _read_on_loop(self, reading: bool) -> None:
        """Let the loop read the pulled socket (True), or leave it to `pull` (False)."""
        if reading:
            if self._paused is not None:
                transport, self._paused = self._paused, None
                if not transport.is_closing():
                    transport.resume_reading()
        elif self._paused is None and self._pulled is not None:
            transport = self._pulled.transport
            if not transport.is_closing():
                transport.pause_reading()
                self._paused = transport

    def _watch(self) -> None:
        self._watcher = None
        if not self.running:
            return
        self._read_on_loop(time.monotonic() - self._last_pull > PULL_STALE_S)
        self._watcher = self._loop.call_later(WATCH_S, self._watch)

    # -- pjmedia's clock thread -----------------------------------------------------

    def send(self, pcm: bytes) -> None:
        """Encode, protect and send one 20 ms frame, if sending; never raises."""
        if not self.sending:
            return
        try:
            payload = self._encode(pcm)
            if payload:
                self._send(payload, len(pcm) // 2 * self._rtp_per_sample)
        except Exception as e:  # one bad frame must not stop the stream, nor the caller
            self.send_errors += 1
            if self.send_errors == 1:
                log.warning("an end-to-end audio frame was not sent: %s", type(e).__name__)

    def _send(self, payload: bytes, ticks: int) -> None:
        pair = self._nominated.get(1)
        if pair is None:
            return
        header = rtp_header(
            self._payload_type, self._sequence, self._timestamp, self._ssrc, self._marker
        )
        with self._lock:
            ours = self._sockets.get(pair.protocol)
            if ours is None:
                return  # stopped
            packet = self._protect(header + payload)
            # a full socket buffer loses the packet, as the network would
            with contextlib.suppress(BlockingIOError, InterruptedError):
                ours.sendto(packet, pair.remote_addr)
        self._marker = False
        self.sent += 1
        stats = self._sender_stats
        if stats:  # what aiortc's own RTCP sender reports say
            stats["_RTCRtpSender__ntp_timestamp"] = int((time.time() + _NTP_EPOCH) * 4294967296)
            stats["_RTCRtpSender__rtp_timestamp"] = self._timestamp
            stats["_RTCRtpSender__packet_count"] += 1
            stats["_RTCRtpSender__octet_count"] += len(payload)
        self._sequence = (self._sequence + 1) & 0xFFFF
        self._timestamp = (self._timestamp + ticks) & 0xFFFFFFFF

    def pull(self) -> None:
        """Take what the socket holds: audio decoded here, the rest to the loop."""
        protocol = self._pulled
        if protocol is None:
            return
        self._last_pull = time.monotonic()
        self.pulls += 1
        lock, payload_types = self._lock, self._payload_types
        for _ in range(MAX_PULL):
            with lock:
                ours = self._sockets.get(protocol)
                if ours is None:
                    return  # stopped
                try:
                    data, addr = ours.recvfrom(4096)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    return  # aiortc closed the transport; the loop sees to it
            if is_audio_rtp(data, payload_types):
                self._receive(data)
                continue
            original = self._originals.get(protocol)
            if original is None:
                return  # stopped
            try:
                self._loop.call_soon_threadsafe(original, data, addr)
            except RuntimeError:
                return  # the loop is closed

    # -- receiving (the loop thread or the clock thread) ----------------------------

    def _hook(self, original: Callable[[bytes, Any], None]) -> Callable[[bytes, Any], None]:
        payload_types = self._payload_types

        def datagram_received(data: bytes, addr: Any) -> None:
            if is_audio_rtp(data, payload_types):
                self._receive(data)
            else:
                original(data, addr)

        return datagram_received

    def _receive(self, data: bytes) -> None:
        """One SRTP packet for an audio payload type; never raises."""
        with self._rx_lock:
            try:
                with self._lock:
                    if not self._sockets:
                        # stopped since `pull` read it: the session is aiortc's alone
                        # again, used on the loop without our lock
                        return
                    packet = self._unprotect(data)
            except pylibsrtp.Error:
                self.dropped += 1  # not authentic, or replayed: never played
                return
            if packet[0] == 0x80 and len(packet) > 12:  # no CSRC, extension, padding
                _b0, b1, sequence, timestamp, _ssrc = _HEADER.unpack_from(packet)
                payload_type, payload = b1 & 0x7F, packet[12:]
            else:
                parsed = rtp_payload(packet)
                if parsed is None:
                    self.dropped += 1
                    return
                payload_type, sequence, timestamp, payload = parsed
            self.stats.add(sequence, timestamp, time.monotonic())
            if not self._in_order.accept(sequence):
                self.dropped += 1  # repeated, or older than what was played
                return
            try:
                self._deliver(payload_type, sequence, payload)
            except Exception:  # `deliver` counts its own failures; never raise here
                self.dropped += 1
