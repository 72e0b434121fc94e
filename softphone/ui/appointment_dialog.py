"""Add or edit an appointment: the participant (a contact's number or address, or one
typed), start, duration, who calls whom, a title, minimal notes and an optional
verification phrase. GUI thread.

The phrase is typed into a password field, taken out of it at once as a `Secret`,
and hashed with scrypt (`schedule.phrase.hash_phrase`) on a worker thread together
with the write, so neither the phrase nor the wait ever sits on the GUI thread; only
the salted hash is stored. An edited appointment keeps its phrase unless a new one
is typed or "Remove the phrase" is ticked. After a save the live schedule is
refreshed, so the engine's "scheduled participants only" check sees the change.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from softphone.directory.fields import display_label
from softphone.schedule.appointment import Appointment, CallDirection
from softphone.schedule.live import LiveSchedule
from softphone.schedule.phrase import hash_phrase
from softphone.security.secret import Secret
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import Contact
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.contact_text import call_targets
from softphone.ui.context import UiContext
from softphone.ui.today_text import MAX_MINUTES, build_appointment

DEFAULT_MINUTES = 30


def save_appointment(
    store: AppointmentStore,
    schedule: LiveSchedule | None,
    appointment: Appointment,
    phrase: Secret | None,
    remove_phrase: bool,
) -> Appointment:
    """Worker thread: hash a new phrase (scrypt), write, refresh the live schedule."""
    if phrase is not None:
        appointment = replace(appointment, phrase_hash=hash_phrase(phrase))
    elif remove_phrase:
        appointment = replace(appointment, phrase_hash=None)
    saved = store.add(appointment) if appointment.id is None else store.update(appointment)
    if schedule is not None:
        schedule.refresh()
    return saved


def next_half_hour(now: datetime) -> datetime:
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=30 - now.minute % 30)
    return start


def _qt_time(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def _aware(value: QDateTime) -> datetime:
    """A QDateTimeEdit's local time as an aware datetime (the offset in force then)."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC).astimezone()


class AppointmentDialog(QDialog):
    appointmentSaved = Signal(object)  # the Appointment as stored

    def __init__(
        self,
        ctx: UiContext,
        store: AppointmentStore,
        contacts: list[Contact],
        appointment: Appointment | None = None,
        *,
        now: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._store = store
        self.appointment = appointment
        editing = appointment is not None and appointment.id is not None
        self.setWindowTitle(self.tr("Edit appointment") if editing else self.tr("New appointment"))
        self.participant_combo = QComboBox()
        self.participant_combo.setEditable(True)
        self.participant_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.participant_combo.lineEdit().setPlaceholderText(
            self.tr("a contact, or a number or SIP address")
        )
        for contact in contacts:
            for target in call_targets(contact):
                self.participant_combo.addItem(
                    f"{display_label(contact)} · {target.label}", (contact.id, target.target)
                )
        self.advice_label = QLabel("")
        self.advice_label.setWordWrap(True)
        self.start_edit = QDateTimeEdit()
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(1, MAX_MINUTES)
        self.minutes_spin.setSuffix(self.tr(" min"))
        self.we_call_radio = QRadioButton(self.tr("We call them"))
        self.they_call_radio = QRadioButton(self.tr("They call us"))
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("e.g. Follow-up visit"))
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText(self.tr("minimal: no clinical details"))
        self.phrase_edit = QLineEdit()
        self.phrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.phrase_edit.setPlaceholderText(self.tr("optional, at least 4 characters"))
        self.phrase_state = QLabel("")
        self.phrase_state.setWordWrap(True)
        self.remove_phrase_check = QCheckBox(self.tr("Remove the phrase"))
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        direction = QHBoxLayout()
        direction.addWidget(self.we_call_radio)
        direction.addWidget(self.they_call_radio)
        direction.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("With:"), self.participant_combo)
        form.addRow("", self.advice_label)
        form.addRow(self.tr("Starts:"), self.start_edit)
        form.addRow(self.tr("Duration:"), self.minutes_spin)
        form.addRow(self.tr("Who calls:"), direction)
        form.addRow(self.tr("Title:"), self.title_edit)
        form.addRow(self.tr("Notes:"), self.notes_edit)
        form.addRow(self.tr("Verification phrase:"), self.phrase_edit)
        form.addRow("", self.phrase_state)
        form.addRow("", self.remove_phrase_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(540)
        self.participant_combo.currentTextChanged.connect(self._on_participant_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._fill(appointment, now or datetime.now(UTC))

    def _fill(self, a: Appointment | None, now: datetime) -> None:
        if a is None:
            self.participant_combo.setCurrentIndex(-1)
            self.start_edit.setDateTime(_qt_time(next_half_hour(now)))
            self.minutes_spin.setValue(DEFAULT_MINUTES)
            self.we_call_radio.setChecked(True)
        else:
            self.select_participant(a.participant, a.contact_id)
            self.start_edit.setDateTime(_qt_time(a.start))
            self.minutes_spin.setValue(int(a.duration.total_seconds() // 60))
            they = a.direction is CallDirection.THEY_CALL
            (self.they_call_radio if they else self.we_call_radio).setChecked(True)
            self.title_edit.setText(a.title)
            self.notes_edit.setText(a.notes or "")
        has_phrase = a is not None and a.phrase_hash is not None
        self.phrase_state.setText(
            self.tr("A phrase is set (kept only as a salted hash): type a new one to replace it.")
            if has_phrase
            else self.tr(
                "Agreed with the patient beforehand; you check it at the start of the call. "
                "Only a salted hash is stored."
            )
        )
        self.remove_phrase_check.setVisible(has_phrase)
        self._on_participant_changed(self.participant_combo.currentText())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        theme.grow_soon(self)

    def select_participant(self, participant: str, contact_id: int | None) -> None:
        for i in range(self.participant_combo.count()):
            cid, target = self.participant_combo.itemData(i)
            if target == participant and (contact_id is None or cid == contact_id):
                self.participant_combo.setCurrentIndex(i)
                return
        self.participant_combo.setCurrentIndex(-1)
        self.participant_combo.setEditText(participant)

    def participant(self) -> tuple[str, int | None]:
        """(whom to call, the contact's id when one was picked)."""
        text = self.participant_combo.currentText()
        i = self.participant_combo.findText(text)
        if i >= 0:
            contact_id, target = self.participant_combo.itemData(i)
            return target, contact_id
        return text.strip(), None

    def edited(self) -> Appointment:
        target, contact_id = self.participant()
        return build_appointment(
            self.appointment,
            participant=target,
            contact_id=contact_id,
            start=_aware(self.start_edit.dateTime()),
            minutes=self.minutes_spin.value(),
            title=self.title_edit.text(),
            they_call=self.they_call_radio.isChecked(),
            notes=self.notes_edit.text(),
        )

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        theme.paint(self.error_label, "error", pad=4)
        self.error_label.show()
        theme.grow_to_fit(self)

    @Slot(str)
    def _on_participant_changed(self, _text: str) -> None:
        target, _ = self.participant()
        if not target:
            self.advice_label.setText("")
            return
        advice = self._ctx.dial_advice(target)
        self.advice_label.setText(self.tr("Calling: {advice}").format(advice=advice.text))
        theme.paint(self.advice_label, advice.advice.value, pad=3)
        theme.grow_soon(self)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        try:
            appointment = self.edited()
        except ValueError as e:
            self.show_error(self.tr("Not saved: {error}").format(error=e))
            return
        text = self.phrase_edit.text()
        self.phrase_edit.clear()  # the phrase leaves the widget now, as a Secret
        phrase = Secret(text) if text else None
        job = functools.partial(
            save_appointment,
            self._store,
            self._ctx.schedule,
            appointment,
            phrase,
            self.remove_phrase_check.isChecked(),
        )
        self.buttons.setEnabled(False)
        self._ctx.bridge.run_in_background(job, self._done_save)

    def _done_save(self, result: JobResult) -> None:
        self.buttons.setEnabled(True)
        if not result.ok:
            self.show_error(self.tr("Not saved: {error}").format(error=result.error))
            return
        self.appointment = result.value
        self.appointmentSaved.emit(result.value)
        self.accept()
