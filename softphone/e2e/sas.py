"""The short authentication string (SAS) of an end-to-end call: a commit-reveal protocol.

Pure functions and two small state holders, no I/O; any thread (each object is used
by one thread at a time: the engine thread).

The protocol (version 1), between the offerer O and the answerer A of a call:

1. O's offer carries its DTLS fingerprint fp_O and
   `a=x-e2e-commit:` C = SHA-256("softphone-e2e/1 commit" 0x00 || n_O || fp_O),
   for a fresh random 256-bit nonce n_O that O keeps to itself for now.
2. A's answer carries its DTLS fingerprint fp_A and `a=x-e2e-nonce:` n_A, a fresh
   random 256-bit nonce.
3. Once the call is up, O reveals n_O in an in-dialog SIP MESSAGE
   (`Content-Type: application/x-softphone-e2e`, body `softphone-e2e/1 reveal <n_O>`).
   A checks it against C; a mismatch proves that the offer or the reveal was changed
   on the way, and ends the call.
4. Both compute SAS = the first 20 bits of
   SHA-256("softphone-e2e/1 sas" 0x00 || n_O || n_A || fp_O || fp_A), written as four
   z-base-32 characters (ZRTP's alphabet, RFC 6189 5.1.6), and the users read them to
   each other. The fingerprints are the 32-byte SHA-256 digests; every field has a
   fixed length, so plain concatenation is unambiguous.

The DTLS handshake proves that the other end holds the private key of the certificate
whose fingerprint is in the SDP (aiortc refuses any other certificate), so a party in
the middle must put its own fingerprints in both SDPs, and the two SAS values then
cover different fingerprints.

Why not a SAS over the two fingerprints alone: whoever chooses its certificate last
could grind it. An attacker in the middle sees both real fingerprints before it must
answer, and Python generates about 13,400 certificates per second per core, so it
finds one giving a matching 20-bit SAS (about 10^6 tries) in well under a minute.
With the commitment:
* a MITM answering O must send n_A and its fingerprint while it knows only C, not
  n_O: whatever it chooses, SAS_O is uniformly random to it;
* a MITM offering to A is committed to n_O and its fingerprint before it sees n_A:
  SAS_A is uniformly random to it as well;
* relaying O's commitment unchanged to A does not help: C binds fp_O, so A's check
  fails unless the offer names O's own certificate, and then the MITM cannot
  complete DTLS with A (it lacks O's private key).
So each attempt succeeds with probability 2^-20 (about one in a million), and every
attempt is a call the users see fail or mismatch. Nothing can be precomputed: the
nonces are fresh per call.

Why a SIP MESSAGE carries the reveal: a third message is needed after the answer;
pjsua2 sends an in-dialog MESSAGE for us (`Call.sendInstantMessage`), answers a
received one 200 by itself and hands its body to `Call.onInstantMessage`, and
Kamailio routes it like any in-dialog request. An INFO of a type pjsua does not know
is answered by nobody (pjsua2 offers no way to answer it), and an unanswered
in-dialog request times out with 408, which makes pjsip end the dialog. A re-INVITE
or UPDATE would renegotiate media and cost three messages. The ACK cannot carry a
body we choose.

What the SAS does not cover: that the person speaking is who the display says
(users recognise each other's voices), and the SIP signalling itself (who called whom,
when, for how long stays visible to the SIP servers).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

PROTOCOL = "softphone-e2e/1"
NONCE_BYTES = 32
DIGEST_BYTES = 32  # SHA-256: nonces, commitments and fingerprints are all 32 bytes
SAS_BITS = 20
SAS_LENGTH = SAS_BITS // 5
# z-base-32, as ZRTP uses for its base-32 SAS (RFC 6189 section 5.1.6): letters and
# digits chosen to be told apart when spoken or handwritten.
SAS_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769"
REVEAL_CONTENT_TYPE = "application/x-softphone-e2e"

_COMMIT_LABEL = PROTOCOL.encode() + b" commit\x00"
_SAS_LABEL = PROTOCOL.encode() + b" sas\x00"
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_HEX_FINGERPRINT = re.compile(r"([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}")


class SasError(ValueError):
    """A protocol value is malformed or arrives at the wrong time."""


class CommitmentMismatch(SasError):
    """The revealed nonce does not match the offer's commitment: something changed
    the offer or the reveal on the way."""


# -- encodings ---------------------------------------------------------------------


def encode(value: bytes) -> str:
    """base64url without padding, as the protocol's SDP attributes carry values."""
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


def decode(text: str, length: int = DIGEST_BYTES, what: str = "value") -> bytes:
    """The bytes of a base64url value of exactly `length` bytes (strict: no padding,
    no other characters, no trailing bits)."""
    text = text.strip()
    if not _B64URL.fullmatch(text):
        raise SasError(f"{what} is not base64url")
    try:
        value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SasError(f"{what} is not base64url") from None
    if len(value) != length or encode(value) != text:
        raise SasError(f"{what} must be {length} bytes")
    return value


def parse_fingerprint(text: str) -> bytes:
    """The digest of an SDP fingerprint: "sha-256 AA:BB:…" or just "AA:BB:…".

    Only SHA-256 is accepted: it is what both ends send, and accepting a weaker
    hash here would let a downgrade pick it.
    """
    parts = text.strip().split()
    if len(parts) == 2:
        algorithm, value = parts
        if algorithm.lower() != "sha-256":
            raise SasError(f"fingerprint hash {algorithm} is not sha-256")
    elif len(parts) == 1:
        value = parts[0]
    else:
        raise SasError("fingerprint is not '<hash> <hex>'")
    if not _HEX_FINGERPRINT.fullmatch(value):
        raise SasError("fingerprint is not 32 colon-separated hex bytes")
    return bytes.fromhex(value.replace(":", ""))


def format_fingerprint(digest: bytes) -> str:
    """Colon hex, upper case: how SDP and the UI show a SHA-256 fingerprint."""
    _check(digest, DIGEST_BYTES, "fingerprint")
    return ":".join(f"{b:02X}" for b in digest)


def new_nonce() -> bytes:
    return os.urandom(NONCE_BYTES)


# -- the two functions of the protocol ---------------------------------------------


def commitment(nonce_offerer: bytes, fingerprint_offerer: bytes) -> bytes:
    _check(nonce_offerer, NONCE_BYTES, "offerer nonce")
    _check(fingerprint_offerer, DIGEST_BYTES, "offerer fingerprint")
    return hashlib.sha256(_COMMIT_LABEL + nonce_offerer + fingerprint_offerer).digest()


def short_authentication_string(
    nonce_offerer: bytes,
    nonce_answerer: bytes,
    fingerprint_offerer: bytes,
    fingerprint_answerer: bytes,
) -> str:
    for value, what in (
        (nonce_offerer, "offerer nonce"),
        (nonce_answerer, "answerer nonce"),
        (fingerprint_offerer, "offerer fingerprint"),
        (fingerprint_answerer, "answerer fingerprint"),
    ):
        _check(value, DIGEST_BYTES, what)
    digest = hashlib.sha256(
        _SAS_LABEL + nonce_offerer + nonce_answerer + fingerprint_offerer + fingerprint_answerer
    ).digest()
    bits = int.from_bytes(digest[:4], "big") >> (32 - SAS_BITS)
    return "".join(
        SAS_ALPHABET[(bits >> (5 * (SAS_LENGTH - 1 - i))) & 31] for i in range(SAS_LENGTH)
    )


def reveal_body(nonce_offerer: bytes) -> str:
    _check(nonce_offerer, NONCE_BYTES, "offerer nonce")
    return f"{PROTOCOL} reveal {encode(nonce_offerer)}"


def parse_reveal_body(body: str) -> bytes:
    parts = body.strip().split()
    if len(parts) != 3 or parts[0] != PROTOCOL or parts[1] != "reveal":
        raise SasError(f"not a {PROTOCOL} reveal message")
    return decode(parts[2], NONCE_BYTES, "revealed nonce")


def _check(value: bytes, length: int, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != length:
        raise SasError(f"{what} must be {length} bytes")


# -- the two roles -----------------------------------------------------------------


@dataclass
class Offerer:
    """O's side: commit in the offer, read the answer, reveal after it."""

    fingerprint: bytes
    nonce: bytes = field(default_factory=new_nonce, repr=False)
    peer_fingerprint: bytes | None = None
    peer_nonce: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check(self.fingerprint, DIGEST_BYTES, "fingerprint")
        _check(self.nonce, NONCE_BYTES, "nonce")

    @property
    def commit_attribute(self) -> str:
        """The value of `a=x-e2e-commit:` in our offer."""
        return encode(commitment(self.nonce, self.fingerprint))

    def on_answer(self, nonce_attribute: str, peer_fingerprint: bytes) -> str:
        """Take the answer's `a=x-e2e-nonce:` and fingerprint; returns the SAS.

        The same answer may be seen twice (an 18x and the 200 both carry it); a
        different one for the same call is refused.
        """
        nonce = decode(nonce_attribute, NONCE_BYTES, "answerer nonce")
        _check(peer_fingerprint, DIGEST_BYTES, "answerer fingerprint")
        if self.peer_nonce is not None and (
            not hmac.compare_digest(self.peer_nonce, nonce)
            or self.peer_fingerprint != peer_fingerprint
        ):
            raise SasError("the answer's nonce or fingerprint changed within the call")
        self.peer_nonce, self.peer_fingerprint = nonce, peer_fingerprint
        return self.sas

    @property
    def sas(self) -> str:
        if self.peer_nonce is None or self.peer_fingerprint is None:
            raise SasError("no answer yet: the SAS needs the answerer's nonce")
        return short_authentication_string(
            self.nonce, self.peer_nonce, self.fingerprint, self.peer_fingerprint
        )

    def reveal(self) -> str:
        """The MESSAGE body revealing our nonce: only once the answer has fixed n_A."""
        if self.peer_nonce is None:
            raise SasError("the nonce is revealed only after the answer")
        return reveal_body(self.nonce)


@dataclass
class Answerer:
    """A's side: keep the offer's commitment, answer with a nonce, check the reveal."""

    fingerprint: bytes
    peer_fingerprint: bytes
    peer_commitment: bytes
    nonce: bytes = field(default_factory=new_nonce, repr=False)
    peer_nonce: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check(self.fingerprint, DIGEST_BYTES, "fingerprint")
        _check(self.peer_fingerprint, DIGEST_BYTES, "offerer fingerprint")
        _check(self.peer_commitment, DIGEST_BYTES, "commitment")
        _check(self.nonce, NONCE_BYTES, "nonce")

    @classmethod
    def from_offer(
        cls, commit_attribute: str, peer_fingerprint: bytes, fingerprint: bytes
    ) -> Answerer:
        commit = decode(commit_attribute, DIGEST_BYTES, "commitment")
        return cls(fingerprint, peer_fingerprint, commit)

    @property
    def nonce_attribute(self) -> str:
        """The value of `a=x-e2e-nonce:` in our answer."""
        return encode(self.nonce)

    def on_reveal(self, body: str) -> str:
        """Check the offerer's reveal against its commitment; returns the SAS.

        Raises `CommitmentMismatch` when it does not match, and for a second reveal
        that differs from the first.
        """
        nonce = parse_reveal_body(body)
        if self.peer_nonce is not None:
            if not hmac.compare_digest(self.peer_nonce, nonce):
                raise CommitmentMismatch("a second, different reveal arrived in the same call")
            return self.sas
        expected = commitment(nonce, self.peer_fingerprint)
        if not hmac.compare_digest(expected, self.peer_commitment):
            raise CommitmentMismatch(
                "the revealed nonce does not match the offer's commitment "
                "(the offer or the reveal was altered on the way)"
            )
        self.peer_nonce = nonce
        return self.sas

    @property
    def sas(self) -> str:
        if self.peer_nonce is None:
            raise SasError("no reveal yet: the SAS needs the offerer's nonce")
        return short_authentication_string(
            self.peer_nonce, self.nonce, self.peer_fingerprint, self.fingerprint
        )
