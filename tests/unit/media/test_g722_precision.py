"""G.722 decoded to and encoded from 16 bits (media/g722_precision.c), through pjmedia's
own decoder and encoder in pjsua2's extension: the same samples as pjmedia's at its 14
bits, plus the bit it drops, and so closer to what was sent; and the bytes spandsp's
encoder sends (baresip, Asterisk, FreeSWITCH), which pjmedia's alone does not."""

from __future__ import annotations

import ctypes
import os
import sys

import numpy as np
import pytest

from softphone.media.nativebridge import ExtensionMissing, declare, extension

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux wheel's symbols")
STATE_BYTES = 4096  # pjmedia's g722_dec_t/g722_enc_t are 456 and ~300 bytes


@pytest.fixture(scope="module")
def g722():
    import pjsua2 as pj

    vp, size = ctypes.c_void_p, ctypes.c_size_t
    try:
        ours = declare(
            extension(),
            (
                ("g722p_decode", [vp, vp, size, vp, vp], ctypes.c_int),
                ("g722p_encode", [vp, vp, size, vp, vp], ctypes.c_int),
            ),
        )
    except ExtensionMissing as e:
        pytest.skip(str(e))
    so = ctypes.CDLL(pj._pjsua2.__file__)
    for name, args in (
        ("g722_dec_init", [vp]),
        ("g722_enc_init", [vp]),
        ("g722_dec_decode", [vp, vp, size, vp, vp]),
    ):
        getattr(so, name).argtypes, getattr(so, name).restype = args, ctypes.c_int
    from softphone.engine import g722_precision

    wrong = g722_precision.prepare()
    assert wrong == 0, f"{wrong} samples of the self-test differ: the state layout changed"
    return ours, so


def _state(so, init: str) -> ctypes.Array:
    state = ctypes.create_string_buffer(STATE_BYTES)
    assert getattr(so, init)(state) == 0
    return state


def decode(fn, state, data: bytes) -> np.ndarray:
    out = np.zeros(2 * len(data), dtype=np.int16)
    n = ctypes.c_size_t(len(out))
    status = fn(state, data, len(data), out.ctypes.data_as(ctypes.c_void_p), ctypes.byref(n))
    assert status == 0 and n.value == len(out)
    return out


def encode_as_ours(so, g722, x: np.ndarray) -> bytes:
    """`x` (16 kHz, 16 bits) encoded as our encode does it: bands from the 16 bits, then
    pjmedia's ADPCM."""
    ours, _ = g722
    x = np.ascontiguousarray(x[: len(x) // 2 * 2], dtype=np.int16).copy()
    out = ctypes.create_string_buffer(len(x) // 2)
    n = ctypes.c_size_t(len(out))
    state = _state(so, "g722_enc_init")
    status = ours["g722p_encode"](
        state, x.ctypes.data_as(ctypes.c_void_p), len(x), out, ctypes.byref(n)
    )
    assert status == 0 and n.value == len(out)
    return out.raw


def test_each_sample_is_pjmedias_with_its_lowest_bit_back(g722):
    """Random G.722 bytes decoded by pjmedia (14 bits, doubled by its codec) and by ours
    (16 bits) on separate fresh states: equal but for the lowest bit, which ours keeps."""
    ours, so = g722
    data = np.random.default_rng(3).integers(0, 256, 16000, dtype=np.uint8).tobytes()
    theirs = decode(so.g722_dec_decode, _state(so, "g722_dec_init"), data)
    wide = decode(ours["g722p_decode"], _state(so, "g722_dec_init"), data)
    assert np.array_equal(wide >> 1, theirs), "a sample differs beyond its lowest bit"
    odd = np.count_nonzero(wide & 1) / len(wide)
    assert 0.4 < odd < 0.6, f"{odd:.0%} of the samples are odd"


def test_a_quiet_voice_band_signal_comes_back_closer_to_what_was_sent(g722):
    """Voice-band noise at -60 dBFS through our encoder, then both decoders: the
    lowest bit is worth more at low levels, where ours must be closer to the input."""
    ours, so = g722
    rng = np.random.default_rng(5)
    spectrum = np.fft.rfft(rng.standard_normal(32000))
    spectrum[np.fft.rfftfreq(32000, 1 / 16000) > 3400] = 0  # the low band: 6 bits a sample
    x = np.fft.irfft(spectrum, 32000)
    x = x / np.sqrt(np.mean(x**2)) * 32768 * 10 ** (-60 / 20)
    data = encode_as_ours(so, g722, np.round(x))
    theirs = decode(so.g722_dec_decode, _state(so, "g722_dec_init"), data) * 2.0
    wide = decode(ours["g722p_decode"], _state(so, "g722_dec_init"), data).astype(float)
    delay = int(np.argmax(np.correlate(wide[:4000], x[:3900], "valid")))  # the QMF pair's
    errors = {}
    for name, y in (("pjmedia", theirs), ("ours", wide)):
        y = y[delay : delay + 30000]
        errors[name] = float(np.sqrt(np.mean((y - x[: len(y)]) ** 2)))
    assert errors["ours"] < errors["pjmedia"] * 0.95, errors  # measured: 0.92


@pytest.fixture(scope="module")
def spandsp():
    """spandsp's G.722 (baresip's g722 module links it; Debian: libspandsp2)."""
    try:
        lib = ctypes.CDLL("libspandsp.so.2")
    except OSError as e:
        message = f"spandsp is not installed (Debian: libspandsp2): {e}"
        if os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1":  # CI installs it
            pytest.fail(message)
        pytest.skip(message)
    vp, i = ctypes.c_void_p, ctypes.c_int
    for name, args in (("g722_encode", [vp, vp, vp, i]), ("g722_decode", [vp, vp, vp, i])):
        getattr(lib, name).argtypes, getattr(lib, name).restype = args, i
    for name in ("g722_encode_init", "g722_decode_init"):
        getattr(lib, name).argtypes, getattr(lib, name).restype = [vp, i, i], vp
    return lib


@pytest.mark.parametrize("dbfs", [-40, -20])
def test_what_a_spandsp_peer_sends_decodes_to_exactly_what_spandsp_decodes(g722, spandsp, dbfs):
    """Voice-band noise, swelling and fading 4 times a second, encoded by spandsp as
    baresip sends it: our decode gives spandsp's own samples, every one (pjmedia's
    alone: half of them, the odd ones off by one). Only in overload do they part:
    spandsp's decoder wraps around where ours saturates."""
    ours, so = g722
    rng = np.random.default_rng(9)
    n = 64000
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / 16000)
    spectrum[(freqs < 80) | (freqs > 7000)] = 0
    x = np.fft.irfft(spectrum, n) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * np.arange(n) / 16000))
    x = np.round(x / np.sqrt(np.mean(x**2)) * 32768 * 10 ** (dbfs / 20)).astype(np.int16)
    encoded = ctypes.create_string_buffer(n // 2)
    state = spandsp.g722_encode_init(None, 64000, 0)
    assert spandsp.g722_encode(state, encoded, x.ctypes.data, n) == n // 2
    theirs = np.zeros(n, dtype=np.int16)
    state = spandsp.g722_decode_init(None, 64000, 0)
    assert spandsp.g722_decode(state, theirs.ctypes.data, encoded, n // 2) == n
    wide = decode(ours["g722p_decode"], _state(so, "g722_dec_init"), encoded.raw)
    pjmedia = decode(so.g722_dec_decode, _state(so, "g722_dec_init"), encoded.raw) * 2
    assert np.count_nonzero(pjmedia != theirs) > n // 3  # the test tells them apart
    assert np.array_equal(wide, theirs), f"{np.count_nonzero(wide != theirs)} samples differ"


def _halved_by_pjmedia(so, x: np.ndarray) -> bytes:
    """What pjmedia's codec sent before ours: each sample halved, then its encoder."""
    half = np.trunc(x / 2).astype(np.int16)
    out = ctypes.create_string_buffer(len(x) // 2)
    n = ctypes.c_size_t(len(out))
    state = _state(so, "g722_enc_init")
    so.g722_enc_encode.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                   ctypes.c_void_p, ctypes.c_void_p]  # fmt: skip
    assert so.g722_enc_encode(state, half.ctypes.data, len(half), out, ctypes.byref(n)) == 0
    return out.raw


@pytest.mark.parametrize("dbfs", [-60, -40, -20, -6])
def test_we_send_the_bytes_spandsp_sends(g722, spandsp, dbfs):
    """Wideband noise at speech levels, swelling and fading: our encode gives spandsp's
    bytes, every one; pjmedia's halving encode parts from them within a few samples
    and stays apart (its bands differ by a step now and then, and ADPCM follows)."""
    _, so = g722
    rng = np.random.default_rng(11)
    n = 32000
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[np.fft.rfftfreq(n, 1 / 16000) > 7000] = 0
    x = np.fft.irfft(spectrum, n) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * np.arange(n) / 16000))
    x = np.round(x / np.sqrt(np.mean(x**2)) * 32768 * 10 ** (dbfs / 20)).astype(np.int16)
    theirs = ctypes.create_string_buffer(n // 2)
    state = spandsp.g722_encode_init(None, 64000, 0)
    assert spandsp.g722_encode(state, theirs, x.ctypes.data, n) == n // 2
    ours = encode_as_ours(so, g722, x)
    differ = np.frombuffer(ours, np.uint8) != np.frombuffer(theirs.raw, np.uint8)
    assert not differ.any(), f"{np.count_nonzero(differ)} bytes differ, from {np.argmax(differ)}"
    halved = np.frombuffer(_halved_by_pjmedia(so, x), np.uint8)
    assert np.count_nonzero(halved != np.frombuffer(theirs.raw, np.uint8)) > n // 20
