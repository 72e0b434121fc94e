"""The other side's video of one call, for whoever displays it: a newest-frame-wins slot.

Threads: one producer (the end-to-end media loop: `due()`, then `put()`) and any
number of readers (the call window's timer on the GUI thread: `newest()`). The slot
holds one frame, never more: a reader that falls behind sees fewer frames, never
older ones, and nothing queues up. A frame is an RGB array that is never written
after `put()` (it is made read-only), so readers keep it, and draw from it, without
copying and without holding the lock.

Pixels do not go through the engine's event stream (events are small, frozen, and
every listener gets every one); the engine only says that video arrived
(`CallVideoDidArrive`) and hands out the slot (`Engine.remote_video(call_id)`).

Conversion from the decoder's YUV to RGB costs the media loop about a millisecond a
frame at 640×480, so the producer asks `due()` first: only while someone has read
the slot recently (`READER_GRACE_S`), and at most `max_fps` times a second. A call
without a window (the CLI, a minimised test) pays nothing for it.

`VideoSlots` is the engine's registry of slots by call id (any thread): opened when
an end-to-end session with video is built, released when the call ends.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

DISPLAY_FPS = 30.0  # the most a window shows; the peer sends 15 (e2e.media.VIDEO_FPS)
READER_GRACE_S = 2.0  # nobody read for this long: stop converting frames


@dataclass(frozen=True)
class VideoFrame:
    """One picture: RGB, uint8, shape (height, width, 3), C-contiguous, read-only."""

    seq: int  # 1, 2, ... per slot
    rgb: np.ndarray
    at: float  # time.monotonic() when it was put

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


@dataclass(frozen=True)
class SlotStats:
    put: int  # frames converted and put
    replaced: int  # put over a frame nobody had read
    convert_s: float  # the producer's conversion time, in total (`put(cost_s=...)`)
    convert_max_s: float


class VideoSlot:
    """One call's newest remote frame. Any thread; see the module docstring."""

    def __init__(self, max_fps: float = DISPLAY_FPS, clock=time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._interval = 1.0 / max_fps
        self._frame: VideoFrame | None = None
        self._read_seq = 0
        self._last_put = -1e9
        self._last_read = -1e9
        self._released = False
        self._put = self._replaced = 0
        self._convert_s = self._convert_max_s = 0.0

    # -- producer: the media loop ----------------------------------------------------

    def due(self) -> bool:
        """Is a frame wanted now? (cheap: ask before converting one)."""
        now = self._clock()
        with self._lock:
            return (
                not self._released
                and now - self._last_read < READER_GRACE_S
                and now - self._last_put >= self._interval
            )

    def put(self, rgb: np.ndarray, cost_s: float = 0.0) -> None:
        """Replace the frame with `rgb` (h, w, 3) uint8, which the slot now owns: the
        caller must not write to it again. `cost_s`: what making it cost (statistics)."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"not an RGB frame: {rgb.dtype} {rgb.shape}")
        rgb = np.ascontiguousarray(rgb)
        rgb.flags.writeable = False
        now = self._clock()
        with self._lock:
            if self._released:
                return
            seq = self._frame.seq + 1 if self._frame is not None else 1
            if self._frame is not None and self._frame.seq > self._read_seq:
                self._replaced += 1
            self._frame = VideoFrame(seq, rgb, now)
            self._last_put = now
            self._put += 1
            self._convert_s += cost_s
            self._convert_max_s = max(self._convert_max_s, cost_s)

    # -- readers ---------------------------------------------------------------------

    def newest(self, after: int = 0) -> VideoFrame | None:
        """The newest frame if it is newer than frame number `after`, else None. Also
        tells the producer someone is watching (see `due`)."""
        now = self._clock()
        with self._lock:
            self._last_read = now
            frame = self._frame
            if frame is None or frame.seq <= after:
                return None
            self._read_seq = max(self._read_seq, frame.seq)
            return frame

    def last_arrival(self) -> float | None:
        """When the newest frame was put (monotonic), None before the first."""
        with self._lock:
            return None if self._frame is None else self._frame.at

    @property
    def released(self) -> bool:
        """The call ended: no frame will come again (readers let go of the slot)."""
        with self._lock:
            return self._released

    def stats(self) -> SlotStats:
        with self._lock:
            return SlotStats(self._put, self._replaced, self._convert_s, self._convert_max_s)

    # -- the engine ------------------------------------------------------------------

    def release(self) -> None:
        """The call ended: drop the frame; later `put()`s are ignored."""
        with self._lock:
            self._released = True
            self._frame = None


class VideoSlots:
    """The engine's slots by call id. Any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, VideoSlot] = {}

    def open(self, call_id: str) -> VideoSlot:
        """The call's slot, made if it has none (engine thread, when its session is built)."""
        with self._lock:
            slot = self._slots.get(call_id)
            if slot is None:
                slot = self._slots[call_id] = VideoSlot()
            return slot

    def get(self, call_id: str) -> VideoSlot | None:
        with self._lock:
            return self._slots.get(call_id)

    def release(self, call_id: str) -> None:
        """The call ended: its slot is emptied and forgotten."""
        with self._lock:
            slot = self._slots.pop(call_id, None)
        if slot is not None:
            slot.release()

    def release_all(self) -> None:
        with self._lock:
            slots, self._slots = list(self._slots.values()), {}
        for slot in slots:
            slot.release()

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)
