"""Unit tests for softphone.security.encrypted_file: the passphrase-protected secret file."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from softphone.security import encrypted_file, redaction
from softphone.security.encrypted_file import DEFAULT_SCRYPT_N, EncryptedFileStore
from softphone.security.secret import Secret
from softphone.security.secret_store import (
    CorruptStoreError,
    SecretStore,
    SecretStoreError,
    StoreLockedError,
    WrongPassphraseError,
)

FAST_N = 2**10
PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "Tr0ub4dor&3 but longer"
PASSWORD = "s3cret-Pa55word!"
OTHER = "another-secret-value-99"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _clean_redaction() -> Iterator[None]:
    redaction.clear_registered_secrets()
    yield
    redaction.clear_registered_secrets()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "secrets.json.enc"


@pytest.fixture
def store(path: Path) -> EncryptedFileStore:
    return EncryptedFileStore.create(path, PASSPHRASE, scrypt_n=FAST_N)


def _doc(path: Path) -> dict:
    return json.loads(path.read_bytes())


def _write_doc(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc))


def _entry(doc: dict, service: str, name: str) -> dict:
    return next(e for e in doc["entries"] if (e["service"], e["name"]) == (service, name))


def test_encrypted_file_is_a_secret_store(store: EncryptedFileStore) -> None:
    assert isinstance(store, SecretStore)


def test_encrypted_file_new_store_is_empty_and_versioned(
    store: EncryptedFileStore, path: Path
) -> None:
    assert not store.is_locked
    assert store.get("sip", "alice") is None
    assert store.delete("sip", "alice") is False
    doc = _doc(path)
    assert doc["format"] == "softphone-secrets" and doc["version"] == 1
    assert doc["kdf"]["name"] == "scrypt" and doc["kdf"]["n"] == FAST_N
    assert {"r", "p", "salt"} <= doc["kdf"].keys()
    assert doc["entries"] == []


def test_encrypted_file_round_trip(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice@example.org", PASSWORD)
    store.set("pin", "alice", Secret(OTHER))
    value = store.get("sip", "alice@example.org")
    assert isinstance(value, Secret) and value.reveal() == PASSWORD
    reopened = EncryptedFileStore(path)
    assert reopened.is_locked
    reopened.unlock(PASSPHRASE)
    assert reopened.get("pin", "alice") == Secret(OTHER)


def test_encrypted_file_overwrite_and_delete(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    store.set("sip", "alice", OTHER)
    assert store.get("sip", "alice") == Secret(OTHER)
    assert len(_doc(path)["entries"]) == 1
    assert store.delete("sip", "alice") is True
    assert store.get("sip", "alice") is None
    assert store.delete("sip", "alice") is False


def test_encrypted_file_unicode_and_empty_values(store: EncryptedFileStore) -> None:
    store.set("ключ-服务", "名前-👤", "пароль-🔑-密码")
    store.set("sip", "empty", "")
    assert store.get("ключ-服务", "名前-👤") == Secret("пароль-🔑-密码")
    assert store.get("sip", "empty") == Secret("")


def test_encrypted_file_plaintext_never_in_the_file(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    store.set("pin", "bob", "пароль-🔑-密码")
    data = path.read_bytes()
    for secret in (PASSWORD, "пароль-🔑-密码", PASSPHRASE):
        assert secret.encode() not in data
        assert json.dumps(secret).encode() not in data
        assert base64.b64encode(secret.encode()) not in data


def test_encrypted_file_wrong_passphrase_changes_nothing(
    store: EncryptedFileStore, path: Path
) -> None:
    store.set("sip", "alice", PASSWORD)
    before = path.read_bytes()
    other = EncryptedFileStore(path)
    with pytest.raises(WrongPassphraseError) as caught:
        other.unlock("not the passphrase")
    assert other.is_locked
    assert str(path) in str(caught.value)
    assert "not the passphrase" not in str(caught.value)
    with pytest.raises(WrongPassphraseError):
        store.change_passphrase("not the passphrase", NEW_PASSPHRASE)
    assert path.read_bytes() == before
    assert store.get("sip", "alice") == Secret(PASSWORD)


def test_encrypted_file_lock_and_unlock(store: EncryptedFileStore) -> None:
    store.set("sip", "alice", PASSWORD)
    store.lock()
    assert store.is_locked
    for call in (
        lambda: store.get("sip", "alice"),
        lambda: store.set("sip", "bob", OTHER),
        lambda: store.delete("sip", "alice"),
    ):
        with pytest.raises(StoreLockedError):
            call()
    store.unlock(PASSPHRASE)
    assert store.get("sip", "alice") == Secret(PASSWORD)
    store.lock()
    store.lock()  # idempotent


def test_encrypted_file_change_passphrase(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    store.set("pin", "alice", OTHER)
    old_doc = _doc(path)
    store.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    new_doc = _doc(path)
    assert new_doc["kdf"]["salt"] != old_doc["kdf"]["salt"]
    assert (
        _entry(new_doc, "sip", "alice")["ciphertext"]
        != _entry(old_doc, "sip", "alice")["ciphertext"]
    )
    assert store.get("sip", "alice") == Secret(PASSWORD)  # still unlocked, new key

    with pytest.raises(WrongPassphraseError):
        EncryptedFileStore(path).unlock(PASSPHRASE)
    fresh = EncryptedFileStore(path)
    fresh.unlock(NEW_PASSPHRASE)
    assert fresh.get("pin", "alice") == Secret(OTHER)


def test_encrypted_file_passphrase_changed_elsewhere_locks_this_store(
    store: EncryptedFileStore, path: Path
) -> None:
    other = EncryptedFileStore(path, scrypt_n=FAST_N)
    other.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    with pytest.raises(StoreLockedError, match="changed elsewhere"):
        store.get("sip", "alice")
    assert store.is_locked


def test_encrypted_file_tampered_ciphertext_is_a_clear_error(
    store: EncryptedFileStore, path: Path
) -> None:
    store.set("sip", "alice", PASSWORD)
    doc = _doc(path)
    entry = _entry(doc, "sip", "alice")
    raw = bytearray(base64.b64decode(entry["ciphertext"]))
    raw[0] ^= 0x01
    entry["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    _write_doc(path, doc)
    with pytest.raises(CorruptStoreError, match=r"sip/alice.*failed authentication") as caught:
        store.get("sip", "alice")
    assert str(path) in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_encrypted_file_swapped_ciphertexts_fail(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    store.set("sip", "bob", OTHER)
    doc = _doc(path)
    alice, bob = _entry(doc, "sip", "alice"), _entry(doc, "sip", "bob")
    for field in ("nonce", "ciphertext"):
        alice[field], bob[field] = bob[field], alice[field]
    _write_doc(path, doc)
    with pytest.raises(CorruptStoreError):
        store.get("sip", "alice")
    with pytest.raises(CorruptStoreError):
        store.get("sip", "bob")


def test_encrypted_file_renamed_entry_fails(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    doc = _doc(path)
    doc["entries"][0]["service"] = "pin"
    _write_doc(path, doc)
    with pytest.raises(CorruptStoreError):
        store.get("pin", "alice")


def test_encrypted_file_corrupt_entry_stops_change_passphrase(
    store: EncryptedFileStore, path: Path
) -> None:
    store.set("sip", "alice", PASSWORD)
    store.set("sip", "bob", OTHER)
    doc = _doc(path)
    alice, bob = _entry(doc, "sip", "alice"), _entry(doc, "sip", "bob")
    alice["ciphertext"], bob["ciphertext"] = bob["ciphertext"], alice["ciphertext"]
    _write_doc(path, doc)
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError):
        store.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    assert path.read_bytes() == before


def test_encrypted_file_fresh_nonce_per_write(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    first = _entry(_doc(path), "sip", "alice")
    store.set("sip", "alice", PASSWORD)
    second = _entry(_doc(path), "sip", "alice")
    assert first["nonce"] != second["nonce"]
    assert first["ciphertext"] != second["ciphertext"]


@posix_only
def test_encrypted_file_mode_is_0600(store: EncryptedFileStore, path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.set("sip", "alice", PASSWORD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_encrypted_file_atomic_write_leaves_no_temp_files(
    store: EncryptedFileStore, path: Path
) -> None:
    store.set("sip", "alice", PASSWORD)
    store.set("sip", "bob", OTHER)
    store.delete("sip", "bob")
    store.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_encrypted_file_failed_write_keeps_the_old_file(
    store: EncryptedFileStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set("sip", "alice", PASSWORD)
    before = path.read_bytes()

    def no_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(encrypted_file.os, "replace", no_replace)
    with pytest.raises(OSError, match="disk full"):
        store.set("sip", "bob", OTHER)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"hello": "world"}',
        b'{"format": "softphone-secrets", "version": 99}',
        b"[" * 100_000,
    ],
    ids=["bad-json", "empty", "binary", "list", "foreign", "future-version", "deep"],
)
def test_encrypted_file_corrupt_or_foreign_file(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    store = EncryptedFileStore(path)
    with pytest.raises(CorruptStoreError) as caught:
        store.unlock(PASSPHRASE)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content
    with pytest.raises(SecretStoreError, match="already exists"):
        EncryptedFileStore.create(path, PASSPHRASE, scrypt_n=FAST_N)
    assert path.read_bytes() == content


def test_encrypted_file_truncated_file(store: EncryptedFileStore, path: Path) -> None:
    store.set("sip", "alice", PASSWORD)
    data = path.read_bytes()
    truncated = data[: len(data) // 2]
    path.write_bytes(truncated)
    with pytest.raises(CorruptStoreError):
        store.get("sip", "alice")
    with pytest.raises(CorruptStoreError):
        store.set("sip", "bob", OTHER)
    with pytest.raises(CorruptStoreError):
        EncryptedFileStore(path).unlock(PASSPHRASE)
    assert path.read_bytes() == truncated


@pytest.mark.parametrize(
    ("field", "value"),
    [("n", 2**30), ("n", 1000), ("r", 0), ("p", 10**6), ("salt", "c2hvcnQ="), ("n", True)],
)
def test_encrypted_file_hostile_kdf_parameters_rejected(
    store: EncryptedFileStore, path: Path, field: str, value: object
) -> None:
    doc = _doc(path)
    doc["kdf"][field] = value
    _write_doc(path, doc)
    with pytest.raises(CorruptStoreError):
        EncryptedFileStore(path).unlock(PASSPHRASE)


def test_encrypted_file_missing_file(path: Path) -> None:
    with pytest.raises(SecretStoreError, match="does not exist"):
        EncryptedFileStore(path).unlock(PASSPHRASE)
    assert not path.exists()


def test_encrypted_file_empty_passphrase_refused(path: Path) -> None:
    with pytest.raises(SecretStoreError):
        EncryptedFileStore.create(path, "", scrypt_n=FAST_N)
    assert not path.exists()


def test_encrypted_file_secrets_not_in_repr_messages_or_logs(
    store: EncryptedFileStore, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        store.set("sip", "alice", PASSWORD)
        value = store.get("sip", "alice")
        with pytest.raises(WrongPassphraseError) as wrong:
            EncryptedFileStore(path).unlock(OTHER)
    texts = [repr(store), str(store), repr(value), str(wrong.value), caplog.text]
    for text in texts:
        for secret in (PASSWORD, PASSPHRASE, OTHER):
            assert secret not in text
    key = bytes(store._key or b"")
    assert key and key.hex() not in repr(store)
    assert redaction.redact(f"{PASSWORD} {PASSPHRASE}").count(redaction.MARKER) == 2


def test_encrypted_file_lock_zeroes_the_key(store: EncryptedFileStore) -> None:
    key = store._key
    assert key is not None and any(key)
    store.lock()
    assert not any(key)


def test_encrypted_file_threads(store: EncryptedFileStore) -> None:
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for j in range(5):
                store.set("sip", f"user{i}", f"value-{i}-{j}")
                assert store.get("sip", f"user{i}") == Secret(f"value-{i}-{j}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {store.get("sip", f"user{i}") for i in range(4)} == {
        Secret(f"value-{i}-4") for i in range(4)
    }


def test_encrypted_file_default_scrypt_cost(path: Path) -> None:
    store = EncryptedFileStore.create(path, PASSPHRASE)
    assert _doc(path)["kdf"]["n"] == DEFAULT_SCRYPT_N == 2**15
    store.set("sip", "alice", PASSWORD)
    reopened = EncryptedFileStore(path)
    reopened.unlock(PASSPHRASE)
    assert reopened.get("sip", "alice") == Secret(PASSWORD)


def test_encrypted_file_scrypt_n_must_be_power_of_two(path: Path) -> None:
    with pytest.raises(ValueError):
        EncryptedFileStore(path, scrypt_n=1000)
    assert not os.path.exists(path)
