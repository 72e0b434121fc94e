"""Detecting a test tone in received audio. Pure numpy, any thread.

The tone's energy is measured in a band (±`bandwidth_hz`) of a windowed
spectrum rather than in one DFT bin: jitter buffers drop and insert frames
and clocks drift between peers, which smears a tone over a few hertz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ToneReport:
    frequency: int
    level_dbfs: float  # level of the tone itself (0 dBFS: a full-scale sine)
    snr_db: float  # tone power against everything else
    detected: bool


def analyse_tone(
    samples: np.ndarray,
    rate: int,
    freq: int,
    min_snr_db: float = 10.0,
    bandwidth_hz: float = 20.0,
) -> ToneReport:
    """How strongly `freq` is present in int16 `samples`."""
    if len(samples) < rate // 10:
        return ToneReport(freq, -120.0, -120.0, False)
    x = samples.astype(np.float64) / 32768.0
    x = x - x.mean()
    power = float(np.mean(x * x))
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    bins = np.fft.rfftfreq(len(x), 1.0 / rate)
    in_band = np.abs(bins - freq) <= bandwidth_hz
    share = float(spectrum[in_band].sum() / max(spectrum.sum(), 1e-30))
    tone = max(share * power, 1e-12)
    rest = max((1.0 - share) * power, 1e-12)
    level = 10 * np.log10(tone / 0.5)
    snr = 10 * np.log10(tone / rest)
    detected = bool(snr >= min_snr_db and level > -50)
    return ToneReport(freq, round(float(level), 1), round(float(snr), 1), detected)
