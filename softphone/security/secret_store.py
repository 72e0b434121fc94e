"""Where secrets live: one `get/set/delete` interface over the OS keyring or a file.

Any thread. `KeyringStore` serialises its calls to the keyring backend with a lock
(Secret Service and some other backends are not documented as thread-safe);
`EncryptedFileStore` (in `encrypted_file`) has its own lock. Neither holds a lock
while calling back into caller code, except `open_secret_store`, which calls the
passphrase provider on the caller's thread.

The OS keyring is preferred (Windows Credential Manager, macOS Keychain, Secret
Service). Where keyring has nothing usable — its `fail` backend, the `null` backend,
or a chainer with no backends, as on a headless Linux box — secrets go to an
encrypted file unlocked with a passphrase. Every value set or read is registered
with the log redactor, and no error message ever contains a secret.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from softphone.security import redaction
from softphone.security.secret import Secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from softphone.security.encrypted_file import EncryptedFileStore

SECRETS_FILE_NAME = "secrets.json.enc"
KEYRING_SERVICE_PREFIX = "softphone:"


class SecretStoreError(RuntimeError):
    """A secret could not be read, written or deleted; the message holds no secret."""


class StoreLockedError(SecretStoreError):
    """The encrypted store is locked: unlock it with the passphrase first."""


class WrongPassphraseError(SecretStoreError):
    """The passphrase does not open the store; nothing was modified."""


class CorruptStoreError(SecretStoreError):
    """The store file is damaged, tampered with or not ours; it is kept as it is."""


@runtime_checkable
class SecretStore(Protocol):
    def get(self, service: str, name: str) -> Secret | None: ...

    def set(self, service: str, name: str, value: str | Secret) -> None: ...

    def delete(self, service: str, name: str) -> bool: ...


def reveal(value: str | Secret) -> str:
    """The plain text of `value`, registered with the log redactor on the way."""
    text = value if isinstance(value, str) else value.reveal()
    if not isinstance(text, str):
        raise TypeError(f"a secret must be a str or a Secret, not {type(text).__name__}")
    redaction.register_secret(text)
    return text


def check_key(service: str, name: str) -> None:
    for label, part in (("service", service), ("name", name)):
        if not isinstance(part, str) or not part:
            raise ValueError(f"the secret's {label} must be a non-empty str")


class KeyringStore:
    """Secrets in the OS keyring, under service names prefixed with `softphone:`."""

    def __init__(self, prefix: str = KEYRING_SERVICE_PREFIX) -> None:
        self._prefix = prefix
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyringStore(prefix={self._prefix!r})"

    def get(self, service: str, name: str) -> Secret | None:
        import keyring

        check_key(service, name)
        with self._lock:
            try:
                value = keyring.get_password(self._prefix + service, name)
            except Exception as exc:
                raise _keyring_error("read", service, name, exc) from None
        if value is None:
            return None
        return Secret(reveal(value))

    def set(self, service: str, name: str, value: str | Secret) -> None:
        import keyring

        check_key(service, name)
        text = reveal(value)
        with self._lock:
            try:
                keyring.set_password(self._prefix + service, name, text)
            except Exception as exc:
                raise _keyring_error("store", service, name, exc) from None

    def delete(self, service: str, name: str) -> bool:
        import keyring
        from keyring.errors import PasswordDeleteError

        check_key(service, name)
        with self._lock:
            try:
                # Not every backend says whether something was there; asking first does.
                if keyring.get_password(self._prefix + service, name) is None:
                    return False
                keyring.delete_password(self._prefix + service, name)
            except PasswordDeleteError:
                return False
            except Exception as exc:
                raise _keyring_error("delete", service, name, exc) from None
        return True


def _keyring_error(action: str, service: str, name: str, exc: Exception) -> SecretStoreError:
    # The backend's own text may echo what it was given; values are registered with the
    # redactor before any call, so redact() removes them. The original exception is
    # dropped (`from None`) so a traceback cannot bring it back.
    detail = redaction.redact(str(exc)).strip()
    reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return SecretStoreError(
        f"could not {action} the secret {service}/{name} in the keyring: {reason}"
    )


def usable_keyring(backend: KeyringBackend | None = None) -> bool:
    """Whether `backend` (default: keyring's active one) can really hold secrets."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        active = backend if backend is not None else keyring.get_keyring()
        if isinstance(active, fail.Keyring | null.Keyring):
            return False
        if isinstance(active, chainer.ChainerBackend):
            return any(usable_keyring(b) for b in active.backends)
        return True
    except Exception:
        # A backend that cannot even report what it is will not hold a password.
        return False


def open_secret_store(data_dir: Path, passphrase_provider: Callable[[], str] | None) -> SecretStore:
    """The OS keyring when usable, else the encrypted file in `data_dir`, unlocked.

    An unlock session (`softphone secrets unlock`, `security.unlock_session`) opens the
    file without asking.
    The file (`data_dir/secrets.json.enc`) is created on first use with the passphrase
    the provider returns. Without a provider there is no way to unlock it, which is an
    error. A wrong passphrase raises `WrongPassphraseError`; callers may ask again.
    """
    if usable_keyring():
        return KeyringStore()
    from softphone.security.encrypted_file import EncryptedFileStore

    if passphrase_provider is None:
        raise SecretStoreError(
            "no usable OS keyring, and no way to ask for the passphrase of the encrypted "
            "secret store"
        )
    path = Path(data_dir) / SECRETS_FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return EncryptedFileStore.create(path, passphrase_provider())
    store = EncryptedFileStore(path)
    if _unlock_from_session(store):
        return store
    store.unlock(passphrase_provider())
    return store


def _unlock_from_session(store: EncryptedFileStore) -> bool:
    """Unlock with the key `softphone secrets unlock` left in the kernel, if any."""
    from softphone.security import unlock_session

    key = unlock_session.recall(store.path)
    if key is None:
        return False
    try:
        store.unlock_with_key(key)
    except WrongPassphraseError:
        unlock_session.forget(store.path)  # stale: the passphrase changed since
        return False
    return True
