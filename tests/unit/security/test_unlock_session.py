"""The kernel-held unlock session for the encrypted-file store."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.security import unlock_session
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.security.secret_store import WrongPassphraseError, open_secret_store

needs_kernel = pytest.mark.skipif(
    not unlock_session.remember(Path("/nonexistent/probe"), b"p" * 32, ttl_s=1),
    reason="no kernel key retention service here (the CLI test covers the fallback)",
)


@needs_kernel
def test_remember_recall_forget(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json.enc"
    assert unlock_session.recall(path) is None
    assert unlock_session.remember(path, b"k" * 32, ttl_s=30)
    assert unlock_session.recall(path) == b"k" * 32
    assert unlock_session.recall(tmp_path / "other") is None  # bound to one file
    assert unlock_session.forget(path)
    assert unlock_session.recall(path) is None
    assert not unlock_session.forget(path)


@needs_kernel
def test_keys_expire(tmp_path: Path) -> None:
    import time

    path = tmp_path / "s"
    assert unlock_session.remember(path, b"k" * 32, ttl_s=1)
    time.sleep(1.3)
    assert unlock_session.recall(path) is None


def test_bad_input_is_refused(tmp_path: Path) -> None:
    assert not unlock_session.remember(tmp_path / "s", b"", ttl_s=30)
    assert not unlock_session.remember(tmp_path / "s", b"k" * 65, ttl_s=30)
    assert not unlock_session.remember(tmp_path / "s", b"k" * 32, ttl_s=0)


@needs_kernel
def test_open_store_uses_the_session_and_drops_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("softphone.security.secret_store.usable_keyring", lambda: False)
    store = EncryptedFileStore.create(tmp_path / "secrets.json.enc", "pass phrase", scrypt_n=2**10)
    store.set("sip", "alice@x", "s3cret-value")
    assert unlock_session.remember(store.path, store.session_key(), ttl_s=30)

    def never_asked() -> str:
        raise AssertionError("the session should have unlocked the store")

    opened = open_secret_store(tmp_path, never_asked)
    assert opened.get("sip", "alice@x").reveal() == "s3cret-value"

    store.change_passphrase("pass phrase", "another one")  # the remembered key is stale
    asked = []
    reopened = open_secret_store(tmp_path, lambda: asked.append(1) or "another one")
    assert asked == [1] and reopened.get("sip", "alice@x").reveal() == "s3cret-value"
    assert unlock_session.recall(store.path) is None  # the stale key was revoked
    with pytest.raises(WrongPassphraseError):
        EncryptedFileStore(store.path).unlock_with_key(b"x" * 32)
