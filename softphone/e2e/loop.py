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

ICE pacing. aioice's `Connection.connect` starts one check every 20 ms (the Ta timer)
and looks at the check list only between those sleeps, so a check that succeeds in
a millisecond is reported up to 20 ms later, on every call (measured: 16-19 ms of
the set-up time). `_connect` is the same method, checks paced the same way, that
stops waiting as soon as the check list is done. It is a copy of aioice 0.13.0's
own and is installed only for that version; with any other, aioice's is kept (the
calls are just slower to set up). ICE only finds the path: DTLS still proves who is
at the other end of it.
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

import aioice
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

ICE_PACING_S = 0.02  # aioice's Ta
_POLL_S = 0.002


async def _connect(self: aioice.ice.Connection) -> None:
    """aioice 0.13.0's `Connection.connect`; only the wait between checks differs."""
    if not self._local_candidates_end:
        raise ConnectionError("Local candidates gathering was not performed")
    if self.remote_username is None or self.remote_password is None:
        raise ConnectionError("Remote username or password is missing")
    for remote_candidate in self._remote_candidates:
        self._pair_remote_candidate(remote_candidate)
    self.sort_check_list()
    self._unfreeze_initial()
    for early_check in self._early_checks:
        self.check_incoming(*early_check)
    self._early_checks.clear()
    self._early_checks_done = True

    loop = asyncio.get_running_loop()
    while self._check_periodic():
        next_check = loop.time() + ICE_PACING_S
        while not self._check_list_done and loop.time() < next_check:
            await asyncio.sleep(_POLL_S)

    res = await self._check_list_state.get() if self._check_list else aioice.ice.ICE_FAILED
    for check in self._check_list:
        if check.task:
            check.task.cancel()
    if res != aioice.ice.ICE_COMPLETED:
        raise ConnectionError("ICE negotiation failed")
    self._query_consent_task = asyncio.create_task(self.query_consent())


if aioice.__version__ == "0.13.0":
    aioice.ice.Connection.connect = _connect
else:  # pragma: no cover - another aioice: its own connect, 20 ms slower
    log.info("aioice %s: its own ICE pacing is kept", aioice.__version__)


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
