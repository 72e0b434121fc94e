"""The in-call security badge and the short-authentication-string panel. GUI thread.

The badge shows `security_text.describe`: its level picks the colours (green for
hop-by-hop SRTP, blue for end to end, solid red for unencrypted), its headline says
the same in words, and three lines give signalling, media and end-to-end. The SAS
panel appears only for end-to-end calls: both people read the code aloud and press
"It matches" or "It does NOT match".
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from softphone.ui import theme
from softphone.ui.security_text import Level, SecurityView

_MARK = {
    Level.PENDING: "…",
    Level.UNENCRYPTED: "✖",
    Level.ENCRYPTED: "✔",
    Level.END_TO_END: "✔✔",
}


class SecurityBadge(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("securityBadge")
        self.headline_label = QLabel()
        font = QFont(self.headline_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.headline_label.setFont(font)
        self.headline_label.setWordWrap(True)
        self.signalling_label = QLabel()
        self.media_label = QLabel()
        self.end_to_end_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline_label)
        for label in (self.signalling_label, self.media_label, self.end_to_end_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        self.level: Level | None = None

    def show_view(self, view: SecurityView) -> None:
        self.level = view.level
        self.headline_label.setText(f"{_MARK[view.level]}  {view.headline}")
        self.signalling_label.setText(view.signalling)
        self.media_label.setText(view.media)
        self.end_to_end_label.setText(view.end_to_end)
        self.setAccessibleName(view.headline)
        theme.paint(self, view.level.value, border=2, radius=6, pad=8)


class SasPanel(QFrame):
    """Compare the short authentication string; tell the app whether it matched."""

    sasConfirmed = Signal(bool)  # True: the codes match; False: they do not

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sasPanel")
        self.prompt_label = QLabel(
            self.tr("Read this code aloud; the other person must see the same:")
        )
        self.prompt_label.setWordWrap(True)
        self.sas_label = QLabel()
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.sas_label.font().pointSizeF() * 2)
        font.setBold(True)
        self.sas_label.setFont(font)
        self.sas_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.match_button = QPushButton(self.tr("It matches"))
        self.mismatch_button = QPushButton(self.tr("It does NOT match"))
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.match_button)
        buttons.addWidget(self.mismatch_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.sas_label)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        self.match_button.clicked.connect(self._on_match_button_clicked)
        self.mismatch_button.clicked.connect(self._on_mismatch_button_clicked)
        self.verified: bool | None = None
        theme.paint(self, "end_to_end", radius=6)

    def set_sas(self, sas: str | None) -> None:
        self.sas_label.setText(sas or self.tr("waiting for the code…"))
        ready = bool(sas) and self.verified is None
        self.match_button.setEnabled(ready)
        self.mismatch_button.setEnabled(ready)

    @Slot()
    def _on_match_button_clicked(self) -> None:
        self._decide(True)
        self.result_label.setText(self.tr("✔ Verified: no one is in the middle of this call."))

    @Slot()
    def _on_mismatch_button_clicked(self) -> None:
        self._decide(False)
        self.result_label.setText(
            self.tr(
                "✖ The codes differ: someone may be intercepting this call. Hang up and "
                "call back on a number you know is theirs."
            )
        )
        theme.paint(self, "unencrypted", radius=6)

    def _decide(self, matched: bool) -> None:
        self.verified = matched
        self.match_button.setEnabled(False)
        self.mismatch_button.setEnabled(False)
        self.sasConfirmed.emit(matched)
