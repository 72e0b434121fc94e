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
from softphone.ui.dates import short_date_time
from softphone.ui.e2e_text import history_label
from softphone.ui.history_filter import OutcomeGroup, history_matches, keep, outcome_text
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate
from softphone.ui.notify_text import caller_address

COLUMNS = (
    QT_TRANSLATE_NOOP("HistoryModel", "When"),
    "",
    QT_TRANSLATE_NOOP("HistoryModel", "Who"),
    QT_TRANSLATE_NOOP("HistoryModel", "Duration"),
    QT_TRANSLATE_NOOP("HistoryModel", "Outcome"),
    QT_TRANSLATE_NOOP("HistoryModel", "Security"),
)
RecordRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def _duration(seconds: float) -> str:
    s = round(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def _outcome(r: CallRecord) -> str:
    score = rating_of(r.note)
    said = outcome_text(r.outcome)
    if not score:
        return said
    return translate("HistoryModel", "{outcome} · quality {score}/5").format(
        outcome=said, score=score
    )


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
            return translate("HistoryModel", COLUMNS[section]) if COLUMNS[section] else ""
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        r = self.records[index.row()]
        if role == RecordRole:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                short_date_time(r.started.astimezone()),
                translate("HistoryModel", "↙ in")
                if r.direction.value == "incoming"
                else translate("HistoryModel", "↗ out"),
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
