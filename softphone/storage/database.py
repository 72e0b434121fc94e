"""The local database: contacts, call history and the audit log, encrypted at rest.

Any thread. One `LocalDatabase` owns one sqlite3 connection and serialises every use
of it with a re-entrant lock; a `transaction()` holds that lock until it ends. Calls
block on disk I/O (every commit is fsynced), so keep them off the GUI thread.

Format. One SQLite file (stdlib `sqlite3`) in WAL mode with `synchronous=FULL` (a
commit that returned survives a crash of the process and of the machine) and foreign
keys on. A `meta` table holds a format id and the schema version; a file without it,
with another format id or with a newer schema is refused, never "repaired"; an older
schema is upgraded in one transaction when the file is opened (`schema.migrate`).
Sensitive columns hold AES-256-GCM ciphertexts (`column_cipher`); the associated data
binds each ciphertext to its table, column and row id. The 256-bit data key is
generated on first open and kept only in the secret store (service "storage", name
"data-key-v1", base64); the file holds just a check value encrypted with it, so a
wrong key is told apart from a damaged row.

Why column-level AES-GCM rather than SQLCipher: there is no maintained SQLCipher wheel
on PyPI for Windows, macOS and Linux that we can rely on (the pysqlcipher3 line is
unmaintained, the newer forks ship sdists or a subset of platforms), and building
SQLCipher ourselves on three OSes is a release risk. The stdlib `sqlite3` is always
there. Column encryption also keeps non-sensitive columns — timestamps, durations,
flags, audit event names — queryable and indexable, so "calls since Monday" is a SQL
query. What it does not hide: the number of rows, those plain columns, the length of
each encrypted value (roughly), and which optional values are empty (NULL).

Corrupt and foreign files raise `CorruptDatabaseError` naming the path and are left
exactly as they are; `quarantine()` moves them aside only when the caller asks.
"""

from __future__ import annotations

import base64
import binascii
import enum
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from softphone.security import redaction
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore
from softphone.storage import schema
from softphone.storage.column_cipher import CellDecryptionError, ColumnCipher, new_key
from softphone.storage.schema import SCHEMA_VERSION

FORMAT_ID = "softphone-local-data"
KEY_SERVICE = "storage"
KEY_NAME = "data-key-v1"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_KEY_CHECK_PLAINTEXT = "softphone data key check"
_DATA_TABLES = schema.TABLES_BY_VERSION[SCHEMA_VERSION]
# SQLITE_CORRUPT, SQLITE_NOTADB: primary result codes that mean the file is damaged.
_DAMAGE_CODES = {11, 26}
_CONTACT_COLUMNS = (
    "display_name, organisation, department, numbers_json, uris_json, tags_json, note,"
    " favourite, approved"
)
_INSERT_CONTACT = (
    f"INSERT INTO contacts (id, created, {_CONTACT_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_CONTACT = (
    "UPDATE contacts SET display_name = ?, organisation = ?, department = ?, numbers_json = ?,"
    " uris_json = ?, tags_json = ?, note = ?, favourite = ?, approved = ? WHERE id = ?"
)


class DatabaseError(RuntimeError):
    """The local database cannot be used; the message names the file, never a secret."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)


class CorruptDatabaseError(DatabaseError):
    """Not a readable softphone database. The file is untouched; see `quarantine()`."""

    def quarantine(self) -> Path:
        return quarantine(self.path)


class ForeignDatabaseError(CorruptDatabaseError):
    """A valid SQLite file that belongs to something else."""


class NewerDatabaseError(DatabaseError):
    """Written by a newer softphone; this version must not touch it."""


class MissingDataKeyError(DatabaseError):
    """The database holds encrypted data but the secret store has no data key."""


class WrongDataKeyError(DatabaseError):
    """The data key in the secret store does not open this database."""


class DataIntegrityError(DatabaseError):
    """An encrypted cell did not authenticate: tampered with or moved from another cell."""


class ContactNotFoundError(DatabaseError, LookupError):
    """An update named a contact id that is not in the database."""


class CallNotFoundError(DatabaseError, LookupError):
    """A change named a call-history row that is not in the database."""


class Direction(enum.StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


@dataclass(frozen=True, slots=True)
class PhoneEntry:
    """One phone number of a contact: as the user (or the imported file) wrote it.

    `e164` is the normalised form ("+12125550123") when the number has one, None for
    what has none (an internal extension, a service code) or could not be read.
    """

    original: str
    e164: str | None = None
    label: str | None = None  # "work", "cell", …


@dataclass(frozen=True, slots=True)
class Contact:
    display_name: str
    organisation: str | None = None
    department: str | None = None
    numbers: tuple[PhoneEntry, ...] = ()
    uris: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    note: str | None = None
    favourite: bool = False
    approved: bool = False
    id: int | None = None
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    started: datetime
    duration_s: float
    direction: Direction
    outcome: str
    encrypted_media: bool
    verified: bool
    peer: str
    note: str | None = None
    id: int | None = None
    end_to_end: bool | None = None  # None: recorded before the history kept it (schema 5)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    event: str
    detail: str | None = None
    id: int | None = None


def quarantine(path: Path) -> Path:
    """Move `path` (and its -wal/-shm files) aside to `<name>.corrupt-<timestamp>`.

    Never overwrites: an existing target gets a numbered suffix. Returns the new path
    of the main file.
    """
    path = Path(path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1000):
        suffix = f".corrupt-{stamp}" + (f"-{n}" if n else "")
        target = path.with_name(path.name + suffix)
        sidecars = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        targets = [target] + [s.with_name(s.name + suffix) for s in sidecars]
        if not any(t.exists() for t in targets):
            break
    else:
        raise DatabaseError(path, "could not find a free name to move the file aside")
    for source, dest in zip([path, *sidecars], targets, strict=True):
        if source.exists():
            os.rename(source, dest)
    return target


def _to_time(dt: datetime) -> float:
    if dt.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return dt.timestamp()


def _from_time(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


class LocalDatabase:
    """The open database. Use `LocalDatabase.open()`; close it (or use `with`)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, cipher: ColumnCipher) -> None:
        self.path = path
        self._conn = conn
        self._cipher = cipher
        self._lock = threading.RLock()
        self._depth = 0

    def __repr__(self) -> str:
        return f"LocalDatabase({str(self.path)!r})"

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, secrets: SecretStore, *, timeout: float = 5.0) -> LocalDatabase:
        """Open or create the database; `timeout`: seconds to wait for another writer."""
        path = Path(path)
        fresh = _check_header(path)
        if fresh and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # 0600 from the start; SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            conn = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise DatabaseError(path, f"cannot open: {exc}") from None
        try:
            cipher = _prepare(path, conn, secrets)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, cipher)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> LocalDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[LocalDatabase]:
        """All writes inside commit together or not at all; nesting joins the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            try:
                self._conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (busy, I/O error) may leave the transaction open.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    # -- contacts --------------------------------------------------------------------

    def add_contact(self, contact: Contact) -> Contact:
        return self.add_contacts([contact])[0]

    def add_contacts(self, contacts: Iterable[Contact]) -> list[Contact]:
        """Add all of `contacts` in one transaction: all of them or, on any error, none."""
        now = datetime.now(UTC)
        added: list[Contact] = []

        def rows(first_id: int) -> Iterator[tuple[object, ...]]:
            for row_id, contact in enumerate(contacts, start=first_id):
                created = contact.created or now
                added.append(replace(contact, id=row_id, created=created))
                yield (row_id, _to_time(created), *self._contact_cells(row_id, contact))

        with self.transaction():
            # One MAX(id), then consecutive ids: BEGIN IMMEDIATE holds the write lock.
            # Rows are encrypted as executemany pulls them, never all held at once.
            self._conn.executemany(_INSERT_CONTACT, rows(self._next_id("contacts")))
        return added

    def update_contact(self, contact: Contact) -> Contact:
        """Store new values for an existing contact (same id, re-encrypted); keeps `created`."""
        if contact.id is None:
            raise ValueError("update_contact needs a contact with an id; use add_contact")
        with self.transaction():
            row = self._conn.execute(
                "SELECT created FROM contacts WHERE id = ?", (contact.id,)
            ).fetchone()
            if row is None:
                raise ContactNotFoundError(self.path, f"no contact with id {contact.id}")
            cells = self._contact_cells(contact.id, contact)
            self._conn.execute(_UPDATE_CONTACT, (*cells, contact.id))
        return replace(contact, created=_from_time(row[0]))

    def get_contact(self, contact_id: int) -> Contact | None:
        rows = self._select("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        return self._contact(rows[0]) if rows else None

    def list_contacts(self) -> list[Contact]:
        contacts = [self._contact(r) for r in self._select("SELECT * FROM contacts")]
        # Names are encrypted, so SQL cannot sort them.
        return sorted(contacts, key=lambda c: (c.display_name.casefold(), c.id))

    def delete_contact(self, contact_id: int) -> bool:
        return self._delete("contacts", contact_id)

    def _contact_cells(self, row_id: int, contact: Contact) -> tuple[object, ...]:
        """The values for `_CONTACT_COLUMNS`, sensitive ones encrypted for this row."""
        enc = self._encrypter("contacts", row_id)
        numbers = ((n.original, n.e164, n.label) for n in contact.numbers)
        return (
            enc("display_name", contact.display_name),
            enc("organisation", contact.organisation),
            enc("department", contact.department),
            enc("numbers_json", schema.encode_numbers(numbers)),
            enc("uris_json", schema.encode_strings(contact.uris)),
            enc("tags_json", schema.encode_strings(contact.tags)),
            enc("note", contact.note),
            int(contact.favourite),
            int(contact.approved),
        )

    def _contact(self, row: sqlite3.Row) -> Contact:
        dec = self._decrypter("contacts", row["id"])
        try:
            numbers = schema.decode_numbers(dec("numbers_json", row["numbers_json"]))
            uris = schema.decode_strings(dec("uris_json", row["uris_json"]))
            tags = schema.decode_strings(dec("tags_json", row["tags_json"]))
        except (ValueError, TypeError) as exc:
            raise DataIntegrityError(self.path, f"contacts row {row['id']}: {exc}") from None
        return Contact(
            id=row["id"],
            created=_from_time(row["created"]),
            display_name=dec("display_name", row["display_name"]),
            organisation=dec("organisation", row["organisation"]),
            department=dec("department", row["department"]),
            numbers=tuple(PhoneEntry(*n) for n in numbers),
            uris=uris,
            tags=tags,
            note=dec("note", row["note"]),
            favourite=bool(row["favourite"]),
            approved=bool(row["approved"]),
        )

    # -- call history ----------------------------------------------------------------

    def add_call(self, record: CallRecord) -> CallRecord:
        with self.transaction():
            row_id = self._next_id("call_history")
            enc = self._encrypter("call_history", row_id)
            self._conn.execute(
                "INSERT INTO call_history (id, started, duration_s, direction, outcome,"
                " encrypted_media, verified, peer, note, end_to_end)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row_id,
                    _to_time(record.started),
                    float(record.duration_s),
                    Direction(record.direction).value,
                    record.outcome,
                    int(record.encrypted_media),
                    int(record.verified),
                    enc("peer", record.peer),
                    enc("note", record.note),
                    None if record.end_to_end is None else int(record.end_to_end),
                ),
            )
        return replace(record, id=row_id)

    def get_call(self, call_id: int) -> CallRecord | None:
        rows = self._select("SELECT * FROM call_history WHERE id = ?", (call_id,))
        return self._call(rows[0]) if rows else None

    def list_calls(
        self, since: datetime | None = None, limit: int | None = None
    ) -> list[CallRecord]:
        """Newest first; `since` and `limit` are applied in SQL on plain columns."""
        sql = "SELECT * FROM call_history"
        params: list[object] = []
        if since is not None:
            sql += " WHERE started >= ?"
            params.append(_to_time(since))
        sql += " ORDER BY started DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [self._call(r) for r in self._select(sql, tuple(params))]

    def set_call_note(self, call_id: int, note: str | None) -> CallRecord:
        """Replace a history row's note (encrypted like the peer), e.g. the user's rating
        of the call; None clears it. `CallNotFoundError` if the row is gone."""
        with self.transaction():
            enc = self._encrypter("call_history", call_id)
            cursor = self._conn.execute(
                "UPDATE call_history SET note = ? WHERE id = ?", (enc("note", note), call_id)
            )
            if cursor.rowcount != 1:
                raise CallNotFoundError(self.path, f"no call with id {call_id}")
        record = self.get_call(call_id)
        assert record is not None
        return record

    def delete_call(self, call_id: int) -> bool:
        return self._delete("call_history", call_id)

    def delete_calls_before(self, cutoff: datetime) -> int:
        """History retention: drop calls started before `cutoff`; returns how many."""
        with self.transaction():
            cursor = self._conn.execute(
                "DELETE FROM call_history WHERE started < ?", (_to_time(cutoff),)
            )
        return cursor.rowcount

    def delete_all_calls(self) -> int:
        with self.transaction():
            cursor = self._conn.execute("DELETE FROM call_history")
        return cursor.rowcount

    def _call(self, row: sqlite3.Row) -> CallRecord:
        dec = self._decrypter("call_history", row["id"])
        return CallRecord(
            id=row["id"],
            started=_from_time(row["started"]),
            duration_s=row["duration_s"],
            direction=Direction(row["direction"]),
            outcome=row["outcome"],
            encrypted_media=bool(row["encrypted_media"]),
            verified=bool(row["verified"]),
            peer=dec("peer", row["peer"]),
            note=dec("note", row["note"]),
            end_to_end=None if row["end_to_end"] is None else bool(row["end_to_end"]),
        )

    # -- audit log -------------------------------------------------------------------

    def append_audit(self, event: str, detail: str | None = None) -> AuditEntry:
        at = datetime.now(UTC)
        with self.transaction():
            row_id = self._next_id("audit_log")
            enc = self._encrypter("audit_log", row_id)
            self._conn.execute(
                "INSERT INTO audit_log (id, at, event, detail) VALUES (?, ?, ?, ?)",
                (row_id, _to_time(at), event, enc("detail", detail)),
            )
        return AuditEntry(at=at, event=event, detail=detail, id=row_id)

    def list_audit(self) -> list[AuditEntry]:
        entries = []
        for row in self._select("SELECT * FROM audit_log ORDER BY id"):
            dec = self._decrypter("audit_log", row["id"])
            entries.append(
                AuditEntry(
                    id=row["id"],
                    at=_from_time(row["at"]),
                    event=row["event"],
                    detail=dec("detail", row["detail"]),
                )
            )
        return entries

    # -- helpers ---------------------------------------------------------------------

    def _next_id(self, table: str) -> int:
        # The id goes into the associated data, so it is chosen before the INSERT; the
        # write lock of the enclosing BEGIN IMMEDIATE makes MAX()+1 race-free.
        (last,) = self._conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
        return int(last) + 1

    def _encrypter(self, table: str, row_id: int) -> Callable[[str, str | None], bytes | None]:
        def enc(column: str, value: str | None) -> bytes | None:
            if value is None:
                return None
            return self._cipher.encrypt(value, table, column, row_id)

        return enc

    def _decrypter(self, table: str, row_id: int) -> Callable[[str, bytes | None], str | None]:
        def dec(column: str, blob: bytes | None) -> str | None:
            if blob is None:
                return None
            try:
                return self._cipher.decrypt(blob, table, column, row_id)
            except CellDecryptionError as exc:
                raise DataIntegrityError(self.path, str(exc)) from None

        return dec

    def _select(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    def _delete(self, table: str, row_id: int) -> bool:
        with self.transaction():
            cursor = self._conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        return cursor.rowcount > 0


def _check_header(path: Path) -> bool:
    """Whether `path` is a new database (missing or empty); raise if it is not SQLite."""
    try:
        with open(path, "rb") as f:
            header = f.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return True
    except OSError as exc:
        raise DatabaseError(path, f"cannot read: {exc.strerror}") from None
    if not header:
        # SQLite treats an empty file as an empty database. If a -wal file sits next to
        # it, SQLite will say whether the two make a database; let it.
        return not path.with_name(path.name + "-wal").exists()
    if header != _SQLITE_MAGIC:
        raise CorruptDatabaseError(path, "not an SQLite database (damaged or not ours)")
    return False


def _prepare(path: Path, conn: sqlite3.Connection, secrets: SecretStore) -> ColumnCipher:
    try:
        # Nothing is written before the file is known to be ours.
        problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise CorruptDatabaseError(path, f"damaged database: {'; '.join(problems[:3])}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = _check_meta(path, conn, tables) if tables else SCHEMA_VERSION
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise DatabaseError(path, f"cannot switch to WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        if not tables:
            conn.execute("BEGIN IMMEDIATE")
            # Another process may have created the schema while we waited for the lock.
            if conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                conn.execute("ROLLBACK")
                return _prepare(path, conn, secrets)
            try:
                schema.create(conn)
                conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("format", FORMAT_ID), ("schema_version", SCHEMA_VERSION)],
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        cipher = _data_cipher(path, conn, secrets)
        if version < SCHEMA_VERSION:
            _upgrade(path, conn, cipher)
        return cipher
    except sqlite3.DatabaseError as exc:
        # Only damage makes a file "corrupt"; a locked or unreadable one is left to the
        # caller as a plain error, so nobody quarantines a healthy database in use.
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF not in _DAMAGE_CODES:
            raise DatabaseError(path, f"cannot use the database: {exc}") from None
        raise CorruptDatabaseError(path, f"unreadable database: {exc}") from None


def _check_meta(path: Path, conn: sqlite3.Connection, tables: set[str]) -> int:
    """The file's schema version, once it is known to be ours and not too new."""
    if "meta" not in tables:
        raise ForeignDatabaseError(path, "an SQLite database of another application")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT_ID:
        raise ForeignDatabaseError(path, "an SQLite database of another application")
    version = meta.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise CorruptDatabaseError(path, f"invalid schema version {version!r}")
    if version > SCHEMA_VERSION:
        raise NewerDatabaseError(
            path,
            f"schema version {version} was written by a newer softphone "
            f"(this one reads up to {SCHEMA_VERSION}); not opened",
        )
    missing = set(schema.TABLES_BY_VERSION.get(version, _DATA_TABLES)) - tables
    if missing:
        raise CorruptDatabaseError(path, f"tables missing: {', '.join(sorted(missing))}")
    return version


def _upgrade(path: Path, conn: sqlite3.Connection, cipher: ColumnCipher) -> None:
    """Migrate to `SCHEMA_VERSION` in one transaction; on any failure nothing changes."""
    conn.execute("BEGIN IMMEDIATE")
    row = None
    try:
        # Another process may have upgraded the file while we waited for the lock.
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row[0] < SCHEMA_VERSION:
            schema.migrate(conn, cipher, row[0])
    except BaseException as exc:
        conn.execute("ROLLBACK")
        what = f"cannot upgrade from schema version {row[0] if row else '?'}"
        if isinstance(exc, CellDecryptionError):
            raise DataIntegrityError(path, f"{what}: {exc}; nothing was changed") from None
        if isinstance(exc, ValueError):  # MigrationError, or JSON that does not parse
            raise CorruptDatabaseError(path, f"{what}: {exc}; nothing was changed") from None
        raise
    conn.execute("COMMIT")


def _data_cipher(path: Path, conn: sqlite3.Connection, secrets: SecretStore) -> ColumnCipher:
    row = conn.execute("SELECT value FROM meta WHERE key = 'key_check'").fetchone()
    check = row[0] if row else None
    stored = secrets.get(KEY_SERVICE, KEY_NAME)
    if stored is None:
        if check is not None and _has_rows(conn):
            raise MissingDataKeyError(
                path,
                f"the data key ({KEY_SERVICE}/{KEY_NAME}) is missing from the secret store; "
                "the encrypted data cannot be read. Nothing was changed: restore the key, "
                "or move the database aside to start afresh",
            )
        key = new_key()
        encoded = base64.b64encode(key).decode()
        redaction.register_secret(encoded)
        # The key is in the store before anything encrypted with it reaches the file.
        secrets.set(KEY_SERVICE, KEY_NAME, Secret(encoded))
        check = None
    else:
        try:
            key = base64.b64decode(stored.reveal(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            raise WrongDataKeyError(path, f"the data key {KEY_SERVICE}/{KEY_NAME} is malformed")
        redaction.register_secret(stored)
    cipher = ColumnCipher(key)
    if check is None:
        blob = cipher.encrypt(_KEY_CHECK_PLAINTEXT, "meta", "value", "key_check")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('key_check', ?)", (blob,))
        return cipher
    try:
        ok = cipher.decrypt(check, "meta", "value", "key_check") == _KEY_CHECK_PLAINTEXT
    except CellDecryptionError:
        ok = False
    if not ok:
        raise WrongDataKeyError(
            path,
            f"the data key {KEY_SERVICE}/{KEY_NAME} in the secret store does not open this "
            "database; nothing was changed",
        )
    return cipher


def _has_rows(conn: sqlite3.Connection) -> bool:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return any(
        conn.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
        for t in _DATA_TABLES
        if t in present  # an older file, not upgraded yet, lacks the newer tables
    )
