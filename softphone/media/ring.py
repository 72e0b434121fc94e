"""A single-producer, single-consumer ring of int16 samples with no locks.

Written by one thread and read by one other, possibly in another process (a
PortAudio callback in the audio process, pjmedia's clock thread in the engine's):
the samples and the counters can live in shared memory (`buf`, `counters`).
Memory is allocated once; reads and writes copy with `ctypes.memmove` (from or
to a raw address, as pjsua2's frame buffers give) or numpy slice assignment.
Each side owns its counters (the writer `W` and the overrun counts, the reader
`R` and the underrun counts) and publishes its position with a single aligned
8-byte store after the data is in place; the positions only grow, so `W - R` is
always the fill. That store order is what the reader relies on: x86-64 keeps
stores in order and loads in order (TSO); on a weakly ordered CPU (ARM64) the
reader could see the new position before the data, which is not handled yet.
A write that does not fit is cut (an overrun, counted); a read that finds too
little is padded with silence (an underrun, counted). Neither ever blocks,
allocates or logs.
"""

from __future__ import annotations

import ctypes

import numpy as np

_BYTES = 2  # int16
W, R, OVERRUNS, OVERRUN_SAMPLES, UNDERRUNS, UNDERRUN_SAMPLES = range(6)
COUNTERS = 6


class SampleRing:
    def __init__(
        self, capacity: int, buf: np.ndarray | None = None, counters: np.ndarray | None = None
    ) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._buf = np.zeros(capacity, dtype=np.int16) if buf is None else buf[:capacity]
        self._c = np.zeros(COUNTERS, dtype=np.int64) if counters is None else counters
        self._base = self._buf.ctypes.data

    # ------------------------------------------------------------- either side

    @property
    def fill(self) -> int:
        c = self._c
        return int(c[W] - c[R])

    @property
    def space(self) -> int:
        return self.capacity - self.fill

    @property
    def written(self) -> int:
        return int(self._c[W])

    overruns = property(lambda self: int(self._c[OVERRUNS]))  # writes cut short
    overrun_samples = property(lambda self: int(self._c[OVERRUN_SAMPLES]))
    underruns = property(lambda self: int(self._c[UNDERRUNS]))  # reads padded with silence
    underrun_samples = property(lambda self: int(self._c[UNDERRUN_SAMPLES]))

    # ------------------------------------------------------------- writer side

    def _reserve(self, count: int) -> tuple[int, int]:
        c = self._c
        w = int(c[W])
        n = min(count, self.capacity - (w - int(c[R])))
        if n < count:
            c[OVERRUNS] += 1
            c[OVERRUN_SAMPLES] += count - max(n, 0)
        return w, n

    def write(self, samples: np.ndarray) -> int:
        """Append int16 `samples`; returns how many fitted."""
        w, n = self._reserve(len(samples))
        if n <= 0:
            return 0
        start = w % self.capacity
        first = min(n, self.capacity - start)
        self._buf[start : start + first] = samples[:first]
        if first < n:
            self._buf[: n - first] = samples[first:n]
        self._c[W] = w + n
        return n

    def write_from(self, address: int, count: int) -> int:
        """Append `count` samples read from raw memory at `address`."""
        w, n = self._reserve(count)
        if n <= 0:
            return 0
        start = w % self.capacity
        first = min(n, self.capacity - start)
        ctypes.memmove(self._base + start * _BYTES, address, first * _BYTES)
        if first < n:
            ctypes.memmove(self._base, address + first * _BYTES, (n - first) * _BYTES)
        self._c[W] = w + n
        return n

    # ------------------------------------------------------------- reader side

    def _underrun(self, short: int) -> None:
        c = self._c
        c[UNDERRUNS] += 1
        c[UNDERRUN_SAMPLES] += short

    def read_into(self, out: np.ndarray) -> int:
        """Fill int16 `out`; short of data, the rest is silence. Returns samples read."""
        want = len(out)
        c = self._c
        r = int(c[R])
        n = max(0, min(want, int(c[W]) - r))
        if n > 0:
            start = r % self.capacity
            first = min(n, self.capacity - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:n] = self._buf[: n - first]
            c[R] = r + n
        if n < want:
            out[n:] = 0
            self._underrun(want - n)
        return n

    def read_to(self, address: int, count: int) -> int:
        """Copy `count` samples to raw memory at `address`, padding with silence."""
        c = self._c
        r = int(c[R])
        n = max(0, min(count, int(c[W]) - r))
        if n > 0:
            start = r % self.capacity
            first = min(n, self.capacity - start)
            ctypes.memmove(address, self._base + start * _BYTES, first * _BYTES)
            if first < n:
                ctypes.memmove(address + first * _BYTES, self._base, (n - first) * _BYTES)
            c[R] = r + n
        if n < count:
            ctypes.memset(address + n * _BYTES, 0, (count - n) * _BYTES)
            self._underrun(count - n)
        return n

    def discard(self, count: int) -> int:
        """Drop up to `count` of the oldest samples (reader side)."""
        c = self._c
        r = int(c[R])
        n = max(0, min(count, int(c[W]) - r))
        c[R] = r + n
        return n

    def reset(self) -> None:
        """Empty the ring (reader side)."""
        c = self._c
        c[R] = int(c[W])
