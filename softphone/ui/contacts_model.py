"""The contacts as a Qt list model, filtered and ordered as the Contacts tab shows them.
GUI thread.

A model only: the contacts are read from the directory by the view (off the GUI
thread) and handed to `set_contacts`; what is visible is decided by the Qt-free
`contact_text.visible` (favourites first, then by name; the filter text).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from softphone.storage.database import Contact
from softphone.ui.contact_text import call_targets, label, visible

ContactRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class ContactsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.everyone: list[Contact] = []
        self.shown: list[Contact] = []
        self._text = ""
        self._favourites_only = False

    def set_contacts(self, contacts: list[Contact]) -> None:
        self.everyone = list(contacts)
        self._refilter()

    def set_filter(self, text: str, favourites_only: bool) -> None:
        self._text, self._favourites_only = text, favourites_only
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self.shown = visible(self.everyone, self._text, self._favourites_only)
        self.endResetModel()

    def row_of(self, contact_id: int) -> int:
        return next((i for i, c in enumerate(self.shown) if c.id == contact_id), -1)

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.shown):
            return None
        contact = self.shown[index.row()]
        if role == ContactRole:
            return contact
        if role == Qt.ItemDataRole.DisplayRole:
            return label(contact)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [t.label for t in call_targets(contact)]
            lines = lines or [self.tr("no number or SIP address")]
            if contact.approved:
                lines.append(self.tr("approved for incoming calls"))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.FontRole and contact.favourite:
            font = QFont()
            font.setBold(True)
            return font
        return None
