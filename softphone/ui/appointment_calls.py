"""Which calls belong to which appointment, and what their end does to it. GUI thread.

An appointment's call is either placed by "Call now" (through `CallLauncher`, tagged,
so the policy and the PIN apply as for any call) or an incoming call whose caller the
live schedule expects now (`appointment_for_caller`, the engine's own index). When
such a call ends, the appointment is updated on a worker thread: done with the real
duration when the call was connected, else it keeps its place with the failed
attempt as its outcome (`today_text.after_call`); then the live schedule is
refreshed and `appointmentCallEnded` tells the windows.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from softphone.engine import events as ev
from softphone.engine.gate import dial_plan
from softphone.policy.inbound import caller_identity
from softphone.schedule.appointment import Appointment
from softphone.schedule.live import LiveSchedule
from softphone.storage.appointments import AppointmentStore
from softphone.ui.bridge import JobResult
from softphone.ui.call_flow import CallLauncher
from softphone.ui.context import UiContext
from softphone.ui.today_text import after_call

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppointmentTag:
    """What "Call now" passes to `CallLauncher.place` to learn its call's id."""

    appointment: Appointment


@dataclass
class _Tracked:
    appointment: Appointment
    outgoing: bool
    connected: bool = False


def record_end(
    store: AppointmentStore,
    schedule: LiveSchedule | None,
    appointment_id: int,
    connected: bool,
    e: ev.CallDidEnd,
    now: datetime,
) -> Appointment | None:
    """Worker thread: mark the appointment after its call; None if it is gone."""
    current = store.get(appointment_id)
    if current is None:
        return None
    status, outcome, duration = after_call(
        current, connected, e.duration, e.code, e.reason, e.security_failure, now
    )
    updated = store.mark(appointment_id, status, outcome, duration)
    if schedule is not None:
        schedule.refresh()
    return updated


class AppointmentCalls(QObject):
    appointmentCallEnded = Signal(str, object)  # call id, the Appointment as now stored
    appointmentsChanged = Signal()

    def __init__(self, ctx: UiContext, launcher: CallLauncher, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._launcher = launcher
        self.calls: dict[str, _Tracked] = {}
        self.now = lambda: datetime.now(UTC)
        launcher.callPlacedFor.connect(self._on_launcher_call_placed_for)
        ctx.bridge.callStateChanged.connect(self._on_call_state_did_change)
        ctx.bridge.callEnded.connect(self._on_call_did_end)

    def store(self) -> AppointmentStore | None:
        db = self._ctx.database
        return AppointmentStore(db) if db is not None else None

    def call_now(self, appointment: Appointment, parent: QWidget | None = None) -> None:
        self._launcher.place(appointment.participant, parent, AppointmentTag(appointment))

    def appointment_for_call(self, call_id: str) -> Appointment | None:
        tracked = self.calls.get(call_id)
        return tracked.appointment if tracked is not None else None

    def appointment_for_caller(self, remote_uri: str) -> Appointment | None:
        """The open appointment whose window holds now for this caller (in memory)."""
        schedule, account = self._ctx.schedule, self._ctx.account
        if schedule is None or account is None:
            return None
        identity = caller_identity(remote_uri, dial_plan(account.profile))
        return schedule.index().appointment_for(identity, self.now())

    def attach_incoming(self, call_id: str, appointment: Appointment) -> None:
        self.calls[call_id] = _Tracked(appointment, outgoing=False)

    @Slot(str, object)
    def _on_launcher_call_placed_for(self, call_id: str, tag: object) -> None:
        if isinstance(tag, AppointmentTag):
            self.calls[call_id] = _Tracked(tag.appointment, outgoing=True)

    @Slot(object)
    def _on_call_state_did_change(self, e: ev.CallStateDidChange) -> None:
        tracked = self.calls.get(e.call_id)
        if tracked is not None and e.state is ev.CallState.CONFIRMED:
            tracked.connected = True

    @Slot(object)
    def _on_call_did_end(self, e: ev.CallDidEnd) -> None:
        tracked = self.calls.pop(e.call_id, None)
        store = self.store()
        if tracked is None or store is None or tracked.appointment.id is None:
            return
        if not tracked.outgoing and not tracked.connected:
            return  # an expected caller we did not answer: the appointment stays as it was
        job = functools.partial(
            record_end,
            store,
            self._ctx.schedule,
            tracked.appointment.id,
            tracked.connected,
            e,
            self.now(),
        )
        self._ctx.bridge.run_in_background(job, functools.partial(self._done_record, e.call_id))

    def _done_record(self, call_id: str, result: JobResult) -> None:
        if not result.ok:
            log.error("appointment: cannot record the end of its call: %s", result.error)
            return
        if result.value is not None:
            self.appointmentCallEnded.emit(call_id, result.value)
            self.appointmentsChanged.emit()
