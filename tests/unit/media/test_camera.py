"""Cameras: V4L2 names, newest-frame-wins preview, clear errors, a real OpenCV source.

There is no camera in CI and v4l2loopback cannot be loaded in a container: the
preview runs on `SyntheticCamera` (same interface), and OpenCV's own capture
path is exercised on a video file it wrote, which VideoCapture opens like a
device.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from softphone.media.camera import (
    CameraError,
    CameraInfo,
    CameraMode,
    CameraPreview,
    OpenCvCamera,
    SyntheticCamera,
    _v4l2_cameras,
    open_camera,
)


def _node(root: Path, n: int, name: str, index: int) -> None:
    d = root / f"video{n}"
    d.mkdir(parents=True)
    (d / "name").write_text(name + "\n")
    (d / "index").write_text(f"{index}\n")


def test_v4l2_names_capture_nodes_only_and_duplicates_told_apart(tmp_path: Path) -> None:
    _node(tmp_path, 0, "HD Webcam C270", 0)
    _node(tmp_path, 1, "HD Webcam C270", 1)  # metadata node of the same camera
    _node(tmp_path, 2, "HD Webcam C270", 0)  # a second, identical camera
    _node(tmp_path, 10, "Integrated Camera", 0)
    cams = _v4l2_cameras(tmp_path)
    assert [(c.name, c.index, c.path) for c in cams] == [
        ("HD Webcam C270", 0, "/dev/video0"),
        ("HD Webcam C270 #2", 2, "/dev/video2"),
        ("Integrated Camera", 10, "/dev/video10"),
    ]


def frame_number(frame: np.ndarray) -> int:
    return int(frame[0, 0, 0]) + 256 * int(frame[0, 0, 1])


def test_preview_newest_frame_wins_for_a_slow_consumer() -> None:
    preview = CameraPreview(SyntheticCamera(CameraMode(320, 240, 50.0)), depth=2).start()
    try:
        first = preview.latest(2.0)
        assert first is not None
        time.sleep(0.5)  # a UI busy for 25 frame times
        when, frame = preview.latest(1.0)
        assert frame.shape == (240, 320, 3)
        assert time.monotonic() - when < 0.1  # fresh, not the one queued 0.5 s ago
        assert frame_number(frame) - frame_number(first[1]) >= 15
        stats = preview.stats()
        assert stats.dropped >= 10 and stats.error is None
        assert 15 <= stats.captured <= 40  # paced by the camera's own clock (~50 fps)
    finally:
        preview.stop()


def test_preview_reports_a_camera_that_stops() -> None:
    preview = CameraPreview(SyntheticCamera(CameraMode(64, 48, 100.0), fail_after=5), stall_s=0.3)
    preview.start()
    deadline = time.monotonic() + 3
    while preview.stats().error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    preview.stop()
    assert "stopped delivering" in (preview.stats().error or "")


def test_missing_camera_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="no camera found"):
        open_camera(None, CameraMode(), cameras=[])
    cams = [CameraInfo("Integrated Camera", 0, "/dev/video0")]
    with pytest.raises(CameraError, match=r"'USB Cam' is not connected \(present: Integrated"):
        open_camera("USB Cam", CameraMode(), cameras=cams)
    pytest.importorskip("cv2")
    with pytest.raises(CameraError, match=r"is not connected \(/dev/video63 does not exist\)"):
        OpenCvCamera(63, CameraMode(), "Camera 63")  # /dev/video63: not there
    with pytest.raises(CameraError, match="does not exist"):
        OpenCvCamera(str(tmp_path / "none.avi"), CameraMode(), "file")


def test_opencv_capture_source_with_the_mode_it_really_gives(tmp_path: Path) -> None:
    cv2 = pytest.importorskip("cv2")
    path = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (160, 120))
    for i in range(20):
        writer.write(np.full((120, 160, 3), i * 10, dtype=np.uint8))
    writer.release()
    cam = OpenCvCamera(str(path), CameraMode(1280, 720, 30.0), "file camera")
    assert (cam.mode.width, cam.mode.height) == (160, 120)  # asked 720p: it does 120p
    preview = CameraPreview(cam).start()
    try:
        got = preview.latest(2.0)
        assert got is not None and got[1].shape == (120, 160, 3)
    finally:
        preview.stop()
