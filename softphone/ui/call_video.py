"""The video of an end-to-end call: the other side's picture, large, with your camera
small in its corner, and a button that turns your camera on and off. GUI thread.

Shown only when the call negotiated video (end-to-end media on an account whose
profile offers `e2e_video` — the engine's own condition for `SetVideo` — or video
frames arrived from the peer). The camera is `UiContext.camera` (a
`media.camera_feed.CameraFeed`, the same one the engine sends from): turning it on
opens the camera off the GUI thread, then sends `SetVideo(on=True)`; turning it off
sends `SetVideo(on=False)` and releases the camera. The engine's video starts on
with a black picture until then, so the panel says which it wants as soon as it
appears: on when the settings say calls start with video, off otherwise.

The other side's picture comes from the engine's slot for the call
(`EngineBridge.remote_video`, newest frame wins), read by one timer at the display
rate: a read that finds nothing new costs a lock and a comparison, and only a new
frame repaints. No frame yet: "Waiting for video…"; none for `PAUSED_AFTER_S`, or
the call on hold either way: "Video paused" over the last picture, dimmed. The slot
is let go when the engine releases it (the call ended) or the window ends the call.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from softphone.engine import events as ev
from softphone.media.video_slot import VideoSlot
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.video_view import VideoView

if TYPE_CHECKING:
    import numpy as np

PREVIEW_W = 240
FRAME_EVERY_MS = 33  # the display rate: the peer sends 15 a second, a camera up to 30
PAUSED_AFTER_S = 1.0  # no new picture for this long: the other side's camera is off


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
        self._slot: VideoSlot | None = None
        self._held = False
        self._remote_seq = 0
        self.frames_shown = 0  # of your camera
        self.remote_frames_shown = 0
        self.camera_button = QPushButton(self.tr("Camera off"))
        self.camera_button.setCheckable(True)
        self.camera_button.setAccessibleName(self.tr("Camera"))
        self.camera_button.setAccessibleDescription(
            self.tr("Turns your camera on or off for this call")
        )
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.view = VideoView()
        self.view.setAccessibleName(self.tr("Video from the other side, and your camera"))
        self.remote_label = QLabel("")
        self.remote_label.setWordWrap(True)
        self.remote_label.setAccessibleName(self.tr("Video from the other side"))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.camera_button)
        row.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.remote_label)
        self._timer = QTimer(self, interval=FRAME_EVERY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.camera_button.toggled.connect(self._on_camera_button_toggled)
        self.hide()

    # -- what the call does ------------------------------------------------------------

    def media_changed(self, media: ev.MediaSecurity, held: bool = False) -> None:
        """The call's media: offer the camera once it is end to end with video. `held`:
        on hold, by either side (the other side's picture stops)."""
        self._held = held
        account = self._ctx.account
        video = account is not None and account.profile.media.e2e_video
        if media.end_to_end and video:
            self._offer()
        self._show_remote_state()

    def video_arrived(self, e: ev.CallVideoDidArrive) -> None:
        self._offer()

    def _offer(self) -> None:
        if self.offered:
            return
        self.offered = True
        self.show()
        self._timer.start()
        self._show_remote_state()
        theme.grow_soon(self.window())  # the wrapped labels above must keep their lines
        start_on = self._ctx.effective.settings.video.start_calls_with_video
        if start_on and self._ctx.camera is not None:
            self.camera_button.setChecked(True)  # -> on
        else:
            self._ctx.bridge.set_video(self.call_id, False)  # the engine starts it on

    def end(self) -> None:
        """The call ended: the camera goes off (released if this window opened it), and
        the other side's picture with it."""
        self._timer.stop()
        self._slot = None
        self.view.show_frame(None)
        self.view.show_local(None)
        self.view.hide()
        self.camera_button.setEnabled(False)
        self.remote_label.hide()
        self._release()

    # -- the button ------------------------------------------------------------------

    @Slot(bool)
    def _on_camera_button_toggled(self, on: bool) -> None:
        self.wanted = on
        self.camera_button.setText(self.tr("Camera on") if on else self.tr("Camera off"))
        feed = self._ctx.camera
        if not on:
            self.view.show_local(None)
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

    # -- the pictures: one timer, GUI thread -------------------------------------------

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._mine:
            self._show_local()
        self._show_remote()

    def _show_local(self) -> None:
        feed = self._ctx.camera
        item = feed.newest() if feed is not None else None
        if item is None:
            if feed is not None and feed.error:
                self.view.show_local(None)
                self._ctx.bridge.set_video(self.call_id, False)
                self._release()
                self._refuse(feed.error)
            return
        seq, frame = item
        if seq == self._last_seq:
            return
        self._last_seq = seq
        self.view.show_local(frame_image(frame, self.view.pip_pixels()))
        self.frames_shown += 1

    def _show_remote(self) -> None:
        slot = self._slot
        if slot is None:  # the engine makes it when the call's media is set up
            slot = self._slot = self._ctx.bridge.remote_video(self.call_id)
        elif slot.released:  # the call ended (its end event is on its way)
            slot = self._slot = None
        frame = slot.newest(after=self._remote_seq) if slot is not None else None
        if frame is not None:
            self._remote_seq = frame.seq
            self.view.show_frame(frame)
            self.remote_frames_shown += 1
        self._show_remote_state()

    def _show_remote_state(self) -> None:
        frame = self.view.frame
        if frame is None:
            text = self.tr("Waiting for video…")
        elif self._held or time.monotonic() - frame.at > PAUSED_AFTER_S:
            text = self.tr("Video paused")
        else:
            text = ""
        self.view.show_message(text)
        caption = text or self.tr(
            "Receiving video from the other side ({width} × {height})"
        ).format(width=frame.width, height=frame.height)
        if caption != self.remote_label.text():
            self.remote_label.setText(caption)
