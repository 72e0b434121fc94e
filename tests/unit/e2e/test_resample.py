"""16 <-> 48 kHz without start-up delay: tones keep their frequency and level, images and
aliases are filtered out, loud audio does not wrap, frames join without clicks."""

from __future__ import annotations

import numpy as np

from softphone.e2e.resample import Downsampler, Upsampler
from softphone.engine.tone import analyse_tone


def tone(freq: float, rate: int, seconds: float, amplitude: float = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def in_frames(pcm: np.ndarray, size: int, convert) -> np.ndarray:
    return np.concatenate([convert(pcm[i : i + size]) for i in range(0, len(pcm), size)])


def level_db(pcm: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) + 1e-9)


def test_first_frame_comes_out_at_once_with_three_times_the_samples():
    up, down = Upsampler(), Downsampler()
    out = up(tone(1000, 16000, 0.02))
    assert len(out) == 960 and out.dtype == np.int16
    assert len(down(out)) == 320
    assert np.abs(out[200:]).max() > 4000  # sound, not a filter's silence


def test_speech_band_tone_round_trips_at_the_same_level():
    # flat through the speech band; the low-pass starts to bite near 7 kHz
    for freq, tolerance_db in ((300, 0.5), (1000, 0.5), (3400, 0.5), (6000, 2.0)):
        pcm = tone(freq, 16000, 1.0)
        up = in_frames(pcm, 320, Upsampler())
        report48 = analyse_tone(up[4800:], 48000, freq)
        assert report48.detected and report48.snr_db > 30, (freq, report48)
        back = in_frames(up, 960, Downsampler())
        assert abs(level_db(back[1600:]) - level_db(pcm[1600:])) < tolerance_db, freq
        assert analyse_tone(back[1600:], 16000, freq).snr_db > 30


def test_loud_audio_is_not_distorted():
    """pjmedia's tone generator plays at about -8 dBFS: the upsampler's gain of 3 must
    not wrap around in int16 (it did once: a 600 Hz tone arrived as 1800 Hz)."""
    for amplitude in (13000, 30000):
        pcm = tone(600, 16000, 1.0, amplitude)
        up = in_frames(pcm, 320, Upsampler())
        assert analyse_tone(up[4800:], 48000, 600).snr_db > 30, amplitude
        back = in_frames(up, 960, Downsampler())
        report = analyse_tone(back[1600:], 16000, 600)
        assert report.detected and report.snr_db > 30, (amplitude, report)


def test_images_of_the_upsampler_are_removed():
    up = in_frames(tone(1000, 16000, 1.0), 320, Upsampler())
    spectrum = np.abs(np.fft.rfft(up[4800:] * np.hanning(len(up) - 4800)))
    freqs = np.fft.rfftfreq(len(up) - 4800, 1 / 48000)
    wanted = spectrum[np.abs(freqs - 1000) < 20].max()
    image = spectrum[np.abs(freqs - 15000) < 20].max()  # 16 kHz - 1 kHz
    assert 20 * np.log10(wanted / image) > 50


def test_what_would_alias_is_removed_before_decimation():
    # 12 kHz at 48 kHz would fold onto 4 kHz at 16 kHz without the low-pass
    back = in_frames(tone(12000, 48000, 1.0), 960, Downsampler())
    assert level_db(back[1600:]) < level_db(tone(4000, 16000, 1.0)) - 50


def test_frames_join_without_clicks():
    pcm = tone(1000, 16000, 0.5)
    whole = Upsampler()(pcm)
    framed = in_frames(pcm, 320, Upsampler())
    assert np.abs(whole.astype(int) - framed.astype(int)).max() <= 1
