"""End-to-end peers from the command line: each contact's requirement, what was verified.

Main thread (the CLI). Reads and writes the encrypted local database directly through
`storage.e2e_peers` (the engine's `e2e.trust.PeerTrust` does the same for calls; a
running app reads the change when it next loads the database). Nothing here is
secret: a certificate fingerprint is public (it travels in every SDP), and the
address and the mismatch reason are shown only to the user who owns the database.
Changes are written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from softphone.e2e.sas import format_fingerprint
from softphone.e2e.trust import contact_for
from softphone.policy.end_to_end import E2eMode, peer_address
from softphone.security.secret_store import SecretStore
from softphone.storage.database import LocalDatabase
from softphone.storage.e2e_peers import E2ePeer, E2ePeerStore
from softphone.storage.locations import database_path


class PeerAddressError(ValueError):
    """Not something a peer can be named by."""


@dataclass(frozen=True)
class PeerRow:
    address: str
    contact: str | None  # the contact's name, when the address is one of its URIs
    requirement: str  # "required", "preferred", or "profile" (the profile decides)
    fingerprint: str | None  # the certificate the users verified, AB:CD:...
    verified_at: str | None
    mismatch_at: str | None
    mismatch_reason: str | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def normalise(address_or_uri: str) -> str:
    """ "user@host" from an address, a SIP URI or a name-addr; PeerAddressError if none."""
    text = address_or_uri.strip()
    address = peer_address(text) if text else ""
    if not address or address.startswith("@") or address.endswith("@") or " " in address:
        raise PeerAddressError(f"not a peer address: {address_or_uri!r} (user@host or a SIP URI)")
    return address


def database_exists(path: Path | None = None) -> bool:
    return (path or database_path()).exists()


@contextmanager
def peers(
    store: SecretStore, path: Path | None = None
) -> Iterator[tuple[LocalDatabase, E2ePeerStore]]:
    with LocalDatabase.open(path or database_path(), store) as db:
        yield db, E2ePeerStore(db)


def set_requirement(db: LocalDatabase, peers: E2ePeerStore, address: str, mode: E2eMode) -> E2ePeer:
    if mode is E2eMode.OFF:
        raise PeerAddressError('a contact can require or prefer end to end, not turn it "off"')
    with db.transaction():
        peer = peers.set_requirement(address, mode.value, contact_for(db, address))
        db.append_audit("e2e requirement set", f"end to end {mode.value} for a peer")
    return peer


def forget(db: LocalDatabase, peers: E2ePeerStore, address: str) -> bool:
    with db.transaction():
        found = peers.forget(address)
        if found:
            db.append_audit("e2e peer forgotten", "verified certificate and requirement removed")
    return found


def rows(db: LocalDatabase, peers: E2ePeerStore, address: str | None = None) -> list[PeerRow]:
    if address is None:
        found = peers.all()
    else:
        one = peers.get(address)
        found = [one] if one is not None else []
    contacts = db.list_contacts() if found else []
    names = {c.id: c.display_name for c in contacts}
    # a contact added after the row was written is found by its URIs
    by_address = {peer_address(uri): c.display_name for c in contacts for uri in c.uris}
    return [_row(p, names, by_address) for p in sorted(found, key=lambda p: p.address)]


def _row(peer: E2ePeer, names: dict[int, str], by_address: dict[str, str]) -> PeerRow:
    def when(value) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return PeerRow(
        address=peer.address,
        contact=names.get(peer.contact_id or -1) or by_address.get(peer.address),
        requirement=peer.requirement or "profile",
        fingerprint=format_fingerprint(peer.fingerprint) if peer.fingerprint else None,
        verified_at=when(peer.verified_at),
        mismatch_at=when(peer.mismatch_at),
        mismatch_reason=peer.mismatch_reason,
    )
