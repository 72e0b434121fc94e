"""The in-call security badge and the short-authentication-string panel. GUI thread.

The badge shows `security_text.describe`: its level picks the colours (green for
hop-by-hop SRTP, blue for end to end, solid red for unencrypted), its headline says
the call's label in words, and three lines give signalling, media and end-to-end. The
SAS panel appears only for end-to-end calls: both people read the code aloud and press
"Verified" or "Mismatch". `IdentityWarning` is the red banner shown when a contact
verified before presents another identity.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAccessible, QAccessibleEvent, QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from softphone.ui import theme
from softphone.ui.e2e_text import SasStage, SasView, WarningView, sas_accessible, sas_view
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
        self.setAccessibleDescription(f"{view.signalling}. {view.media}. {view.end_to_end}")
        theme.paint(self, view.level.value, border=2, radius=6, pad=8)


class SasPanel(QFrame):
    """Compare the short authentication string; tell the app whether it matched.

    Shows `e2e_text.sas_view`: the four characters big and spaced out to be read
    aloud, what to do, and the outcome. The buttons say what they claim in words.
    """

    sasConfirmed = Signal(bool)  # True: the codes match; False: they do not

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sasPanel")
        self.prompt_label = QLabel()
        self.prompt_label.setWordWrap(True)
        self.sas_label = QLabel()
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.sas_label.font().pointSizeF() * 3)
        font.setBold(True)
        self.sas_label.setFont(font)
        self.sas_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sas_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.match_button = QPushButton(self.tr("✔ Verified — the codes match"))
        self.match_button.setAccessibleName(self.tr("Verified: the codes match"))
        self.match_button.setAccessibleDescription(
            self.tr("Press only when the other person read exactly the same four characters")
        )
        self.mismatch_button = QPushButton(self.tr("✖ Mismatch — the codes differ"))
        self.mismatch_button.setAccessibleName(self.tr("Mismatch: the codes differ"))
        self.mismatch_button.setAccessibleDescription(
            self.tr("Ends the call: someone may be in the middle")
        )
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
        self.verified: bool | None = None  # what the user answered, once
        self.view: SasView | None = None
        self.setAccessibleName(self.tr("Short authentication code"))
        self.show_view(sas_view(None))

    def show_view(self, view: SasView) -> None:
        self.view = view
        self.prompt_label.setText(view.prompt)
        self.sas_label.setText(view.code or "· · · ·")
        self.sas_label.setAccessibleName(sas_accessible(view))
        self.result_label.setText(view.result)
        self.result_label.setVisible(bool(view.result))
        answering = view.can_answer and self.verified is None
        self.match_button.setEnabled(answering)
        self.mismatch_button.setEnabled(answering)
        done = view.stage in (SasStage.KNOWN, SasStage.VERIFIED, SasStage.MISMATCH)
        self.match_button.setVisible(not done)
        self.mismatch_button.setVisible(not done)
        self.setAccessibleDescription(" ".join(t for t in (view.prompt, view.result) if t))
        theme.paint(self, view.kind, border=2, radius=6)

    @Slot()
    def _on_match_button_clicked(self) -> None:
        self._decide(True)

    @Slot()
    def _on_mismatch_button_clicked(self) -> None:
        self._decide(False)

    def _decide(self, matched: bool) -> None:
        self.verified = matched
        self.match_button.setEnabled(False)
        self.mismatch_button.setEnabled(False)
        self.result_label.setText(
            self.tr("Telling the app the codes match…")
            if matched
            else self.tr("Ending the call: the codes differ…")
        )
        self.result_label.show()
        self.sasConfirmed.emit(matched)


class IdentityWarning(QFrame):
    """The LOUD warning: a contact verified before presented another identity.

    Solid red with white text and a warning sign, a headline in capitals that says it
    in words (never colour alone), the peer and both fingerprints; the accessible
    name and description carry the same words, and an accessibility Alert event is
    sent when it appears, so a screen reader announces it at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityWarning")
        self.title_label = QLabel()
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.body_label = QLabel()
        self.body_label.setWordWrap(True)
        bold = QFont(self.body_label.font())
        bold.setBold(True)
        self.body_label.setFont(bold)
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setFont(QFont("DejaVu Sans Mono"))
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body_label)
        layout.addWidget(self.details_label)
        theme.paint(self, "unencrypted", border=4, radius=6, pad=10)
        self.hide()

    def show_warning(self, view: WarningView) -> None:
        self.title_label.setText(view.title)
        self.body_label.setText(view.body)
        self.details_label.setText(view.details)
        self.setAccessibleName(view.title)
        self.setAccessibleDescription(f"{view.body} {view.details}")
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
