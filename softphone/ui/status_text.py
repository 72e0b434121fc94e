"""The account status line: registered or not, and why, in a user's words. Pure.

Any thread. Built from the engine's `AccountRegistrationDidChange` (its `reason`
already names wrong passwords, unreachable servers and refused certificates) or from
a problem found before the engine was asked (no password stored, profile unreadable).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from softphone.engine.events import AccountRegistrationDidChange, RegistrationState
from softphone.ui.security_text import tls_name


class Severity(enum.StrEnum):
    INFO = "info"
    BUSY = "busy"
    OK = "ok"
    ERROR = "error"


@dataclass(frozen=True)
class StatusText:
    severity: Severity
    text: str
    detail: str = ""  # a tooltip: the full reason
    can_retry: bool = False


NO_ACCOUNT = StatusText(
    Severity.INFO,
    "No SIP account — set one up in Settings (the test call works without one)",
)


def certificate_words(kinds: tuple[str, ...]) -> str:
    words = {
        "expired": "expired",
        "not_yet_valid": "not valid yet",
        "hostname_mismatch": "is for another server",
        "untrusted_issuer": "is not from a trusted issuer",
        "self_signed": "is self-signed",
        "revoked": "was revoked",
    }
    said = [words.get(k, k.replace("_", " ")) for k in kinds] or ["could not be verified"]
    return "server certificate " + ", ".join(said)


def registration_status(aor: str, e: AccountRegistrationDidChange) -> StatusText:
    if e.state is RegistrationState.REGISTERING:
        return StatusText(Severity.BUSY, f"Connecting {aor}…")
    if e.state is RegistrationState.REGISTERED:
        how = ""
        if e.signalling is not None:
            how = (
                f" — {tls_name(e.signalling.tls_version)}"
                if e.signalling.encrypted
                else (f" — signalling NOT encrypted ({e.signalling.transport.upper()})")
            )
        return StatusText(Severity.OK, f"Registered as {aor}{how}")
    if e.state is RegistrationState.UNREGISTERED:
        return StatusText(Severity.INFO, f"Signed out ({aor})", can_retry=True)
    if e.certificate is not None:
        reason = certificate_words(e.certificate.kinds)
        if e.certificate.not_after and "expired" in e.certificate.kinds:
            reason += f" on {e.certificate.not_after[:10]}"
        return StatusText(
            Severity.ERROR, f"Not registered: {reason}", e.certificate.message, can_retry=True
        )
    return StatusText(Severity.ERROR, f"Not registered: {e.reason}", e.reason, can_retry=True)


def setup_problem(what: str) -> StatusText:
    """The account could not even be handed to the engine (no password, bad profile)."""
    return StatusText(Severity.ERROR, f"Not registered: {what}", what, can_retry=True)
