"""The camera of an end-to-end call: an on/off button, the local preview, and whether
the other side's video arrives. GUI thread.

Shown only when the call negotiated video (end-to-end media on an account whose
profile offers `e2e_video` — the engine's own condition for `SetVideo` — or video
frames arrived from the peer). The camera is `UiContext.camera` (a
`media.camera_feed.CameraFeed`, the same one the engine sends from): turning it on
opens the camera off the GUI thread, then sends `SetVideo(on=True)`; turning it off
sends `SetVideo(on=False)` and releases the camera. The engine's video starts on
with a black picture until then, so the panel says which it wants as soon as it
appears: on when the settings say calls start with video, off otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from softphone.engine import events as ev
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext

if TYPE_CHECKING:
    import numpy as np

PREVIEW_W, PREVIEW_H = 240, 180
PREVIEW_EVERY_MS = 66


def frame_image(frame: np.ndarray, max_width: int = PREVIEW_W) -> QImage:
    """A BGR frame as a QImage about `max_width` wide (strided), owning its pixels."""
    import numpy as np  # not at import: only a camera frame needs it (start-up time)

    step = max(1, -(-frame.shape[1] // max_width))  # fits inside the preview
    small = np.ascontiguousarray(frame[::step, ::step, :3])
    h, w = small.shape[:2]
    return QImage(small.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


class CallVideoPanel(QWidget):
    def __init__(self, ctx: UiContext, call_id: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.call_id = call_id
        self.offered = False  # the panel has appeared (the call has video)
        self.wanted = False  # the user wants the camera on
        self._mine = False  # this window turned the shared camera on
        self._last_seq = -1
        self.frames_shown = 0
        self.camera_button = QPushButton(self.tr("Camera off"))
        self.camera_button.setCheckable(True)
        self.camera_button.setAccessibleName(self.tr("Camera"))
        self.camera_button.setAccessibleDescription(
            self.tr("Turns your camera on or off for this call")
        )
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.remote_label = QLabel("")
        self.remote_label.setAccessibleName(self.tr("Video from the other side"))
        self.remote_label.hide()
        self.preview_label = QLabel()
        self.preview_label.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setStyleSheet("background: #1d2228; color: #e8ecef;")
        self.preview_label.setAccessibleName(self.tr("Your camera (preview)"))
        self.preview_label.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.camera_button)
        row.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.preview_label, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.remote_label)
        self._timer = QTimer(self, interval=PREVIEW_EVERY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.camera_button.toggled.connect(self._on_camera_button_toggled)
        self.hide()

    # -- what the call does ------------------------------------------------------------

    def media_changed(self, media: ev.MediaSecurity) -> None:
        """The call's media: offer the camera once it is end to end with video."""
        account = self._ctx.account
        video = account is not None and account.profile.media.e2e_video
        if media.end_to_end and video:
            self._offer()

    def video_arrived(self, e: ev.CallVideoDidArrive) -> None:
        self._offer()
        self.remote_label.setText(
            self.tr("Receiving video from the other side ({width} × {height})").format(
                width=e.width, height=e.height
            )
        )
        if self.remote_label.isHidden():
            self.remote_label.show()
            theme.grow_soon(self.window())

    def _offer(self) -> None:
        if self.offered:
            return
        self.offered = True
        self.show()
        theme.grow_soon(self.window())  # the wrapped labels above must keep their lines
        start_on = self._ctx.effective.settings.video.start_calls_with_video
        if start_on and self._ctx.camera is not None:
            self.camera_button.setChecked(True)  # -> on
        else:
            self._ctx.bridge.set_video(self.call_id, False)  # the engine starts it on

    def end(self) -> None:
        """The call ended: the camera goes off (released if this window opened it)."""
        self._timer.stop()
        self.camera_button.setEnabled(False)
        self.preview_label.hide()
        self.remote_label.hide()
        self._release()

    # -- the button ------------------------------------------------------------------

    @Slot(bool)
    def _on_camera_button_toggled(self, on: bool) -> None:
        self.wanted = on
        self.camera_button.setText(self.tr("Camera on") if on else self.tr("Camera off"))
        feed = self._ctx.camera
        if not on:
            self._timer.stop()
            self.preview_label.hide()
            self.status_label.setText("")
            self._ctx.bridge.set_video(self.call_id, False)
            self._release()
            return
        if feed is None:
            self._refuse(self.tr("No camera is set up (Settings → Camera)."))
            return
        self.status_label.setText(self.tr("Starting the camera…"))
        theme.paint(self.status_label, "busy", pad=2)
        self._ctx.bridge.run_in_background(feed.start, self._done_camera_start)

    def _done_camera_start(self, result: JobResult) -> None:
        if not self.wanted:  # turned off (or the call ended) meanwhile
            return
        if not result.ok:
            self._refuse(self.tr("The camera did not start: {error}").format(error=result.error))
            return
        self._mine = True
        self._ctx.bridge.set_video(self.call_id, True)
        self.status_label.setText(self.tr("The other side sees your camera."))
        theme.paint(self.status_label, "end_to_end", pad=2)
        self.preview_label.show()
        self._timer.start()
        theme.grow_soon(self.window())

    def _refuse(self, why: str) -> None:
        self.status_label.setText(why)
        theme.paint(self.status_label, "error", pad=2)
        self.camera_button.blockSignals(True)
        self.camera_button.setChecked(False)
        self.camera_button.setText(self.tr("Camera off"))
        self.camera_button.blockSignals(False)
        self.wanted = False

    def _release(self) -> None:
        feed = self._ctx.camera
        if self._mine and feed is not None:
            self._mine = False
            self._ctx.bridge.run_in_background(feed.stop)

    @Slot()
    def _on_timer_timeout(self) -> None:
        feed = self._ctx.camera
        item = feed.newest() if feed is not None else None
        if item is None:
            if feed is not None and feed.error:
                self._timer.stop()
                self._ctx.bridge.set_video(self.call_id, False)
                self._release()
                self._refuse(feed.error)
            return
        seq, frame = item
        if seq == self._last_seq:
            return
        self._last_seq = seq
        self.preview_label.setPixmap(QPixmap.fromImage(frame_image(frame)))
        self.frames_shown += 1
