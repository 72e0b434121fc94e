"""Unit tests for softphone.security.secret_store: the keyring store and the choice of store.

An in-memory keyring backend stands in for the OS keyring; the developer's own keyring
is never touched (the fixture swaps the active backend and restores it afterwards).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError
from memory_keyring import MemoryKeyring

from softphone.security import redaction
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.security.secret import Secret
from softphone.security.secret_store import (
    SECRETS_FILE_NAME,
    KeyringStore,
    SecretStore,
    SecretStoreError,
    WrongPassphraseError,
    open_secret_store,
    usable_keyring,
)

PASSWORD = "s3cret-Pa55word!"
PASSPHRASE = "correct horse battery staple"


class BrokenKeyring(MemoryKeyring):
    """A backend whose error text echoes the password it was given."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"dbus said no to {password}")

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("the daemon went away")


@pytest.fixture(autouse=True)
def _clean_redaction() -> Iterator[None]:
    redaction.clear_registered_secrets()
    yield
    redaction.clear_registered_secrets()


def _use(backend: keyring.backend.KeyringBackend) -> None:
    keyring.set_keyring(backend)


@pytest.fixture
def swap_keyring() -> Iterator[None]:
    """Restore whatever backend was active before the test; tests then set their own."""
    import keyring.core

    previous = keyring.core._keyring_backend
    _use(fail.Keyring())  # nothing reaches the real keyring even if a test forgets
    yield
    keyring.core._keyring_backend = previous


@pytest.fixture
def memory(swap_keyring: None) -> MemoryKeyring:
    backend = MemoryKeyring()
    _use(backend)
    return backend


def test_keyring_store_is_a_secret_store() -> None:
    assert isinstance(KeyringStore(), SecretStore)


def test_keyring_store_round_trip_with_prefixed_service(memory: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("sip", "alice@example.org", PASSWORD)
    assert memory.items == {("softphone:sip", "alice@example.org"): PASSWORD}
    value = store.get("sip", "alice@example.org")
    assert isinstance(value, Secret)
    assert value.reveal() == PASSWORD


def test_keyring_store_accepts_a_secret_and_unicode(memory: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("pin", "ümlaut-名前", Secret("пароль-🔑-密码"))
    assert store.get("pin", "ümlaut-名前") == Secret("пароль-🔑-密码")


def test_keyring_store_missing_entry_is_none(memory: MemoryKeyring) -> None:
    assert KeyringStore().get("sip", "nobody") is None


def test_keyring_store_delete_reports_whether_something_was_there(memory: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("sip", "alice", PASSWORD)
    assert store.delete("sip", "alice") is True
    assert store.get("sip", "alice") is None
    assert store.delete("sip", "alice") is False


def test_keyring_store_registers_values_with_the_redactor(memory: MemoryKeyring) -> None:
    store = KeyringStore()
    memory.items[("softphone:sip", "bob")] = "read-only-secret-42"
    store.get("sip", "bob")
    store.set("sip", "alice", PASSWORD)
    text = redaction.redact(f"x {PASSWORD} y read-only-secret-42")
    assert PASSWORD not in text
    assert "read-only-secret-42" not in text


def test_keyring_store_errors_are_clear_and_hold_no_secret(swap_keyring: None) -> None:
    _use(BrokenKeyring())
    store = KeyringStore()
    with pytest.raises(SecretStoreError) as caught:
        store.set("sip", "alice", PASSWORD)
    assert "sip/alice" in str(caught.value)
    assert "KeyringError" in str(caught.value)
    assert PASSWORD not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(SecretStoreError, match="RuntimeError: the daemon went away"):
        store.get("sip", "alice")


def test_keyring_store_fail_backend_gives_a_store_error(swap_keyring: None) -> None:
    with pytest.raises(SecretStoreError, match="NoKeyringError"):
        KeyringStore().get("sip", "alice")


def test_keyring_store_rejects_empty_keys(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        KeyringStore().set("", "alice", PASSWORD)


def test_usable_keyring_false_for_fail_and_null(swap_keyring: None) -> None:
    _use(fail.Keyring())
    assert usable_keyring() is False
    _use(null.Keyring())
    assert usable_keyring() is False


def test_usable_keyring_true_for_a_real_backend(memory: MemoryKeyring) -> None:
    assert usable_keyring() is True


def test_usable_keyring_chainer(swap_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [])
    _use(chainer.ChainerBackend())
    assert usable_keyring() is False
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [null.Keyring()])
    assert usable_keyring() is False  # priority -1: the chainer leaves it out
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [MemoryKeyring()])
    assert usable_keyring() is True


def test_usable_keyring_false_when_the_backend_cannot_be_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom() -> None:
        raise RuntimeError("no backend")

    monkeypatch.setattr(keyring, "get_keyring", boom)
    assert usable_keyring() is False


def test_open_secret_store_prefers_the_keyring(memory: MemoryKeyring, tmp_path: Path) -> None:
    def never() -> str:
        raise AssertionError("no passphrase needed with a keyring")

    store = open_secret_store(tmp_path, never)
    assert isinstance(store, KeyringStore)
    assert not (tmp_path / SECRETS_FILE_NAME).exists()


def test_open_secret_store_falls_back_to_the_encrypted_file(
    swap_keyring: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small scrypt cost keeps the test fast; the default is tested in test_encrypted_file.
    monkeypatch.setattr("softphone.security.encrypted_file.DEFAULT_SCRYPT_N", 2**10)
    data_dir = tmp_path / "data"
    asked: list[str] = []

    def provider() -> str:
        asked.append("x")
        return PASSPHRASE

    store = open_secret_store(data_dir, provider)
    assert isinstance(store, EncryptedFileStore)
    assert store.path == data_dir / SECRETS_FILE_NAME and store.path.exists()
    store.set("sip", "alice", PASSWORD)

    again = open_secret_store(data_dir, provider)
    assert again.get("sip", "alice") == Secret(PASSWORD)
    assert len(asked) == 2

    with pytest.raises(WrongPassphraseError):
        open_secret_store(data_dir, lambda: "not it")


def test_open_secret_store_without_keyring_or_provider_is_an_error(
    swap_keyring: None, tmp_path: Path
) -> None:
    with pytest.raises(SecretStoreError, match="passphrase"):
        open_secret_store(tmp_path, None)


def test_keyring_store_never_logs_the_secret(
    memory: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        store = KeyringStore()
        store.set("sip", "alice", PASSWORD)
        store.get("sip", "alice")
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(store)
