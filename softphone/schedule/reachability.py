"""Who is expected to call now: appointments indexed by participant. Any thread.

A `ScheduleIndex` is immutable (rebuild it when the appointments change): the engine
asks it, on its own thread, whether a caller is a participant of an appointment
whose window contains now ("scheduled participants only"). Participants and callers
are read with the dial plan's classifier, so `tel:+1-212-555-0123`, `(212) 555-0123`
and `sip:+12125550123@gw;user=phone` are one person. It also says when the next
window opens or closes, for signing out between appointments.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime

from softphone.policy.numbers import DialPlan, Target, TargetKind, classify
from softphone.schedule.appointment import Appointment, Margins


def participant_key(target: Target) -> str:
    """How a participant or caller is compared: E.164/digits, or user@host ignoring case."""
    return target.key.casefold() if target.kind is TargetKind.ADDRESS else target.key


class ScheduleIndex:
    def __init__(
        self, appointments: list[Appointment], plan: DialPlan, margins: Margins | None = None
    ) -> None:
        margins = margins or Margins()
        self.margins = margins
        self._windows: dict[str, list[tuple[datetime, datetime, Appointment]]] = defaultdict(list)
        edges: set[datetime] = set()
        for appointment in appointments:
            if not appointment.open:
                continue
            key = participant_key(classify(appointment.participant, plan))
            if not key:
                continue
            opens, closes = appointment.window(margins)
            self._windows[key].append((opens, closes, appointment))
            edges.update((opens, closes))
        for windows in self._windows.values():
            windows.sort(key=lambda w: w[0])
        self._edges = sorted(edges)
        self._plan = plan

    def appointment_for(self, caller: Target, now: datetime) -> Appointment | None:
        """The open appointment whose window holds `now` for this caller, if any."""
        for opens, closes, appointment in self._windows.get(participant_key(caller), ()):
            if opens > now:
                break
            if now <= closes:
                return appointment
        return None

    def scheduled(self, caller: Target, now: datetime) -> bool:
        return self.appointment_for(caller, now) is not None

    def any_window_open(self, now: datetime) -> bool:
        return any(
            opens <= now <= closes
            for windows in self._windows.values()
            for opens, closes, _ in windows
        )

    def next_change(self, now: datetime) -> datetime | None:
        """When a window next opens or closes after `now` (for auto sign-out)."""
        i = bisect_right(self._edges, now)
        return self._edges[i] if i < len(self._edges) else None
