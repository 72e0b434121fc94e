"""Search as you type over whoever can be called: contacts, then the call history.
GUI thread.

Two sources. The history provider is a callable `query -> [(label, target), ...]`
over what the history view already holds in memory (`HistoryModel.matches`); it
answers at once. The contact search (`search_text.search_contacts` over the
`ContactDirectory` index) runs on a worker thread through the bridge, because the
directory's lock can be held by a write waiting on the disk; each keystroke bumps a
generation number and an answer for an older one is dropped. Activating a result
asks to call its target, through the same `CallLauncher` as the dial pad.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from softphone.ui.bridge import EngineBridge, JobResult
from softphone.ui.search_text import SearchRow, combine

SearchProvider = Callable[[str], list[tuple[str, str]]]
ContactSearch = Callable[[str], list[SearchRow]]  # called on a worker thread
TargetRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2


class SearchPanel(QWidget):
    callRequested = Signal(str)

    def __init__(self, provider: SearchProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._provider = provider
        self._bridge: EngineBridge | None = None
        self._contact_search: ContactSearch | None = None
        self._generation = 0
        self._contact_rows: list[SearchRow] = []
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search contacts and history…"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Search contacts and history"))
        self.results = QListWidget()
        self.results.setMaximumHeight(170)
        self.results.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.results.itemActivated.connect(self._on_results_item_activated)

    def set_provider(self, provider: SearchProvider) -> None:
        self._provider = provider
        self.refresh()

    def set_contact_search(self, bridge: EngineBridge, search: ContactSearch | None) -> None:
        self._bridge, self._contact_search = bridge, search
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Search again for what is typed (the contacts or the history changed)."""
        self._on_search_edit_text_changed(self.search_edit.text())

    @Slot(str)
    def _on_search_edit_text_changed(self, text: str) -> None:
        self._generation += 1
        self._contact_rows = []
        query = text.strip()
        if query and self._contact_search is not None and self._bridge is not None:
            job = functools.partial(self._contact_search, query)
            done = functools.partial(self._done_contact_search, self._generation)
            self._bridge.run_in_background(job, done)
        self._show()

    def _done_contact_search(self, generation: int, result: JobResult) -> None:
        if generation != self._generation or not result.ok:
            return  # typed on meanwhile (or the directory failed: history still shows)
        self._contact_rows = result.value
        self._show()

    def _show(self) -> None:
        text = self.search_edit.text().strip()
        self.results.clear()
        history = self._provider(text) if text else []
        bold = QFont(self.results.font())
        bold.setBold(True)
        for row in combine(self._contact_rows, history) if text else []:
            item = QListWidgetItem(row.label)
            item.setData(TargetRole, row.target)
            item.setData(KindRole, row.kind)
            item.setToolTip(row.target)
            if row.kind == "contact":
                item.setFont(bold)
            self.results.addItem(item)
        self.results.setVisible(self.results.count() > 0)
        if self.results.count():
            self.results.setCurrentRow(0)

    @Slot()
    def _on_search_edit_return_pressed(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._on_results_item_activated(item)

    @Slot(QListWidgetItem)
    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        self.callRequested.emit(item.data(TargetRole))
