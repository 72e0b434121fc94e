"""The Today view's rows as a Qt list model: section headers and appointments. GUI thread.

A model only: the view reads the appointments (off the GUI thread) and hands them to
`set_appointments`; the rows, their text and state come from `today_text`. Headers
are not selectable; an appointment's state (now, overdue, running late, done,
cancelled) gives its colour, always together with words in the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from softphone.schedule.appointment import Appointment
from softphone.ui.today_text import Row, schedule_rows

AppointmentRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
_COLOURS = {
    "now": "#0f5223",
    "overdue": "#8a1010",
    "late": "#5d4300",
    "done": "#5f6b76",
    "cancelled": "#5f6b76",
    "missed": "#5f6b76",
}


class ScheduleModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.appointments: list[Appointment] = []
        self.names: Mapping[int, str] = {}
        self.rows: list[Row] = []

    def set_appointments(
        self, appointments: list[Appointment], names: Mapping[int, str], now: datetime
    ) -> None:
        self.appointments, self.names = list(appointments), dict(names)
        self.update_now(now)

    def update_now(self, now: datetime) -> None:
        """Re-sort into sections for `now` (the clock moved; no new data)."""
        self.beginResetModel()
        self.rows = schedule_rows(self.appointments, now, self.names)
        self.endResetModel()

    def row_of(self, appointment_id: int | None) -> int:
        return next(
            (
                i
                for i, r in enumerate(self.rows)
                if r.appointment is not None and r.appointment.id == appointment_id
            ),
            -1,
        )

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self.rows[index.row()].kind == "header":
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text
        if role == AppointmentRole:
            return row.appointment
        if role == StateRole:
            return row.state
        if role == Qt.ItemDataRole.FontRole and row.kind == "header":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and row.state in _COLOURS:
            return QColor(_COLOURS[row.state])
        if role == Qt.ItemDataRole.ToolTipRole and row.appointment is not None:
            return row.appointment.participant
        return None
