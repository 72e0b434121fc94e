"""Detecting a test tone in received audio. Pure numpy, any thread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ToneReport:
    frequency: int
    level_dbfs: float  # level of the tone itself
    snr_db: float  # tone power against everything else
    detected: bool


def _goertzel_power(x: np.ndarray, rate: int, freq: float) -> float:
    n = len(x)
    k = round(n * freq / rate)
    w = 2 * np.pi * k / n
    # a single DFT bin, computed directly (vectorised rather than the IIR form)
    basis = np.exp(-1j * w * np.arange(n))
    return float(np.abs(np.dot(x, basis)) ** 2) * 2 / (n * n)


def analyse_tone(samples: np.ndarray, rate: int, freq: int, min_snr_db: float = 10.0) -> ToneReport:
    """How strongly `freq` is present in int16 `samples`."""
    if len(samples) < rate // 10:
        return ToneReport(freq, -120.0, -120.0, False)
    x = samples.astype(np.float64) / 32768.0
    x = x - x.mean()
    tone = max(_goertzel_power(x, rate, freq), 1e-12)  # mean power of that sinusoid
    rest = max(float(np.mean(x * x)) - tone, 1e-12)
    level = 10 * np.log10(tone / 0.5)  # dBFS: a full-scale sine has power 0.5
    snr = 10 * np.log10(tone / rest)
    detected = bool(snr >= min_snr_db and level > -50)
    return ToneReport(freq, round(float(level), 1), round(float(snr), 1), detected)
