"""A started engine plus an ordered inbox of its events, for blocking headless tasks.

Used from one ordinary thread (the CLI's main thread, a test). Events are
queued by the engine thread; `wait_for` takes them in order, and keeps the
ones it skipped so a later wait still sees them.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from softphone.engine import commands as cmd
from softphone.engine import events as ev

if TYPE_CHECKING:
    from softphone.engine import Engine

E = TypeVar("E", bound=ev.Event)


class EngineSession:
    def __init__(self, engine: Engine | None = None) -> None:
        if engine is None:
            from softphone.engine import Engine  # pjsua2: only when a session starts

            engine = Engine()
        self.engine = engine
        self._inbox: queue.Queue[ev.Event] = queue.Queue()
        self._backlog: list[ev.Event] = []
        self.history: list[ev.Event] = []
        self.engine.subscribe(self._inbox.put)

    def __enter__(self) -> EngineSession:
        self.engine.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.stop()

    def submit(self, command: cmd.Command) -> None:
        self.engine.submit(command)

    def new_id(self, prefix: str = "c") -> str:
        return self.engine.new_id(prefix)

    def wait_for(
        self,
        kinds: type[E] | tuple[type[E], ...],
        match: Callable[[E], bool] = lambda _e: True,
        timeout: float = 10.0,
    ) -> E:
        """The first (oldest) unconsumed event of `kinds` satisfying `match`."""
        self._collect_pending()
        for i, event in enumerate(self._backlog):
            if isinstance(event, kinds) and match(event):
                return self._backlog.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                names = kinds.__name__ if isinstance(kinds, type) else [k.__name__ for k in kinds]
                raise TimeoutError(f"no {names} within {timeout:.0f} s")
            try:
                event = self._inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            self.history.append(event)
            if isinstance(event, kinds) and match(event):
                return event
            self._backlog.append(event)

    def drain(self, seconds: float) -> None:
        """Let `seconds` pass while still collecting events."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                event = self._inbox.get(timeout=remaining)
            except queue.Empty:
                break
            self.history.append(event)
            self._backlog.append(event)

    def _collect_pending(self) -> None:
        """Move every event already queued by the engine into the backlog, without waiting."""
        while True:
            try:
                event = self._inbox.get_nowait()
            except queue.Empty:
                return
            self.history.append(event)
            self._backlog.append(event)

    def seen(self, kind: type[E], match: Callable[[E], bool] = lambda _e: True) -> list[E]:
        """Every event of `kind` received so far (consumed or not)."""
        self._collect_pending()
        return [e for e in self.history if isinstance(e, kind) and match(e)]
