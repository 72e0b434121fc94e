"""The dial pad: a number field with a live policy verdict, twelve keys and Call.

GUI thread. Typing, pasting (any formatting, line breaks too) and the keys all edit
one field; under it the normalised target and the dial policy's verdict update on
every change (`UiContext.dial_advice`). Enter or Call asks `CallLauncher`, which
refuses denied targets and asks for a PIN where one is needed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from softphone.ui import theme
from softphone.ui.dial_advice import DialAdvice, clean_typed

KEYS = (
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
)


class DialPad(QWidget):
    callRequested = Signal(str)

    def __init__(self, advise: Callable[[str], DialAdvice], parent: QWidget | None = None):
        super().__init__(parent)
        self._advise = advise
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText(
            self.tr("Number or SIP address — type or paste any format")
        )
        self.number_edit.setClearButtonEnabled(True)
        self.number_edit.setAccessibleName(self.tr("Number or SIP address to call"))
        font = QFont(self.number_edit.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.number_edit.setFont(font)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refusal_label = QLabel("")
        self.refusal_label.setObjectName("refusal")
        self.refusal_label.setWordWrap(True)
        self.refusal_label.hide()
        grid = QGridLayout()
        grid.setSpacing(6)
        self.key_buttons: dict[str, QPushButton] = {}
        for i, (digit, letters) in enumerate(KEYS):
            button = QPushButton(f"{digit}\n{letters}" if letters else digit)
            button.setMinimumSize(72, 52)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setProperty("digit", digit)
            button.clicked.connect(self._on_key_clicked)
            self.key_buttons[digit] = button
            grid.addWidget(button, i // 3, i % 3)
        self.call_button = QPushButton(self.tr("Call"))
        self.call_button.setMinimumHeight(44)
        self.call_button.setStyleSheet(
            "QPushButton { background: #2e7d32; color: white; font-weight: bold; "
            "border-radius: 6px; } QPushButton:disabled { background: #a5b3a8; }"
        )
        self.backspace_button = QPushButton("⌫")
        self.backspace_button.setToolTip(self.tr("Delete the last character"))
        self.backspace_button.setAccessibleName(self.tr("Delete the last character"))
        self.backspace_button.setMinimumHeight(44)
        self.backspace_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        actions = QHBoxLayout()
        actions.addWidget(self.call_button, 3)
        actions.addWidget(self.backspace_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number_edit)
        layout.addWidget(self.verdict_label)
        layout.addLayout(grid, 1)
        layout.addLayout(actions)
        layout.addWidget(self.refusal_label)
        self.number_edit.textChanged.connect(self._on_number_edit_text_changed)
        self.number_edit.returnPressed.connect(self._on_call_button_clicked)
        self.call_button.clicked.connect(self._on_call_button_clicked)
        self.backspace_button.clicked.connect(self._on_backspace_button_clicked)
        self.refresh()

    @property
    def advice(self) -> DialAdvice:
        return self._advise(self.number_edit.text())

    def refresh(self) -> None:
        """Judge the field again (typed text changed, or the account/policy did)."""
        advice = self.advice
        self.verdict_label.setText(advice.text)
        self.verdict_label.setToolTip(advice.detail)
        theme.paint(self.verdict_label, advice.advice.value, pad=4)
        self.call_button.setEnabled(advice.can_call)
        self.call_button.setText(
            self.tr("Call (authorization code)")
            if advice.advice.value == "needs_pin"
            else self.tr("Call")
        )

    def show_refusal(self, reason: str) -> None:
        self.refusal_label.setText(self.tr("Not called: {reason}").format(reason=reason))
        theme.paint(self.refusal_label, "error", pad=4)
        self.refusal_label.show()

    def set_number(self, text: str) -> None:
        self.number_edit.setText(text)
        self.number_edit.setFocus()

    def keyPressEvent(self, event) -> None:  # digits typed anywhere on the pad go to the field
        text = event.text()
        if text and text in "0123456789*#+" and not self.number_edit.hasFocus():
            self.number_edit.insert(text)
            return
        super().keyPressEvent(event)

    @Slot(str)
    def _on_number_edit_text_changed(self, text: str) -> None:
        cleaned = clean_typed(text)
        if cleaned != text.strip() or "\n" in text or "\t" in text:
            # pasted line breaks and tabs: keep the field on one readable line
            self.number_edit.blockSignals(True)
            self.number_edit.setText(cleaned)
            self.number_edit.blockSignals(False)
        self.refusal_label.hide()
        self.refresh()

    @Slot()
    def _on_key_clicked(self) -> None:
        digit = self.sender().property("digit")
        self.number_edit.insert(digit)

    @Slot()
    def _on_backspace_button_clicked(self) -> None:
        self.number_edit.backspace()

    @Slot()
    def _on_call_button_clicked(self) -> None:
        if self.advice.can_call:
            self.callRequested.emit(clean_typed(self.number_edit.text()))
        else:
            self.show_refusal(self.advice.detail or self.advice.headline)
