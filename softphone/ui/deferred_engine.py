"""The desktop app's engine, imported and started once the main window is shown.

Importing the engine (pjsua2 and what it loads) takes longer than anything else before
the first window, and nothing in that window needs it to be running. `DeferredEngine`
stands in for `softphone.engine.Engine` from the start: the bridge, the history
recorder and the peer trust subscribe to it, the call policy is set on it and commands
are submitted to it (kept, in order). `start()` — on a worker thread — imports and
builds the real engine, subscribes the listeners, sets the policy, starts it and then
submits what was kept; from then on everything goes straight through. Listeners hear
the engine's `EngineDidStart` as before.

Ids (`new_id`) come from a counter of its own, from the first one on: the engine's own
ids have other prefixes ("in", "xfer", "repl") than the app's ("acc", "ui", "test"),
so the two never meet.

Thread safety: `submit`, `subscribe`, `unsubscribe`, `set_policy` and `new_id` may be
called from any thread, `start` from one worker thread, `stop` from the GUI thread.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from softphone.engine import commands as cmd
from softphone.engine import events as ev

if TYPE_CHECKING:
    from softphone.engine import Engine
    from softphone.engine.gate import CallPolicy

Listener = Callable[[ev.Event], None]


class DeferredEngine:
    def __init__(self, factory: Callable[[], Engine]) -> None:
        self._factory = factory  # imports and builds the engine (worker thread)
        self._lock = threading.Lock()
        self._engine: Engine | None = None  # built (listeners and policy go to it)
        self._running = False  # started: commands go to it
        self._pending: list[cmd.Command] = []
        self._listeners: list[Listener] = []
        self._policy: CallPolicy | None = None
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        self._begun = False
        self._stopped = False  # or failed to start: commands are dropped
        self._done = threading.Event()  # start() has returned (or never will run)

    @property
    def engine(self) -> Engine | None:
        """The real engine once it runs (diagnostics and tests)."""
        return self._engine if self._running else None

    # -- what the app calls: any thread ------------------------------------------------

    def submit(self, command: cmd.Command) -> None:
        with self._lock:
            if not self._running:
                if not self._stopped:
                    self._pending.append(command)
                return
            engine = self._engine
        engine.submit(command)

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)
            if self._engine is not None:
                self._engine.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
            if self._engine is not None:
                self._engine.unsubscribe(listener)

    def set_policy(self, policy: CallPolicy) -> None:
        with self._lock:
            self._policy = policy
            if self._engine is not None:
                self._engine.set_policy(policy)

    def new_id(self, prefix: str = "c") -> str:
        with self._ids_lock:
            return f"{prefix}{next(self._ids)}"

    # -- starting and stopping ------------------------------------------------------------

    def start(self) -> Any:
        """Worker thread: import, build and start the engine, then submit what was kept.
        Once only; nothing after `stop`. Raises what the engine raised (`EngineError`)."""
        with self._lock:
            if self._begun or self._stopped:
                return None
            self._begun = True
        try:
            engine = self._factory()
            with self._lock:
                if self._stopped:
                    return None
                for listener in self._listeners:
                    engine.subscribe(listener)
                if self._policy is not None:
                    engine.set_policy(self._policy)
                self._engine = engine
            engine.start()
            with self._lock:
                pending, self._pending = self._pending, []
                for command in pending:
                    engine.submit(command)
                self._running = True
            return None
        except BaseException:
            with self._lock:
                self._stopped = True
                self._pending.clear()
            raise
        finally:
            self._done.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the engine (waiting for a start under way to end first); commands
        submitted from now on are dropped."""
        with self._lock:
            self._stopped = True
            begun = self._begun
            self._pending.clear()
        if begun and not self._done.wait(timeout):
            raise TimeoutError("the engine did not finish starting")
        with self._lock:
            engine, self._running = self._engine, False
        if engine is not None:
            engine.stop()
