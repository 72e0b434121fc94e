"""End-to-end peers in the encrypted local database: verified certificates, mismatches,
and each peer's own requirement.

Any thread, through the `LocalDatabase`'s lock and transactions (this module is part
of the storage package and uses its row-encryption helpers). One row per peer address
("user@host", as `policy.end_to_end.peer_address` writes it). The address is found by
a keyed hash and stored encrypted; so are the SHA-256 fingerprint the users verified
and the reason of the last mismatch. `contact_id` links the row to the contact with
that address when there is one (contacts hold SIP URIs, not addresses, so the link
is made when a row is written).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from softphone.storage.database import LocalDatabase

_TABLE = "e2e_peers"
REQUIREMENTS = ("preferred", "required")


@dataclass(frozen=True, slots=True)
class E2ePeer:
    address: str
    contact_id: int | None = None
    requirement: str | None = None  # "preferred", "required", None: the profile decides
    fingerprint: bytes | None = None  # the certificate the users verified
    verified_at: datetime | None = None
    mismatch_at: datetime | None = None
    mismatch_reason: str | None = None
    id: int | None = None


class E2ePeerStore:
    def __init__(self, db: LocalDatabase) -> None:
        self._db = db

    def get(self, address: str) -> E2ePeer | None:
        rows = self._db._select(
            f"SELECT * FROM {_TABLE} WHERE address_key = ?", (self._key(address),)
        )
        return self._peer(rows[0]) if rows else None

    def all(self) -> list[E2ePeer]:
        return [self._peer(r) for r in self._db._select(f"SELECT * FROM {_TABLE} ORDER BY id")]

    def set_requirement(
        self, address: str, requirement: str | None, contact_id: int | None = None
    ) -> E2ePeer:
        if requirement is not None and requirement not in REQUIREMENTS:
            raise ValueError(f"requirement must be one of {REQUIREMENTS} or None")
        return self._update(address, contact_id, requirement=requirement)

    def record_verified(
        self, address: str, fingerprint: bytes, contact_id: int | None = None
    ) -> E2ePeer:
        """The users compared the SAS of a call with this peer and it matched."""
        if len(fingerprint) != 32:
            raise ValueError("a SHA-256 fingerprint is 32 bytes")
        now = datetime.now(UTC).timestamp()
        with self._db.transaction():
            peer = self._update(address, contact_id, fingerprint=fingerprint.hex(), verified_at=now)
            self._db.append_audit("e2e peer verified", "short authentication string confirmed")
        return peer

    def record_mismatch(
        self,
        address: str,
        reason: str,
        fingerprint: bytes | None = None,
        contact_id: int | None = None,
    ) -> E2ePeer:
        """A call with this peer failed verification; why is kept.

        If that call presented the certificate verified before (`fingerprint`), the
        users no longer vouch for it: it is forgotten. A call from another certificate
        (someone else answering for this peer) leaves the verified one as it was.
        """
        now = datetime.now(UTC).timestamp()
        with self._db.transaction():
            current = self.get(address)
            changes: dict[str, object] = {"mismatch_at": now, "mismatch_reason": reason}
            verified = current.fingerprint if current is not None else None
            if verified is not None and fingerprint in (None, verified):
                changes.update(fingerprint=None, verified_at=None)
            peer = self._update(address, contact_id, **changes)
            self._db.append_audit("e2e verification failed", reason)
        return peer

    def forget(self, address: str) -> bool:
        with self._db.transaction():
            cursor = self._db._conn.execute(
                f"DELETE FROM {_TABLE} WHERE address_key = ?", (self._key(address),)
            )
        return cursor.rowcount > 0

    # -- rows ------------------------------------------------------------------------

    def _update(self, address: str, contact_id: int | None, **changes: object) -> E2ePeer:
        db = self._db
        with db.transaction():
            rows = db._select(
                f"SELECT * FROM {_TABLE} WHERE address_key = ?", (self._key(address),)
            )
            if rows:
                row_id = rows[0]["id"]
            else:
                row_id = db._next_id(_TABLE)
                enc = db._encrypter(_TABLE, row_id)
                db._conn.execute(
                    f"INSERT INTO {_TABLE} (id, address_key, address) VALUES (?, ?, ?)",
                    (row_id, self._key(address), enc("address", address)),
                )
            enc = db._encrypter(_TABLE, row_id)
            values: dict[str, object] = {}
            for name, value in changes.items():
                if name in ("fingerprint", "mismatch_reason"):
                    value = enc(name, value)  # type: ignore[arg-type]
                values[name] = value
            if contact_id is not None:
                values["contact_id"] = contact_id
            if values:
                assignments = ", ".join(f"{name} = ?" for name in values)
                db._conn.execute(
                    f"UPDATE {_TABLE} SET {assignments} WHERE id = ?", (*values.values(), row_id)
                )
            row = db._select(f"SELECT * FROM {_TABLE} WHERE id = ?", (row_id,))[0]
        return self._peer(row)

    def _key(self, address: str) -> bytes:
        return self._db._cipher.lookup_key(address.lower(), _TABLE, "address_key")

    def _peer(self, row: sqlite3.Row) -> E2ePeer:
        dec = self._db._decrypter(_TABLE, row["id"])
        fingerprint = dec("fingerprint", row["fingerprint"])
        return E2ePeer(
            id=row["id"],
            address=dec("address", row["address"]) or "",
            contact_id=row["contact_id"],
            requirement=row["requirement"],
            fingerprint=bytes.fromhex(fingerprint) if fingerprint else None,
            verified_at=_time(row["verified_at"]),
            mismatch_at=_time(row["mismatch_at"]),
            mismatch_reason=dec("mismatch_reason", row["mismatch_reason"]),
        )


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)
