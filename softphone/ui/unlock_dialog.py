"""Unlock (or, the first time, create) the encrypted-file secret store. GUI thread.

Only where no OS keyring is usable (`secret_store.usable_keyring`); the keyring
needs no passphrase from us. The passphrase is read from the field, which is
cleared at once, and checked on a worker thread (scrypt). A wrong passphrase says
so and changes nothing (`EncryptedFileStore.unlock` only reads); the user can try
again or continue without the store (no saved passwords, no history).
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from softphone.security.encrypted_file import EncryptedFileStore
from softphone.security.secret_store import (
    CorruptStoreError,
    SecretStoreError,
    WrongPassphraseError,
)
from softphone.ui import theme
from softphone.ui.bridge import EngineBridge, JobResult

MIN_NEW_PASSPHRASE = 8


def unlock_store(path: Path, passphrase: str) -> EncryptedFileStore:
    """Worker thread: the store at `path`, unlocked (or created when there is none)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return EncryptedFileStore.create(path, passphrase)
    store = EncryptedFileStore(path)
    store.unlock(passphrase)
    return store


class UnlockDialog(QDialog):
    def __init__(self, bridge: EngineBridge, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.path = Path(path)
        self.creating = not self.path.exists()
        self.store: EncryptedFileStore | None = None
        self.setWindowTitle(
            self.tr("Create the secret store") if self.creating else self.tr("Unlock secrets")
        )
        intro = (
            self.tr(
                "This computer has no usable keyring, so passwords are kept in an encrypted "
                "file. Choose a passphrase for it; it cannot be recovered if you forget it."
            )
            if self.creating
            else self.tr(
                "Your passwords and the key of your call history are in an encrypted "
                "file. Type its passphrase to unlock it."
            )
        )
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)
        self.path_label = QLabel(str(self.path))
        self.path_label.setStyleSheet("color: #4a5560;")
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.again_edit = QLineEdit()
        self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.again_edit.setVisible(self.creating)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.unlock_button = self.buttons.addButton(
            self.tr("Create") if self.creating else self.tr("Unlock"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.skip_button = self.buttons.addButton(
            self.tr("Continue without"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.skip_button.setToolTip(self.tr("No saved passwords and no call history this session"))
        form = QFormLayout()
        form.addRow(self.tr("Passphrase:"), self.passphrase_edit)
        if self.creating:
            form.addRow(self.tr("Again:"), self.again_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.path_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(460)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        theme.paint(self.error_label, "error", pad=4)
        self.error_label.show()
        theme.grow_to_fit(self)
        self.set_busy(False)
        self.passphrase_edit.setFocus()

    def set_busy(self, busy: bool) -> None:
        for w in (self.passphrase_edit, self.again_edit, self.unlock_button):
            w.setEnabled(not busy)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        passphrase, again = self.passphrase_edit.text(), self.again_edit.text()
        self.passphrase_edit.clear()
        self.again_edit.clear()
        if not passphrase:
            self._show_error(self.tr("Type the passphrase."))
            return
        if self.creating:
            if len(passphrase) < MIN_NEW_PASSPHRASE:
                self._show_error(self.tr("Use at least %n characters.", None, MIN_NEW_PASSPHRASE))
                return
            if again != passphrase:
                self._show_error(self.tr("The two passphrases differ."))
                return
        self.set_busy(True)
        self.error_label.setText(self.tr("Checking…"))
        self._bridge.run_in_background(
            functools.partial(unlock_store, self.path, passphrase), self._done_unlock
        )

    def _done_unlock(self, result: JobResult) -> None:
        error = result.error
        if isinstance(error, WrongPassphraseError):
            self._show_error(self.tr("Wrong passphrase — nothing was changed. Try again."))
        elif isinstance(error, CorruptStoreError):
            self._show_error(
                self.tr("The secret store file is damaged and was left as it is: {error}").format(
                    error=error
                )
            )
        elif isinstance(error, SecretStoreError):
            self._show_error(str(error))
        elif error is not None:
            self._show_error(
                self.tr("Could not open the secret store: {error}").format(
                    error=type(error).__name__
                )
            )
        else:
            self.store = result.value
            self.accept()
