"""The camera shared by a call's video and the call window's preview: two readers see the
newest frame without taking it from each other; the engine gets RGB at most 640 wide."""

from __future__ import annotations

import time

import numpy as np

from softphone.media.camera import CameraMode
from softphone.media.camera_feed import CameraFeed


class StillCamera:
    """A camera whose every frame is the same known BGR picture."""

    def __init__(self) -> None:
        self.mode = CameraMode(1280, 720, 30)
        self.frame = np.zeros((720, 1280, 3), dtype=np.uint8)
        self.frame[..., 0] = 10  # blue
        self.frame[..., 2] = 200  # red
        self.closed = False

    def read(self) -> np.ndarray:
        time.sleep(1 / 30)
        return self.frame

    def close(self) -> None:
        self.closed = True


def _first(feed: CameraFeed, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while (item := feed.newest()) is None:
        assert time.monotonic() < deadline, "no frame from the camera"
        time.sleep(0.01)
    return item


def test_camera_feed_shares_the_newest_frame_and_releases_the_camera() -> None:
    camera = StillCamera()
    feed = CameraFeed(lambda: camera)
    source = feed.engine_source()
    assert feed.newest() is None and source.read() is None and not feed.on
    feed.start()
    try:
        assert feed.on
        seq, _ = _first(feed)
        assert feed.newest()[0] >= seq  # the preview's read did not take it
        rgb = source.read()
        assert rgb.shape == (360, 640, 3) and rgb.flags.c_contiguous
        assert tuple(rgb[0, 0]) == (200, 0, 10)  # BGR became RGB
    finally:
        feed.stop()
    assert camera.closed and not feed.on and feed.newest() is None


def test_camera_feed_start_twice_opens_once() -> None:
    opened = []

    def opener():
        opened.append(StillCamera())
        return opened[-1]

    feed = CameraFeed(opener)
    feed.start()
    feed.start()
    feed.stop()
    assert len(opened) == 1
