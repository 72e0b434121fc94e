"""One camera shared by a call's outgoing video and the call window's local preview.

Threads: `start()` and `stop()` may block (opening a USB camera takes a second, a busy
one can hang in the driver): call them off the GUI thread. The camera itself is a
`media.camera.CameraPreview` (its capture thread, newest frame wins); one pump thread
here takes each newest frame and keeps it, so two readers see it without taking it
from each other: `newest()` (the call window's preview timer, GUI thread) and
`engine_source()`'s `read()` (the end-to-end media loop, 15 times a second; it never
blocks).

The camera is opened only while the user has it on: the engine's video source reads
nothing (a black picture goes out) while it is off, and the device — with its light —
is released at once when the user turns it off.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from softphone.media.camera import CameraError, CameraPreview, FrameSource

if TYPE_CHECKING:
    import numpy as np

ENGINE_MAX_WIDTH = 640  # what the end-to-end video sends (VP8 640×480 at most)


class CameraFeed:
    def __init__(self, opener: Callable[[], FrameSource]) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._preview: CameraPreview | None = None
        self._pump: threading.Thread | None = None
        self._frame: np.ndarray | None = None
        self._seq = 0
        self.error: str | None = None

    @property
    def on(self) -> bool:
        with self._lock:
            return self._preview is not None

    # -- blocking: worker threads --------------------------------------------------

    def start(self) -> None:
        """Open the camera and start capturing (nothing if it already is); raises
        `CameraError` saying why not."""
        with self._lock:
            if self._preview is not None:
                return
        preview = CameraPreview(self._opener()).start()
        with self._lock:
            if self._preview is not None:  # started meanwhile by another caller
                preview.stop()
                return
            self._preview, self._frame, self.error = preview, None, None
            self._pump = threading.Thread(
                target=self._run, args=(preview,), name="camera-feed", daemon=True
            )
            self._pump.start()

    def stop(self) -> None:
        """Release the camera (and its light)."""
        with self._lock:
            preview, pump = self._preview, self._pump
            self._preview, self._pump, self._frame = None, None, None
        if preview is not None:
            preview.stop()
        if pump is not None:
            pump.join(2)

    def _run(self, preview: CameraPreview) -> None:
        while True:
            with self._lock:
                if self._preview is not preview:
                    return
            item = preview.latest(timeout=0.2)
            if item is None:
                error = preview.stats().error
                if error:
                    with self._lock:
                        self.error = error
                    return
                continue
            with self._lock:
                if self._preview is preview:
                    self._frame, self._seq = item[1], self._seq + 1

    # -- any thread, never blocking ---------------------------------------------------

    def newest(self) -> tuple[int, np.ndarray] | None:
        """The newest frame (BGR) and its number; None while the camera is off."""
        with self._lock:
            return None if self._frame is None else (self._seq, self._frame)

    def engine_source(self) -> EngineVideoSource:
        """What `Engine(video_source=feed.engine_source)` calls for each call."""
        return EngineVideoSource(self)


class EngineVideoSource:
    """An end-to-end `FrameSource` reading the feed: RGB, at most 640 wide, None when
    there is no new frame (the media keeps the last one; black before any)."""

    def __init__(self, feed: CameraFeed) -> None:
        self._feed = feed
        self._last_seq = -1

    def read(self) -> np.ndarray | None:
        item = self._feed.newest()
        if item is None or item[0] == self._last_seq:
            return None
        self._last_seq, frame = item
        import numpy as np  # not at import: the desktop app imports this before its window

        step = max(1, -(-frame.shape[1] // ENGINE_MAX_WIDTH))
        return np.ascontiguousarray(frame[::step, ::step, 2::-1])  # BGR -> RGB


__all__ = ["CameraError", "CameraFeed", "EngineVideoSource"]
