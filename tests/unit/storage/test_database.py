"""The local database: round trips, nothing in clear on disk, refusals that destroy nothing."""

from __future__ import annotations

import base64
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.storage import (
    CallNotFoundError,
    CallRecord,
    Contact,
    ContactNotFoundError,
    CorruptDatabaseError,
    DatabaseError,
    DataIntegrityError,
    Direction,
    ForeignDatabaseError,
    LocalDatabase,
    MissingDataKeyError,
    NewerDatabaseError,
    PhoneEntry,
    WrongDataKeyError,
)
from softphone.storage.database import KEY_NAME, KEY_SERVICE


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "softphone.db"


def _contact(**kw) -> Contact:
    fields = dict(
        display_name="Dr Zelda Quibblestone",
        organisation="Ravensworth Clinic",
        department="Oncology Ward 7",
        numbers=(
            PhoneEntry("01632 960123", "+441632960123", "work"),
            PhoneEntry("x4711", None, None),
        ),
        uris=("sips:zelda@clinic.example",),
        tags=("tag-hepatology",),
        note="patient-confidential-note",
        favourite=True,
        approved=True,
    )
    fields.update(kw)
    return Contact(**fields)


def _call(**kw) -> CallRecord:
    fields = dict(
        started=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        duration_s=125.5,
        direction=Direction.OUTGOING,
        outcome="answered",
        encrypted_media=True,
        verified=False,
        peer="sips:patient-xanthe@clinic.example",
        note="follow-up-about-biopsy",
    )
    fields.update(kw)
    return CallRecord(**fields)


def _files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _all_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in _files(path))


def test_database_contact_round_trip(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        added = db.add_contact(_contact())
        sparse = db.add_contact(Contact(display_name="alan"))
        assert added.id is not None and added.created is not None
        assert db.get_contact(added.id) == added
        assert db.get_contact(sparse.id) == sparse
        assert db.get_contact(999) is None
    with LocalDatabase.open(path, store) as db:
        assert [c.display_name for c in db.list_contacts()] == ["alan", "Dr Zelda Quibblestone"]
        assert db.delete_contact(added.id) is True
        assert db.delete_contact(added.id) is False
        assert db.list_contacts() == [sparse]


def test_database_update_contact_keeps_id_and_created(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        added = db.add_contact(_contact())
        other = db.add_contact(Contact(display_name="Bob"))
        (before,) = db._conn.execute(
            "SELECT display_name FROM contacts WHERE id = ?", (added.id,)
        ).fetchone()
        changed = replace(
            added,
            display_name="Zelda Q.",
            numbers=(PhoneEntry("+1 212 555 0123", "+12125550123", "cell"),),
            tags=("renamed-tag",),
            note=None,
            favourite=False,
            created=datetime(2000, 1, 1, tzinfo=UTC),  # not changeable: kept from the row
        )
        stored = db.update_contact(changed)
        assert stored.id == added.id and stored.created == added.created
        (after,) = db._conn.execute(
            "SELECT display_name FROM contacts WHERE id = ?", (added.id,)
        ).fetchone()
        assert after != before and b"Zelda Q." not in after
    with LocalDatabase.open(path, store) as db:
        assert db.get_contact(added.id) == stored
        assert db.get_contact(other.id) == other
        assert len(db.list_contacts()) == 2


def test_database_update_of_a_missing_contact_is_an_error(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        added = db.add_contact(_contact())
        db.delete_contact(added.id)
        with pytest.raises(ContactNotFoundError, match=f"no contact with id {added.id}"):
            db.update_contact(added)
        with pytest.raises(ValueError, match="add_contact"):
            db.update_contact(_contact())
        assert db.list_contacts() == []


def test_database_add_contacts_in_one_transaction(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        first = db.add_contact(Contact(display_name="first"))
        batch = (Contact(display_name=f"c{i:04d}", tags=(f"t{i}",)) for i in range(500))
        added = db.add_contacts(batch)
        assert [c.id for c in added] == list(range(first.id + 1, first.id + 501))
        assert db.list_contacts() == [*added, first]  # sorted by name: "c…" < "first"
        assert db.add_contacts([]) == []


def test_database_add_contacts_is_all_or_nothing(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        good = [Contact(display_name=f"ok {i}") for i in range(10)]
        bad = Contact(display_name="bad", created=datetime(2026, 1, 1))  # naive: refused
        with pytest.raises(ValueError, match="timezone"):
            db.add_contacts([*good, bad, *good])
        assert db.list_contacts() == []
        assert db.add_contact(Contact(display_name="after")).id == 1


def test_database_call_history_round_trip_and_plain_time_queries(
    path: Path, store: MemoryStore
) -> None:
    start = datetime(2026, 11, 20, tzinfo=UTC)
    with LocalDatabase.open(path, store) as db:
        calls = [
            db.add_call(_call(started=start + timedelta(days=i), direction=d))
            for i, d in enumerate([Direction.INCOMING, Direction.OUTGOING, Direction.INCOMING])
        ]
        assert db.get_call(calls[0].id) == calls[0]
        assert db.list_calls() == calls[::-1]
        assert db.list_calls(since=start + timedelta(days=1)) == calls[:0:-1]
        assert db.list_calls(limit=1) == [calls[2]]
        assert db.delete_call(calls[1].id) is True
        assert db.get_call(calls[1].id) is None


def test_database_call_note_is_set_encrypted_and_cleared(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        first, second = db.add_call(_call()), db.add_call(_call())
        noted = db.set_call_note(second.id, "call quality: 2/5 (evaluation-marmot)")
        assert noted == replace(second, note="call quality: 2/5 (evaluation-marmot)")
        assert db.get_call(second.id).note == noted.note and db.get_call(first.id) == first
        assert b"evaluation-marmot" not in _all_bytes(path)
        assert db.set_call_note(second.id, None).note is None
        with pytest.raises(CallNotFoundError, match="no call with id 99"):
            db.set_call_note(99, "x")


def test_database_audit_log_appends(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        first = db.append_audit("SecretStoreDidUnlock", "by the GUI")
        second = db.append_audit("ContactWasDeleted")
        assert db.list_audit() == [first, second]
        assert second.detail is None


def test_database_transaction_rolls_back_everything(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        with pytest.raises(RuntimeError), db.transaction():
            db.add_contact(_contact())
            db.append_audit("ContactWasAdded", "x")
            raise RuntimeError("abort")
        assert db.list_contacts() == [] and db.list_audit() == []
        with db.transaction():
            db.add_contact(_contact())
            db.append_audit("ContactWasAdded", "x")
        assert len(db.list_contacts()) == 1 and len(db.list_audit()) == 1


def test_database_pragmas_and_file_mode(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        conn = db._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_database_key_kept_in_secret_store(path: Path, store: MemoryStore) -> None:
    LocalDatabase.open(path, store).close()
    key = base64.b64decode(store.values[(KEY_SERVICE, KEY_NAME)], validate=True)
    assert len(key) == 32
    assert key not in path.read_bytes()


def test_database_plaintext_never_in_the_files(path: Path, store: MemoryStore) -> None:
    secrets = [
        "Dr Zelda Quibblestone",
        "Ravensworth Clinic",
        "Oncology Ward 7",
        "+441632960123",
        "01632 960123",
        "x4711",
        "zelda@clinic.example",
        "tag-hepatology",
        "patient-confidential-note",
        "patient-xanthe",
        "follow-up-about-biopsy",
        "audit-detail-jellyfish",
    ]
    db = LocalDatabase.open(path, store)
    for _ in range(50):
        db.add_contact(_contact())
        db.add_call(_call())
        db.append_audit("ContactWasAdded", "audit-detail-jellyfish")
    key_b64 = store.values[(KEY_SERVICE, KEY_NAME)]
    checks = [s.encode() for s in secrets]
    checks += [s.encode("utf-16-le") for s in secrets]
    checks += [key_b64.encode(), base64.b64decode(key_b64)]

    def scan() -> None:
        assert _files(path)
        data = _all_bytes(path)
        leaked = [c for c in checks if c in data]
        assert not leaked

    scan()  # while open: the rows are still in the -wal file
    assert Path(f"{path}-wal").exists()
    db.close()
    scan()


def _two_contacts(path: Path, store: MemoryStore) -> tuple[int, int]:
    with LocalDatabase.open(path, store) as db:
        a = db.add_contact(_contact(display_name="Alice", note="note-a"))
        b = db.add_contact(_contact(display_name="Bob", note="note-b"))
    return a.id, b.id


def test_database_ciphertext_moved_to_another_row_fails(path: Path, store: MemoryStore) -> None:
    a, b = _two_contacts(path, store)
    with sqlite3.connect(path) as raw:
        raw.execute(
            "UPDATE contacts SET display_name = (SELECT display_name FROM contacts WHERE id = ?)"
            " WHERE id = ?",
            (a, b),
        )
    raw.close()
    with LocalDatabase.open(path, store) as db:
        assert db.get_contact(a).display_name == "Alice"
        with pytest.raises(DataIntegrityError, match=r"contacts\.display_name row 2"):
            db.get_contact(b)


def test_database_ciphertext_moved_to_another_column_fails(path: Path, store: MemoryStore) -> None:
    a, _ = _two_contacts(path, store)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE contacts SET note = display_name WHERE id = ?", (a,))
    raw.close()
    with LocalDatabase.open(path, store) as db, pytest.raises(DataIntegrityError) as info:
        db.get_contact(a)
    assert "Alice" not in str(info.value)


def test_database_tampered_ciphertext_fails(path: Path, store: MemoryStore) -> None:
    a, _ = _two_contacts(path, store)
    with sqlite3.connect(path) as raw:
        (blob,) = raw.execute("SELECT note FROM contacts WHERE id = ?", (a,)).fetchone()
        tampered = blob[:-1] + bytes([blob[-1] ^ 1])
        raw.execute("UPDATE contacts SET note = ? WHERE id = ?", (tampered, a))
    raw.close()
    with LocalDatabase.open(path, store) as db, pytest.raises(DataIntegrityError):
        db.get_contact(a)


def test_database_wrong_key_is_refused_and_nothing_changes(path: Path, store: MemoryStore) -> None:
    a, _ = _two_contacts(path, store)
    right = store.values[(KEY_SERVICE, KEY_NAME)]
    store.values[(KEY_SERVICE, KEY_NAME)] = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(WrongDataKeyError, match=str(path.name)):
        LocalDatabase.open(path, store)
    store.values[(KEY_SERVICE, KEY_NAME)] = "not base64!"
    with pytest.raises(WrongDataKeyError, match="malformed"):
        LocalDatabase.open(path, store)
    store.values[(KEY_SERVICE, KEY_NAME)] = right
    with LocalDatabase.open(path, store) as db:
        assert db.get_contact(a).display_name == "Alice"


def test_database_missing_key_with_rows_is_refused(path: Path, store: MemoryStore) -> None:
    a, _ = _two_contacts(path, store)
    saved = dict(store.values)
    store.values.clear()
    with pytest.raises(MissingDataKeyError, match=f"{KEY_SERVICE}/{KEY_NAME}"):
        LocalDatabase.open(path, store)
    assert store.values == {}  # no new key was invented over the old data
    store.values.update(saved)
    with LocalDatabase.open(path, store) as db:
        assert db.get_contact(a).display_name == "Alice"


def test_database_missing_key_without_rows_gets_a_new_key(path: Path, store: MemoryStore) -> None:
    LocalDatabase.open(path, store).close()
    old = store.values.pop((KEY_SERVICE, KEY_NAME))
    with LocalDatabase.open(path, store) as db:
        db.add_contact(_contact())
    assert store.values[(KEY_SERVICE, KEY_NAME)] != old
    with LocalDatabase.open(path, store) as db:
        assert len(db.list_contacts()) == 1


def test_database_not_sqlite_is_refused_untouched(path: Path, store: MemoryStore) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"these are my holiday notes, not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError, match=str(path)):
        LocalDatabase.open(path, store)
    assert path.read_bytes() == before
    assert _files(path) == [path]
    assert store.values == {}


def test_database_other_apps_sqlite_is_refused_untouched(path: Path, store: MemoryStore) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        raw.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(ForeignDatabaseError, match="another application"):
        LocalDatabase.open(path, store)
    assert path.read_bytes() == before  # not switched to WAL, no tables added
    assert isinstance(ForeignDatabaseError(path, "x"), CorruptDatabaseError)


def test_database_truncated_file_is_refused(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db:
        for i in range(300):
            db.add_contact(_contact(note=f"note {i} " * 20))
    size = path.stat().st_size
    assert size > 20_000
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    with pytest.raises(CorruptDatabaseError, match=str(path)):
        LocalDatabase.open(path, store)
    assert path.stat().st_size == size // 2


def test_database_newer_schema_is_refused(path: Path, store: MemoryStore) -> None:
    LocalDatabase.open(path, store).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(NewerDatabaseError, match="schema version 99") as info:
        LocalDatabase.open(path, store)
    assert isinstance(info.value, DatabaseError)
    assert not isinstance(info.value, CorruptDatabaseError)
    assert info.value.path == path


def test_database_quarantine_only_on_request_and_never_overwrites(
    path: Path, store: MemoryStore
) -> None:
    path.parent.mkdir(parents=True)
    garbage = b"\x00garbage" * 64
    path.write_bytes(garbage)
    for _ in range(2):  # refusing twice moves nothing
        with pytest.raises(CorruptDatabaseError) as info:
            LocalDatabase.open(path, store)
        assert path.read_bytes() == garbage
    first = info.value.quarantine()
    assert not path.exists()
    assert first.name.startswith("softphone.db.corrupt-")
    assert first.read_bytes() == garbage

    path.write_bytes(garbage + b"2")
    with pytest.raises(CorruptDatabaseError) as info:
        LocalDatabase.open(path, store)
    second = info.value.quarantine()
    assert second != first
    assert first.read_bytes() == garbage
    assert second.read_bytes() == garbage + b"2"

    with LocalDatabase.open(path, store) as db:  # a fresh database in its place
        assert db.list_contacts() == []


def test_database_naive_timestamps_are_rejected(path: Path, store: MemoryStore) -> None:
    with LocalDatabase.open(path, store) as db, pytest.raises(ValueError, match="timezone"):
        db.add_call(_call(started=datetime(2026, 1, 1)))


def test_database_locked_file_is_not_called_corrupt(path: Path, store: MemoryStore) -> None:
    LocalDatabase.open(path, store).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError) as info:
            LocalDatabase.open(path, store, timeout=0.05)
        assert not isinstance(info.value, CorruptDatabaseError)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
