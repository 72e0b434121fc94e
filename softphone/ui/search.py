"""Search as you type over whoever can be called. GUI thread.

The provider is injected: a callable `query -> [(label, target), ...]`. Until the
contact directory (`softphone.directory`) is wired in, it is the history's
`HistoryModel.matches`. Activating a result asks to call its target, through the
same `CallLauncher` as the dial pad.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

SearchProvider = Callable[[str], list[tuple[str, str]]]
TargetRole = Qt.ItemDataRole.UserRole + 1


class SearchPanel(QWidget):
    callRequested = Signal(str)

    def __init__(self, provider: SearchProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._provider = provider
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search contacts and history…")
        self.search_edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMaximumHeight(150)
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
        self._on_search_edit_text_changed(self.search_edit.text())

    @Slot(str)
    def _on_search_edit_text_changed(self, text: str) -> None:
        self.results.clear()
        for label, target in self._provider(text) if text.strip() else []:
            item = QListWidgetItem(label)
            item.setData(TargetRole, target)
            item.setToolTip(target)
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
