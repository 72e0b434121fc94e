"""Whether a call must, may or need not be end-to-end encrypted, and what to call the result.

Pure functions, any thread.

Two settings meet: the profile's `media.end_to_end` (chosen by the service's
administrator) and the contact's own requirement (chosen by the user, stored with the
contact). The stricter one wins: "required" over "preferred" over "off". "off" exists
for services whose peers choke on the extra SDP lines; a contact that requires
end-to-end still gets it offered there.

* required: a call that cannot be end to end is refused, with the reason.
* preferred: end-to-end is offered (and accepted) whenever the peer can; otherwise the
  call is an SDES call, labelled "encrypted to the server only".
* off: SDES only.

The label is the one the UI shows for every call, word for word (`call_label`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from softphone.policy.decision import Decision, Reason


class E2eMode(enum.StrEnum):
    OFF = "off"
    PREFERRED = "preferred"
    REQUIRED = "required"


_RANK = {E2eMode.OFF: 0, E2eMode.PREFERRED: 1, E2eMode.REQUIRED: 2}

LABEL_E2E_VERIFIED = "end-to-end encrypted (verified)"
LABEL_E2E_NOT_VERIFIED = "end-to-end encrypted (not verified)"
LABEL_TO_SERVER = "encrypted to the server only"
LABEL_NOT_ENCRYPTED = "not encrypted"


@dataclass(frozen=True)
class PeerE2eFacts:
    """What the application knows about the peer of a call (looked up by its address)."""

    requirement: E2eMode | None = None  # the contact's own setting, None: no preference
    verified_fingerprint: bytes | None = None  # SHA-256 of the certificate verified before
    contact_id: int | None = None


def call_mode(profile_mode: E2eMode | str, peer: PeerE2eFacts | None = None) -> E2eMode:
    """The mode for one call: the stricter of the profile's and the contact's."""
    mode = E2eMode(profile_mode)
    contact = peer.requirement if peer is not None else None
    if contact is not None and _RANK[contact] > _RANK[mode]:
        mode = contact
    return mode


def decide_fallback(mode: E2eMode, why: str) -> Decision:
    """May this call go on as an SDES call (keys readable by the SIP servers)?

    `why` says why it is not end to end ("the peer answered without end-to-end
    encryption", ...), and ends up in the refusal reason.
    """
    if mode is E2eMode.REQUIRED:
        return Decision.deny(
            f"end-to-end encryption is required for this call, and {why}; an SDES call "
            "would be encrypted only to the server, which can read its keys",
            Reason.E2E_REQUIRED,
            args={"why": why},
        )
    return Decision.allow(
        f"{why}: {LABEL_TO_SERVER}", Reason.E2E_FALLBACK_ALLOWED, args={"why": why}
    )


def call_label(encrypted: bool, end_to_end: bool, verified: bool) -> str:
    if not encrypted:
        return LABEL_NOT_ENCRYPTED
    if end_to_end:
        return LABEL_E2E_VERIFIED if verified else LABEL_E2E_NOT_VERIFIED
    return LABEL_TO_SERVER


def identity_status(verified_fingerprint: bytes | None, fingerprint: bytes) -> str:
    """ "new" (never verified), "known" (the certificate verified before) or "changed"."""
    if verified_fingerprint is None:
        return "new"
    return "known" if verified_fingerprint == fingerprint else "changed"


def peer_address(uri: str) -> str:
    """The peer's address as contacts and verified identities are keyed: "user@host",
    lower case, from a SIP URI or name-addr ('"Bob" <sip:Bob@Example.com;tag=x>')."""
    text = uri.strip()
    if "<" in text and ">" in text:
        text = text[text.index("<") + 1 : text.rindex(">")]
    text = re.sub(r"^sips?:", "", text.strip(), flags=re.IGNORECASE)
    text = text.split(";", 1)[0].split("?", 1)[0]
    user, at, host = text.rpartition("@")
    if host.startswith("["):  # IPv6 literal, maybe with a port after it
        host = host[: host.find("]") + 1] if "]" in host else host
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return f"{user}@{host}".lower() if at else host.lower()
