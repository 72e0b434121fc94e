"""The Contacts tab: the list (favourites first, a filter), add/edit/delete, import and
export (vCard, CSV), merge duplicates, and calling a contact's number or SIP address.
GUI thread.

Every read and write of the directory runs on a worker thread (`run_in_background`):
the directory serialises its users with one lock that a write holds across an fsynced
transaction, so even an in-memory read could wait on the disk. An import is parsed
whole first (`directory.vcard`, `directory.csv_io`); a bad card or row is named and
nothing is imported. Calls go out through `callRequested`, which the main window
hands to its `CallLauncher` like every other way of calling.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.directory.contacts import ContactDirectory, ImportReport
from softphone.directory.csv_io import read_csv, write_csv
from softphone.directory.merge import MergeReport
from softphone.storage.database import Contact
from softphone.ui import theme
from softphone.ui.bridge import JobResult
from softphone.ui.contact_dialog import ContactDialog
from softphone.ui.contact_text import (
    call_targets,
    file_kind,
    import_problem,
    merge_summary,
)
from softphone.ui.contacts_model import ContactRole, ContactsModel
from softphone.ui.context import UiContext
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate

FILE_FILTER = QT_TRANSLATE_NOOP(
    "ContactsView", "Contacts (*.vcf *.vcard *.csv);;vCard (*.vcf *.vcard);;CSV (*.csv)"
)


def import_file(directory: ContactDirectory, path: Path) -> ImportReport:
    """Worker thread: parse the whole file, then store it in one transaction."""
    kind = file_kind(path.name)
    if kind is None:
        raise ValueError(
            translate("ContactsView", "{file}: not a .vcf or .csv file").format(file=path.name)
        )
    from softphone.directory.vcard import read_vcards  # vobject: not before the first window

    data = path.read_bytes()
    contacts = read_vcards(data, path.name) if kind == "vcard" else read_csv(data, path.name)
    return directory.import_contacts(contacts)


def export_file(directory: ContactDirectory, path: Path) -> int:
    """Worker thread: every contact to `path` (vCard or CSV by its extension), 0600."""
    from softphone.directory.vcard import write_vcards  # (see import_file)

    contacts = directory.list()
    text = write_csv(contacts) if file_kind(path.name) == "csv" else write_vcards(contacts)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)
    return len(contacts)


class ContactsView(QWidget):
    callRequested = Signal(str)
    contactsChanged = Signal()  # after a write: the search and other views re-read

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = ContactsModel(self)
        self.dialog: ContactDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._select_after_reload: int | None = None
        self.filter_edit = QLineEdit()
        self.filter_edit.setAccessibleName(self.tr("Filter contacts"))
        self.filter_edit.setPlaceholderText(
            self.tr("Filter contacts (name, department, tag, number)")
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.favourites_check = QCheckBox(self.tr("★ Favourites only"))
        self.list = QListView()
        self.list.setAccessibleName(self.tr("Contacts"))
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAlternatingRowColors(True)
        self.details_label = QLabel("")
        self.details_label.setWordWrap(True)
        self.call_button = QToolButton()
        self.call_button.setText(self.tr("Call"))
        self.call_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.call_menu = QMenu(self)
        self.call_button.setMenu(self.call_menu)
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.more_button = QToolButton()
        self.more_button.setText(self.tr("More"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self)
        self.import_action = QAction(self.tr("Import vCard or CSV…"), self)
        self.export_vcard_action = QAction(self.tr("Export as vCard…"), self)
        self.export_csv_action = QAction(self.tr("Export as CSV…"), self)
        self.merge_action = QAction(self.tr("Merge duplicates (same phone number)"), self)
        for action in (
            self.import_action,
            self.export_vcard_action,
            self.export_csv_action,
            self.merge_action,
        ):
            more.addAction(action)
        self.more_button.setMenu(more)
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.favourites_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.call_button)
        buttons.addStretch(1)
        for button in (self.add_button, self.edit_button, self.delete_button, self.more_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.details_label)
        layout.addLayout(buttons)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.favourites_check.toggled.connect(self._on_filter_changed)
        self.list.selectionModel().selectionChanged.connect(self._on_list_selection_changed)
        self.list.doubleClicked.connect(self._on_list_double_clicked)
        self.call_button.clicked.connect(self._on_call_button_clicked)
        self.call_menu.triggered.connect(self._on_call_menu_triggered)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.export_vcard_action.triggered.connect(self._on_export_vcard_action_triggered)
        self.export_csv_action.triggered.connect(self._on_export_csv_action_triggered)
        self.merge_action.triggered.connect(self._on_merge_action_triggered)
        if ctx.directory is None:
            self.say(
                self.tr(
                    "Contacts are unavailable: they need the encrypted database (the secret "
                    "store must be open) and an account's profile (its phone-number region)."
                ),
                "info",
            )
            for widget in (self.add_button, self.more_button, self.filter_edit):
                widget.setEnabled(False)
        self._on_list_selection_changed()

    # -- reading -----------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        directory = self._ctx.directory
        if directory is not None:
            self._ctx.bridge.run_in_background(directory.list, self._done_reload)

    def _done_reload(self, result: JobResult) -> None:
        if not result.ok:
            self.say(
                self.tr("Could not read the contacts: {error}").format(error=result.error), "error"
            )
            return
        selected = self.selected()
        wanted = self._select_after_reload or (selected.id if selected else None)
        self._select_after_reload = None
        self.model.set_contacts(result.value)
        self.select(wanted)
        self._on_list_selection_changed()

    def selected(self) -> Contact | None:
        rows = self.list.selectionModel().selectedRows()
        return rows[0].data(ContactRole) if rows else None

    def select(self, contact_id: int | None) -> None:
        row = self.model.row_of(contact_id) if contact_id is not None else -1
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))

    def say(self, text: str, kind: str = "info") -> None:
        self.message_label.setText(text)
        theme.paint(self.message_label, kind, pad=4)
        self.message_label.setVisible(bool(text))

    def _run(self, job, done) -> None:
        self.say(self.tr("Working…"), "busy")
        self._ctx.bridge.run_in_background(job, done)

    def _changed(self, message: str, kind: str = "ok") -> None:
        self.say(message, kind)
        self.reload()
        self.contactsChanged.emit()

    # -- list and filter -----------------------------------------------------------------

    @Slot()
    def _on_filter_changed(self, *_args: object) -> None:
        selected = self.selected()
        self.model.set_filter(self.filter_edit.text(), self.favourites_check.isChecked())
        if selected is not None:
            self.select(selected.id)
        self._on_list_selection_changed()

    @Slot()
    def _on_list_selection_changed(self, *_args: object) -> None:
        contact = self.selected()
        targets = call_targets(contact) if contact is not None else []
        self.call_menu.clear()
        for target in targets:
            action = self.call_menu.addAction(self.tr("Call {target}").format(target=target.label))
            action.setData(target.target)
        self.call_button.setEnabled(bool(targets))
        self.call_button.setText(
            self.tr("Call {target}").format(target=targets[0].label) if targets else self.tr("Call")
        )
        self.edit_button.setEnabled(contact is not None)
        self.delete_button.setEnabled(contact is not None)
        if contact is None:
            self.details_label.setText("")
            return
        lines = [t.label for t in targets] or [self.tr("No number or SIP address.")]
        if contact.tags:
            lines.append(self.tr("Tags: {tags}").format(tags=", ".join(contact.tags)))
        lines.append(
            self.tr("Approved: may call when only approved contacts may")
            if contact.approved
            else self.tr("Not approved for incoming calls")
        )
        self.details_label.setText("\n".join(lines))

    @Slot(QModelIndex)
    def _on_list_double_clicked(self, index: QModelIndex) -> None:
        contact = index.data(ContactRole)
        targets = call_targets(contact) if contact is not None else []
        if targets:
            self.callRequested.emit(targets[0].target)

    @Slot()
    def _on_call_button_clicked(self) -> None:
        contact = self.selected()
        targets = call_targets(contact) if contact is not None else []
        if targets:
            self.callRequested.emit(targets[0].target)

    @Slot(QAction)
    def _on_call_menu_triggered(self, action: QAction) -> None:
        self.callRequested.emit(action.data())

    # -- editing -----------------------------------------------------------------------

    def open_editor(self, contact: Contact | None) -> ContactDialog | None:
        directory = self._ctx.directory
        if directory is None:
            return None
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = ContactDialog(
            self._ctx.bridge, directory, contact, self, trust=self._ctx.trust
        )
        self.dialog.contactSaved.connect(self._on_dialog_contact_saved)
        self.dialog.open()
        return self.dialog

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        contact = self.selected()
        if contact is not None:
            self.open_editor(contact)

    @Slot(object)
    def _on_dialog_contact_saved(self, contact: Contact) -> None:
        self.dialog = None
        self._select_after_reload = contact.id
        self._changed(self.tr("Saved {name}.").format(name=contact.display_name))

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete contact"),
            self.tr("Delete {name}? This cannot be undone.").format(name=contact.display_name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("contact_id", contact.id)
        box.finished.connect(self._on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    @Slot(int)
    def _on_confirm_box_finished(self, answer: int) -> None:
        box, self.confirm_box = self.confirm_box, None
        directory = self._ctx.directory
        if box is None or directory is None or answer != QMessageBox.StandardButton.Yes:
            return
        job = functools.partial(directory.delete, int(box.property("contact_id")))
        self._run(job, self._done_delete)

    def _done_delete(self, result: JobResult) -> None:
        if not result.ok:
            self.say(self.tr("Not deleted: {error}").format(error=result.error), "error")
            return
        self._changed(
            self.tr("Contact deleted.")
            if result.value
            else self.tr("That contact was already gone.")
        )

    # -- import, export, merge -------------------------------------------------------------

    @Slot()
    def _on_import_action_triggered(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import contacts"), "", self.tr(FILE_FILTER)
        )
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> None:
        directory = self._ctx.directory
        if directory is not None:
            self._run(functools.partial(import_file, directory, path), self._done_import)

    def _done_import(self, result: JobResult) -> None:
        if not result.ok:
            self.say(import_problem(result.error), "error")
            return
        report: ImportReport = result.value
        merged = report.merged.removed_count
        if merged:
            text = self.tr(
                "Imported %n contacts, {merged} merged into existing contacts.", None, report.added
            ).format(merged=merged)
        else:
            text = self.tr("Imported %n contacts.", None, report.added)
        self._changed(text)

    @Slot()
    def _on_export_vcard_action_triggered(self) -> None:
        self._ask_export("contacts.vcf", "vCard (*.vcf)")

    @Slot()
    def _on_export_csv_action_triggered(self) -> None:
        self._ask_export("contacts.csv", "CSV (*.csv)")

    def _ask_export(self, default: str, file_filter: str) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export contacts"), default, file_filter
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        directory = self._ctx.directory
        if directory is not None:
            job = functools.partial(export_file, directory, path)
            self._run(job, functools.partial(self._done_export, path))

    def _done_export(self, path: Path, result: JobResult) -> None:
        if not result.ok:
            self.say(self.tr("Not exported: {error}").format(error=result.error), "error")
            return
        self.say(
            self.tr(
                "Exported %n contacts to {file}. The file is not encrypted: keep it safe and "
                "delete it when done.",
                None,
                result.value,
            ).format(file=path.name),
            "busy",
        )

    @Slot()
    def _on_merge_action_triggered(self) -> None:
        directory = self._ctx.directory
        if directory is not None:
            self._run(directory.merge_duplicates, self._done_merge)

    def _done_merge(self, result: JobResult) -> None:
        if not result.ok:
            self.say(self.tr("Not merged: {error}").format(error=result.error), "error")
            return
        report: MergeReport = result.value
        self._changed(merge_summary(len(report.groups), report.removed_count))
