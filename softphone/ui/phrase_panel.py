"""Caller verification in the call window: the provider checks the phrase the patient
says against the appointment's stored hash (seed 000, "Caller Verification"). GUI
thread.

What the provider types is taken out of the password field at once as a `Secret`
and compared with `schedule.phrase.verify_phrase` (scrypt) on a worker thread; the
phrase is never shown, logged or kept. The result stays on screen, clearly: green
"verified" or red "does NOT match" with what to do instead.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from softphone.schedule.phrase import verify_phrase
from softphone.security.secret import Secret
from softphone.ui import theme
from softphone.ui.bridge import EngineBridge, JobResult


class PhrasePanel(QFrame):
    phraseChecked = Signal(bool)  # whether it matched

    def __init__(self, bridge: EngineBridge, phrase_hash: str, parent=None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._hash = phrase_hash
        self.attempts = 0
        self.verified: bool | None = None
        self.title_label = QLabel("<b>{}</b>".format(self.tr("Caller verification")))
        self.hint_label = QLabel(
            self.tr(
                "Ask the patient to say the verification phrase agreed for this appointment "
                "and type what you hear. It is checked against the stored hash, never shown or "
                "kept."
            )
        )
        self.hint_label.setWordWrap(True)
        self.phrase_edit = QLineEdit()
        self.phrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.phrase_edit.setPlaceholderText(self.tr("the phrase the patient says"))
        self.check_button = QPushButton(self.tr("Check phrase"))
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        row = QHBoxLayout()
        row.addWidget(self.phrase_edit, 1)
        row.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.hint_label)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        theme.paint(self, "info", pad=2)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.phrase_edit.returnPressed.connect(self._on_check_button_clicked)

    @Slot()
    def _on_check_button_clicked(self) -> None:
        text = self.phrase_edit.text()
        self.phrase_edit.clear()  # out of the widget now; only the Secret goes on
        if not text.strip():
            return
        self.check_button.setEnabled(False)
        self.result_label.setText(self.tr("Checking…"))
        theme.paint(self.result_label, "busy", pad=4)
        self.result_label.show()
        job = functools.partial(verify_phrase, Secret(text), self._hash)
        self._bridge.run_in_background(job, self._done_verify)

    def _done_verify(self, result: JobResult) -> None:
        self.check_button.setEnabled(True)
        self.attempts += 1
        matched = bool(result.ok and result.value)
        self.verified = matched
        what_to_do = self.tr(
            "Do not discuss personal details; confirm who this is another way (call back a "
            "number you already know)."
        )
        if matched:
            text = self.tr("✔  Verified: the phrase matches the one agreed for this appointment.")
        elif self.attempts > 1:
            text = self.tr(
                "✖  The phrase does NOT match (%n attempts). {what_to_do}", None, self.attempts
            )
        else:
            text = self.tr("✖  The phrase does NOT match. {what_to_do}")
        if not result.ok:
            text = self.tr("Could not check the phrase. {what_to_do}")
        text = text.format(what_to_do=what_to_do)
        self.result_label.setText(text)
        theme.paint(self.result_label, "ok" if matched else "error", pad=6)
        if matched:
            self.phrase_edit.setEnabled(False)
            self.check_button.setEnabled(False)
        self.phraseChecked.emit(matched)
        theme.grow_soon(self.window())
