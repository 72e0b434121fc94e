"""The quality bench's onset sniffer: SDES keys from a SIP trace, and the packet where
the speech starts found through real SRTP (libsrtp) and real decoders."""

from __future__ import annotations

import base64
import ctypes
import os
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest
from helpers import bench_module

KEY_A = base64.b64encode(bytes(range(30))).decode()
KEY_B = base64.b64encode(bytes(range(100, 130))).decode()

TRACE = f"""\
TLS 10.77.0.2:5061 <- 10.77.0.1:40000
INVITE sip:bob@10.77.0.2:5061;transport=tls SIP/2.0
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
m=audio 26852 RTP/SAVP 0 101
a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:{KEY_B}
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{KEY_A}

TLS 10.77.0.2:5061 -> 10.77.0.1:40000
SIP/2.0 100 Trying
CSeq: 1 INVITE

TLS 10.77.0.2:5061 -> 10.77.0.1:40000
SIP/2.0 200 Answering
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
m=audio 25388 RTP/SAVP 0 101
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{KEY_B}
"""


@pytest.fixture(scope="module")
def onset() -> Iterator[ModuleType]:
    with bench_module("rtp_onset") as module:
        yield module


def test_the_caller_sends_with_the_offered_key_the_answer_chose(onset: ModuleType) -> None:
    keys = onset.SdesKeys.from_trace(TRACE)
    assert (keys.caller, keys.callee, keys.suite) == (KEY_A, KEY_B, "AES_CM_128_HMAC_SHA1_80")


def test_no_keys_until_the_answer_is_in_the_trace(onset: ModuleType) -> None:
    assert onset.SdesKeys.from_trace(TRACE.split("SIP/2.0 200")[0]) is None
    assert onset.SdesKeys.from_trace("garbage\n\x00INVITE\n") is None


def ulaw(x: np.ndarray) -> bytes:
    """G.711 mu-law (the textbook encoder), to feed the decoder under test."""
    sign = np.where(x < 0, 0x7F, 0xFF)
    m = np.minimum(np.abs(x.astype(np.int32)), 32635) + 0x84
    exp = np.floor(np.log2(m)).astype(np.int32) - 7
    mant = (m >> (exp + 3)) & 0x0F
    return bytes((sign & ~((exp << 4) | mant)).astype(np.uint8))


def spandsp_g722(x: np.ndarray) -> bytes:
    try:
        lib = ctypes.CDLL("libspandsp.so.2")
    except OSError as e:
        if os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1":  # CI installs it
            pytest.fail(f"spandsp is not installed: {e}")
        pytest.skip(f"spandsp is not installed (Debian: libspandsp2): {e}")
    lib.g722_encode_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.g722_encode_init.restype = ctypes.c_void_p
    lib.g722_encode.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_int]
    state = lib.g722_encode_init(None, 64000, 0)
    pcm = np.ascontiguousarray(x, dtype=np.int16)
    out = (ctypes.c_uint8 * len(pcm))()
    n = lib.g722_encode(state, out, pcm.ctypes.data, len(pcm))
    return bytes(out[:n])


def srtp_packets(payloads: list[bytes], pt: int) -> list[bytes]:
    from pylibsrtp import Policy, Session

    policy = Policy(key=base64.b64decode(KEY_A), ssrc_type=Policy.SSRC_ANY_OUTBOUND,
                    srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80)  # fmt: skip
    session = Session(policy)
    out = []
    for i, payload in enumerate(payloads):
        header = bytes([0x80, pt]) + (5000 + i).to_bytes(2, "big") + (160 * i).to_bytes(4, "big")
        out.append(session.protect(header + b"\x12\x34\x56\x78" + payload))
    return out


@pytest.mark.parametrize(("codec", "rate", "pt"), [("PCMU", 8000, 0), ("G722", 16000, 9)])
def test_the_packet_and_sample_where_the_sound_starts(onset: ModuleType, codec, rate, pt) -> None:
    """Silence, then a -20 dBFS tone from sample 37 of packet 12: found there (G.722's
    QMF pair delays it by 22 samples), not before, through encryption."""
    per = rate // 50
    start = 12 * per + 37
    x = np.zeros(30 * per)
    t = np.arange(len(x) - start) / rate
    x[start:] = 3277 * np.sin(2 * np.pi * 440 * t + 0.3)
    data = ulaw(x) if codec == "PCMU" else spandsp_g722(x)
    size = per if codec == "PCMU" else per // 2
    payloads = [data[i : i + size] for i in range(0, len(data), size)]
    finder = onset.OnsetFinder("AES_CM_128_HMAC_SHA1_80", KEY_A, codec)
    found = next(filter(None, map(finder.feed, srtp_packets(payloads, pt))))
    want = 37 if codec == "PCMU" else 37 + 22
    assert found[0] == 12
    assert want <= found[1] <= want + 3, found


def test_a_wrong_key_finds_nothing(onset: ModuleType) -> None:
    finder = onset.OnsetFinder("AES_CM_128_HMAC_SHA1_80", KEY_B, "PCMU")
    with pytest.raises(Exception, match=r"(?i)auth"):
        finder.feed(srtp_packets([bytes(160)], 0)[0])
