"""16 kHz <-> 48 kHz for the end-to-end audio path, without the start-up delay. Pure numpy.

Used on the e2e-media loop thread, one converter per direction per call (each keeps
the tail of the previous frame, so frames join without clicks).

Why not PyAV's resampler: fed 20 ms frames, it holds the first one back (its filter
and its fixed output frame size), so the first packet leaves 20 ms late and the
first decoded frame reaches the bridge 20 ms late, on every call; and it is a
second C round trip per frame on top of the codec's. The bridge runs at 16 kHz and
Opus at 48 kHz, an exact factor of 3, so one short windowed-sinc low-pass serves both
ways: zero-stuff and filter up, filter and keep every third sample down. The filter
is linear phase with 8 samples of delay at 48 kHz (0.17 ms).
"""

from __future__ import annotations

import numpy as np

FACTOR = 3
_TAPS = 49  # odd: symmetric, linear phase


def _lowpass() -> np.ndarray:
    n = np.arange(_TAPS) - (_TAPS - 1) / 2
    cutoff = 0.45 / FACTOR  # of the 48 kHz rate: passes up to ~7.2 kHz
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(_TAPS, 8.0)
    return h / h.sum()


_H = _lowpass()


class Upsampler:
    """int16 frames at 16 kHz in, int16 frames at 48 kHz out (3x the samples)."""

    def __init__(self) -> None:
        self._tail = np.zeros(_TAPS - 1)

    def __call__(self, pcm16k: np.ndarray) -> np.ndarray:
        stuffed = np.zeros(len(pcm16k) * FACTOR)
        stuffed[::FACTOR] = pcm16k.astype(np.float64) * FACTOR  # level kept; no int16 overflow
        x = np.concatenate((self._tail, stuffed))
        self._tail = x[-(_TAPS - 1) :]
        y = np.convolve(x, _H, mode="valid")
        return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


class Downsampler:
    """int16 frames at 48 kHz in (a multiple of 3 samples), int16 at 16 kHz out."""

    def __init__(self) -> None:
        self._tail = np.zeros(_TAPS - 1)

    def __call__(self, pcm48k: np.ndarray) -> np.ndarray:
        if len(pcm48k) % FACTOR:
            raise ValueError(f"a 48 kHz frame must hold a multiple of {FACTOR} samples")
        x = np.concatenate((self._tail, pcm48k.astype(np.float64)))
        self._tail = x[-(_TAPS - 1) :]
        y = np.convolve(x, _H, mode="valid")[::FACTOR]
        return np.clip(np.rint(y), -32768, 32767).astype(np.int16)
