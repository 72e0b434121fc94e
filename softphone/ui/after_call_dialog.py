"""After a call: what became of its appointment, an optional follow-up, and an optional
one-question evaluation. GUI thread.

Seed 000 ("Terminating the Call"): clarify the follow-up, consider a short formal
evaluation of the call, and close every window that shows the patient's details. So
this window names no one: it says what was stored for the appointment (done with the
real duration, or kept open with the failed attempt), offers to add a follow-up
appointment with the same participant, and asks "How was the call quality?" (1–5),
stored as the note of the call's history row (`call_evaluation.store_rating`). Every
write runs on a worker thread.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from softphone.schedule.appointment import Appointment, AppointmentStatus
from softphone.storage.appointments import AppointmentStore
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.call_evaluation import SCORES, question, score_words, store_rating
from softphone.ui.context import UiContext
from softphone.ui.dates import day_date_time
from softphone.ui.i18n import translate
from softphone.ui.today_text import follow_up, follow_up_start, outcome_text
from softphone.ui.today_view import change


def appointment_words(a: Appointment) -> str:
    if a.status is AppointmentStatus.DONE:
        return translate("AfterCallDialog", "The appointment was marked done: {outcome}.").format(
            outcome=outcome_text(a.outcome)
            if a.outcome
            else translate("AfterCallDialog", "call completed")
        )
    return translate(
        "AfterCallDialog", "The call did not connect; the appointment stays open ({outcome})."
    ).format(
        outcome=outcome_text(a.outcome) if a.outcome else translate("AfterCallDialog", "no outcome")
    )


class AfterCallDialog(QDialog):
    followUpAdded = Signal(object)  # the new Appointment
    ratingStored = Signal(int)  # the score

    def __init__(
        self,
        ctx: UiContext,
        call_id: str,
        appointment: Appointment | None = None,
        *,
        evaluate: bool = False,
        now: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.call_id = call_id
        self.appointment = appointment
        self.setWindowTitle(self.tr("After the call"))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        layout = QVBoxLayout(self)
        self.appointment_label = QLabel("")
        self.appointment_label.setWordWrap(True)
        self.follow_up_box = QGroupBox(self.tr("Follow-up"))
        self.follow_up_edit = QDateTimeEdit()
        self.follow_up_edit.setCalendarPopup(True)
        self.follow_up_edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        self.follow_up_button = QPushButton(self.tr("Add follow-up appointment"))
        self.follow_up_label = QLabel(self.tr("Same participant, length and phrase."))
        self.follow_up_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.follow_up_edit, 1)
        row.addWidget(self.follow_up_button)
        box = QVBoxLayout(self.follow_up_box)
        box.addLayout(row)
        box.addWidget(self.follow_up_label)
        if appointment is not None:
            self.appointment_label.setText(appointment_words(appointment))
            done = appointment.status is AppointmentStatus.DONE
            theme.paint(self.appointment_label, "ok" if done else "busy", pad=4)
            start = follow_up_start(appointment, now or datetime.now(UTC))
            self.follow_up_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp())))
            layout.addWidget(self.appointment_label)
            layout.addWidget(self.follow_up_box)
        else:
            self.appointment_label.hide()
            self.follow_up_box.hide()
        self.rating_box = QGroupBox(self.tr("Call evaluation (optional)"))
        self.rating_buttons = QButtonGroup(self)
        self.rating_label = QLabel(question())
        self.rating_label.setWordWrap(True)
        scores = QHBoxLayout()
        for score in SCORES:
            button = QPushButton(f"{score}")
            button.setToolTip(
                self.tr("{score}: {words}").format(score=score, words=score_words(score))
            )
            button.setMinimumWidth(44)
            button.setCheckable(True)
            self.rating_buttons.addButton(button, score)
            scores.addWidget(button)
        scores.addStretch(1)
        hint = QLabel(
            self.tr("1 = very poor … 5 = excellent. Stored with this call in the history.")
        )
        hint.setWordWrap(True)
        box = QVBoxLayout(self.rating_box)
        box.addWidget(self.rating_label)
        box.addLayout(scores)
        box.addWidget(hint)
        layout.addWidget(self.rating_box)
        self.rating_box.setVisible(evaluate)
        self.rating_buttons.idClicked.connect(self._on_rating_buttons_id_clicked)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.follow_up_button.clicked.connect(self._on_follow_up_button_clicked)
        self.setMinimumWidth(440)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()  # no score preset

    @Slot(int)
    def _on_rating_buttons_id_clicked(self, score: int) -> None:
        recorder, db = self._ctx.recorder, self._ctx.database
        if recorder is None or db is None:
            return
        for button in self.rating_buttons.buttons():
            button.setEnabled(False)
        job = functools.partial(store_rating, recorder, db, self.call_id, score)
        self._ctx.bridge.run_in_background(job, functools.partial(self._done_rating, score))

    def _done_rating(self, score: int, result: JobResult) -> None:
        if not result.ok or result.value is None:
            why = result.error if not result.ok else self.tr("this call is not in the history")
            self.rating_label.setText(self.tr("Not stored: {reason}").format(reason=why))
            theme.paint(self.rating_label, "error", pad=4)
            for button in self.rating_buttons.buttons():
                button.setEnabled(True)
            return
        self.rating_buttons.button(score).setChecked(True)
        self.rating_label.setText(
            self.tr("Thank you: rated {score} ({words}), stored with the call.").format(
                score=score, words=score_words(score)
            )
        )
        theme.paint(self.rating_label, "ok", pad=4)
        self.ratingStored.emit(score)

    @Slot()
    def _on_follow_up_button_clicked(self) -> None:
        a, db = self.appointment, self._ctx.database
        if a is None or db is None:
            return
        start = datetime.fromtimestamp(self.follow_up_edit.dateTime().toSecsSinceEpoch(), UTC)
        store = AppointmentStore(db)
        new = follow_up(a, start.astimezone())
        add = functools.partial(store.add, new)
        job = functools.partial(change, store, self._ctx.schedule, add)
        self.follow_up_button.setEnabled(False)
        self._ctx.bridge.run_in_background(job, self._done_follow_up)

    def _done_follow_up(self, result: JobResult) -> None:
        if not result.ok:
            self.follow_up_button.setEnabled(True)
            self.follow_up_label.setText(self.tr("Not added: {error}").format(error=result.error))
            theme.paint(self.follow_up_label, "error", pad=4)
            return
        added: Appointment = result.value
        self.follow_up_label.setText(
            self.tr("Follow-up added for {when}.").format(
                when=day_date_time(added.start.astimezone())
            )
        )
        theme.paint(self.follow_up_label, "ok", pad=4)
        self.follow_up_edit.setEnabled(False)
        self.followUpAdded.emit(added)
