"""The lock-free sample ring and the streaming resampler, on their own."""

from __future__ import annotations

import numpy as np
import pytest

from softphone.engine.tone import analyse_tone
from softphone.media.resample import StreamResampler
from softphone.media.ring import SampleRing


def test_ring_wraps_and_keeps_order_through_raw_addresses() -> None:
    ring = SampleRing(100)
    src = np.arange(1, 1001, dtype=np.int16)
    out = np.zeros(37, dtype=np.int16)
    got, pos = [], 0
    while pos < len(src):
        n = min(30, len(src) - pos)
        assert ring.write_from(src[pos:].ctypes.data, n) == n
        pos += n
        while ring.fill >= len(out):
            ring.read_to(out.ctypes.data, len(out))
            got.append(out.copy())
    rest = np.zeros(ring.fill, dtype=np.int16)
    ring.read_into(rest)
    assert np.array_equal(np.concatenate([*got, rest]), src)
    assert ring.overruns == 0 and ring.underruns == 0


def test_ring_overrun_cuts_the_write_and_underrun_pads_with_silence() -> None:
    ring = SampleRing(10)
    assert ring.write(np.arange(1, 16, dtype=np.int16)) == 10
    assert (ring.overruns, ring.overrun_samples) == (1, 5)
    out = np.full(15, 99, dtype=np.int16)
    assert ring.read_into(out) == 10
    assert list(out[:10]) == list(range(1, 11)) and not out[10:].any()
    assert (ring.underruns, ring.underrun_samples) == (1, 5)
    raw = np.full(4, 7, dtype=np.int16)
    assert ring.read_to(raw.ctypes.data, 4) == 0 and not raw.any()


@pytest.mark.parametrize(("rate_in", "rate_out"), [(48000, 16000), (16000, 44100)])
def test_resampler_keeps_a_tone_clean_and_the_trim_changes_the_rate(rate_in, rate_out) -> None:
    t = np.arange(rate_in * 2) / rate_in
    x = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    for correction, expected in ((0.0, 1.0), (0.004, 1 / 1.004)):
        rs = StreamResampler(rate_in, rate_out)
        rs.correction = correction
        y = np.concatenate([rs.process(x[i : i + 480]).copy() for i in range(0, len(x), 480)])
        assert abs(len(y) / (len(x) * rate_out / rate_in) - expected) < 0.001
        tone = analyse_tone((y[rate_out // 4 :] * 32767).astype(np.int16), rate_out, 1000)
        assert tone.detected and tone.snr_db > 60, tone
    # an alias would appear at |rate_out - f| for a tone above the output's Nyquist
    if rate_out < rate_in:
        hi = (0.5 * np.sin(2 * np.pi * 12000 * t)).astype(np.float32)
        rs = StreamResampler(rate_in, rate_out)
        y = np.concatenate([rs.process(hi[i : i + 480]).copy() for i in range(0, len(hi), 480)])
        assert np.sqrt(np.mean(y[1000:] ** 2)) < 0.005  # stopped, not folded to 4 kHz


def test_resampler_pull_mode_gives_exactly_what_is_asked() -> None:
    rs = StreamResampler(16000, 44100)
    src = np.zeros(100000, dtype=np.float32)
    pos = 0
    for n in (441, 1, 2048, 300, 441):
        need = rs.needed(n)
        assert len(rs.process(src[pos : pos + need], n)) == n
        pos += need
