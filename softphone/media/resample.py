"""Streaming band-limited resampling with a ratio that can be trimmed while it runs.

Runs inside audio callbacks (PortAudio's thread): after construction it does
numpy work into preallocated arrays only. The filter is a Kaiser-windowed sinc
tabulated at `phases` sub-sample offsets with linear interpolation between
them (Smith's bandlimited interpolation), cut off below the lower of the two
Nyquist frequencies. `correction` scales the step between output samples:
+0.001 reads the input 0.1 % faster than nominal. Trimming the ratio by a few
hundred ppm is how the bridge absorbs drift between two clocks; it changes
pitch by an inaudible amount and never produces a discontinuity.

Two ways to drive it:
* push (capture): `process(x)` takes whatever arrived and returns every
  output sample it can compute;
* pull (playback): `needed(n)` says how many more input samples the next `n`
  outputs require; `process(x, n)` then returns exactly `n`.
"""

from __future__ import annotations

import math

import numpy as np


def _kernel(d: np.ndarray, cutoff: float, half: int, beta: float) -> np.ndarray:
    """Windowed sinc at distances `d` (input samples); `cutoff` in cycles per input sample."""
    w = np.zeros_like(d)
    inside = np.abs(d) < half
    w[inside] = np.i0(beta * np.sqrt(1.0 - (d[inside] / half) ** 2)) / np.i0(beta)
    return 2.0 * cutoff * np.sinc(2.0 * cutoff * d) * w


class StreamResampler:
    def __init__(
        self,
        rate_in: int,
        rate_out: int,
        *,
        max_block: int = 8192,
        zero_crossings: int = 8,
        phases: int = 256,
        bandwidth: float = 0.9,
        beta: float = 8.0,
    ) -> None:
        self.rate_in, self.rate_out = rate_in, rate_out
        self.nominal_step = rate_in / rate_out
        self.correction = 0.0
        self.max_block = max_block
        cutoff = 0.5 * min(1.0, rate_out / rate_in) * bandwidth
        self.half = half = max(2, math.ceil(zero_crossings / (2.0 * cutoff)))
        taps = 2 * half
        self._phases = phases
        # tab[p, jj]: weight of input sample (i - half + 1 + jj) for an output at i + p/phases
        p = np.arange(phases + 1, dtype=np.float64)[:, None] / phases
        j = np.arange(-(half - 1), half + 1, dtype=np.float64)[None, :]
        tab = _kernel(p - j, cutoff, half, beta)
        tab /= tab.sum(axis=1, keepdims=True)  # unity gain at every phase: no ripple
        self._tab = tab[:phases].astype(np.float32)
        self._dtab = (tab[1:] - tab[:phases]).astype(np.float32)
        self._offsets = np.arange(taps, dtype=np.int64)[None, :]
        max_out = math.ceil(max_block / (self.nominal_step * 0.9)) + 4
        self._max_out = max_out
        hist_cap = taps + 8 + int(self.nominal_step * 2 + 2)
        self._bufs = (
            np.zeros(hist_cap + max_block, dtype=np.float32),
            np.zeros(hist_cap + max_block, dtype=np.float32),
        )
        self._cur = 0
        self._hlen = half - 1  # zeros before the first input: outputs start at sample 0
        self._t = float(half - 1)
        self._k = np.arange(max_out, dtype=np.float64)
        self._pos = np.zeros(max_out, dtype=np.float64)
        self._fl = np.zeros(max_out, dtype=np.float64)
        self._i = np.zeros(max_out, dtype=np.int64)
        self._p0 = np.zeros(max_out, dtype=np.int64)
        self._a = np.zeros(max_out, dtype=np.float32)
        self._idx = np.zeros((max_out, taps), dtype=np.int64)
        self._g = np.zeros((max_out, taps), dtype=np.float32)
        self._c = np.zeros((max_out, taps), dtype=np.float32)
        self._c2 = np.zeros((max_out, taps), dtype=np.float32)
        self._y = np.zeros(max_out, dtype=np.float32)

    @property
    def step(self) -> float:
        return self.nominal_step * (1.0 + self.correction)

    @property
    def delay_s(self) -> float:
        """Group delay: the filter needs `half` input samples of look-ahead."""
        return self.half / self.rate_in

    def needed(self, n_out: int) -> int:
        """New input samples the next `n_out` outputs need (pull mode)."""
        if n_out <= 0:
            return 0
        last = self._t + self.step * (n_out - 1)
        return max(0, math.floor(last) + self.half + 1 - self._hlen)

    def process(self, x: np.ndarray, n_out: int | None = None) -> np.ndarray:
        """Feed float32 `x`; returns a view of the outputs (valid until the next call).

        With `n_out`, exactly that many (the caller gave `needed(n_out)` samples).
        """
        if len(x) > self.max_block:
            raise ValueError(f"block of {len(x)} samples exceeds max_block {self.max_block}")
        src = self._bufs[self._cur]
        hlen = self._hlen
        length = hlen + len(x)
        src[hlen:length] = x
        step = self.step
        avail = math.ceil((length - self.half - self._t) / step)
        n = max(0, min(avail, self._max_out))
        if n_out is not None:
            n = max(0, min(n, n_out))
        y = self._y[:n]
        if n:
            self._compute(src, n, step, y)
        t = self._t + step * n
        start = max(0, min(math.floor(t) - (self.half - 1), length))
        keep = length - start
        dst = self._bufs[1 - self._cur]
        dst[:keep] = src[start:length]
        self._cur = 1 - self._cur
        self._hlen = keep
        self._t = t - start
        if n_out is not None and n < n_out:
            self._y[n:n_out] = y[-1] if n else 0.0  # never happens when fed needed(n_out)
            return self._y[:n_out]
        return y

    def _compute(self, src: np.ndarray, n: int, step: float, y: np.ndarray) -> None:
        pos, fl, i, p0, a = self._pos[:n], self._fl[:n], self._i[:n], self._p0[:n], self._a[:n]
        np.multiply(self._k[:n], step, out=pos)
        pos += self._t
        np.floor(pos, out=fl)
        np.copyto(i, fl, casting="unsafe")
        pos -= fl  # fractional part
        pos *= self._phases
        np.floor(pos, out=fl)
        np.copyto(p0, fl, casting="unsafe")
        np.minimum(p0, self._phases - 1, out=p0)
        pos -= fl
        np.copyto(a, pos, casting="unsafe")
        idx, g, c, c2 = self._idx[:n], self._g[:n], self._c[:n], self._c2[:n]
        i -= self.half - 1
        np.add(i[:, None], self._offsets, out=idx)
        np.take(src, idx, out=g)
        np.take(self._tab, p0, axis=0, out=c)
        np.take(self._dtab, p0, axis=0, out=c2)
        c2 *= a[:, None]
        c += c2
        g *= c
        np.sum(g, axis=1, out=y)

    def reset(self) -> None:
        self._hlen = self.half - 1
        self._bufs[self._cur][: self._hlen] = 0.0
        self._t = float(self.half - 1)
        self.correction = 0.0
