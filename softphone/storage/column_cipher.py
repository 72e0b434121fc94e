"""AES-256-GCM for single database cells, bound to the cell they belong in.

Any thread: `ColumnCipher` holds only an immutable key.

A cell value is `0x01 || nonce (12 bytes) || ciphertext || tag (16 bytes)`. The
leading byte is the scheme version, so the format can migrate. The nonce is random
per write (at 2**32 writes per key the collision risk stays far below 2**-32, and a
softphone's contact list and call history never come near that). The associated data
names the table, the column and the row key, so a ciphertext copied into another row
or another column fails authentication instead of showing up as someone else's data.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
SCHEME_V1 = b"\x01"
_AAD_PREFIX = b"softphone-storage/v1"


class CellDecryptionError(ValueError):
    """A cell did not authenticate: wrong key, tampered, or moved from another cell."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def associated_data(table: str, column: str, row_key: str | int) -> bytes:
    # NUL separators: no identifier or decimal row key contains one, so the encoding is
    # unambiguous ("a","bc" and "ab","c" differ).
    return b"\0".join((_AAD_PREFIX, table.encode(), column.encode(), str(row_key).encode()))


class ColumnCipher:
    __slots__ = ("_aead", "_lookup")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"the data key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        # A separate subkey for lookup hashes: the AES key is never used for anything else.
        self._lookup = hmac.new(key, b"softphone lookup-key v1", hashlib.sha256).digest()

    def lookup_key(self, value: str, table: str, column: str) -> bytes:
        """A keyed hash of `value` to find a row by a sensitive value without storing it
        (e.g. an iCalendar UID): equal values give equal keys, nothing else is revealed."""
        message = associated_data(table, column, "lookup") + b"\0" + value.encode()
        return hmac.new(self._lookup, message, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "ColumnCipher(***)"

    def encrypt(self, plaintext: str, table: str, column: str, row_key: str | int) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = associated_data(table, column, row_key)
        return SCHEME_V1 + nonce + self._aead.encrypt(nonce, plaintext.encode(), aad)

    def decrypt(self, blob: bytes, table: str, column: str, row_key: str | int) -> str:
        blob = bytes(blob)
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != SCHEME_V1:
            raise CellDecryptionError(f"{table}.{column} row {row_key}: not an encrypted cell")
        nonce = blob[1 : 1 + NONCE_BYTES]
        aad = associated_data(table, column, row_key)
        try:
            plaintext = self._aead.decrypt(nonce, blob[1 + NONCE_BYTES :], aad)
        except InvalidTag:
            raise CellDecryptionError(
                f"{table}.{column} row {row_key}: does not authenticate"
            ) from None
        return plaintext.decode()
