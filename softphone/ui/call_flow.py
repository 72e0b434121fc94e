"""Every way of starting a call in the app goes through here, and through the policy.

GUI thread. The dial pad, history "call back", search results and the in-call
transfer field all call `CallLauncher`. It asks the dial policy the engine will ask
(`UiContext.dial_report`): a denied target is refused with the reason and no command
is sent; "needs PIN" opens `PinDialog`, checks the code with `PinAuthority.authorize`
off the GUI thread (scrypt), and only then submits `MakeCall` carrying the
authorization. The engine checks again on its side, so the UI cannot be the weak
link even if it had a bug.

A caller that needs to know which call its request became (an appointment's "Call
now", a consultation before a transfer, a call to add to a conference) passes a
`tag`; `callPlacedFor(call id, tag)` follows `callPlaced` once the command is sent.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from softphone.engine import commands as cmd
from softphone.policy.pin import DialAuthorization, PinError
from softphone.security.secret import Secret
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.dial_advice import clean_typed
from softphone.ui.pin_dialog import PinDialog
from softphone.ui.reason_text import pin_error_text, report_reason


class CallLauncher(QObject):
    callPlaced = Signal(str)  # the new call's id
    callPlacedFor = Signal(str, object)  # the new call's id, the tag `place` was given
    callRefused = Signal(str)  # why, in words

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.pin_dialog: PinDialog | None = None
        self._pending: tuple[str, str, object] | None = None  # (text, normalised, tag)

    def place(self, text: str, parent: QWidget | None = None, tag: object = None) -> None:
        text = clean_typed(text)
        account = self._ctx.account
        report = self._ctx.dial_report(text)
        if account is None or report is None:
            self.callRefused.emit(self.tr("no SIP account is set up: add one in Settings"))
            return
        if report.verdict == "denied":
            reason = report_reason(report)
            self.callRefused.emit(self.tr("not allowed: {reason}").format(reason=reason))
            return
        if report.verdict == "needs_pin":
            self._ask_pin(text, report.normalised or "", report_reason(report), parent, tag)
            return
        self._submit(text, None, tag)

    def transfer_refusal(self, text: str) -> str | None:
        """None if a blind transfer to `text` is allowed, else why not."""
        report = self._ctx.dial_report(text)
        if report is None:
            return self.tr("no SIP account is set up")
        if report.verdict == "denied":
            return self.tr("not allowed: {reason}").format(reason=report_reason(report))
        if report.verdict == "needs_pin":
            return self.tr("{reason}; a transfer cannot carry an authorization code").format(
                reason=report_reason(report)
            )
        return None

    # -- PIN -----------------------------------------------------------------------

    def _ask_pin(
        self, text: str, target: str, reason: str, parent: QWidget | None, tag: object
    ) -> None:
        pins = self._ctx.pins
        if pins is None or not pins.configured:
            self.callRefused.emit(
                self.tr("{reason}; no authorization code is set up on this computer").format(
                    reason=reason
                )
            )
            return
        if self.pin_dialog is not None:
            self.pin_dialog.close()
        self._pending = (text, target, tag)
        self.pin_dialog = PinDialog(target, reason, parent)
        self.pin_dialog.pinEntered.connect(self._on_pin_dialog_pin_entered)
        self.pin_dialog.rejected.connect(self._on_pin_dialog_rejected)
        self.pin_dialog.open()

    @Slot(object)
    def _on_pin_dialog_pin_entered(self, pin: Secret) -> None:
        if self._pending is None or self._ctx.pins is None:
            return
        job = functools.partial(self._ctx.pins.authorize, self._pending[1], pin)
        self._ctx.bridge.run_in_background(job, self._done_authorize)

    @Slot()
    def _on_pin_dialog_rejected(self) -> None:
        self._pending = None
        self.pin_dialog = None

    def _done_authorize(self, result: JobResult) -> None:
        dialog, pending = self.pin_dialog, self._pending
        if dialog is None or pending is None:
            return  # cancelled meanwhile
        if not result.ok:
            error = result.error
            message = (
                pin_error_text(error)
                if isinstance(error, PinError)
                else self.tr("could not check the code")
            )
            dialog.show_error(message)
            return
        self._pending, self.pin_dialog = None, None
        dialog.accept()
        self._submit(pending[0], result.value, pending[2])

    def _submit(self, text: str, authorization: DialAuthorization | None, tag: object) -> None:
        account = self._ctx.account
        if account is None:
            return
        call_id = self._ctx.bridge.new_id("ui")
        self._ctx.bridge.submit(
            cmd.MakeCall(
                call_id,
                account.account_id,
                text,
                authorization=authorization,
                devices=self._ctx.sound_devices,
            )
        )
        self.callPlaced.emit(call_id)
        if tag is not None:
            self.callPlacedFor.emit(call_id, tag)
