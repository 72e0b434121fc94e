"""Streaming band-limited resampling with a ratio that can be trimmed while it runs.

Runs inside audio callbacks (PortAudio's thread): after construction it does
numpy work into preallocated arrays only. The filter is a Kaiser-windowed sinc
tabulated at `phases` sub-sample offsets with linear interpolation between
them (Smith's bandlimited interpolation), cut off below the lower of the two
Nyquist frequencies. `correction` scales the step between output samples:
+0.001 reads the input 0.1 % faster than nominal. Trimming the ratio by a few
hundred ppm is how the bridge absorbs drift between two clocks; it changes
pitch by an inaudible amount and never produces a discontinuity.

When the two rates are equal (a device opened at the call's rate), `DriftTrim`
does the same job far more cheaply: the samples pass through as they are, and
the ratio trim becomes an occasional whole sample dropped or inserted, spread
over 100 ms by a smooth time warp (cubic interpolation), so there is no step
and no click either. `make_resampler` picks one or the other.

Two ways to drive either:
* push (capture): `process(x)` takes whatever arrived and returns every
  output sample it can compute;
* pull (playback): `needed(n)` says how many more input samples the next `n`
  outputs require; `process(x, n)` then returns exactly `n`.
"""

from __future__ import annotations

import math
import os

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


WARP_S = 0.1  # one whole sample dropped or inserted is eased in over this long
MAX_WARP = 10  # samples one warp may drop or insert (the ±0.5 % trim needs 4 per warp)


class DriftTrim:
    """Equal rates: the samples pass through as they are, and the ratio trim is done
    as whole samples dropped or inserted, each eased in over `WARP_S` by a smooth
    time warp.

    `correction` means what it means for `StreamResampler` (+0.001: the input is
    read 0.1 % faster than it comes, one sample in a thousand is dropped). The
    fraction owed accumulates; once it is k whole samples, a warp starts: over the
    next M = `WARP_S` x rate outputs, output j reads the input k·d(j / M) further on,
    d(u) = u − sin(2πu) / 2π, so the local rate eases away from 1 and back (a
    raised-cosine bump: 0.13 % at most for one sample) and neither the signal nor
    its pitch steps. Warps start at least M / 2 apart, so at most two overlap, and
    under a steady trim they overlap by half, where raised cosines add up to a
    constant: a steady drift is a steady rate, not a wobble. Between warps no
    filter runs: a copy, 2 samples late (the cubic interpolation's look-ahead);
    during one, Catmull-Rom cubic interpolation, exact at whole positions, so
    entering and leaving a warp is seamless. With real clocks (tens of ppm apart)
    warps are a small part of the time.
    """

    def __init__(self, rate: int, *, max_block: int = 8192, warp_s: float = WARP_S) -> None:
        self.rate_in = self.rate_out = rate
        self.nominal_step = 1.0
        self.correction = 0.0
        self.max_block = max_block
        self.trims = 0  # samples dropped (+) or inserted (-) so far
        self.warps = 0
        m = self._m = max(16, int(rate * warp_s))
        u = np.arange(m + 1, dtype=np.float64) / m
        self._prof = u - np.sin(2 * np.pi * u) / (2 * np.pi)  # 0 .. 1
        cap = max_block + max_block // 8 + 16
        self._buf = np.zeros(cap, dtype=np.float32)
        self._ar = np.arange(cap, dtype=np.float64)
        self._pos = np.zeros(cap, dtype=np.float64)
        self._d = np.zeros(cap, dtype=np.float64)
        self._o = np.zeros(cap, dtype=np.int64)
        self._fl = np.zeros(cap, dtype=np.float64)
        self._i = np.zeros(cap, dtype=np.int64)
        self._tt = np.zeros(cap, dtype=np.float32)
        self._g = np.zeros((4, cap), dtype=np.float32)
        self._y = np.zeros(cap, dtype=np.float32)
        self.reset()

    step = StreamResampler.step

    @property
    def delay_s(self) -> float:
        return 2.0 / self.rate_in

    def reset(self) -> None:
        self._buf[0] = 0.0
        self._hlen = 1  # held input: x[-1] (silence) before the first sample
        self._t0 = 1.0  # buffer position of the next output, running warps aside
        self._out = 0  # outputs so far
        self._warps: tuple[tuple[int, int], ...] = ()  # running: (first output, samples)
        self._debt = 0.0
        self.correction = 0.0

    def _plan(self, added: float, count: int) -> tuple[float, tuple[tuple[int, int], ...]]:
        """(debt, warps) for a block of about `count` outputs owing `added` more."""
        debt, warps = self._debt + added, self._warps
        if abs(debt) >= 1.0 and count > 0:
            start = self._out if not warps else max(self._out, warps[-1][0] + self._m // 2)
            if start < self._out + count:
                k = max(-MAX_WARP, min(MAX_WARP, int(debt)))
                debt -= k
                warps = (*warps, (start, k))
        return debt, warps

    def _positions(self, count: int, warps) -> np.ndarray:
        """Buffer positions of the next `count` outputs and of the one after."""
        pos = self._pos[: count + 1]
        np.add(self._ar[: count + 1], self._t0, out=pos)
        for start, k in warps:
            o, d = self._o[: count + 1], self._d[: count + 1]
            np.add(self._ar[: count + 1], self._out - start, out=d)
            np.clip(d, 0, self._m, out=d)
            np.copyto(o, d, casting="unsafe")
            np.take(self._prof, o, out=d)
            d *= k
            pos += d
        return pos

    def needed(self, n_out: int) -> int:
        if n_out <= 0:
            return 0
        _debt, warps = self._plan(n_out * self.correction, n_out)
        if not warps:
            return max(0, int(self._t0) + n_out + 2 - self._hlen)
        pos = self._positions(n_out, warps)
        return max(0, math.floor(pos[n_out - 1]) + 3 - self._hlen)

    def process(self, x: np.ndarray, n_out: int | None = None) -> np.ndarray:
        n = len(x)
        if n > self.max_block:
            raise ValueError(f"block of {n} samples exceeds max_block {self.max_block}")
        buf, hlen = self._buf, self._hlen
        length = hlen + n
        buf[hlen:length] = x
        c = self.correction
        if n_out is None:  # push: every output whose neighbours have arrived
            span = max(0, length - 2 - math.floor(self._t0) + 2 * MAX_WARP)
            debt, warps = self._plan(n * c / (1.0 + c), span)
            if warps:
                count = min(span + span // 16 + 4, len(self._ar) - 1)
                pos = self._positions(count, warps)
                count = int(np.searchsorted(pos[:count], length - 3, side="right"))
            else:
                count = max(0, length - 2 - int(self._t0))
        else:
            count = n_out
            debt, warps = self._plan(n_out * c, n_out)
            if warps:
                pos = self._positions(count, warps)
                need = math.floor(pos[count - 1]) + 3 if count else 0
            else:
                need = int(self._t0) + count + 2
            if need > length:  # not fed needed(n_out): hold the last sample
                buf[length:need] = buf[length - 1] if length else 0.0
                length = need
        if len(warps) > len(self._warps):
            self.trims += warps[-1][1]
            self.warps += 1
        y = self._y[:count]
        if not warps:  # no warp: a copy (positions are whole)
            t = int(self._t0)
            y[:] = buf[t : t + count]
            t_next = self._t0 + count
        else:
            if count:
                self._interpolate(pos[:count], y)
            t_next = float(pos[count])
        self._out += count
        t0 = self._t0 + count
        for start, k in warps:
            if self._out - start >= self._m:  # done: its samples are behind us
                t0 += k
        self._warps = tuple(w for w in warps if self._out - w[0] < self._m)
        self._debt = debt
        start = max(0, min(math.floor(t_next) - 1, length))
        keep = length - start
        buf[:keep] = buf[start:length]  # numpy copies overlapping slices correctly
        self._hlen = keep
        self._t0 = t0 - start
        return y

    def _interpolate(self, pos: np.ndarray, y: np.ndarray) -> None:
        n = len(pos)
        fl, i, tt = self._fl[:n], self._i[:n], self._tt[:n]
        np.floor(pos, out=fl)
        np.copyto(i, fl, casting="unsafe")
        np.subtract(pos, fl, out=fl)
        np.copyto(tt, fl, casting="unsafe")
        g = self._g[:, :n]
        i -= 1
        for r in range(4):  # x[i-1], x[i], x[i+1], x[i+2]
            np.take(self._buf, i, out=g[r])
            i += 1
        xm, x0, x1, x2 = g
        # Catmull-Rom: x0 + t/2 (a + t (b + t c)); exact at t = 0, continuous slope
        a = x1 - xm
        b = 2.0 * xm - 5.0 * x0 + 4.0 * x1 - x2
        c = 3.0 * (x0 - x1) + x2 - xm
        c *= tt
        c += b
        c *= tt
        c += a
        c *= tt
        c *= 0.5
        np.add(x0, c, out=y)


def make_resampler(rate_in: int, rate_out: int, *, max_block: int = 8192):
    """A `StreamResampler`; a `DriftTrim` at equal rates only when
    SOFTPHONE_DRIFT_TRIM=warp (for measurements).

    Not the default: with the warp trim on the speaker side, the echo-cancellation test
    measured 13.9 dB and -22 dB ERLE in 2 of 9 runs (26-31 dB otherwise, and with the
    sinc), plausibly because the trim keeps shifting the echo against AEC3's reference
    by whole samples most of the call. The CPU it saves is about 1 % of a core.
    """
    if rate_in == rate_out and os.environ.get("SOFTPHONE_DRIFT_TRIM") == "warp":
        return DriftTrim(rate_in, max_block=max_block)
    return StreamResampler(rate_in, rate_out, max_block=max_block)
