"""The History tab: filters, the table, "Call back". GUI thread.

Records come from the encrypted local database (`LocalDatabase.list_calls`) on a
worker thread, after the history recorder has written what it had queued. "Call
back" goes through `CallLauncher` like every other way of calling.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from softphone.storage.database import CallRecord
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.history_filter import OutcomeGroup
from softphone.ui.history_model import HistoryFilter, HistoryModel, RecordRole
from softphone.ui.i18n import QT_TRANSLATE_NOOP

HISTORY_LIMIT = 500
DIRECTIONS = (
    (QT_TRANSLATE_NOOP("HistoryView", "All directions"), None),
    (QT_TRANSLATE_NOOP("HistoryView", "Incoming"), "incoming"),
    (QT_TRANSLATE_NOOP("HistoryView", "Outgoing"), "outgoing"),
)
OUTCOMES = (
    (QT_TRANSLATE_NOOP("HistoryView", "All outcomes"), None),
    (QT_TRANSLATE_NOOP("HistoryView", "Answered"), OutcomeGroup.ANSWERED),
    (QT_TRANSLATE_NOOP("HistoryView", "Missed"), OutcomeGroup.MISSED),
    (QT_TRANSLATE_NOOP("HistoryView", "Declined or busy"), OutcomeGroup.DECLINED),
    (QT_TRANSLATE_NOOP("HistoryView", "Failed or refused"), OutcomeGroup.FAILED),
)


class HistoryView(QWidget):
    callRequested = Signal(str)

    def __init__(self, ctx: UiContext, model: HistoryModel, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.model = model
        self.proxy = HistoryFilter(self)
        self.proxy.setSourceModel(model)
        self.direction_combo = QComboBox()
        for label, value in DIRECTIONS:
            self.direction_combo.addItem(self.tr(label), value)
        self.outcome_combo = QComboBox()
        for label, value in OUTCOMES:
            self.outcome_combo.addItem(self.tr(label), value)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.call_back_button = QPushButton(self.tr("Call back"))
        self.call_back_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.note_label = QLabel("")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        filters = QHBoxLayout()
        filters.addWidget(self.direction_combo)
        filters.addWidget(self.outcome_combo)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.call_back_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.note_label)
        layout.addWidget(self.table, 1)
        self.direction_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.outcome_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.call_back_button.clicked.connect(self._on_call_back_button_clicked)
        self.refresh_button.clicked.connect(self.reload)
        self._reload_timer = QTimer(self, singleShot=True, interval=300)
        self._reload_timer.timeout.connect(self.reload)
        ctx.bridge.callEnded.connect(self._on_call_did_end)

    @Slot()
    def reload(self) -> None:
        db, recorder = self._ctx.database, self._ctx.recorder
        if db is None:
            self._note(
                self.tr("History is unavailable: the secret store that holds its key is not open.")
            )
            return
        if not self._ctx.effective.settings.history.keep:
            self._note(self.tr("History is not kept (Settings → Privacy)."))

        def job() -> list[CallRecord]:
            if recorder is not None:
                recorder.flush()
            return db.list_calls(limit=HISTORY_LIMIT)

        self._ctx.bridge.run_in_background(job, self._done_reload)

    def _done_reload(self, result: JobResult) -> None:
        if not result.ok:
            self._note(self.tr("Could not read the history: {error}").format(error=result.error))
            return
        if self._ctx.effective.settings.history.keep:
            self._note("")
        self.model.set_records(result.value)
        self._on_table_selection_changed()

    def _note(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def selected_record(self) -> CallRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(RecordRole) if rows else None

    @Slot()
    def _on_filter_changed(self) -> None:
        self.proxy.set_filter(self.direction_combo.currentData(), self.outcome_combo.currentData())
        self._on_table_selection_changed()

    @Slot()
    def _on_table_selection_changed(self, *_args: object) -> None:
        self.call_back_button.setEnabled(self.selected_record() is not None)

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        record = index.data(RecordRole)
        if record is not None:
            self.callRequested.emit(record.peer)

    @Slot()
    def _on_call_back_button_clicked(self) -> None:
        record = self.selected_record()
        if record is not None:
            self.callRequested.emit(record.peer)

    @Slot(object)
    def _on_call_did_end(self, _event: object) -> None:
        self._reload_timer.start()  # the recorder writes after the event: let it land
