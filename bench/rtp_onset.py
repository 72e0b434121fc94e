"""Where the speech starts in an SRTP stream, seen from the wire: for bench/quality.py.

The quality bench drops the same packets of the same speech in every call it
compares. Counting from a stream's first packet is not enough: each program starts
its WAV at its own moment after the media comes up (ours one packet later than
baresip's in one kept run), so "packet 40" is a different 20 ms of speech in each
call. This module finds, as the call runs, the packet that carries the first sound:

* `SdesKeys` reads the SDES keys (RFC 4568 `a=crypto`) from baresip's SIP trace
  (`baresip -s`; the TLS is baresip's own, so the trace is the only place the SDP
  is in clear). The offer's key is what the caller sends with, the answer's what
  the callee sends with.
* `onset` (run inside a namespace, reading the key on stdin) sniffs one direction's
  RTP on a link, decrypts it with libsrtp (`pylibsrtp`, aiortc's), decodes it
  (G.711 mu-law with a table, G.722 with spandsp, the decoder baresip links) and
  prints the sequence number and index of the first packet louder than ONSET_PEAK
  and where in it the sound starts.
"""

from __future__ import annotations

import base64
import ctypes
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RTP_PT = {"G722": 9, "PCMU": 0}
ONSET_PEAK = 100  # of 32768, -50 dBFS: the WAV's padding is digital silence
CRYPTO = re.compile(r"^a=crypto:(\d+) (AES_CM_128_HMAC_SHA1_(?:80|32)) inline:([A-Za-z0-9+/=]+)")


@dataclass(frozen=True)
class SdesKeys:
    """The master key and salt (30 bytes, base64 as in the SDP) each side sends with."""

    caller: str
    callee: str
    suite: str

    @classmethod
    def from_trace(cls, text: str) -> SdesKeys | None:
        """From a SIP trace holding an INVITE with SDP and the 200 that answers it."""
        offer = answer = None
        for message in re.split(r"\n(?=(?:INVITE|SIP/2\.0) )", text):
            first = message.lstrip().split("\n", 1)[0]
            lines = [ln.strip() for ln in message.splitlines()]
            found = [m.groups() for m in map(CRYPTO.match, lines) if m]
            if not found:
                continue
            if first.startswith("INVITE") and offer is None:
                offer = found
            elif first.startswith("SIP/2.0 200") and offer is not None and answer is None:
                answer = found[0]
        if offer is None or answer is None:
            return None
        tag, suite, key = answer
        chosen = next((k for t, s, k in offer if t == tag and s == suite), None)
        return cls(chosen, key, suite) if chosen else None


def wait_for_keys(log: Path, timeout: float, stop: threading.Event) -> SdesKeys | None:
    """Poll baresip's log (line-buffered) until both keys are in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop.is_set():
        if log.exists():
            keys = SdesKeys.from_trace(log.read_text(errors="replace"))
            if keys:
                return keys
        time.sleep(0.02)
    return None


# ------------------------------------------------------------------ decoding


def _ulaw_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - magnitude, magnitude - 0x84).astype(np.int32)


class Decoder:
    """One stream's decoder, fed every packet in order (G.722 keeps state)."""

    def __init__(self, codec: str) -> None:
        self.codec = codec
        if codec == "PCMU":
            self.table = _ulaw_table()
            return
        lib = ctypes.CDLL("libspandsp.so.2")  # Debian: libspandsp2, with baresip-core
        lib.g722_decode_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.g722_decode_init.restype = ctypes.c_void_p
        lib.g722_decode.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_int]
        lib.g722_decode.restype = ctypes.c_int
        self.lib, self.state = lib, lib.g722_decode_init(None, 64000, 0)
        self.out = np.zeros(1024, dtype=np.int16)

    def onset(self, payload: bytes) -> int | None:
        """The first sample of the payload louder than ONSET_PEAK, if any."""
        if self.codec == "PCMU":
            x = self.table[np.frombuffer(payload, dtype=np.uint8)]
        else:
            data = (ctypes.c_uint8 * len(payload)).from_buffer_copy(payload)
            n = self.lib.g722_decode(self.state, self.out.ctypes.data, data, len(payload))
            x = self.out[: max(n, 0)].astype(np.int32)
        loud = np.flatnonzero(np.abs(x) > ONSET_PEAK)
        return int(loud[0]) if loud.size else None


def rtp_payload(packet: bytes) -> bytes:
    """The payload of a plain RTP packet (CSRCs, extension and padding skipped)."""
    start = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:
        start += 4 + 4 * int.from_bytes(packet[start + 2 : start + 4], "big")
    end = len(packet) - (packet[-1] if packet[0] & 0x20 else 0)
    return packet[start:end]


# ------------------------------------------------------------------- sniffing


class OnsetFinder:
    """Decrypts one direction's SRTP packets, fed in order from its first, and tells
    which carries the first sound."""

    def __init__(self, suite: str, key: str, codec: str, keep: bool = False) -> None:
        from pylibsrtp import Policy, Session

        profiles = {"AES_CM_128_HMAC_SHA1_80": Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
                    "AES_CM_128_HMAC_SHA1_32": Policy.SRTP_PROFILE_AES128_CM_SHA1_32}  # fmt: skip
        policy = Policy(key=base64.b64decode(key), ssrc_type=Policy.SSRC_ANY_INBOUND,
                        srtp_profile=profiles[suite])  # fmt: skip
        self.session, self.decoder, self.index = Session(policy), Decoder(codec), 0
        self.kept: list[str] | None = [] if keep else None  # "<seq> <hex payload>"

    def feed(self, srtp: bytes) -> tuple[int, int] | None:
        """(index of this packet, first loud sample in it) if the sound starts here."""
        payload = rtp_payload(self.session.unprotect(srtp))
        if self.kept is not None:
            self.kept.append(f"{int.from_bytes(srtp[2:4], 'big')} {payload.hex()}")
        sample = self.decoder.onset(payload)
        self.index += 1
        return None if sample is None else (self.index - 1, sample)


def _read_key(box: list[str]) -> None:
    box.append(sys.stdin.readline().strip())


def onset(dev: str, src: str, codec: str, timeout: float = 40.0, dump: str = "") -> int:
    """Internal, inside a namespace: print "<seq> <index> <sample>" of the first packet
    that `src` sends on `dev` with sound in it (index 0: the stream's first packet;
    sample: where in it the sound starts, at the codec's rate). The suite and key come
    on stdin ("<suite> <base64>") once the SIP trace has them; packets seen before
    that are kept and decrypted then."""
    box: list[str] = []
    threading.Thread(target=_read_key, args=(box,), daemon=True).start()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((dev, 0))
    s.settimeout(0.05)
    want, pt = socket.inet_aton(src), RTP_PT[codec]
    kept: list[bytes] = []
    finder = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = s.recv(2048)
        except TimeoutError:
            frame = b""
        rtp = _rtp_from(frame, want, pt)
        if rtp:
            kept.append(rtp)
        if finder is None and box:
            if not box[0]:
                return 1  # no key: the parent gave up
            finder = OnsetFinder(*box[0].split(), codec, keep=bool(dump))
        if finder is None:
            continue
        for packet in kept:
            found = finder.feed(packet)
            if found:
                print(int.from_bytes(packet[2:4], "big"), *found, flush=True)
                if dump:
                    _dump(s, want, pt, finder, Path(dump))
                return 0
        kept.clear()
    return 1


def _rtp_from(frame: bytes, want: bytes, pt: int) -> bytes | None:
    """The (S)RTP packet in an Ethernet frame, if it is UDP from `want` with payload
    type `pt`."""
    ip = frame[14:]
    if frame[12:14] != b"\x08\x00" or len(ip) < 20 or ip[9] != 17 or ip[12:16] != want:
        return None
    rtp = ip[(ip[0] & 0x0F) * 4 + 8 :]
    ok = len(rtp) >= 12 and rtp[0] >> 6 == 2 and rtp[1] & 0x7F == pt
    return rtp if ok else None


def _dump(s: socket.socket, want: bytes, pt: int, finder: OnsetFinder, out: Path) -> None:
    """Every packet of the stream, decrypted, into `out`: those seen so far and the
    rest until it stops (`finder` keeps each one it is fed)."""
    quiet = time.monotonic()
    while time.monotonic() - quiet < 2.0:
        try:
            rtp = _rtp_from(s.recv(2048), want, pt)
        except TimeoutError:
            continue
        if rtp:
            quiet = time.monotonic()
            finder.feed(rtp)
    out.write_text("\n".join(finder.kept or []) + "\n")
