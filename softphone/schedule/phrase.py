"""The optional secret phrase a provider and patient agree for caller verification.

Pure, any thread. Only a salted scrypt hash is stored; comparison ignores case,
accents' composition, surrounding spaces and repeated inner spaces (people say a
phrase, they do not type it byte for byte).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata

from softphone.security.secret import Secret

_N, _R, _P = 2**14, 8, 1


def normalise(phrase: str) -> str:
    text = unicodedata.normalize("NFKC", phrase).casefold()
    return " ".join(text.split())


def hash_phrase(phrase: Secret, *, n: int = _N) -> str:
    text = normalise(phrase.reveal())
    if len(text) < 4:
        raise ValueError("a verification phrase needs at least 4 characters")
    salt = os.urandom(16)
    digest = hashlib.scrypt(text.encode(), salt=salt, n=n, r=_R, p=_P, maxmem=64 * 2**20)
    salt_b64, digest_b64 = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"scrypt${n}${_R}${_P}${salt_b64}${digest_b64}"


def verify_phrase(phrase: Secret, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            normalise(phrase.reveal()).encode(),
            salt=base64.b64decode(salt, validate=True),
            n=int(n), r=int(r), p=int(p), maxmem=64 * 2**20,
        )  # fmt: skip
        return hmac.compare_digest(actual, base64.b64decode(digest, validate=True))
    except ValueError:
        return False
