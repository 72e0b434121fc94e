"""Run a call that cannot be cancelled, but wait for it only so long. Any thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


def bounded_call(call: Callable[[], _T], budget: float, name: str = "bounded-call") -> _T:
    """call() on a daemon thread; TimeoutError if it has not returned within `budget` s.

    For lookups such as getaddrinfo, which has no timeout at all: the thread is
    abandoned, not killed, and ends when the lookup finally gives up.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(budget)
    if "value" in outcome:
        return outcome["value"]
    if "error" in outcome:
        raise outcome["error"]
    raise TimeoutError(f"no answer within {budget:g} s")
