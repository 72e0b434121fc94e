"""The encrypted-file secret store, for machines without a usable OS keyring.

Any thread: one re-entrant lock per store object guards the derived key and every
read-modify-write of the file. Across processes there is no file lock: every
operation re-reads the file, and a write replaces it atomically, so a reader never
sees half a file; two processes writing at once can lose one of the two updates.
A passphrase changed by another process locks this store again.

One JSON file (`"format": "softphone-secrets", "version": 1`):

* `kdf`: scrypt with its n, r, p and a random 16-byte salt. The 32-byte key it
  derives from the passphrase is the AES-256-GCM key.
* `key_check`: a known token encrypted with that key, so a wrong passphrase is
  detected before any entry is touched.
* `entries`: one object per secret, with its service and name in the clear (they name
  accounts, which the settings file names anyway), a fresh random 96-bit nonce on
  every write, and the ciphertext. The associated data binds the format, version,
  service and name, so a ciphertext moved to another entry does not decrypt.

Writes go to a temporary file in the same directory (mode 0600), are flushed and
fsynced, then renamed over the store, and the directory is fsynced. A file that is
not a valid store is never written to. The passphrase and the key never appear in
logs or messages; the key is kept in a bytearray that `lock()` zeroes (best effort:
Python and OpenSSL may hold transient copies).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from softphone.security import redaction
from softphone.security.secret import Secret
from softphone.security.secret_store import (
    CorruptStoreError,
    SecretStoreError,
    StoreLockedError,
    WrongPassphraseError,
    check_key,
    reveal,
)

FORMAT = "softphone-secrets"
VERSION = 1
CIPHER = "AES-256-GCM"
DEFAULT_SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
# Bounds for parameters read from a file: a hostile file must not make us allocate
# gigabytes (scrypt needs 128 * n * r bytes) or derive a key with almost no work.
_MIN_N, _MAX_N, _MAX_R, _MAX_P = 2**10, 2**20, 32, 16
_SALT_BYTES = 16
_NONCE_BYTES = 12
_KEY_BYTES = 32
_KEY_CHECK_TOKEN = b"softphone-secrets key check"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _aad(kind: str, *parts: str) -> bytes:
    # JSON keeps the fields unambiguous: ("a:b", "c") and ("a", "b:c") differ.
    return json.dumps([FORMAT, VERSION, kind, *parts], ensure_ascii=True).encode("ascii")


class EncryptedFileStore:
    """Secrets in one passphrase-protected file; starts locked (see `unlock`)."""

    def __init__(self, path: Path | str, *, scrypt_n: int | None = None) -> None:
        """`scrypt_n` is the cost for new keys (create, change_passphrase); files keep theirs."""
        if scrypt_n is None:
            scrypt_n = DEFAULT_SCRYPT_N
        if scrypt_n < 2 or scrypt_n & (scrypt_n - 1):
            raise ValueError("scrypt_n must be a power of two")
        self.path = Path(path)
        self._scrypt_n = scrypt_n  # for new salts: create() and change_passphrase()
        self._lock = threading.RLock()
        self._key: bytearray | None = None
        self._kdf: dict[str, Any] | None = None  # the parameters self._key came from

    def __repr__(self) -> str:
        state = "locked" if self.is_locked else "unlocked"
        return f"EncryptedFileStore({str(self.path)!r}, {state})"

    @classmethod
    def create(
        cls, path: Path | str, passphrase: str, *, scrypt_n: int | None = None
    ) -> EncryptedFileStore:
        """Create a new, empty store at `path` and return it unlocked.

        Refuses to replace an existing file, whatever it holds.
        """
        store = cls(path, scrypt_n=scrypt_n)
        _check_passphrase(passphrase)
        with store._lock:
            if store.path.exists():
                raise SecretStoreError(f"{store.path} already exists; not replacing it")
            kdf = store._new_kdf()
            key = _derive(passphrase, kdf)
            container = _new_container(kdf, key)
            _atomic_write(store.path, _dump(container))
            store._set_key(key, kdf)
        return store

    @property
    def is_locked(self) -> bool:
        return self._key is None

    def unlock(self, passphrase: str) -> None:
        """Derive the key and check it; `WrongPassphraseError` leaves everything as it was."""
        if not isinstance(passphrase, str):
            raise TypeError("the passphrase must be a str")
        redaction.register_secret(passphrase)
        with self._lock:
            container = self._read()
            kdf = container["kdf"]
            key = _derive(passphrase, kdf)
            if not _key_matches(key, container):
                raise WrongPassphraseError(f"wrong passphrase for the secret store {self.path}")
            self._set_key(key, kdf)

    def unlock_with_key(self, key: bytes) -> None:
        """Unlock with a key derived earlier (an unlock session); `WrongPassphraseError`
        if it no longer opens the file (the passphrase was changed since)."""
        with self._lock:
            container = self._read()
            if len(key) != 32 or not _key_matches(key, container):
                raise WrongPassphraseError(
                    f"the remembered key no longer opens the secret store {self.path}"
                )
            self._set_key(key, container["kdf"])

    def session_key(self) -> bytes:
        """The derived key, for an unlock session (`security.unlock_session`)."""
        with self._lock:
            if self._key is None:
                raise StoreLockedError(f"the secret store {self.path} is locked")
            return bytes(self._key)

    def entry_count(self) -> int:
        """How many secrets the file holds (readable while locked: names are not secret)."""
        with self._lock:
            return len(self._read()["entries"])

    def lock(self) -> None:
        """Forget the derived key; get/set/delete then raise `StoreLockedError`."""
        with self._lock:
            if self._key is not None:
                self._key[:] = bytes(len(self._key))
            self._key = None
            self._kdf = None

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-encrypt every entry under a key from `new` and a new salt, atomically.

        The old passphrase is checked and every entry decrypted before anything is
        written; on any error the file is unchanged. The store is unlocked afterwards.
        """
        redaction.register_secret(old)
        _check_passphrase(new)
        with self._lock:
            container = self._read()
            old_key = _derive(old, container["kdf"])
            if not _key_matches(old_key, container):
                raise WrongPassphraseError(f"wrong passphrase for the secret store {self.path}")
            plain = [
                (e["service"], e["name"], self._decrypt_entry(old_key, e))
                for e in container["entries"]
            ]
            kdf = self._new_kdf()
            key = _derive(new, kdf)
            fresh = _new_container(kdf, key)
            fresh["entries"] = [_encrypt_entry(key, s, n, v) for s, n, v in plain]
            _atomic_write(self.path, _dump(fresh))
            self.lock()
            self._set_key(key, kdf)

    def get(self, service: str, name: str) -> Secret | None:
        check_key(service, name)
        with self._lock:
            key, container = self._unlocked_container()
            entry = _find(container, service, name)
            if entry is None:
                return None
            return Secret(reveal(self._decrypt_entry(key, entry)))

    def set(self, service: str, name: str, value: str | Secret) -> None:
        check_key(service, name)
        text = reveal(value)
        with self._lock:
            key, container = self._unlocked_container()
            entries = [
                e for e in container["entries"] if (e["service"], e["name"]) != (service, name)
            ]
            entries.append(_encrypt_entry(key, service, name, text))
            container["entries"] = entries
            _atomic_write(self.path, _dump(container))

    def delete(self, service: str, name: str) -> bool:
        check_key(service, name)
        with self._lock:
            _key, container = self._unlocked_container()
            entries = [
                e for e in container["entries"] if (e["service"], e["name"]) != (service, name)
            ]
            if len(entries) == len(container["entries"]):
                return False
            container["entries"] = entries
            _atomic_write(self.path, _dump(container))
            return True

    # -- internals (called with self._lock held) --

    def _set_key(self, key: bytes, kdf: dict[str, Any]) -> None:
        self._key = bytearray(key)
        self._kdf = dict(kdf)

    def _new_kdf(self) -> dict[str, Any]:
        salt = _b64(secrets.token_bytes(_SALT_BYTES))
        return {"name": "scrypt", "n": self._scrypt_n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt}

    def _unlocked_container(self) -> tuple[bytes, dict[str, Any]]:
        if self._key is None:
            raise StoreLockedError(f"the secret store {self.path} is locked")
        container = self._read()
        if container["kdf"] != self._kdf:
            # Someone else changed the passphrase; our key no longer opens the file.
            self.lock()
            raise StoreLockedError(
                f"the passphrase of the secret store {self.path} was changed elsewhere; "
                "unlock it again"
            )
        return bytes(self._key), container

    def _decrypt_entry(self, key: bytes, entry: dict[str, Any]) -> str:
        service, name = entry["service"], entry["name"]
        try:
            plain = AESGCM(key).decrypt(
                entry["nonce"], entry["ciphertext"], _aad("entry", service, name)
            )
            return plain.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise CorruptStoreError(
                f"the secret {service}/{name} in {self.path} failed authentication: "
                "the file was modified or damaged"
            ) from None

    def _read(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise SecretStoreError(f"the secret store {self.path} does not exist") from None
        except OSError as exc:
            raise SecretStoreError(f"cannot read the secret store {self.path}: {exc}") from None
        try:
            return _parse(data)
        except (ValueError, KeyError, TypeError, RecursionError, binascii.Error) as exc:
            raise CorruptStoreError(
                f"{self.path} is not a readable softphone secret store ({exc}); "
                "it was left as it is"
            ) from None


def _check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise SecretStoreError("the passphrase must be a non-empty string")
    redaction.register_secret(passphrase)


def _derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    salt = base64.b64decode(kdf["salt"])
    scrypt = Scrypt(salt=salt, length=_KEY_BYTES, n=kdf["n"], r=kdf["r"], p=kdf["p"])
    return scrypt.derive(passphrase.encode("utf-8"))


def _key_matches(key: bytes, container: dict[str, Any]) -> bool:
    check = container["key_check"]
    try:
        token = AESGCM(key).decrypt(check["nonce"], check["ciphertext"], _aad("key-check"))
    except InvalidTag:
        return False
    return secrets.compare_digest(token, _KEY_CHECK_TOKEN)


def _new_container(kdf: dict[str, Any], key: bytes) -> dict[str, Any]:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    check = AESGCM(key).encrypt(nonce, _KEY_CHECK_TOKEN, _aad("key-check"))
    return {
        "format": FORMAT,
        "version": VERSION,
        "kdf": dict(kdf),
        "cipher": CIPHER,
        "key_check": {"nonce": nonce, "ciphertext": check},
        "entries": [],
    }


def _encrypt_entry(key: bytes, service: str, name: str, value: str) -> dict[str, Any]:
    nonce = secrets.token_bytes(_NONCE_BYTES)  # fresh on every write, never reused
    ciphertext = AESGCM(key).encrypt(nonce, value.encode("utf-8"), _aad("entry", service, name))
    return {"service": service, "name": name, "nonce": nonce, "ciphertext": ciphertext}


def _find(container: dict[str, Any], service: str, name: str) -> dict[str, Any] | None:
    for entry in container["entries"]:
        if entry["service"] == service and entry["name"] == name:
            return entry
    return None


def _dump(container: dict[str, Any]) -> bytes:
    def sealed(box: dict[str, Any]) -> dict[str, Any]:
        return {k: _b64(v) if isinstance(v, bytes) else v for k, v in box.items()}

    out = dict(container)
    out["key_check"] = sealed(container["key_check"])
    out["entries"] = [sealed(e) for e in container["entries"]]
    return (json.dumps(out, indent=1, ensure_ascii=True) + "\n").encode("ascii")


def _parse(data: bytes) -> dict[str, Any]:
    """Validate the whole file; raises ValueError (or KeyError/TypeError) if anything is off."""
    raw = json.loads(data.decode("utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("not a softphone-secrets file")
    if raw.get("version") != VERSION:
        raise ValueError(f"unsupported version {str(raw.get('version'))[:20]!r}")
    if raw.get("cipher") != CIPHER:
        raise ValueError("unsupported cipher")
    kdf = raw["kdf"]
    if (
        not isinstance(kdf, dict)
        or kdf.get("name") != "scrypt"
        or set(kdf) != {"name", "n", "r", "p", "salt"}
    ):
        raise ValueError("unsupported key derivation")
    n, r, p = kdf["n"], kdf["r"], kdf["p"]
    if not all(type(x) is int for x in (n, r, p)):
        raise ValueError("bad scrypt parameters")
    if not (_MIN_N <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise ValueError("scrypt parameters out of range")
    if len(_unb64(kdf["salt"])) < _SALT_BYTES:
        raise ValueError("salt too short")
    entries = raw["entries"]
    if not isinstance(entries, list):
        raise ValueError("entries is not a list")
    parsed = []
    seen = set()
    for entry in entries:
        service, name = entry["service"], entry["name"]
        if not (isinstance(service, str) and isinstance(name, str)) or (service, name) in seen:
            raise ValueError("bad or duplicate entry")
        seen.add((service, name))
        parsed.append({"service": service, "name": name, **_sealed_box(entry)})
    return {
        "format": FORMAT,
        "version": VERSION,
        "kdf": kdf,
        "cipher": CIPHER,
        "key_check": _sealed_box(raw["key_check"]),
        "entries": parsed,
    }


def _sealed_box(box: dict[str, Any]) -> dict[str, bytes]:
    nonce, ciphertext = _unb64(box["nonce"]), _unb64(box["ciphertext"])
    if len(nonce) != _NONCE_BYTES or len(ciphertext) < 16:  # 16: the GCM tag
        raise ValueError("bad nonce or ciphertext")
    return {"nonce": nonce, "ciphertext": ciphertext}


def _unb64(text: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _atomic_write(path: Path, data: bytes) -> None:
    directory = path.parent
    tmp = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable. Windows cannot open a directory for fsync.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
