"""Schema upgrades: a file written by schema version 1 opens as version 2, or not at all."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.storage import (
    Contact,
    CorruptDatabaseError,
    DataIntegrityError,
    LocalDatabase,
    PhoneEntry,
)
from softphone.storage.column_cipher import ColumnCipher
from softphone.storage.database import _KEY_CHECK_PLAINTEXT, FORMAT_ID, KEY_NAME, KEY_SERVICE
from softphone.storage.schema import SCHEMA_VERSION

# The schema as version 1 shipped it (commit 345544a), verbatim: the migration must
# work on files that really exist, not on whatever the code would create today.
SCHEMA_V1 = """
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
    approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1))
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
    note BLOB
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

CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "softphone.db"


def _write_v1(path: Path, store: MemoryStore, rows: list[dict]) -> ColumnCipher:
    """A version-1 file as version 1 wrote it: key in the store, cells encrypted."""
    key = os.urandom(32)
    store.set(KEY_SERVICE, KEY_NAME, base64.b64encode(key).decode())
    cipher = ColumnCipher(key)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(SCHEMA_V1)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("format", FORMAT_ID),
            ("schema_version", 1),
            ("key_check", cipher.encrypt(_KEY_CHECK_PLAINTEXT, "meta", "value", "key_check")),
        ],
    )
    for row_id, row in enumerate(rows, start=1):

        def enc(column: str, value: str | None, row_id: int = row_id) -> bytes | None:
            return None if value is None else cipher.encrypt(value, "contacts", column, row_id)

        conn.execute(
            "INSERT INTO contacts (id, created, display_name, organisation, department,"
            " numbers_json, uris_json, note, favourite, approved)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row_id,
                CREATED.timestamp(),
                enc("display_name", row["name"]),
                enc("organisation", row.get("org")),
                enc("department", row.get("dept")),
                enc("numbers_json", json.dumps(row.get("numbers", []))),
                enc("uris_json", json.dumps(row.get("uris", []))),
                enc("note", row.get("note")),
                int(row.get("favourite", False)),
                int(row.get("approved", False)),
            ),
        )
    conn.close()
    return cipher


V1_ROWS = [
    {
        "name": "John Smith",
        "org": "St Elsewhere",
        "dept": "Dermatology",
        "numbers": ["+44 20 7946 0958", "(212) 555-0123", "4711"],
        "uris": ["sip:john@clinic.example"],
        "note": "migrated-note-kumquat",
        "favourite": True,
        "approved": True,
    },
    {"name": "Alan", "numbers": []},
]


def _version(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        (value,) = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    raw.close()
    return value


def _columns(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as raw:
        info = raw.execute("PRAGMA table_info(contacts)").fetchall()
    raw.close()
    return info


def test_schema_v1_file_is_upgraded_on_open(path: Path, store: MemoryStore) -> None:
    _write_v1(path, store, V1_ROWS)
    assert _version(path) == 1
    with LocalDatabase.open(path, store) as db:
        john, alan = db.get_contact(1), db.get_contact(2)
    assert _version(path) == SCHEMA_VERSION == 5
    assert john == Contact(
        id=1,
        created=CREATED,
        display_name="John Smith",
        organisation="St Elsewhere",
        department="Dermatology",
        # International form is read without a region; national and internal numbers
        # keep e164 None until the directory normalises them with the profile's region.
        numbers=(
            PhoneEntry("+44 20 7946 0958", "+442079460958"),
            PhoneEntry("(212) 555-0123", None),
            PhoneEntry("4711", None),
        ),
        uris=("sip:john@clinic.example",),
        tags=(),
        note="migrated-note-kumquat",
        favourite=True,
        approved=True,
    )
    assert alan.numbers == () and alan.tags == ()


def test_schema_upgraded_file_matches_a_new_one(path: Path, store: MemoryStore, tmp_path) -> None:
    _write_v1(path, store, V1_ROWS)
    LocalDatabase.open(path, store).close()
    fresh = tmp_path / "fresh.db"
    LocalDatabase.open(fresh, MemoryStore()).close()
    assert _columns(path) == _columns(fresh)


def test_schema_upgraded_file_accepts_writes_and_reopens(path: Path, store: MemoryStore) -> None:
    _write_v1(path, store, V1_ROWS)
    with LocalDatabase.open(path, store) as db:
        john = db.get_contact(1)
        db.update_contact(replace(john, tags=("cardiology",)))
        new = db.add_contact(Contact(display_name="New", tags=("x",)))
    with LocalDatabase.open(path, store) as db:  # second open: nothing to migrate
        assert db.get_contact(1).tags == ("cardiology",)
        assert db.get_contact(new.id).tags == ("x",)
    assert _version(path) == SCHEMA_VERSION


def test_schema_upgrade_keeps_cells_encrypted(path: Path, store: MemoryStore) -> None:
    _write_v1(path, store, V1_ROWS)
    LocalDatabase.open(path, store).close()
    data = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))
    for needle in ("John Smith", "Dermatology", "+442079460958", "7946", "migrated-note-kumquat"):
        assert needle.encode() not in data


def test_schema_upgrade_failure_changes_nothing(path: Path, store: MemoryStore) -> None:
    _write_v1(path, store, V1_ROWS)
    with sqlite3.connect(path) as raw:  # row 2's numbers moved into row 1: fails to authenticate
        raw.execute(
            "UPDATE contacts SET numbers_json = (SELECT numbers_json FROM contacts WHERE id = 2)"
            " WHERE id = 1"
        )
    raw.close()
    before = _columns(path)
    with pytest.raises(DataIntegrityError, match=r"schema version 1.*nothing was changed"):
        LocalDatabase.open(path, store)
    assert _version(path) == 1
    assert _columns(path) == before  # the ALTER TABLE was rolled back too


def test_schema_upgrade_refuses_a_v1_cell_of_wrong_shape(path: Path, store: MemoryStore) -> None:
    cipher = _write_v1(path, store, [{"name": "Odd"}])
    bad = cipher.encrypt(json.dumps({"not": "a list"}), "contacts", "numbers_json", 1)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE contacts SET numbers_json = ? WHERE id = 1", (bad,))
    raw.close()
    with pytest.raises(CorruptDatabaseError, match="not a list of strings"):
        LocalDatabase.open(path, store)
    assert _version(path) == 1


def test_schema_empty_v1_file_is_upgraded(path: Path, store: MemoryStore) -> None:
    _write_v1(path, store, [])
    with LocalDatabase.open(path, store) as db:
        assert db.list_contacts() == []
        db.add_contact(Contact(display_name="first", tags=("t",)))
    assert _version(path) == SCHEMA_VERSION
