"""Call history and the audit trail, written from the engine's events.

`HistoryRecorder.on_event` is an engine listener: it runs on the engine thread, so it
only queues the event; one worker thread of its own turns events into rows of the
encrypted local database (each write is fsynced: never on the engine or GUI thread).

What is kept (`HistorySettings`): nothing at all when "don't keep history" is on;
otherwise one row per call — direction, peer, start, duration, outcome, whether the
media was encrypted, whether it was end to end and whether the users verified it (the
SAS confirmed, or the peer's certificate verified before; a mismatch clears it) — so
the history shows the call's label word for word — dropped once older
than the retention period (`purge`, run at start and once a day). A call the inbound
policy refused is an audit entry with the reason, plus a history row "refused: ..."
holding the caller only as the policy read it (number or user@host, no display
name); a caller on the block list leaves no identity at all. A PIN never reaches
this module (commands carry an authorization, events never carry either).

`row_id_for(call_id)` says which history row an engine call became (after `flush()`),
so a later note — the user's rating of the call — lands on the right row
(`LocalDatabase.set_call_note`). The last `REMEMBERED_ROWS` calls are remembered.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from softphone.config.settings import HistorySettings
from softphone.engine import events as ev
from softphone.policy.inbound import BLOCKED
from softphone.storage.database import CallRecord, Direction, LocalDatabase

log = logging.getLogger(__name__)

PURGE_INTERVAL_S = 24 * 3600
REMEMBERED_ROWS = 256
AUDIT_INBOUND_REFUSED = "inbound call refused by policy"
AUDIT_DIAL_REFUSED = "dial refused by policy"


@dataclass
class _Pending:
    direction: Direction
    peer: str
    started: datetime
    rang: bool = False
    answered: bool = False
    encrypted: bool = False
    end_to_end: bool = False
    verified: bool = False


class HistoryRecorder:
    def __init__(
        self,
        db: LocalDatabase,
        settings: HistorySettings,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._settings = settings
        self._now = now
        self._pending: dict[str, _Pending] = {}
        self._local_accounts: set[str] = set()
        self._rows: OrderedDict[str, int] = OrderedDict()  # engine call id -> history row
        self._rows_lock = threading.Lock()
        self._queue: queue.SimpleQueue[ev.Event | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._last_purge = 0.0
        self._thread = threading.Thread(target=self._run, name="history", daemon=True)
        self._thread.start()

    # -- any thread ----------------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        self._idle.clear()
        self._queue.put(event)

    def set_settings(self, settings: HistorySettings) -> None:
        self._settings = settings
        self._queue.put(_PURGE)

    def row_id_for(self, call_id: str) -> int | None:
        """The history row written for engine call `call_id`; None if none was (history
        off, refused before it rang) or not yet (call `flush()` first)."""
        with self._rows_lock:
            return self._rows.get(call_id)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event is written (tests, shutdown)."""
        self._queue.put(_FLUSH)
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(5)

    # -- worker thread -------------------------------------------------------------

    def _run(self) -> None:
        self._purge()
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._handle(item)
            except Exception as e:  # one bad write must not stop the history
                log.error("history: %s: %s", type(e).__name__, e)
            if time.monotonic() - self._last_purge > PURGE_INTERVAL_S:
                self._purge()
            if self._queue.empty():
                self._idle.set()

    def _handle(self, event: object) -> None:
        if event is _PURGE:
            self._purge()
        elif isinstance(event, ev.LoopbackDidStart):
            # The embedded echo peer's leg of a test call is this process answering
            # itself: the caller's leg is the history entry, the peer's would be a twin.
            self._local_accounts.add(event.peer_account_id)
        elif isinstance(event, ev.CallDidStart) and event.account_id in self._local_accounts:
            return
        elif isinstance(event, ev.CallDidStart):
            self._pending[event.call_id] = _Pending(
                Direction(event.direction.value), event.remote_uri, self._now()
            )
        elif isinstance(event, ev.CallDidArrive):
            self._update(event.call_id, rang=True)
        elif isinstance(event, ev.CallStateDidChange):
            if event.state is ev.CallState.CONFIRMED:
                self._update(event.call_id, answered=True)
        elif isinstance(event, ev.CallMediaDidChange):
            m = event.media
            self._update(event.call_id, encrypted=m.encrypted, end_to_end=m.end_to_end)
            self._set_verified(event.call_id, m.verified)
        elif isinstance(event, ev.CallVerificationDidChange):
            if event.verified or event.mismatch:
                self._set_verified(event.call_id, event.verified)
        elif isinstance(event, ev.CallDidEnd):
            self._ended(event)
        elif isinstance(event, ev.IncomingCallWasRefused) and event.by_policy:
            self._refused(event)
        elif isinstance(event, ev.CallDialWasRefused) and self._settings.keep:
            self._db.append_audit(AUDIT_DIAL_REFUSED, f"{event.path}: {event.reason}")

    def _refused(self, event: ev.IncomingCallWasRefused) -> None:
        if not self._settings.keep:
            return
        self._db.append_audit(AUDIT_INBOUND_REFUSED, event.reason)
        if event.reason == BLOCKED or not event.caller:
            return  # someone the user chose never to hear from: no trace of who
        # A history row so the user sees who tried (a patient calling early), with the
        # identity as the policy read it: no display name, no URI parameters.
        self._db.add_call(
            CallRecord(
                started=self._now(),
                duration_s=0.0,
                direction=Direction.INCOMING,
                outcome=f"refused: {event.reason}",
                encrypted_media=False,
                verified=False,
                peer=event.caller,
            )
        )

    def _update(self, call_id: str, **changes: bool) -> None:
        pending = self._pending.get(call_id)
        if pending is not None:
            for name, value in changes.items():
                setattr(pending, name, getattr(pending, name) or value)

    def _set_verified(self, call_id: str, verified: bool) -> None:
        """Verified is not sticky like the rest: a later mismatch takes it back."""
        pending = self._pending.get(call_id)
        if pending is not None:
            pending.verified = verified

    def _ended(self, event: ev.CallDidEnd) -> None:
        pending = self._pending.pop(event.call_id, None)
        if pending is None or not self._settings.keep:
            return
        if pending.direction is Direction.INCOMING and not pending.rang and not pending.answered:
            return  # refused before it rang (security or policy): audit only, no history
        encrypted = pending.encrypted or bool(event.media and event.media.encrypted)
        end_to_end = pending.end_to_end or bool(event.media and event.media.end_to_end)
        verified = pending.verified and end_to_end and not event.security_failure
        saved = self._db.add_call(
            CallRecord(
                started=pending.started,
                duration_s=max(0.0, event.duration),
                direction=pending.direction,
                outcome=_outcome(pending, event),
                encrypted_media=encrypted,
                verified=verified,
                peer=pending.peer,
                end_to_end=end_to_end,
            )
        )
        with self._rows_lock:
            self._rows[event.call_id] = saved.id  # type: ignore[assignment]
            while len(self._rows) > REMEMBERED_ROWS:
                self._rows.popitem(last=False)

    def _purge(self) -> None:
        self._last_purge = time.monotonic()
        if not self._settings.keep:
            removed = self._db.delete_all_calls()
        elif self._settings.retention_days:
            cutoff = self._now() - timedelta(days=self._settings.retention_days)
            removed = self._db.delete_calls_before(cutoff)
        else:
            return
        if removed:
            log.info("history: %d old call(s) removed by the retention setting", removed)


_PURGE = object()
_FLUSH = object()


def _outcome(pending: _Pending, event: ev.CallDidEnd) -> str:
    if event.security_failure:
        return f"refused: {event.security_failure}"
    if pending.answered:
        return "answered"
    if pending.direction is Direction.INCOMING:
        return "declined" if event.code in (486, 603) else "missed"
    return {486: "busy", 600: "busy", 603: "declined", 480: "no answer", 408: "no answer"}.get(
        event.code, f"failed: {event.code} {event.reason}".strip()
    )
