"""Unit tests for softphone.engine.tone: finding a test tone in received audio.

Signals are synthesised: clean tones, tones in white noise, tones through a
simulated jitter buffer that drops and repeats 20 ms frames, mixes, clipping.
"""

from __future__ import annotations

import numpy as np
import pytest

from softphone.engine.tone import ToneReport, analyse_tone

RATES = [8000, 16000]


def sine(freq: float, rate: int, seconds: float = 1.0, dbfs: float = -6.0) -> np.ndarray:
    """A float sine whose peak is `dbfs` below full scale."""
    t = np.arange(int(rate * seconds)) / rate
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)


def pcm(x: np.ndarray) -> np.ndarray:
    """Float (full scale 1.0) to int16, clipping like a real converter."""
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def with_noise(x: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise_power = np.mean(x * x) / 10 ** (snr_db / 10)
    return x + rng.normal(0.0, np.sqrt(noise_power), len(x))


def through_jitter_buffer(
    x: np.ndarray, rate: int, p_drop: float, p_repeat: float, seed: int
) -> np.ndarray:
    """`x` cut into 20 ms frames; each frame at random dropped, or the last one repeated.

    Every drop or repeat is a phase jump for a tone whose period does not divide 20 ms.
    """
    rng = np.random.default_rng(seed)
    frame = rate // 50
    frames = [x[i : i + frame] for i in range(0, len(x) - frame + 1, frame)]
    out: list[np.ndarray] = []
    i = 0
    while i < len(frames):
        r = rng.random()
        if r < p_drop:
            i += 1
        elif r < p_drop + p_repeat and out:
            out.append(out[-1])
        else:
            out.append(frames[i])
            i += 1
    return np.concatenate(out)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("freq", [440, 1000, 3000])
def test_tone_clean_tone_is_detected(rate: int, freq: int) -> None:
    report = analyse_tone(pcm(sine(freq, rate, dbfs=-6.0)), rate, freq)
    assert report.frequency == freq
    assert report.detected
    assert report.level_dbfs == pytest.approx(-6.0, abs=0.2)
    assert report.snr_db > 60


@pytest.mark.parametrize("rate", RATES)
def test_tone_level_follows_amplitude(rate: int) -> None:
    levels = [analyse_tone(pcm(sine(1000, rate, dbfs=d)), rate, 1000).level_dbfs for d in (-3, -20)]
    assert levels == [pytest.approx(-3.0, abs=0.2), pytest.approx(-20.0, abs=0.2)]


def test_tone_above_8k_nyquist_at_16k() -> None:
    # Wideband: a 6 kHz tone exists at 16 kHz but not at 8 kHz.
    assert analyse_tone(pcm(sine(6000, 16000)), 16000, 6000).detected


def test_tone_absent_frequency_is_not_detected() -> None:
    report = analyse_tone(pcm(sine(1000, 8000)), 8000, 2000)
    assert not report.detected
    assert report.snr_db < -40
    assert report.level_dbfs < -60


@pytest.mark.parametrize("rate", RATES)
def test_tone_in_noise_reports_snr(rate: int) -> None:
    x = with_noise(sine(1000, rate, dbfs=-10.0), snr_db=20.0)
    report = analyse_tone(pcm(x), rate, 1000)
    assert report.detected
    assert report.snr_db == pytest.approx(20.0, abs=1.5)
    assert report.level_dbfs == pytest.approx(-10.0, abs=0.5)


@pytest.mark.parametrize("rate", RATES)
def test_tone_buried_in_noise_is_not_detected(rate: int) -> None:
    x = with_noise(sine(1000, rate, dbfs=-10.0), snr_db=5.0)
    report = analyse_tone(pcm(x), rate, 1000)
    assert not report.detected
    assert report.snr_db == pytest.approx(5.0, abs=1.5)


def test_tone_threshold_is_configurable() -> None:
    samples = pcm(with_noise(sine(1000, 8000, dbfs=-10.0), snr_db=15.0))
    assert analyse_tone(samples, 8000, 1000, min_snr_db=10.0).detected
    assert not analyse_tone(samples, 8000, 1000, min_snr_db=20.0).detected


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("seed", range(5))
def test_tone_survives_frame_drops_and_repeats(rate: int, seed: int) -> None:
    # 440 Hz: 8.8 periods per 20 ms frame, so each drop or repeat jumps the phase.
    x = through_jitter_buffer(sine(440, rate, seconds=3.0), rate, 0.05, 0.05, seed)
    report = analyse_tone(pcm(x), rate, 440)
    assert report.detected, report
    assert report.level_dbfs == pytest.approx(-6.0, abs=1.0)


def test_tone_frame_jumps_do_cost_snr() -> None:
    # The jitter simulation really disturbs the tone (otherwise the test above proves nothing).
    clean = analyse_tone(pcm(sine(440, 8000, seconds=3.0)), 8000, 440)
    x = through_jitter_buffer(sine(440, 8000, seconds=3.0), 8000, 0.05, 0.05, 0)
    jittered = analyse_tone(pcm(x), 8000, 440)
    assert jittered.snr_db < clean.snr_db - 40


@pytest.mark.parametrize("rate", RATES)
def test_tone_two_tones_stronger_detected_weaker_not(rate: int) -> None:
    mix = sine(1000, rate, dbfs=-6.0) + sine(1500, rate, dbfs=-26.0)
    strong = analyse_tone(pcm(mix), rate, 1000)
    weak = analyse_tone(pcm(mix), rate, 1500)
    assert strong.detected
    assert strong.snr_db == pytest.approx(20.0, abs=0.5)
    assert not weak.detected
    assert weak.snr_db == pytest.approx(-20.0, abs=0.5)
    assert weak.level_dbfs == pytest.approx(-26.0, abs=0.5)  # still measured, just not "present"


def test_tone_two_equal_tones_count_each_other_as_noise() -> None:
    mix = sine(1000, 8000, dbfs=-9.0) + sine(1500, 8000, dbfs=-9.0)
    reports = [analyse_tone(pcm(mix), 8000, f) for f in (1000, 1500)]
    assert [r.snr_db for r in reports] == [pytest.approx(0.0, abs=0.5)] * 2
    assert not any(r.detected for r in reports)


@pytest.mark.parametrize("rate", RATES)
def test_tone_silence(rate: int) -> None:
    report = analyse_tone(np.zeros(rate, dtype=np.int16), rate, 1000)
    assert not report.detected
    assert report.level_dbfs < -100


def test_tone_dc_offset_is_ignored() -> None:
    report = analyse_tone(pcm(sine(1000, 8000, dbfs=-12.0) + 0.3), 8000, 1000)
    assert report.detected
    assert report.level_dbfs == pytest.approx(-12.0, abs=0.2)


def test_tone_pure_dc_is_not_a_tone() -> None:
    report = analyse_tone(np.full(8000, 12000, dtype=np.int16), 8000, 1000)
    assert not report.detected


@pytest.mark.parametrize("rate", RATES)
def test_tone_too_short_input(rate: int) -> None:
    short = pcm(sine(1000, rate))[: rate // 10 - 1]
    assert analyse_tone(short, rate, 1000) == ToneReport(1000, -120.0, -120.0, False)


@pytest.mark.parametrize("rate", RATES)
def test_tone_shortest_accepted_input(rate: int) -> None:
    samples = pcm(sine(1000, rate))[: rate // 10]
    assert analyse_tone(samples, rate, 1000).detected


def test_tone_empty_input() -> None:
    assert analyse_tone(np.zeros(0, dtype=np.int16), 8000, 1000).detected is False


def test_tone_too_quiet_is_not_detected_however_clean() -> None:
    audible = analyse_tone(pcm(sine(1000, 8000, dbfs=-45.0)), 8000, 1000)
    faint = analyse_tone(pcm(sine(1000, 8000, dbfs=-55.0)), 8000, 1000)
    assert audible.detected
    assert faint.snr_db > 40  # clean, yet below the -50 dBFS floor
    assert not faint.detected


@pytest.mark.parametrize("rate", RATES)
def test_tone_moderately_clipped_is_detected(rate: int) -> None:
    # 1013 Hz so the samples are not a handful of repeating values.
    clipped = pcm(1.4 * sine(1013, rate, dbfs=0.0))
    assert np.count_nonzero(np.abs(clipped.astype(int)) >= 32767) > rate // 10
    report = analyse_tone(clipped, rate, 1013)
    assert report.detected
    assert report.level_dbfs > -1.0


def test_tone_harder_clipping_lowers_snr() -> None:
    snrs = [
        analyse_tone(pcm(g * sine(1013, 8000, dbfs=0.0)), 8000, 1013).snr_db for g in (1, 2, 10)
    ]
    assert snrs[0] > snrs[1] > snrs[2]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("offset", [-15, 15])
def test_tone_within_band_is_detected(rate: int, offset: int) -> None:
    assert analyse_tone(pcm(sine(1000 + offset, rate)), rate, 1000).detected


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("offset", [-30, 25, 30, 60])
def test_tone_just_outside_band_is_not_detected(rate: int, offset: int) -> None:
    report = analyse_tone(pcm(sine(1000 + offset, rate)), rate, 1000)
    assert not report.detected
    assert report.snr_db < 0


def test_tone_bandwidth_is_configurable() -> None:
    samples = pcm(sine(1030, 8000))
    assert not analyse_tone(samples, 8000, 1000).detected
    assert analyse_tone(samples, 8000, 1000, bandwidth_hz=40.0).detected


def test_tone_report_values_are_plain_floats_rounded() -> None:
    report = analyse_tone(pcm(with_noise(sine(1000, 8000), 20.0)), 8000, 1000)
    assert type(report.level_dbfs) is float
    assert type(report.snr_db) is float
    assert type(report.detected) is bool
    assert report.snr_db == round(report.snr_db, 1)


@pytest.mark.parametrize("rate", RATES)
def test_tone_between_fft_bins_is_still_clean(rate: int) -> None:
    # 1000.5 Hz over 0.75 s falls between FFT bins; without a window its leakage
    # would be counted as noise and a clean tone would look noisy.
    report = analyse_tone(pcm(sine(1000.5, rate, seconds=0.75)), rate, 1000)
    assert report.detected
    assert report.snr_db > 50
