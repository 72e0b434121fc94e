"""A single-producer, single-consumer ring of int16 samples with no locks.

Written by one thread and read by one other (a PortAudio callback and pjmedia's
clock thread). Memory is allocated once; reads and writes copy with
`ctypes.memmove` (from or to a raw address, as pjsua2's frame buffers give) or
numpy slice assignment. Each side owns one counter (`_w` for the writer, `_r`
for the reader) and publishes it with a single attribute store after the data
is in place, which the GIL makes atomic; the counters only grow, so
`_w - _r` is always the fill. A write that does not fit is cut (an overrun,
counted); a read that finds too little is padded with silence (an underrun,
counted). Neither ever blocks, allocates or logs.
"""

from __future__ import annotations

import ctypes

import numpy as np

_BYTES = 2  # int16


class SampleRing:
    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._buf = np.zeros(capacity, dtype=np.int16)
        self._base = self._buf.ctypes.data
        self._w = 0
        self._r = 0
        self.overruns = 0  # writes cut short
        self.overrun_samples = 0
        self.underruns = 0  # reads padded with silence
        self.underrun_samples = 0

    # ------------------------------------------------------------- either side

    @property
    def fill(self) -> int:
        return self._w - self._r

    @property
    def space(self) -> int:
        return self.capacity - (self._w - self._r)

    # ------------------------------------------------------------- writer side

    def write(self, samples: np.ndarray) -> int:
        """Append int16 `samples`; returns how many fitted."""
        n = min(len(samples), self.capacity - (self._w - self._r))
        if n < len(samples):
            self.overruns += 1
            self.overrun_samples += len(samples) - n
        if n <= 0:
            return 0
        start = self._w % self.capacity
        first = min(n, self.capacity - start)
        self._buf[start : start + first] = samples[:first]
        if first < n:
            self._buf[: n - first] = samples[first:n]
        self._w += n
        return n

    def write_from(self, address: int, count: int) -> int:
        """Append `count` samples read from raw memory at `address`."""
        n = min(count, self.capacity - (self._w - self._r))
        if n < count:
            self.overruns += 1
            self.overrun_samples += count - n
        if n <= 0:
            return 0
        start = self._w % self.capacity
        first = min(n, self.capacity - start)
        ctypes.memmove(self._base + start * _BYTES, address, first * _BYTES)
        if first < n:
            ctypes.memmove(self._base, address + first * _BYTES, (n - first) * _BYTES)
        self._w += n
        return n

    # ------------------------------------------------------------- reader side

    def read_into(self, out: np.ndarray) -> int:
        """Fill int16 `out`; short of data, the rest is silence. Returns samples read."""
        want = len(out)
        n = min(want, self._w - self._r)
        if n > 0:
            start = self._r % self.capacity
            first = min(n, self.capacity - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:n] = self._buf[: n - first]
            self._r += n
        if n < want:
            out[max(n, 0) :] = 0
            self.underruns += 1
            self.underrun_samples += want - max(n, 0)
        return max(n, 0)

    def read_to(self, address: int, count: int) -> int:
        """Copy `count` samples to raw memory at `address`, padding with silence."""
        n = min(count, self._w - self._r)
        if n > 0:
            start = self._r % self.capacity
            first = min(n, self.capacity - start)
            ctypes.memmove(address, self._base + start * _BYTES, first * _BYTES)
            if first < n:
                ctypes.memmove(address + first * _BYTES, self._base, (n - first) * _BYTES)
            self._r += n
        else:
            n = 0
        if n < count:
            ctypes.memset(address + n * _BYTES, 0, (count - n) * _BYTES)
            self.underruns += 1
            self.underrun_samples += count - n
        return n

    def discard(self, count: int) -> int:
        """Drop up to `count` of the oldest samples (reader side)."""
        n = max(0, min(count, self._w - self._r))
        self._r += n
        return n

    def reset(self) -> None:
        """Empty the ring. Only while neither side runs."""
        self._r = self._w
