"""Call history as a Qt item model, and its direction/outcome filter. GUI thread.

Models only: the records are loaded by the history view (off the GUI thread, from
the encrypted database) and handed to `HistoryModel.set_records`.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from softphone.storage.database import CallRecord
from softphone.ui.call_evaluation import rating_of
from softphone.ui.e2e_text import history_label
from softphone.ui.history_filter import OutcomeGroup, history_matches, keep
from softphone.ui.notify_text import caller_address

COLUMNS = ("When", "", "Who", "Duration", "Outcome", "Security")
RecordRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def _duration(seconds: float) -> str:
    s = round(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _outcome(r: CallRecord) -> str:
    score = rating_of(r.note)
    return f"{r.outcome} · quality {score}/5" if score else r.outcome


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records: list[CallRecord] = []

    def set_records(self, records: list[CallRecord]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def matches(self, query: str) -> list[tuple[str, str]]:
        """The search field's default provider: peers from the history."""
        return history_matches(self.records, query)

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.records)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        r = self.records[index.row()]
        if role == RecordRole:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                r.started.astimezone().strftime("%d %b %H:%M"),
                "↙ in" if r.direction.value == "incoming" else "↗ out",
                caller_address(r.peer),
                _duration(r.duration_s),
                _outcome(r),
                history_label(r),
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            note = f"\n{r.note}" if r.note else ""
            return f"{r.peer}\n{r.started.astimezone():%Y-%m-%d %H:%M:%S %Z}{note}"
        return None


class HistoryFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._direction: str | None = None
        self._group: OutcomeGroup | None = None

    def set_filter(self, direction: str | None, group: OutcomeGroup | str | None) -> None:
        self.beginFilterChange()
        # item data comes back from Qt as plain str: make it the enum again
        self._direction, self._group = direction or None, OutcomeGroup(group) if group else None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        record = self.sourceModel().index(row, 0, parent).data(RecordRole)
        return record is not None and keep(record, self._direction, self._group)
