"""Who was verified: peers' certificates kept across calls, and each peer's requirement.

`PeerTrust.lookup` is the engine's `CallPolicy.e2e_peers`: it runs on the engine
thread and only reads an in-memory copy (no disk I/O on the engine thread).
`PeerTrust.on_event` is an engine listener: it queues the event; one worker thread of
its own writes the encrypted database (each commit is fsynced) and then updates the
copy. `set_requirement` and `peers` may be called from any thread but read or write
the database: the UI calls them on a worker thread.

What is kept, per peer address (`storage.e2e_peers`): the SHA-256 fingerprint of the
certificate presented on a call whose SAS the users confirmed; after a mismatch the
reason is kept (and written to the audit log), and the verified fingerprint is
dropped if that call presented it (a mismatch on another certificate — someone else
answering for the peer — leaves the verified one alone).
A later call from that peer presenting the verified certificate is verified without
reading the SAS again; one presenting another is flagged (`CallPeerIdentityDidChange`).
"""

from __future__ import annotations

import logging
import queue
import threading

from softphone.engine import events as ev
from softphone.policy.end_to_end import E2eMode, PeerE2eFacts, peer_address
from softphone.storage.database import LocalDatabase
from softphone.storage.e2e_peers import E2ePeer, E2ePeerStore

log = logging.getLogger(__name__)

_FLUSH = object()


class PeerTrust:
    def __init__(self, db: LocalDatabase) -> None:
        self._db = db
        self._store = E2ePeerStore(db)
        self._lock = threading.Lock()
        self._facts: dict[str, PeerE2eFacts] = {
            peer.address: _facts(peer) for peer in self._store.all()
        }
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="e2e-trust", daemon=True)
        self._thread.start()

    # -- any thread ------------------------------------------------------------------

    def lookup(self, address: str) -> PeerE2eFacts:
        with self._lock:
            return self._facts.get(address.lower(), PeerE2eFacts())

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.CallVerificationDidChange) and (event.verified or event.mismatch):
            self._idle.clear()
            self._queue.put(event)

    def set_requirement(self, address_or_uri: str, mode: E2eMode | str | None) -> None:
        """A contact's own requirement ("required", "preferred", None: the profile's)."""
        address = peer_address(address_or_uri)
        requirement = E2eMode(mode).value if mode is not None else None
        if requirement == E2eMode.OFF:
            raise ValueError('a contact can require or prefer end to end, not turn it "off"')
        peer = self._store.set_requirement(address, requirement, contact_for(self._db, address))
        self._remember(peer)

    def peers(self, addresses_or_uris: list[str] | tuple[str, ...]) -> list[E2ePeer]:
        """What is stored for these addresses (SIP URIs are reduced to user@host), in
        their order, skipping those with nothing stored. Reads the database: call it
        off the GUI thread (the contact dialog's worker)."""
        found = []
        for address in dict.fromkeys(peer_address(a) for a in addresses_or_uris):
            peer = self._store.get(address)
            if peer is not None:
                found.append(peer)
        return found

    def forget(self, address_or_uri: str) -> bool:
        """Drop everything kept about a peer (verified certificate, mismatch, requirement)."""
        address = peer_address(address_or_uri)
        found = self._store.forget(address)
        with self._lock:
            self._facts.pop(address, None)
        return found

    def flush(self, timeout: float = 5.0) -> bool:
        self._idle.clear()
        self._queue.put(_FLUSH)
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(5)

    # -- worker thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._idle.set()
                return
            if item is not _FLUSH:
                try:
                    self._record(item)
                except Exception as e:  # a failed write must not stop later ones
                    log.error("could not record an end-to-end verification: %s", e)
            if self._queue.empty():
                self._idle.set()

    def _record(self, event: ev.CallVerificationDidChange) -> None:
        address = event.peer.lower()
        contact_id = contact_for(self._db, address)
        digest = bytes.fromhex(event.peer_fingerprint.replace(":", "")) or None
        if event.verified:
            peer = self._store.record_verified(address, digest, contact_id)
        else:
            peer = self._store.record_mismatch(address, event.reason, digest, contact_id)
        self._remember(peer)

    def _remember(self, peer: E2ePeer) -> None:
        with self._lock:
            self._facts[peer.address.lower()] = _facts(peer)


def contact_for(db: LocalDatabase, address: str) -> int | None:
    """The id of the contact one of whose URIs is this peer address, if any."""
    for contact in db.list_contacts():
        if any(peer_address(uri) == address for uri in contact.uris):
            return contact.id
    return None


def _facts(peer: E2ePeer) -> PeerE2eFacts:
    return PeerE2eFacts(
        requirement=E2eMode(peer.requirement) if peer.requirement else None,
        verified_fingerprint=peer.fingerprint,
        contact_id=peer.contact_id,
    )
