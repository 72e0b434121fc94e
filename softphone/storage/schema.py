"""The database schema, the format of its structured cells, and the upgrade steps.

Any thread; called by `LocalDatabase` on its connection, inside its transactions.

`SCHEMA` creates a new file at `SCHEMA_VERSION`. An older file is brought up to it by
`migrate()`, one step per version, inside the single transaction that also sets the
new version, so an upgrade either completes or leaves the file exactly as it was.
A step that rewrites encrypted cells re-encrypts them under the same table, column
and row id (a fresh nonce each), so nothing is ever written in clear, not even
temporarily.

History:
  1  contacts with `numbers_json` as a JSON list of strings.
  2  `numbers_json` holds entries {original, e164, label}; `tags_json` added.
  3  `appointments` (scheduled calls) added.
  4  `e2e_peers` (end-to-end verification kept per peer) added.
  5  `call_history.end_to_end`: whether the call's media was end to end (NULL: a row
     from before; the history never labels such a row more than "to the server").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable

import phonenumbers

from softphone.storage.column_cipher import ColumnCipher

SCHEMA_VERSION = 5

# Start times are plain (REAL, UTC) so "today" and windows are SQL range queries; who
# is called, the title, notes, phrase hash and outcome are encrypted; the iCalendar UID
# is kept only as a keyed hash (`ColumnCipher.lookup_key`) so a re-import updates.
_APPOINTMENTS = """CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    start REAL NOT NULL,
    zone TEXT NOT NULL,
    duration_s REAL NOT NULL CHECK (duration_s > 0),
    direction TEXT NOT NULL CHECK (direction IN ('we_call', 'they_call')),
    status TEXT NOT NULL CHECK (status IN ('planned', 'done', 'cancelled', 'missed')),
    participant BLOB NOT NULL,
    title BLOB,
    notes BLOB,
    phrase_hash BLOB,
    contact_id INTEGER,
    outcome BLOB,
    actual_duration_s REAL,
    source_key BLOB UNIQUE
);
CREATE INDEX appointments_start ON appointments (start)
"""

# One row per peer address (user@host) that was verified, failed verification, or has a
# requirement of its own. The address is found by a keyed hash (`address_key`, as the
# appointments' UIDs) and stored encrypted, like the fingerprint the users verified and
# the reason of the last mismatch; only the times and the requirement are plain.
_E2E_PEERS = """CREATE TABLE e2e_peers (
    id INTEGER PRIMARY KEY,
    address_key BLOB NOT NULL UNIQUE,
    address BLOB NOT NULL,
    contact_id INTEGER,
    requirement TEXT CHECK (requirement IN ('preferred', 'required')),
    fingerprint BLOB,
    verified_at REAL,
    mismatch_at REAL,
    mismatch_reason BLOB
)
"""

# `tags_json` comes last and may be NULL because version 2 added it with ALTER TABLE,
# which cannot add a NOT NULL column without a constant default; a new file gets the
# same columns in the same order, so the two never differ. Every write fills it.
SCHEMA = (
    """
CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    display_name BLOB NOT NULL,
    organisation BLOB,
    department BLOB,
    numbers_json BLOB NOT NULL,
    uris_json BLOB NOT NULL,
    note BLOB,
    favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
    approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
    tags_json BLOB
);
CREATE TABLE call_history (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    duration_s REAL NOT NULL CHECK (duration_s >= 0),
    direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    outcome TEXT NOT NULL,
    encrypted_media INTEGER NOT NULL CHECK (encrypted_media IN (0, 1)),
    verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
    peer BLOB NOT NULL,
    note BLOB,
    end_to_end INTEGER CHECK (end_to_end IN (0, 1))
);
CREATE INDEX call_history_started ON call_history (started);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    event TEXT NOT NULL,
    detail BLOB
);
CREATE INDEX audit_log_at ON audit_log (at);
"""
    + _APPOINTMENTS
    + ";\n"
    + _E2E_PEERS
    + ";\n"
)

TABLES_BY_VERSION = {
    1: ("contacts", "call_history", "audit_log"),
    2: ("contacts", "call_history", "audit_log"),
    3: ("contacts", "call_history", "audit_log", "appointments"),
    4: ("contacts", "call_history", "audit_log", "appointments", "e2e_peers"),
    5: ("contacts", "call_history", "audit_log", "appointments", "e2e_peers"),
}

NumberCell = tuple[str, str | None, str | None]  # original, e164, label


class MigrationError(ValueError):
    """A cell holds something its schema version does not allow."""


def create(conn: sqlite3.Connection) -> None:
    """Create the current schema (the caller holds the transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def migrate(conn: sqlite3.Connection, cipher: ColumnCipher, version: int) -> None:
    """Bring a file at `version` up to `SCHEMA_VERSION` (inside the caller's transaction).

    Raises `CellDecryptionError` for a cell that does not authenticate and
    `MigrationError` for one that does but holds the wrong shape.
    """
    while version < SCHEMA_VERSION:
        _STEPS[version](conn, cipher)
        version += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))


# -- cell formats ----------------------------------------------------------------------


def encode_numbers(entries: Iterable[NumberCell]) -> str:
    """The plaintext of a `numbers_json` cell (version 2)."""
    return json.dumps(
        [{"original": o, "e164": e, "label": label} for o, e, label in entries],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_numbers(text: str) -> list[NumberCell]:
    if text == "[]":
        return []
    items = json.loads(text)
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("original"), str) for i in items
    ):
        raise MigrationError("numbers_json is not a list of number entries")
    return [(i["original"], i.get("e164"), i.get("label")) for i in items]


def encode_strings(values: Iterable[str]) -> str:
    """The plaintext of a `uris_json` or `tags_json` cell."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def decode_strings(text: str | None) -> tuple[str, ...]:
    if text is None or text == "[]":  # most contacts have no URIs or tags
        return ()
    items = json.loads(text)
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise MigrationError("a JSON list of strings was expected")
    return tuple(items)


# -- steps -----------------------------------------------------------------------------


def _v1_to_v2(conn: sqlite3.Connection, cipher: ColumnCipher) -> None:
    conn.execute("ALTER TABLE contacts ADD COLUMN tags_json BLOB")
    rows = conn.execute("SELECT id, numbers_json FROM contacts").fetchall()
    updates = []
    for row_id, blob in rows:
        old = json.loads(cipher.decrypt(blob, "contacts", "numbers_json", row_id))
        if not isinstance(old, list) or not all(isinstance(n, str) for n in old):
            raise MigrationError(f"contacts.numbers_json row {row_id}: not a list of strings")
        entries = [(n, _international_e164(n), None) for n in old]
        updates.append(
            (
                cipher.encrypt(encode_numbers(entries), "contacts", "numbers_json", row_id),
                cipher.encrypt(encode_strings(()), "contacts", "tags_json", row_id),
                row_id,
            )
        )
    conn.executemany("UPDATE contacts SET numbers_json = ?, tags_json = ? WHERE id = ?", updates)


def _international_e164(text: str) -> str | None:
    """E.164 for a number written in international form, else None.

    The database does not know the active profile's region, so a national number
    ("(212) 555-0123") cannot be read with confidence here; the directory normalises
    it with the region when it loads or saves the contact.
    """
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _v2_to_v3(conn: sqlite3.Connection, cipher: ColumnCipher) -> None:
    for statement in _APPOINTMENTS.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v3_to_v4(conn: sqlite3.Connection, cipher: ColumnCipher) -> None:
    conn.execute(_E2E_PEERS)


def _v4_to_v5(conn: sqlite3.Connection, cipher: ColumnCipher) -> None:
    # ALTER TABLE appends the column: a new file lists it last too, so the two match.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(call_history)")}
    if "end_to_end" not in columns:
        conn.execute(
            "ALTER TABLE call_history ADD COLUMN end_to_end INTEGER CHECK (end_to_end IN (0, 1))"
        )


_STEPS: dict[int, Callable[[sqlite3.Connection, ColumnCipher], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
}
