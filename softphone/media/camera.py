"""Cameras: which there are, by name, and a preview fed by a capture thread.

`list_cameras()` and `open_camera()` run on any ordinary thread (a settings
dialog's worker, the CLI). A `CameraPreview` owns one capture thread that reads
frames as fast as the camera gives them and keeps only the newest few in a
bounded queue (newest frame wins: a slow consumer never makes the camera lag
behind, it just sees fewer frames). The UI takes frames with `latest()`.

Names: on Linux from V4L2's sysfs (`/sys/class/video4linux/videoN/name`, capture
nodes only); elsewhere OpenCV cannot name cameras, so they are "Camera N".
The choice is stored by name (settings), like sound devices. `SyntheticCamera`
is a frame source behind the same interface for machines without a camera
(tests, CI: v4l2loopback cannot be loaded in a container).
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

SYSFS = Path("/sys/class/video4linux")


class CameraError(RuntimeError):
    """What went wrong, in words for the user: missing, busy, stopped."""


@dataclass(frozen=True)
class CameraInfo:
    name: str
    index: int  # OpenCV's index (/dev/videoN on Linux)
    path: str | None = None


@dataclass(frozen=True)
class CameraMode:
    width: int = 1280
    height: int = 720
    fps: float = 30.0


class FrameSource(Protocol):
    mode: CameraMode

    def read(self) -> np.ndarray | None: ...  # BGR uint8 (h, w, 3); None: no frame
    def close(self) -> None: ...


def list_cameras(sysfs: Path = SYSFS) -> list[CameraInfo]:
    if sys.platform.startswith("linux"):
        return _v4l2_cameras(sysfs)
    return _probe_opencv()


def _v4l2_cameras(sysfs: Path) -> list[CameraInfo]:
    cameras = []
    for node in sorted(sysfs.glob("video*"), key=lambda p: int(p.name[5:] or 0)):
        try:
            # each camera has a capture node (index 0) and metadata nodes (index 1...)
            if (node / "index").exists() and (node / "index").read_text().strip() != "0":
                continue
            name = (node / "name").read_text().strip()
        except OSError:
            continue
        cameras.append(CameraInfo(name, int(node.name[5:]), f"/dev/{node.name}"))
    return _unique_names(cameras)


def _unique_names(cameras: list[CameraInfo]) -> list[CameraInfo]:
    """Two identical webcams: "Name" and "Name #2", stable by device order."""
    seen: collections.Counter[str] = collections.Counter()
    out = []
    for c in cameras:
        seen[c.name] += 1
        name = c.name if seen[c.name] == 1 else f"{c.name} #{seen[c.name]}"
        out.append(CameraInfo(name, c.index, c.path))
    return out


def _probe_opencv(limit: int = 5) -> list[CameraInfo]:
    cv2 = _cv2()
    found = []
    for i in range(limit):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append(CameraInfo(f"Camera {i}", i))
        cap.release()
    return found


def _cv2():
    try:
        import cv2
    except ImportError as e:
        raise CameraError(f"camera support unavailable (opencv-python-headless): {e}") from None
    return cv2


class OpenCvCamera:
    """A real camera (or anything OpenCV's VideoCapture opens, e.g. a video file)."""

    def __init__(self, source: int | str, mode: CameraMode, label: str = "") -> None:
        cv2 = _cv2()
        self._cv2 = cv2
        self.label = label or str(source)
        cap = cv2.VideoCapture(source)
        if not cap.isOpened():
            cap.release()
            raise CameraError(_why_not_opened(source, self.label))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, mode.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, mode.height)
        cap.set(cv2.CAP_PROP_FPS, mode.fps)
        ok, frame = cap.read()
        if not ok or frame is None:
            cap.release()
            raise CameraError(
                f"camera {self.label} opened but gives no picture: "
                "it may be in use by another program"
            )
        h, w = frame.shape[:2]
        fps = cap.get(cv2.CAP_PROP_FPS) or mode.fps
        self.mode = CameraMode(w, h, float(fps))  # what the camera really does
        self._cap = cap
        self._first = frame

    def read(self) -> np.ndarray | None:
        if self._first is not None:
            frame, self._first = self._first, None
            return frame
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()


def _why_not_opened(source: int | str, label: str) -> str:
    if isinstance(source, int) and sys.platform.startswith("linux"):
        dev = f"/dev/video{source}"
        if not os.path.exists(dev):
            return f"camera {label} is not connected ({dev} does not exist)"
        if not os.access(dev, os.R_OK | os.W_OK):
            return f"no permission to use camera {label} ({dev}): add the user to group 'video'"
        return f"camera {label} is busy: another program is using it"
    if isinstance(source, str) and not os.path.exists(source):
        return f"camera source {label} does not exist"
    return f"camera {label} could not be opened (busy, or not connected)"


class SyntheticCamera:
    """Moving test pattern at a chosen mode, paced like a camera (its own clock)."""

    def __init__(self, mode: CameraMode, fail_after: int | None = None) -> None:
        self.mode = mode
        self.label = "Synthetic camera"
        self._n = 0
        self._fail_after = fail_after
        self._next = time.monotonic()
        import numpy as np  # not at import: the desktop app imports this before its window

        y, x = np.mgrid[0 : mode.height, 0 : mode.width]
        self._base = ((x + y) % 256).astype(np.uint8)

    def read(self) -> np.ndarray | None:
        if self._fail_after is not None and self._n >= self._fail_after:
            return None  # unplugged
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + 1.0 / self.mode.fps, time.monotonic() - 0.5)
        import numpy as np  # (see __init__)

        frame = np.empty((self.mode.height, self.mode.width, 3), dtype=np.uint8)
        frame[..., 0] = self._base + self._n
        frame[..., 1] = self._n % 256
        frame[..., 2] = 255 - self._base
        frame[0, 0, :] = (self._n % 256, self._n // 256 % 256, 0)  # frame number, for tests
        self._n += 1
        return frame

    def close(self) -> None:
        pass


def open_camera(name: str | None, mode: CameraMode, cameras: list[CameraInfo] | None = None):
    """The camera called `name` (None: the first one), or CameraError saying why not."""
    cameras = list_cameras() if cameras is None else cameras
    if not cameras:
        raise CameraError("no camera found")
    if name is None:
        info = cameras[0]
    else:
        match = [c for c in cameras if c.name == name]
        if not match:
            present = ", ".join(c.name for c in cameras)
            raise CameraError(f"camera {name!r} is not connected (present: {present})")
        info = match[0]
    return OpenCvCamera(info.index, mode, info.name)


@dataclass(frozen=True)
class PreviewStats:
    captured: int
    dropped: int  # replaced in the queue before anyone took them
    error: str | None


class CameraPreview:
    """A capture thread feeding a bounded newest-frame-wins queue."""

    def __init__(self, source: FrameSource, depth: int = 2, stall_s: float = 2.0) -> None:
        self.source = source
        self._frames: collections.deque[tuple[float, np.ndarray]] = collections.deque(maxlen=depth)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._stall_s = stall_s
        self.captured = 0
        self.dropped = 0
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="camera-capture", daemon=True)

    def start(self) -> CameraPreview:
        self._thread.start()
        return self

    def _run(self) -> None:
        last = time.monotonic()
        try:
            while not self._stop.is_set():
                frame = self.source.read()
                now = time.monotonic()
                if frame is None:
                    if now - last > self._stall_s:
                        self.error = f"camera stopped delivering frames for {self._stall_s:.0f} s"
                        break
                    time.sleep(0.01)
                    continue
                last = now
                with self._cond:
                    if len(self._frames) == self._frames.maxlen:
                        self.dropped += 1
                    self._frames.append((now, frame))
                    self.captured += 1
                    self._cond.notify_all()
        except Exception as e:  # a driver error must not kill the program silently
            self.error = f"camera failed: {type(e).__name__}: {e}"
        finally:
            with self._cond:
                self._cond.notify_all()

    def latest(self, timeout: float = 1.0) -> tuple[float, np.ndarray] | None:
        """The newest frame (and when it was captured); older queued frames are dropped."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._frames:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.error or not self._thread.is_alive():
                    return None
                self._cond.wait(remaining)
            item = self._frames.pop()
            self.dropped += len(self._frames)
            self._frames.clear()
            return item

    def stats(self) -> PreviewStats:
        return PreviewStats(self.captured, self.dropped, self.error)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(3)
        self.source.close()
