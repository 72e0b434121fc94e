"""The account status line at the top of the main window, with Retry. GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from softphone.ui import theme
from softphone.ui.status_text import StatusText

_DOTS = {"ok": "●", "busy": "◌", "error": "✖", "info": "○"}


class AccountStatusBar(QFrame):
    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountStatus")
        self.dot_label = QLabel()
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.clicked.connect(self.retryRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.dot_label)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.retry_button)

    def show_status(self, status: StatusText) -> None:
        self.dot_label.setText(_DOTS.get(status.severity.value, "○"))
        self.text_label.setText(status.text)
        self.setToolTip(status.detail)
        self.retry_button.setVisible(status.can_retry)
        theme.paint(self, status.severity.value, pad=2)
