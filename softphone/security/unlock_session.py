"""Keep the encrypted-file store unlocked for a while, like ssh-agent, in the kernel.

Any thread. `softphone secrets unlock` derives the store key from the passphrase once
and hands it to the Linux kernel's key retention service (the user's session
keyring, `add_key(2)`), with a timeout after which the kernel destroys it. Later
processes of the same user read it back (`recall`) instead of asking again;
`softphone secrets lock` revokes it (`forget`). The key lives in kernel memory only —
never in a file, never swapped to disk by us — and the passphrase itself is never
kept. Only the derived key is, which opens only this store file: the key description
names the file by a hash of its path.

Elsewhere (Windows and macOS have an OS keyring, so the file store is rare there),
`supported()` is False and every process asks for the passphrase.
"""

from __future__ import annotations

import ctypes
import hashlib
import platform
import sys
from pathlib import Path

_KEY_TYPE = b"user"
_KEY_SPEC_USER_SESSION_KEYRING = -5
_KEYCTL_REVOKE, _KEYCTL_SEARCH, _KEYCTL_READ, _KEYCTL_SET_TIMEOUT = 3, 10, 11, 15
# add_key and keyctl system call numbers, per architecture.
_SYSCALLS = {"x86_64": (248, 250), "aarch64": (217, 219), "arm64": (217, 219)}
DEFAULT_TTL_S = 15 * 60
_MAX_KEY = 64


def supported() -> bool:
    return sys.platform.startswith("linux") and platform.machine() in _SYSCALLS


def _description(store_path: Path) -> bytes:
    digest = hashlib.sha256(str(Path(store_path).resolve()).encode()).hexdigest()[:24]
    return f"softphone:secret-store:{digest}".encode()


def _libc() -> tuple[ctypes.CDLL, int, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    add_key, keyctl = _SYSCALLS[platform.machine()]
    return libc, add_key, keyctl


def remember(store_path: Path, key: bytes, ttl_s: int = DEFAULT_TTL_S) -> bool:
    """Hand `key` to the kernel for `ttl_s` seconds; False where that is not possible."""
    if not supported() or not 0 < len(key) <= _MAX_KEY or ttl_s <= 0:
        return False
    libc, add_key, keyctl = _libc()
    serial = libc.syscall(
        add_key,
        _KEY_TYPE,
        _description(store_path),
        ctypes.c_char_p(bytes(key)),
        ctypes.c_size_t(len(key)),
        ctypes.c_int(_KEY_SPEC_USER_SESSION_KEYRING),
    )
    if serial < 0:
        return False
    if libc.syscall(keyctl, ctypes.c_int(_KEYCTL_SET_TIMEOUT), ctypes.c_long(serial),
                    ctypes.c_uint(int(ttl_s))) < 0:  # fmt: skip
        libc.syscall(keyctl, ctypes.c_int(_KEYCTL_REVOKE), ctypes.c_long(serial))
        return False
    return True


def _find(store_path: Path) -> tuple[ctypes.CDLL, int, int] | None:
    if not supported():
        return None
    libc, _, keyctl = _libc()
    serial = libc.syscall(
        keyctl,
        ctypes.c_int(_KEYCTL_SEARCH),
        ctypes.c_int(_KEY_SPEC_USER_SESSION_KEYRING),
        _KEY_TYPE,
        _description(store_path),
        ctypes.c_int(0),
    )
    return (libc, keyctl, serial) if serial > 0 else None


def recall(store_path: Path) -> bytes | None:
    """The key remembered for this store, or None (never set, expired, revoked)."""
    found = _find(store_path)
    if found is None:
        return None
    libc, keyctl, serial = found
    buffer = ctypes.create_string_buffer(_MAX_KEY)
    size = libc.syscall(
        keyctl,
        ctypes.c_int(_KEYCTL_READ),
        ctypes.c_long(serial),
        buffer,
        ctypes.c_size_t(_MAX_KEY),
    )
    if size <= 0 or size > _MAX_KEY:
        return None
    key = buffer.raw[:size]
    ctypes.memset(buffer, 0, _MAX_KEY)
    return key


def forget(store_path: Path) -> bool:
    """Revoke the remembered key; True if there was one."""
    found = _find(store_path)
    if found is None:
        return False
    libc, keyctl, serial = found
    return libc.syscall(keyctl, ctypes.c_int(_KEYCTL_REVOKE), ctypes.c_long(serial)) == 0


def session_note() -> str:
    if supported():
        return "kept in the kernel's session keyring"
    return f"not kept: no kernel key retention on {platform.system()} {platform.machine()}"
