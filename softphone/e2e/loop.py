"""The asyncio loop that owns every aiortc object: one thread, named "e2e-media".

`MediaLoop` methods are safe from any thread; coroutines submitted to it run on its
thread. The engine thread never waits on them: it submits, and the result comes
back through a callback the engine turns into an engine-thread call (see
`softphone.engine.e2e_calls`). aiortc itself is not thread-safe, so nothing else may
touch a peer connection.

Host candidates. aioice gathers host candidates from every interface address except
127.0.0.1 (and IPv6 loopback and link-local), so two apps on one machine with only a
loopback interface could not connect. `host_addresses()` lets a session name its
addresses instead (a profile's `nat.media_addresses`; the test bed uses 127.0.0.1,
which aioice connects over without complaint — only its gathering skips it). The
choice is scoped to the session's own task with a context variable, through one
wrapper around aioice's `get_host_addresses`, installed once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import aioice.ice

log = logging.getLogger(__name__)

_ADDRESSES: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "softphone_e2e_host_addresses", default=None
)
_ORIGINAL_GET_HOST_ADDRESSES = aioice.ice.get_host_addresses


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    chosen = _ADDRESSES.get()
    if chosen is None:
        return _ORIGINAL_GET_HOST_ADDRESSES(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


aioice.ice.get_host_addresses = _get_host_addresses


@contextlib.contextmanager
def host_addresses(addresses: tuple[str, ...]) -> Iterator[None]:
    """Within this block (in this task), gather host candidates on `addresses` only;
    an empty tuple keeps aioice's own choice."""
    token = _ADDRESSES.set(tuple(addresses) if addresses else None)
    try:
        yield
    finally:
        _ADDRESSES.reset(token)


class MediaLoop:
    def __init__(self, name: str = "e2e-media") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def running(self) -> bool:
        return self._loop is not None and self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the end-to-end media loop did not start")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future:
        """Run `coro` on the loop; any thread. The future is done on the loop's thread."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("the end-to-end media loop is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(fn, *args)

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("the end-to-end media loop did not stop within %.0f s", timeout)
        self._thread = None
        self._loop = None
