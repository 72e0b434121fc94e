"""Signed in only around appointments (seed 000: sign off when no call is scheduled).

`SignOutPlanner` decides, purely, whether an account should be registered at a given
time: yes while any appointment window is open (the window already includes the
early margin, so the account is reachable before the visit starts). `AutoSignOut`
applies it on a timer thread of its own: it submits `Register`/`Unregister` to the
engine when the wanted state changes, wakes at the next window edge (or every
`recheck_s` in case the clock jumps), and takes a new schedule with `update()`.
Nothing happens during a call: the engine keeps a live call up even when the account
unregisters, and the next window edge re-registers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from softphone.engine import commands as cmd
from softphone.schedule.reachability import ScheduleIndex


def wanted_registered(index: ScheduleIndex, now: datetime) -> bool:
    return index.any_window_open(now)


class AutoSignOut:
    def __init__(
        self,
        submit: Callable[[cmd.Command], None],
        account_id: str,
        index: ScheduleIndex,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        recheck_s: float = 60.0,
    ) -> None:
        self._submit = submit
        self._account_id = account_id
        self._index = index
        self._now = now
        self._recheck_s = recheck_s
        self._registered: bool | None = None  # what we last asked for
        self._wake = threading.Event()
        self._stop = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="auto-sign-out", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)

    def update(self, index: ScheduleIndex) -> None:
        with self._lock:
            self._index = index
        self._wake.set()

    def tick(self) -> float:
        """Apply the wanted state now; returns how long to sleep until the next check."""
        with self._lock:
            index = self._index
        now = self._now()
        wanted = wanted_registered(index, now)
        if wanted != self._registered:
            command = cmd.Register if wanted else cmd.Unregister
            self._submit(command(self._account_id))
            self._registered = wanted
        upcoming = index.next_change(now)
        if upcoming is None:
            return self._recheck_s
        return max(0.05, min(self._recheck_s, (upcoming - now).total_seconds() + 0.05))

    def _run(self) -> None:
        while not self._stop:
            delay = self.tick()
            self._wake.wait(delay)
            self._wake.clear()
