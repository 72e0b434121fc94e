"""Settings → Camera: which camera (by name), the size and rate asked of it, a live
preview, and whether calls start with video on. GUI thread.

Listing, opening and closing a camera can block (a USB camera takes a second to
start; a busy one can hang in the driver), so they run on the bridge's worker threads
(`run_in_background`). The preview itself is `media.camera.CameraPreview`: its capture
thread keeps only the newest frames, and a timer here takes the newest one without
waiting (`latest(timeout=0)`), shrinks it by striding and shows it as a QImage. A
missing, busy or stalled camera is said in words, from `CameraError`.

`CameraAccess` is how the page reaches cameras; tests (and machines without one) pass
one whose `open` gives `SyntheticCamera`, the same interface as a real camera.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from softphone.config.settings import VideoSettings
from softphone.media.camera import (
    CameraError,
    CameraInfo,
    CameraMode,
    CameraPreview,
    list_cameras,
    open_camera,
)
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.device_text import camera_rates, camera_sizes

PREVIEW_W, PREVIEW_H = 320, 180
PREVIEW_EVERY_MS = 66  # ~15 pictures a second: plenty for a preview, light on the GUI


@dataclass(frozen=True)
class CameraAccess:
    """The cameras there are, and opening one (both may block: call off the GUI thread)."""

    find_cameras: Callable[[], list[CameraInfo]] = list_cameras
    open_camera: Callable[[str | None, CameraMode, list[CameraInfo]], object] = open_camera


def frame_to_image(frame: np.ndarray, max_width: int = PREVIEW_W) -> QImage:
    """A BGR frame as a QImage no wider than about `max_width` (strided, no resampling),
    owning its pixels (the frame may be reused)."""
    step = max(1, frame.shape[1] // max_width)
    small = np.ascontiguousarray(frame[::step, ::step, :3])
    h, w = small.shape[:2]
    return QImage(small.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


def _open_preview(
    access: CameraAccess, name: str | None, mode: CameraMode, cancelled: threading.Event
) -> CameraPreview | None:
    """Worker thread: find and open the camera, start its capture thread; stop it again
    at once if the page was closed meanwhile (then None)."""
    cameras = access.find_cameras()
    preview = CameraPreview(access.open_camera(name, mode, cameras)).start()
    if cancelled.is_set():
        preview.stop()
        return None
    return preview


class CameraPage(QWidget):
    def __init__(
        self,
        ctx: UiContext,
        lock_row: Callable[[str, QWidget], QLabel],
        access: CameraAccess | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._access = access or ctx.cameras or CameraAccess()
        self.preview: CameraPreview | None = None
        self._opening = False
        self._wanted = False  # the preview should run (the page is on screen)
        self._cancelled = threading.Event()  # set: the camera being opened is not wanted
        self.frames_shown = 0
        video = ctx.effective.settings.video
        self._chosen_camera = video.camera
        self.camera_combo = QComboBox()
        self.camera_combo.setAccessibleName(self.tr("Camera"))
        self.camera_combo.addItem(self.tr("First camera found"), None)
        if video.camera is not None:
            self.camera_combo.addItem(video.camera, video.camera)
            self.camera_combo.setCurrentIndex(1)
        self.size_combo = QComboBox()
        self.size_combo.setAccessibleName(self.tr("Picture size"))
        for w, h in camera_sizes((video.width, video.height)):
            self.size_combo.addItem(f"{w} × {h}", f"{w}x{h}")  # (a tuple would not survive Qt)
        self.size_combo.setCurrentIndex(self.size_combo.findData(f"{video.width}x{video.height}"))
        self.rate_combo = QComboBox()
        self.rate_combo.setAccessibleName(self.tr("Frame rate"))
        for fps in camera_rates(video.fps):
            self.rate_combo.addItem(self.tr("{0:g} frames/s").format(fps), fps)
        self.rate_combo.setCurrentIndex(self.rate_combo.findData(video.fps))
        self.preview_label = QLabel()
        self.preview_label.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setStyleSheet("background: #1d2228; color: #e8ecef;")
        self.preview_label.setAccessibleName(self.tr("Camera preview"))
        self.preview_label.setText(self.tr("Preview"))
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.mode_label = QLabel("")
        self.video_check = QCheckBox(self.tr("Start calls with video on"))
        self.video_check.setAccessibleName(self.tr("Start calls with video on"))
        self.video_check.setChecked(video.start_calls_with_video)
        form = QFormLayout()
        form.addRow(self.tr("Camera:"), self.camera_combo)
        form.addRow(self.tr("Size:"), self.size_combo)
        form.addRow(self.tr("Frame rate:"), self.rate_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.mode_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.status_label)
        layout.addWidget(self.video_check)
        layout.addWidget(lock_row("video.start_calls_with_video", self.video_check))
        layout.addStretch(1)
        self._timer = QTimer(self, interval=PREVIEW_EVERY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        for combo in (self.camera_combo, self.size_combo, self.rate_combo):
            combo.activated.connect(self._on_combo_activated)
        ctx.bridge.run_in_background(self._access.find_cameras, self._done_list)

    # -- choices ---------------------------------------------------------------------

    def mode(self) -> CameraMode:
        w, h = (int(x) for x in self.size_combo.currentData().split("x"))
        return CameraMode(w, h, float(self.rate_combo.currentData()))

    def chosen(self, user: VideoSettings, locked: dict[str, str]) -> VideoSettings:
        mode = self.mode()
        start = (
            user.start_calls_with_video
            if "video.start_calls_with_video" in locked
            else self.video_check.isChecked()
        )
        return VideoSettings(
            camera=self.camera_combo.currentData(),
            width=mode.width,
            height=mode.height,
            fps=mode.fps,
            start_calls_with_video=start,
        )

    def _done_list(self, result: JobResult) -> None:
        if not result.ok:
            self._say(self.tr("Cameras unavailable: {0}").format(result.error), "error")
            return
        current = self.camera_combo.currentData()
        self.camera_combo.clear()
        self.camera_combo.addItem(self.tr("First camera found"), None)
        names = [c.name for c in result.value]
        for name in names:
            self.camera_combo.addItem(name, name)
        if current is not None and current not in names:
            self.camera_combo.addItem(self.tr("{0} — not connected").format(current), current)
        self.camera_combo.setCurrentIndex(max(0, self.camera_combo.findData(current)))
        if not names:
            text = self.tr("No camera found. Connect one, then come back to this page.")
            self._say(text, "error")

    @Slot(int)
    def _on_combo_activated(self, _index: int) -> None:
        if self._wanted:
            self.stop_preview()
            self.start_preview()

    # -- the preview -----------------------------------------------------------------

    def start_preview(self) -> None:
        self._wanted = True
        if self._opening or self.preview is not None:
            return
        self._opening = True
        self._cancelled = threading.Event()
        self.preview_label.setText(self.tr("Opening the camera…"))
        self.status_label.hide()
        job = functools.partial(
            _open_preview,
            self._access,
            self.camera_combo.currentData(),
            self.mode(),
            self._cancelled,
        )
        self._ctx.bridge.run_in_background(job, self._done_open)

    def _done_open(self, result: JobResult) -> None:
        self._opening = False
        if not result.ok:
            error = result.error
            why = str(error)
            if not isinstance(error, CameraError):
                why = f"{type(error).__name__}: {error}"
            self.preview_label.setText(self.tr("No picture"))
            self._say(why, "error")
            return
        preview: CameraPreview | None = result.value
        if preview is None:
            return  # closed while opening: already stopped
        if not self._wanted:  # the page went away while the camera opened
            self._ctx.bridge.run_in_background(preview.stop)
            return
        self.preview = preview
        m = preview.source.mode
        self.mode_label.setText(
            self.tr("The camera delivers {0} × {1} at {2:g} frames/s").format(
                m.width, m.height, m.fps
            )
        )
        self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        preview = self.preview
        if preview is None:
            return
        item = preview.latest(timeout=0)
        if item is None:
            if preview.error:
                self._say(self.tr("The camera stopped: {0}").format(preview.error), "error")
                self.stop_preview()
            return
        image = frame_to_image(item[1])
        pixmap = QPixmap.fromImage(image).scaled(
            self.preview_label.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        self.preview_label.setPixmap(pixmap)
        self.frames_shown += 1

    def stop_preview(self) -> None:
        """Stop showing; the camera closes on a worker thread (closing can block)."""
        self._wanted = False
        self._cancelled.set()
        self._timer.stop()
        preview, self.preview = self.preview, None
        if preview is not None:
            self._ctx.bridge.run_in_background(preview.stop)

    def _say(self, text: str, kind: str) -> None:
        self.status_label.setText(text)
        theme.paint(self.status_label, kind, pad=4)
        self.status_label.show()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.start_preview()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.stop_preview()

    def shutdown(self) -> None:
        self.stop_preview()
