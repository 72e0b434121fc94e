"""The authorization-code (PIN) prompt for numbers the dial policy marks "needs PIN".

GUI thread. The dialog only collects the code: `pinEntered` hands it over as a
`Secret`, the field is cleared at once, and whoever asked checks it (off the GUI
thread: scrypt) and then calls `accept()` or `show_error()`. The code is never
shown, logged or kept.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from softphone.policy.pin import PIN_DIGITS
from softphone.security.secret import Secret
from softphone.ui import theme


class PinDialog(QDialog):
    pinEntered = Signal(object)  # Secret

    def __init__(self, target: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Authorization code needed"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.reason_label = QLabel(f"<b>{target}</b><br>{reason}")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.RichText)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(
            self.tr("{low}–{high} digits").format(low=PIN_DIGITS.start, high=PIN_DIGITS.stop - 1)
        )
        pattern = QRegularExpression(f"[0-9]{{0,{PIN_DIGITS.stop - 1}}}")
        self.pin_edit.setValidator(QRegularExpressionValidator(pattern, self))
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #8a1010;")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Call"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addWidget(QLabel(self.tr("Authorization code:")))
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(380)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        text = self.pin_edit.text()
        self.pin_edit.clear()
        if not text:
            self.show_error(self.tr("Type the authorization code."))
            return
        self.set_busy(True)
        self.error_label.setText(self.tr("Checking…"))
        self.pinEntered.emit(Secret(text))

    def set_busy(self, busy: bool) -> None:
        self.pin_edit.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error_label.setText(message)
        theme.grow_to_fit(self)
        self.pin_edit.setFocus()
