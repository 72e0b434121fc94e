"""`softphone secrets status|unlock|lock|change-passphrase`. Caller's thread.

Status says which backend holds the secrets and whether the file store is unlocked
for this session; it never prints a secret. Unlock and lock apply to the
encrypted-file store (the OS keyring is unlocked with the user's login).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from softphone.security import unlock_session
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.security.secret_store import SECRETS_FILE_NAME, SecretStoreError, usable_keyring


class OsKeyringInUse(SecretStoreError):
    """The command applies to the encrypted-file store, and the OS keyring is in use."""


@dataclass(frozen=True)
class StoreStatus:
    backend: str  # "os-keyring" or "encrypted-file"
    location: str  # the keyring backend's name, or the file's path
    exists: bool
    unlocked_for_session: bool | None  # file store only
    session: str  # how an unlock is kept on this system
    entries: int | None  # file store only: how many secrets (names are not shown)

    def to_dict(self) -> dict:
        return asdict(self)


def store_path(data_dir: Path) -> Path:
    return Path(data_dir) / SECRETS_FILE_NAME


def status(data_dir: Path) -> StoreStatus:
    if usable_keyring():
        import keyring

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        return StoreStatus("os-keyring", name, True, None, "unlocked with your login", None)
    path = store_path(data_dir)
    note = unlock_session.session_note()
    if not path.exists():
        return StoreStatus("encrypted-file", str(path), False, False, note, 0)
    store = EncryptedFileStore(path)
    key = unlock_session.recall(path)
    unlocked = False
    if key is not None:
        try:
            store.unlock_with_key(key)
            unlocked = True
        except SecretStoreError:
            unlocked = False
    return StoreStatus("encrypted-file", str(path), True, unlocked, note, store.entry_count())


def unlock(data_dir: Path, passphrase: str, minutes: int) -> bool:
    """Check the passphrase and keep the key for `minutes`; False if it cannot be kept."""
    store = file_store(data_dir)
    store.unlock(passphrase)
    kept = unlock_session.remember(store.path, store.session_key(), ttl_s=minutes * 60)
    store.lock()
    return kept


def lock(data_dir: Path) -> bool:
    file_store(data_dir)
    return unlock_session.forget(store_path(data_dir))


def change_passphrase(data_dir: Path, old: str, new: str) -> None:
    store = file_store(data_dir)
    store.change_passphrase(old, new)
    store.lock()
    unlock_session.forget(store.path)  # the remembered key no longer opens the file


def file_store(data_dir: Path) -> EncryptedFileStore:
    if usable_keyring():
        raise OsKeyringInUse(
            "the OS keyring holds the secrets; it is locked and unlocked with your login"
        )
    path = store_path(data_dir)
    if not path.exists():
        raise SecretStoreError(
            f"no encrypted secret store at {path} yet (`softphone secrets set` creates it)"
        )
    return EncryptedFileStore(path)
