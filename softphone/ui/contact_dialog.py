"""Add or edit one contact: name, organisation, department, numbers with labels, SIP
addresses, tags, favourite, approved for inbound calls, a note. GUI thread.

The fields become a `Contact` with the directory's own rules (`contact_text.
build_contact`), so a bad SIP address is named before anything is written. Saving
runs `ContactDirectory.add`/`update` on a worker thread (an fsynced transaction); the
dialog closes only when that succeeded, and says why when it did not.

End to end (with a `PeerTrust`, i.e. an unlocked database): the contact's own
requirement — as the profile says, preferred, or required (calls that cannot be end to
end are refused) — is kept per SIP address (`PeerTrust.set_requirement`, written with
the contact on the same worker), and what was verified is shown: the identity's
fingerprint in short form and the day, or the last mismatch and why. Both are read on a
worker thread when the dialog opens.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.directory.contacts import ContactDirectory
from softphone.directory.fields import InvalidContactError
from softphone.e2e.trust import PeerTrust
from softphone.policy.end_to_end import peer_address
from softphone.storage.database import Contact
from softphone.ui import theme
from softphone.ui.bridge import EngineBridge, JobResult
from softphone.ui.contact_text import build_contact
from softphone.ui.e2e_text import requirement_choices, verified_state

NUMBER_LABELS = ("work", "cell", "home", "fax", "other")


def _save(directory: ContactDirectory, contact: Contact) -> Contact:
    """Worker thread: write the contact (new without an id)."""
    return directory.add(contact) if contact.id is None else directory.update(contact)


def _sip_uris(contact: Contact | None) -> list[str]:
    return [u for u in contact.uris if u.lower().startswith(("sip:", "sips:"))] if contact else []


def _save_with_requirement(
    directory: ContactDirectory, contact: Contact, trust: PeerTrust | None, requirement: str | None
) -> Contact:
    """Worker thread: the contact, then its end-to-end requirement on each SIP address
    where it differs from what is stored."""
    saved = _save(directory, contact)
    if trust is not None:
        stored = {p.address: p.requirement for p in trust.peers(_sip_uris(saved))}
        for uri in _sip_uris(saved):
            if requirement != stored.get(peer_address(uri)):
                trust.set_requirement(uri, requirement)
    return saved


def _load_trust(trust: PeerTrust, uris: list[str]) -> list:
    """Worker thread: the stored end-to-end rows of these addresses."""
    return trust.peers(uris)


class ContactDialog(QDialog):
    contactSaved = Signal(object)  # the Contact as stored

    def __init__(
        self,
        bridge: EngineBridge,
        directory: ContactDirectory,
        contact: Contact | None = None,
        parent: QWidget | None = None,
        *,
        trust: PeerTrust | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._directory = directory
        self._trust = trust
        self.contact = contact
        self.setWindowTitle(self.tr("Edit contact") if contact else self.tr("New contact"))
        self.name_edit = QLineEdit()
        self.organisation_edit = QLineEdit()
        self.department_edit = QLineEdit()
        self.numbers_table = QTableWidget(0, 2)
        self.numbers_table.setAccessibleName(self.tr("Numbers and SIP addresses"))
        self.numbers_table.setHorizontalHeaderLabels([self.tr("Label"), self.tr("Number")])
        self.numbers_table.verticalHeader().hide()
        header = self.numbers_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.numbers_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.numbers_table.setMinimumHeight(100)
        self.numbers_table.setMaximumHeight(150)
        self.add_number_button = QPushButton(self.tr("Add number"))
        self.remove_number_button = QPushButton(self.tr("Remove number"))
        self.uris_edit = QPlainTextEdit()
        self.uris_edit.setPlaceholderText(self.tr("one a line, e.g. sip:john.smith@clinic.example"))
        self.uris_edit.setFixedHeight(60)
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText(self.tr("separated by commas"))
        self.favourite_check = QCheckBox(self.tr("Favourite (listed first)"))
        self.approved_check = QCheckBox(
            self.tr("Approved: may call me when only approved contacts may")
        )
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(self.tr("no clinical details"))
        self.note_edit.setFixedHeight(60)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        number_buttons = QHBoxLayout()
        number_buttons.addWidget(self.add_number_button)
        number_buttons.addWidget(self.remove_number_button)
        number_buttons.addStretch(1)
        numbers = QVBoxLayout()
        numbers.addWidget(self.numbers_table)
        numbers.addLayout(number_buttons)
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Organisation:"), self.organisation_edit)
        form.addRow(self.tr("Department:"), self.department_edit)
        form.addRow(self.tr("Numbers:"), numbers)
        form.addRow(self.tr("SIP addresses:"), self.uris_edit)
        form.addRow(self.tr("Tags:"), self.tags_edit)
        form.addRow("", self.favourite_check)
        form.addRow("", self.approved_check)
        form.addRow(self.tr("Note:"), self.note_edit)
        self._build_end_to_end(form)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.add_number_button.clicked.connect(self._on_add_number_button_clicked)
        self.remove_number_button.clicked.connect(self._on_remove_number_button_clicked)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._fill(contact)
        self._load_end_to_end(contact)

    def _build_end_to_end(self, form: QFormLayout) -> None:
        self.e2e_combo = QComboBox()
        for words, value in requirement_choices():
            self.e2e_combo.addItem(words, value)
        self.e2e_combo.setAccessibleName(self.tr("End-to-end encryption for this contact"))
        self.e2e_combo.setAccessibleDescription(
            self.tr("Required: calls with this contact that cannot be end to end are refused")
        )
        self.e2e_combo.setToolTip(self.tr("Applies to the contact's SIP addresses"))
        self.verified_label = QLabel("")
        self.verified_label.setWordWrap(True)
        self.verified_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verified_label.setAccessibleName(self.tr("End-to-end verification"))
        form.addRow(self.tr("End-to-end:"), self.e2e_combo)
        form.addRow(self.tr("Verified:"), self.verified_label)
        if self._trust is None:
            self.e2e_combo.setEnabled(False)
            self.verified_label.setText(self.tr("Unavailable: the encrypted database is not open."))

    def _load_end_to_end(self, contact: Contact | None) -> None:
        if self._trust is None:
            return
        uris = _sip_uris(contact)
        if not uris:
            self.verified_label.setText(
                self.tr("Verification is kept per SIP address: this contact has none yet.")
            )
            return
        self.e2e_combo.setEnabled(False)  # until what is stored is known
        job = functools.partial(_load_trust, self._trust, uris)
        self._bridge.run_in_background(job, self._done_load_trust)

    def _done_load_trust(self, result: JobResult) -> None:
        self.e2e_combo.setEnabled(True)
        if not result.ok:
            self.verified_label.setText(self.tr("Not readable: {error}").format(error=result.error))
            return
        peers = result.value
        requirements = {p.requirement for p in peers if p.requirement}
        requirement = requirements.pop() if len(requirements) == 1 else None
        self.e2e_combo.setCurrentIndex(max(0, self.e2e_combo.findData(requirement)))
        shown = [p for p in peers if p.fingerprint is not None or p.mismatch_at is not None]
        text = "\n".join(verified_state(p) for p in shown) or verified_state(None)
        self.verified_label.setText(text)

    def _fill(self, contact: Contact | None) -> None:
        if contact is None:
            self.add_number_row("work", "")
            return
        self.name_edit.setText(contact.display_name)
        self.organisation_edit.setText(contact.organisation or "")
        self.department_edit.setText(contact.department or "")
        for entry in contact.numbers:
            self.add_number_row(entry.label or "", entry.original)
        self.uris_edit.setPlainText("\n".join(contact.uris))
        self.tags_edit.setText(", ".join(contact.tags))
        self.favourite_check.setChecked(contact.favourite)
        self.approved_check.setChecked(contact.approved)
        self.note_edit.setPlainText(contact.note or "")

    def add_number_row(self, label: str, number: str) -> None:
        row = self.numbers_table.rowCount()
        self.numbers_table.insertRow(row)
        self.numbers_table.setItem(row, 0, QTableWidgetItem(label))
        self.numbers_table.setItem(row, 1, QTableWidgetItem(number))

    def number_rows(self) -> list[tuple[str, str]]:
        rows = []
        for row in range(self.numbers_table.rowCount()):
            cells = [self.numbers_table.item(row, col) for col in (0, 1)]
            rows.append(tuple(c.text() if c is not None else "" for c in cells))
        return rows  # type: ignore[return-value]

    def edited(self) -> Contact:
        """The contact as the fields say; `InvalidContactError` names a bad field."""
        return build_contact(
            self.contact,
            name=self.name_edit.text(),
            organisation=self.organisation_edit.text(),
            department=self.department_edit.text(),
            numbers=self.number_rows(),
            uris=self.uris_edit.toPlainText(),
            tags=self.tags_edit.text(),
            favourite=self.favourite_check.isChecked(),
            approved=self.approved_check.isChecked(),
            note=self.note_edit.toPlainText(),
        )

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        theme.paint(self.error_label, "error", pad=4)
        self.error_label.show()
        theme.grow_to_fit(self)

    # -- handlers ----------------------------------------------------------------------

    @Slot()
    def _on_add_number_button_clicked(self) -> None:
        self.add_number_row(NUMBER_LABELS[min(self.numbers_table.rowCount(), 4)], "")
        row = self.numbers_table.rowCount() - 1
        self.numbers_table.setCurrentCell(row, 1)
        self.numbers_table.editItem(self.numbers_table.item(row, 1))

    @Slot()
    def _on_remove_number_button_clicked(self) -> None:
        row = self.numbers_table.currentRow()
        if row >= 0:
            self.numbers_table.removeRow(row)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        try:
            contact = self.edited()
        except InvalidContactError as e:
            self.show_error(self.tr("Not saved: {error}").format(error=e))
            return
        self.buttons.setEnabled(False)
        job = functools.partial(
            _save_with_requirement,
            self._directory,
            contact,
            self._trust,
            self.e2e_combo.currentData(),
        )
        self._bridge.run_in_background(job, self._done_save)

    def _done_save(self, result: JobResult) -> None:
        self.buttons.setEnabled(True)
        if not result.ok:
            self.show_error(self.tr("Not saved: {error}").format(error=result.error))
            return
        self.contact = result.value
        self.contactSaved.emit(result.value)
        self.accept()

    def keyPressEvent(self, event) -> None:
        # Enter in the numbers table edits a cell; it must not save half a contact.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.numbers_table.hasFocus():
            return
        super().keyPressEvent(event)
