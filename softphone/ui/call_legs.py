"""A second call from the call window: consult someone and then hand the call over
(attended transfer), or add a call and merge both into a conference. GUI thread.

The second call is placed like every other through `CallLauncher` (the dial policy,
the PIN when needed), tagged with `SecondLegTag` so this panel learns its id; it gets
a call window of its own like any outgoing call. Once it is placed the first call is
put on hold. When the second call is answered, "Complete transfer" submits
`TransferAttended(first, second)` (a REFER with Replaces: the two other parties are
connected and both our calls end) and "Merge calls" submits `Conference((first,
second))` (the engine takes the first call off hold and mixes the two through its
conference bridge). If the second call ends first, the first one is taken off hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui import theme
from softphone.ui.call_flow import CallLauncher
from softphone.ui.context import UiContext

CONSULT = "consult"
CONFERENCE = "conference"


@dataclass(frozen=True)
class SecondLegTag:
    first_call_id: str
    purpose: str  # CONSULT or CONFERENCE


class SecondLegPanel(QFrame):
    holdChanged = Signal(bool)  # the first call was put on hold (True) or taken off it

    def __init__(self, ctx: UiContext, launcher: CallLauncher, call_id: str | None, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._launcher = launcher
        self.call_id = call_id
        self.leg_id: str | None = None
        self.purpose: str | None = None
        self.leg_connected = False
        self.finished = False  # transferred or merged
        self._target = ""
        self.target_edit = QLineEdit()
        self.target_edit.setAccessibleName(self.tr("Second call to"))
        self.target_edit.setPlaceholderText(self.tr("Second call to (number or SIP address)"))
        self.consult_button = QPushButton(self.tr("Consult, then transfer"))
        self.consult_button.setToolTip(
            self.tr("Call someone while this call waits on hold, then hand this call over to them")
        )
        self.add_button = QPushButton(self.tr("Add to conference"))
        self.add_button.setToolTip(self.tr("Call someone else and talk with both at once"))
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.complete_button = QPushButton(self.tr("Complete transfer"))
        self.merge_button = QPushButton(self.tr("Merge calls"))
        for button in (self.complete_button, self.merge_button):
            button.hide()
        row = QHBoxLayout()
        row.addWidget(self.target_edit, 1)
        row.addWidget(self.consult_button)
        row.addWidget(self.add_button)
        actions = QHBoxLayout()
        actions.addWidget(self.complete_button)
        actions.addWidget(self.merge_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        layout.addLayout(actions)
        self.consult_button.clicked.connect(self._on_consult_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        launcher.callPlacedFor.connect(self._on_launcher_call_placed_for)
        b = ctx.bridge
        b.callStateChanged.connect(self._on_call_state_did_change)
        b.callEnded.connect(self._on_call_did_end)
        b.conferenceChanged.connect(self._on_conference_did_change)

    def _say(self, text: str, kind: str = "info") -> None:
        self.status_label.setText(text)
        theme.paint(self.status_label, kind, pad=4)
        self.status_label.show()
        theme.grow_soon(self.window())

    def _start(self, purpose: str) -> None:
        target = self.target_edit.text().strip()
        if not target or self.leg_id is not None:
            return
        self._target = target
        self._launcher.place(target, self.window(), SecondLegTag(self.call_id, purpose))

    @Slot()
    def _on_consult_button_clicked(self) -> None:
        self._start(CONSULT)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self._start(CONFERENCE)

    @Slot(str, object)
    def _on_launcher_call_placed_for(self, call_id: str, tag: object) -> None:
        if not isinstance(tag, SecondLegTag) or tag.first_call_id != self.call_id:
            return
        self.leg_id, self.purpose, self.leg_connected = call_id, tag.purpose, False
        self._ctx.bridge.submit(cmd.Hold(self.call_id))
        self.holdChanged.emit(True)
        for widget in (self.target_edit, self.consult_button, self.add_button):
            widget.setEnabled(False)
        self._say(
            self.tr("Calling {target}… (this call is on hold)").format(target=self._target), "busy"
        )

    @Slot(object)
    def _on_call_state_did_change(self, e: ev.CallStateDidChange) -> None:
        if e.call_id != self.leg_id or e.state is not ev.CallState.CONFIRMED:
            return
        self.leg_connected = True
        if self.purpose == CONSULT:
            self._say(
                self.tr("Talking to {target}. Complete the transfer when ready.").format(
                    target=self._target
                ),
                "ok",
            )
            self.complete_button.show()
        else:
            self._say(
                self.tr("{target} answered. Merge to talk with both.").format(target=self._target),
                "ok",
            )
            self.merge_button.show()

    @Slot()
    def _on_complete_button_clicked(self) -> None:
        if self.leg_id is not None and self.leg_connected:
            self._ctx.bridge.submit(cmd.TransferAttended(self.call_id, self.leg_id))
            self.complete_button.setEnabled(False)
            self._say(
                self.tr("Handing this call over to {target}…").format(target=self._target), "busy"
            )

    @Slot()
    def _on_merge_button_clicked(self) -> None:
        if self.leg_id is not None and self.leg_connected:
            self._ctx.bridge.submit(cmd.Conference((self.call_id, self.leg_id)))
            self.merge_button.setEnabled(False)
            self._say(self.tr("Merging…"), "busy")

    @Slot(object)
    def _on_conference_did_change(self, e: ev.ConferenceDidChange) -> None:
        if self.call_id not in e.call_ids:
            return
        self.finished = True
        self.merge_button.hide()
        self.holdChanged.emit(False)  # the engine took the call off hold to mix it
        others = len(e.call_ids)
        self._say(
            self.tr("Conference: you and %n other calls, mixed together.", None, others), "ok"
        )

    @Slot(object)
    def _on_call_did_end(self, e: ev.CallDidEnd) -> None:
        if e.call_id != self.leg_id or e.call_id == self.call_id:
            return
        transferring = self.purpose == CONSULT and not self.complete_button.isEnabled()
        self.leg_id, self.leg_connected = None, False
        self.complete_button.hide()
        self.complete_button.setEnabled(True)
        self.merge_button.hide()
        self.merge_button.setEnabled(True)
        for widget in (self.target_edit, self.consult_button, self.add_button):
            widget.setEnabled(True)
        if transferring:
            return  # replaced by the transfer: this call ends too
        if self.finished:
            self._say(self.tr("The other call in the conference ended."), "info")
            return
        self._ctx.bridge.submit(cmd.Resume(self.call_id))
        self.holdChanged.emit(False)
        self._say(
            self.tr("The second call ended ({reason}); this call is back.").format(
                reason=e.reason or e.code
            ),
            "info",
        )
