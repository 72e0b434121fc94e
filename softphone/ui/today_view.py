"""The Today tab: upcoming and overdue appointments, with add/edit/cancel, "I'm running
late", "Call now", .ics import and export, and reminders. GUI thread.

Appointments are read from the encrypted database (`AppointmentStore`) and every
change is written on a worker thread, which then refreshes the live schedule (the
engine's "scheduled participants only" check). The clock ticks every `TICK_MS`
without touching the disk: sections move ("Now", "Overdue") and reminders fall due
`Settings.schedule.reminder_minutes` before a start, once per appointment, as
`reminderDue(title, message)` — without the participant in privacy mode. "Call now"
goes through `AppointmentCalls.call_now`, i.e. `CallLauncher` and the dial policy.
An .ics import is validated whole (`schedule.ical.read_ics`) and stored in one
transaction: a bad line is named and nothing is imported.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.directory.contacts import ContactDirectory
from softphone.directory.fields import display_label
from softphone.schedule.appointment import Appointment, AppointmentStatus
from softphone.schedule.live import LiveSchedule
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import Contact
from softphone.ui import theme
from softphone.ui.appointment_calls import AppointmentCalls
from softphone.ui.appointment_dialog import AppointmentDialog
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.dates import day_date_time, long_day
from softphone.ui.i18n import QT_TRANSLATE_NOOP
from softphone.ui.today_model import AppointmentRole, ScheduleModel
from softphone.ui.today_text import due_reminders, load_range, reminder_text, running_late

if TYPE_CHECKING:
    from softphone.schedule.ical import ImportReport

TICK_MS = 20_000
LATE_CHOICES = (5, 10, 15, 30)
ICS_FILTER = QT_TRANSLATE_NOOP("TodayView", "iCalendar (*.ics)")


def read_schedule(
    store: AppointmentStore, directory: ContactDirectory | None, now: datetime
) -> tuple[list[Appointment], dict[int, str], list[Contact]]:
    """Worker thread: the appointments around now, their contacts' names, all contacts."""
    appointments = store.between(*load_range(now))
    contacts = directory.list() if directory is not None else []
    names = {c.id: display_label(c) for c in contacts if c.id is not None}
    return appointments, names, contacts


def change(store: AppointmentStore, schedule: LiveSchedule | None, job: Callable[[], object]):
    """Worker thread: one write, then the live schedule is rebuilt."""
    value = job()
    if schedule is not None:
        schedule.refresh()
    return value


# The iCalendar module (vobject) is imported by the import and export jobs, on their
# worker thread: the app does not need it before its first window.


def import_ics(store: AppointmentStore, path: Path, region: str) -> ImportReport:
    from softphone.schedule.ical import read_ics

    report = read_ics(path.read_bytes(), region=region)
    store.add_many(report.appointments)  # one transaction: all or nothing
    return report


def export_ics(store: AppointmentStore, path: Path) -> int:
    from softphone.schedule.ical import write_ics

    appointments = store.all()
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(write_ics(appointments))
    os.replace(tmp, path)
    return len(appointments)


class TodayView(QWidget):
    reminderDue = Signal(str, str)  # title, message

    def __init__(
        self, ctx: UiContext, calls: AppointmentCalls, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._calls = calls
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.model = ScheduleModel(self)
        self.contacts: list[Contact] = []
        self.reminded: set[int] = set()
        self.dialog: AppointmentDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._select_after_reload: int | None = None
        self.date_label = QLabel("")
        self.presence_label = QLabel("")
        self.presence_label.hide()
        self.add_button = QPushButton(self.tr("Add…"))
        self.more_button = QToolButton()
        self.more_button.setText(self.tr("Calendar"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self)
        self.import_action = more.addAction(self.tr("Import .ics…"))
        self.export_action = more.addAction(self.tr("Export .ics…"))
        self.more_button.setMenu(more)
        self.list = QListView()
        self.list.setAccessibleName(self.tr("Appointments"))
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.empty_label = QLabel(
            self.tr("No appointments in the coming days. Add one, or import .ics.")
        )
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.call_button = QPushButton(self.tr("Call now"))
        self.call_button.setStyleSheet(
            "QPushButton { background: #2e7d32; color: white; font-weight: bold; padding: 6px; }"
            "QPushButton:disabled { background: #a9bfa9; }"
        )
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.late_button = QToolButton()
        self.late_button.setText(self.tr("I'm running late"))
        self.late_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.late_menu = QMenu(self)
        for minutes in LATE_CHOICES:
            self.late_menu.addAction(self.tr("About %n min", None, minutes)).setData(minutes)
        self.late_button.setMenu(self.late_menu)
        self.cancel_button = QPushButton(self.tr("Cancel appointment"))
        top = QHBoxLayout()
        top.addWidget(self.date_label)
        top.addWidget(self.presence_label, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.more_button)
        actions = QHBoxLayout()
        actions.addWidget(self.call_button)
        actions.addStretch(1)
        for button in (self.late_button, self.edit_button, self.cancel_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(actions)
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._on_tick_timeout)
        self.list.selectionModel().selectionChanged.connect(self._on_list_selection_changed)
        self.list.doubleClicked.connect(self._on_list_double_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.call_button.clicked.connect(self._on_call_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.late_menu.triggered.connect(self._on_late_menu_triggered)
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.export_action.triggered.connect(self._on_export_action_triggered)
        calls.appointmentsChanged.connect(self.reload)
        if ctx.database is None:
            self.say(self.tr("Appointments are unavailable: the encrypted database is not open."))
            for widget in (self.add_button, self.more_button):
                widget.setEnabled(False)
        self._on_list_selection_changed()

    def store(self) -> AppointmentStore | None:
        return self._calls.store()

    @Slot(str, str)
    def set_presence(self, text: str, kind: str) -> None:
        """Whether signing out between appointments has us signed in now."""
        self.presence_label.setText(text)
        theme.paint(self.presence_label, kind, pad=2)
        self.presence_label.setVisible(bool(text))

    def say(self, text: str, kind: str = "info") -> None:
        self.message_label.setText(text)
        theme.paint(self.message_label, kind, pad=4)
        self.message_label.setVisible(bool(text))

    # -- reading and the clock -------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        store = self.store()
        if store is None:
            return
        job = functools.partial(read_schedule, store, self._ctx.directory, self.now())
        self._ctx.bridge.run_in_background(job, self._done_reload)
        if not self._tick.isActive():
            self._tick.start()

    def _done_reload(self, result: JobResult) -> None:
        if not result.ok:
            self.say(
                self.tr("Could not read the appointments: {error}").format(error=result.error),
                "error",
            )
            return
        appointments, names, self.contacts = result.value
        selected = self.selected()
        wanted = self._select_after_reload or (selected.id if selected else None)
        self._select_after_reload = None
        self.model.set_appointments(appointments, names, self.now())
        self._after_rows_changed(wanted)
        self.check_reminders()

    def _after_rows_changed(self, wanted: int | None) -> None:
        now = self.now().astimezone()
        self.date_label.setText(self.tr("Today, {date}").format(date=long_day(now)))
        self.empty_label.setVisible(not self.model.rows)
        row = self.model.row_of(wanted)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        self._on_list_selection_changed()

    @Slot()
    def _on_tick_timeout(self) -> None:
        selected = self.selected()
        self.model.update_now(self.now())
        self._after_rows_changed(selected.id if selected else None)
        self.check_reminders()

    def check_reminders(self) -> None:
        settings = self._ctx.effective.settings
        minutes = settings.schedule.reminder_minutes
        now = self.now()
        show = settings.privacy.show_caller_in_notifications
        for a in due_reminders(self.model.appointments, now, minutes, self.reminded):
            self.reminded.add(a.id)  # type: ignore[arg-type]
            self.reminderDue.emit(*reminder_text(a, now, show, self.model.names))

    # -- selection -------------------------------------------------------------------------

    def selected(self) -> Appointment | None:
        rows = self.list.selectionModel().selectedRows()
        return rows[0].data(AppointmentRole) if rows else None

    def select(self, appointment_id: int | None) -> None:
        row = self.model.row_of(appointment_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))

    @Slot()
    def _on_list_selection_changed(self, *_args: object) -> None:
        a = self.selected()
        is_open = a is not None and a.open
        self.call_button.setEnabled(is_open)
        self.edit_button.setEnabled(a is not None)
        self.late_button.setEnabled(is_open)
        self.cancel_button.setEnabled(is_open)

    @Slot(QModelIndex)
    def _on_list_double_clicked(self, index: QModelIndex) -> None:
        a = index.data(AppointmentRole)
        if a is not None:
            self.open_editor(a)

    # -- actions ---------------------------------------------------------------------------

    @Slot()
    def _on_call_button_clicked(self) -> None:
        a = self.selected()
        if a is not None and a.open:
            self._calls.call_now(a, self)

    def open_editor(self, appointment: Appointment | None) -> AppointmentDialog | None:
        store = self.store()
        if store is None:
            return None
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AppointmentDialog(
            self._ctx, store, self.contacts, appointment, now=self.now(), parent=self
        )
        self.dialog.appointmentSaved.connect(self._on_dialog_appointment_saved)
        self.dialog.open()
        return self.dialog

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        a = self.selected()
        if a is not None:
            self.open_editor(a)

    @Slot(object)
    def _on_dialog_appointment_saved(self, a: Appointment) -> None:
        self.dialog = None
        self._select_after_reload = a.id
        self.reminded.discard(a.id)  # a new start time deserves a new reminder
        when = day_date_time(a.start.astimezone())
        self.say(self.tr("Saved the appointment at {when}.").format(when=when), "ok")
        self.reload()

    def _write(self, job: Callable[[], object], message: str) -> None:
        store = self.store()
        if store is None:
            return
        work = functools.partial(change, store, self._ctx.schedule, job)
        self._ctx.bridge.run_in_background(work, functools.partial(self._done_write, message))

    def _done_write(self, message: str, result: JobResult) -> None:
        if not result.ok:
            self.say(self.tr("Not changed: {error}").format(error=result.error), "error")
            return
        self.say(message, "ok")
        self.reload()

    @Slot(QAction)
    def _on_late_menu_triggered(self, action: QAction) -> None:
        a, store = self.selected(), self.store()
        if a is None or store is None or not a.open:
            return
        minutes = int(action.data())
        late = replace(a, outcome=running_late(minutes, self.now()))
        self._select_after_reload = a.id
        job = functools.partial(store.update, late)
        self._write(job, self.tr("Marked as running late (%n min).", None, minutes))

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        a = self.selected()
        if a is None or not a.open:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Cancel appointment"),
            self.tr("Cancel the appointment at {when}?").format(
                when=day_date_time(a.start.astimezone())
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("appointment_id", a.id)
        box.finished.connect(self._on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    @Slot(int)
    def _on_confirm_box_finished(self, answer: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        store = self.store()
        if box is None or store is None or answer != QMessageBox.StandardButton.Yes:
            return
        appointment_id = int(box.property("appointment_id"))
        job = functools.partial(store.mark, appointment_id, AppointmentStatus.CANCELLED)
        self._write(job, self.tr("Appointment cancelled."))

    # -- calendar files --------------------------------------------------------------------

    def region(self) -> str:
        if self._ctx.account is not None:
            return self._ctx.account.profile.region
        return self._ctx.directory.region if self._ctx.directory is not None else "US"

    @Slot()
    def _on_import_action_triggered(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import appointments"), "", self.tr(ICS_FILTER)
        )
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> None:
        store = self.store()
        if store is None:
            return
        self.say(self.tr("Importing…"), "busy")
        work = functools.partial(import_ics, store, path, self.region())
        job = functools.partial(change, store, self._ctx.schedule, work)
        self._ctx.bridge.run_in_background(job, functools.partial(self._done_import, path))

    def _done_import(self, path: Path, result: JobResult) -> None:
        if not result.ok:
            from softphone.schedule.ical import CalendarImportError

            error = result.error
            why = str(error) if isinstance(error, CalendarImportError | OSError) else repr(error)
            self.say(
                self.tr("Nothing was imported. {file}: {reason}").format(
                    file=path.name, reason=why
                ),
                "error",
            )
            return
        report: ImportReport = result.value
        skipped = [
            what
            for n, what in (
                (report.skipped_all_day, self.tr("%n all-day", None, report.skipped_all_day)),
                (
                    report.skipped_no_participant,
                    self.tr("%n with no one to call", None, report.skipped_no_participant),
                ),
                (report.skipped_cancelled, self.tr("%n cancelled", None, report.skipped_cancelled)),
            )
            if n
        ]
        count = len(report.appointments)
        if skipped:
            text = self.tr("Imported %n appointments (skipped: {skipped}).", None, count)
            text = text.format(skipped=self.tr(", ").join(skipped))
        else:
            text = self.tr("Imported %n appointments.", None, count)
        self.say(text, "ok")
        self.reload()

    @Slot()
    def _on_export_action_triggered(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export appointments"), "appointments.ics", self.tr(ICS_FILTER)
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        store = self.store()
        if store is not None:
            job = functools.partial(export_ics, store, path)
            self._ctx.bridge.run_in_background(job, functools.partial(self._done_export, path))

    def _done_export(self, path: Path, result: JobResult) -> None:
        if not result.ok:
            self.say(self.tr("Not exported: {error}").format(error=result.error), "error")
            return
        self.say(
            self.tr(
                "Exported %n appointments to {file}. The file is not encrypted: keep it safe "
                "and delete it when done.",
                None,
                result.value,
            ).format(file=path.name),
            "busy",
        )
