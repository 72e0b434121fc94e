"""A video call's picture: the other side large, your camera small in a corner. GUI thread.

`VideoView` paints what it is given and nothing else; `call_video.CallVideoPanel`
decides what that is. The remote picture is a `media.video_slot.VideoFrame` (RGB,
read-only, owned by nobody else once put): the QImage drawn from it points into the
frame's own buffer, without a copy, and the view keeps the frame for as long as the
QImage exists (they are replaced together). The picture keeps its aspect ratio (black
bars), and is drawn into the widget's logical rectangle, so on a high-DPI screen Qt
scales it to device pixels itself. A message ("Waiting for video…", "Video paused")
is drawn over the middle, and over a dimmed last picture when there is one.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from softphone.media.video_slot import VideoFrame

PIP_FRACTION = 0.28  # the local preview's width, of the view's
PIP_MARGIN = 8
BACKGROUND = QColor("#101417")


def fit(size: QSize, into: QRect) -> QRect:
    """The largest rectangle of `size`'s aspect ratio centred in `into`."""
    if size.isEmpty() or into.isEmpty():
        return QRect()
    scaled = size.scaled(into.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = into.x() + (into.width() - scaled.width()) // 2
    y = into.y() + (into.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())


def frame_qimage(frame: VideoFrame) -> QImage:
    """A QImage over `frame`'s pixels, no copy: valid only while `frame` is kept."""
    return QImage(
        frame.rgb.data, frame.width, frame.height, frame.rgb.strides[0], QImage.Format.Format_RGB888
    )


class VideoView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame: VideoFrame | None = None
        self._image: QImage | None = None  # over self._frame's buffer
        self._local: QImage | None = None
        self.message = ""
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    # -- what to show -----------------------------------------------------------------

    @property
    def frame(self) -> VideoFrame | None:
        return self._frame

    @property
    def local_image(self) -> QImage | None:
        return self._local

    def show_frame(self, frame: VideoFrame | None) -> None:
        """The other side's newest picture (None: none to show)."""
        self._frame = frame
        self._image = frame_qimage(frame) if frame is not None else None
        self.update()

    def show_local(self, image: QImage | None) -> None:
        """Your camera, small in the corner (None: hidden). The image owns its pixels."""
        self._local = image
        self.update()

    def show_message(self, text: str) -> None:
        """Said over the picture ("" for none)."""
        if text != self.message:
            self.message = text
            self.update()

    def pip_rect(self) -> QRect:
        """Where the local preview goes: the bottom right corner, its own aspect ratio."""
        if self._local is None:
            return QRect()
        w = max(64, int(self.width() * PIP_FRACTION))
        h = w * self._local.height() // max(1, self._local.width())
        return QRect(
            self.width() - w - PIP_MARGIN, self.height() - h - PIP_MARGIN, w, h
        ).intersected(self.rect())

    def pip_pixels(self) -> int:
        """How many device pixels wide the local preview is drawn (its image need be no
        wider): logical width × the screen's device pixel ratio."""
        width = max(64, int(self.width() * PIP_FRACTION))
        return int(width * self.devicePixelRatioF())

    # -- painting --------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.fillRect(self.rect(), BACKGROUND)
            if self._image is not None:
                painter.drawImage(QRectF(fit(self._image.size(), self.rect())), self._image)
            if self.message:
                self._paint_message(painter)
            if self._local is not None:
                target = self.pip_rect()
                painter.drawImage(QRectF(target), self._local)
                painter.setPen(QColor(255, 255, 255, 160))
                painter.drawRect(target.adjusted(0, 0, -1, -1))
        finally:
            painter.end()

    def _paint_message(self, painter: QPainter) -> None:
        if self._image is not None:
            painter.fillRect(self.rect(), QColor(0, 0, 0, 140))  # the last picture, dimmed
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        painter.setFont(font)
        painter.setPen(QColor("#e8ecef"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
