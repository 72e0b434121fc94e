"""Signing out between appointments, when the user opted in (seed 000, "Terminating the
Call": sign off unless another call is scheduled). GUI thread.

`schedule.signout.AutoSignOut` does the work on a thread of its own: it registers the
account while an appointment's window is open and unregisters it otherwise, never
cutting a call. This controller starts and stops it as the setting and the account
change, hands it the live schedule's latest index every `HANDOVER_MS` (a reference
read, no disk), registers the account again when the setting is turned off, and says
in words what it is doing (`stateChanged`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from softphone.engine import commands as cmd
from softphone.schedule.signout import AutoSignOut, wanted_registered
from softphone.ui.context import UiContext

HANDOVER_MS = 10_000


class SignOutController(QObject):
    stateChanged = Signal(str, str)  # what is happening ("" when not in use), theme kind

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.auto: AutoSignOut | None = None
        self.account_id: str | None = None
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.state = ""
        self._timer = QTimer(self, interval=HANDOVER_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    @Slot()
    def update(self) -> None:
        """Follow the setting, the account and the schedule as they are now."""
        ctx = self._ctx
        account_id = ctx.account.account_id if ctx.account is not None else None
        wanted = bool(
            ctx.effective.settings.schedule.sign_out_between
            and account_id is not None
            and ctx.schedule is not None
        )
        if self.auto is not None and (not wanted or account_id != self.account_id):
            self._stop(register_again=account_id == self.account_id)
        if wanted and self.auto is None and ctx.schedule is not None:
            self.account_id = account_id
            self.auto = AutoSignOut(
                ctx.bridge.submit, account_id, ctx.schedule.index(), now=self.now
            )  # type: ignore[arg-type]
            self.auto.start()
            self._timer.start()
        self._describe()

    def shutdown(self) -> None:
        if self.auto is not None:
            self._stop(register_again=False)

    def _stop(self, *, register_again: bool) -> None:
        auto, self.auto = self.auto, None
        self._timer.stop()
        if auto is not None:
            auto.stop()
        if register_again and self.account_id is not None:
            self._ctx.bridge.submit(cmd.Register(self.account_id))
        self.account_id = None

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.auto is not None and self._ctx.schedule is not None:
            self.auto.update(self._ctx.schedule.index())
        self._describe()

    def _describe(self) -> None:
        schedule = self._ctx.schedule
        text, kind = "", "info"
        if self.auto is not None and schedule is not None:
            index, now = schedule.index(), self.now()
            upcoming = index.next_change(now)
            kind = "ok" if wanted_registered(index, now) else "busy"
            if kind == "ok":
                text = self.tr("Signed in for the appointment now")
                if upcoming is not None:
                    text = self.tr("Signed in for the appointment now (until {time})").format(
                        time=f"{upcoming.astimezone():%H:%M}"
                    )
            elif upcoming is not None:
                text = self.tr("Signed out between appointments; back at {time}").format(
                    time=f"{upcoming.astimezone():%H:%M}"
                )
            else:
                text = self.tr("Signed out: no appointment in the coming days")
        if text != self.state:
            self.state = text
            self.stateChanged.emit(text, kind)
