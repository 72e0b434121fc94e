"""The schedule as the engine sees it: an index rebuilt off the engine thread.

`LiveSchedule` rebuilds a `ScheduleIndex` from the appointments of the coming days on
a thread of its own — at start, every `refresh_s`, and at once after `refresh()` (call
it when appointments change). `index()` is what the engine's inbound lookup calls for
each INVITE: it returns the latest index without touching the disk or waiting for a
lock, so a slow database never stalls SIP.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from softphone.policy.numbers import DialPlan
from softphone.schedule.appointment import Appointment, Margins
from softphone.schedule.reachability import ScheduleIndex

log = logging.getLogger(__name__)

Loader = Callable[[datetime, datetime], list[Appointment]]  # appointments starting in [a, b)


class LiveSchedule:
    def __init__(
        self,
        load: Loader,
        plan: DialPlan,
        margins: Margins | None = None,
        *,
        refresh_s: float = 60.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._load = load
        self._plan = plan
        self._margins = margins or Margins()
        self._refresh_s = refresh_s
        self._now = now
        self._index = ScheduleIndex([], plan, self._margins)
        self._wake = threading.Event()
        self._stopped = False
        self._built = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-schedule", daemon=True)
        self._thread.start()

    def index(self) -> ScheduleIndex:
        return self._index  # one reference read: swapped whole by the builder

    def refresh(self, wait: float | None = None) -> None:
        self._built.clear()
        self._wake.set()
        if wait:
            self._built.wait(wait)

    def close(self) -> None:
        self._stopped = True
        self._wake.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stopped:
            self._rebuild()
            self._wake.wait(self._refresh_s)
            self._wake.clear()

    def _rebuild(self) -> None:
        now = self._now()
        # An appointment that started a day ago can still be open (late margin, long
        # visit); two days ahead covers the next window edges.
        try:
            found = self._load(now - timedelta(days=1), now + timedelta(days=2))
        except Exception as e:  # keep the last good index
            log.error("schedule: cannot read appointments: %s", e)
        else:
            self._index = ScheduleIndex(found, self._plan, self._margins)
        self._built.set()
