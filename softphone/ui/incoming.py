"""The ringing window for an incoming call: Answer, Decline (603), Busy (486). GUI thread.

Not modal and never opened inside an engine callback: it is created from the bridge's
queued `callArrived` signal. Privacy mode keeps the caller out of its title and text
(`notify_text.incoming_text`). With a call already up, Answer puts that call on hold
(`Answer(hold_others=True)`: call waiting). It rings until answered, refused or
given up by the caller. A caller the live schedule expects now is shown with the
appointment (its time only, in privacy mode).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.schedule.appointment import Appointment
from softphone.ui import theme
from softphone.ui.context import UiContext
from softphone.ui.notify_text import CallerText, incoming_text
from softphone.ui.today_text import incoming_text as appointment_text

DECLINE_CODE = 603
BUSY_CODE = 486
RING_INTERVAL_MS = 2000


class IncomingCallDialog(QDialog):
    answered = Signal(str)  # call id

    def __init__(
        self,
        ctx: UiContext,
        event: ev.CallDidArrive,
        parent=None,
        *,
        appointment: Appointment | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.call_id = event.call_id
        self.remote_uri = event.remote_uri
        self.appointment = appointment
        show = ctx.effective.settings.privacy.show_caller_in_notifications
        self.text: CallerText = incoming_text(event, show)
        self.setWindowTitle(self.text.title)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.title_label = QLabel(self.text.title)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)
        self.caller_label = QLabel(self.text.caller)
        self.caller_label.setWordWrap(True)
        self.appointment_label = QLabel(appointment_text(appointment, show) if appointment else "")
        self.appointment_label.setWordWrap(True)
        self.appointment_label.setVisible(appointment is not None)
        theme.paint(self.appointment_label, "ok", pad=4)
        self.waiting_label = QLabel(self.text.waiting)
        self.waiting_label.setWordWrap(True)
        self.waiting_label.setVisible(bool(self.text.waiting))
        theme.paint(self.waiting_label, "busy", pad=4)
        self.answer_button = QPushButton(self.tr("Answer"))
        self.answer_button.setStyleSheet(
            "QPushButton { background: #2e7d32; color: white; font-weight: bold; padding: 8px; }"
        )
        self.decline_button = QPushButton(self.tr("Decline"))
        self.busy_button = QPushButton(self.tr("Busy"))
        self.decline_button.setToolTip(self.tr("Refuse the call (603 Decline)"))
        self.busy_button.setToolTip(self.tr("Tell the caller you are busy (486 Busy Here)"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.answer_button, 2)
        buttons.addWidget(self.decline_button, 1)
        buttons.addWidget(self.busy_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.caller_label)
        layout.addWidget(self.appointment_label)
        layout.addWidget(self.waiting_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(380)
        self.answer_button.clicked.connect(self._on_answer_button_clicked)
        self.decline_button.clicked.connect(self._on_decline_button_clicked)
        self.busy_button.clicked.connect(self._on_busy_button_clicked)
        ctx.bridge.callEnded.connect(self._on_call_did_end)
        self._ring = QTimer(self, interval=RING_INTERVAL_MS)
        self._ring.timeout.connect(self._on_ring_timeout)
        self._ring.start()
        self._on_ring_timeout()

    @Slot()
    def _on_ring_timeout(self) -> None:
        QApplication.beep()  # the ringer device joins when the audio bridge lands
        QApplication.alert(self)

    @Slot()
    def _on_answer_button_clicked(self) -> None:
        self._ctx.bridge.submit(cmd.Answer(self.call_id, hold_others=True))
        self.answered.emit(self.call_id)
        self._finish()

    @Slot()
    def _on_decline_button_clicked(self) -> None:
        self._ctx.bridge.submit(cmd.Reject(self.call_id, DECLINE_CODE))
        self._finish()

    @Slot()
    def _on_busy_button_clicked(self) -> None:
        self._ctx.bridge.submit(cmd.Reject(self.call_id, BUSY_CODE))
        self._finish()

    @Slot(object)
    def _on_call_did_end(self, e: ev.CallDidEnd) -> None:
        if e.call_id == self.call_id:
            self._finish()  # the caller gave up, or it was answered elsewhere

    def _finish(self) -> None:
        self._ring.stop()
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:  # Escape or the window's close box: decline
        if self._ring.isActive():
            self._ctx.bridge.submit(cmd.Reject(self.call_id, DECLINE_CODE))
            self._ring.stop()
        super().reject()
