"""The lock-free sample ring, the streaming resampler and the equal-rate drift trim, on
their own."""

from __future__ import annotations

import math

import numpy as np
import pytest

from softphone.engine.tone import analyse_tone
from softphone.media.resample import WARP_S, DriftTrim, StreamResampler, make_resampler
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


def _sine(freq: float, rate: int, n: int, amp: float = 0.5) -> np.ndarray:
    return (amp * np.sin(2 * np.pi * freq * np.arange(n) / rate)).astype(np.float32)


def _steps(y: np.ndarray) -> tuple[float, float]:
    """Largest first and second differences: a click shows in either."""
    d = np.diff(y.astype(np.float64))
    return float(np.abs(d).max()), float(np.abs(np.diff(d)).max())


def test_the_sinc_resampler_unless_the_warp_trim_is_asked_for(monkeypatch) -> None:
    monkeypatch.delenv("SOFTPHONE_DRIFT_TRIM", raising=False)
    assert isinstance(make_resampler(16000, 16000), StreamResampler)
    assert isinstance(make_resampler(48000, 16000), StreamResampler)
    monkeypatch.setenv("SOFTPHONE_DRIFT_TRIM", "warp")
    assert isinstance(make_resampler(16000, 16000), DriftTrim)
    assert isinstance(make_resampler(48000, 16000), StreamResampler)


def test_drift_trim_without_correction_passes_samples_through_unchanged() -> None:
    x = _sine(440, 16000, 16000)
    rs = DriftTrim(16000)
    y = np.concatenate([rs.process(x[i : i + 160]).copy() for i in range(0, len(x), 160)])
    assert len(y) == len(x) - 2  # the cubic's look-ahead: 2 samples held back
    assert np.array_equal(y, x[: len(y)])  # bit for bit: no filter between trims


@pytest.mark.parametrize("correction", [0.005, -0.005, 0.0001, -0.0003])
@pytest.mark.parametrize("mode", ["push", "pull"])
def test_drift_trim_drops_and_inserts_without_a_click(correction, mode) -> None:
    """A sine through the trim, at the bridge's largest trim (±0.5 %) and at a real
    clock's: its rate changes as asked, its spectrum stays clean (each whole sample
    is eased in over 100 ms, not a phase step), and no sample-to-sample step or
    change of slope exceeds the sine's own by more than a few per cent. A plain
    one-sample drop in the same sine would step by up to twice the sine's largest
    step."""
    rate, freq, amp = 16000, 1000.0, 0.5
    x = _sine(freq, rate, rate * 20, amp)
    rs = DriftTrim(rate)
    rs.correction = correction
    out, pos = [], 0
    if mode == "push":
        for i in range(0, len(x), 160):
            out.append(rs.process(x[i : i + 160]).copy())
        pos = len(x)
    else:
        while True:
            need = rs.needed(320)
            if pos + need > len(x):
                break
            y = rs.process(x[pos : pos + need], 320)
            assert len(y) == 320
            out.append(y.copy())
            pos += need
    y = np.concatenate(out)
    expected = pos * correction / (1 + correction)  # samples dropped (inserted if < 0)
    owed = 2 + 2 * abs(correction) * rate * WARP_S  # at most: the warp under way, and the next
    assert abs((pos - 2 - len(y)) - expected) <= owed, (pos, len(y), expected, rs.trims)
    assert abs(rs.trims) >= 1
    sine_d1 = amp * 2 * math.sin(math.pi * freq / rate)
    sine_d2 = sine_d1 * 2 * math.sin(math.pi * freq / rate)
    d1, d2 = _steps(y)
    assert d1 <= 1.02 * sine_d1, (d1, sine_d1)
    assert d2 <= 1.05 * sine_d2, (d2, sine_d2)
    tone = analyse_tone((y[rate:] * 32767).astype(np.int16), rate, int(freq))
    assert tone.detected and tone.snr_db > 50, tone
    # what a plain drop would have done, for scale
    naive = np.delete(x[:4000], 2000)
    assert _steps(naive)[0] > 1.5 * sine_d1


def test_drift_trim_pull_mode_gives_exactly_what_is_asked() -> None:
    rs = DriftTrim(16000)
    rs.correction = -0.005
    src = _sine(300, 16000, 100000)
    pos = 0
    for n in (441, 1, 2048, 300, 441, 320, 320):
        need = rs.needed(n)
        assert rs.needed(n) == need  # asking twice changes nothing
        assert len(rs.process(src[pos : pos + need], n)) == n
        pos += need
    # fed short (never by the bridge), it still returns exactly n
    assert len(rs.process(src[:10], 320)) == 320
