"""The account status line: registered or not, and why, in a user's words. Pure.

Any thread. Built from the engine's `AccountRegistrationDidChange` (its `failure` code
names wrong passwords, unreachable servers and refused certificates: `reason_text`) or from
a problem found before the engine was asked (no password stored, profile unreadable).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from softphone.engine.events import (
    AccountRegistrationDidChange,
    CertificateProblem,
    RegistrationState,
)
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate
from softphone.ui.reason_text import registration_reason
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


def no_account() -> StatusText:
    """No account set up (in the UI's language: call it after the translator is in)."""
    return StatusText(
        Severity.INFO,
        translate(
            "StatusText",
            "No SIP account — set one up in Settings (the test call works without one)",
        ),
    )


_CERTIFICATE_WORDS = {
    "expired": QT_TRANSLATE_NOOP("StatusText", "expired"),
    "not_yet_valid": QT_TRANSLATE_NOOP("StatusText", "not valid yet"),
    "hostname_mismatch": QT_TRANSLATE_NOOP("StatusText", "is for another server"),
    "untrusted_issuer": QT_TRANSLATE_NOOP("StatusText", "is not from a trusted issuer"),
    "self_signed": QT_TRANSLATE_NOOP("StatusText", "is self-signed"),
    "revoked": QT_TRANSLATE_NOOP("StatusText", "was revoked"),
}


def certificate_words(kinds: tuple[str, ...]) -> str:
    said = [
        translate("StatusText", _CERTIFICATE_WORDS[k])
        if k in _CERTIFICATE_WORDS
        else k.replace("_", " ")
        for k in kinds
    ] or [translate("StatusText", "could not be verified")]
    return translate("StatusText", "server certificate {problems}").format(
        problems=translate("StatusText", ", ").join(said)
    )


def certificate_problem_text(problem: CertificateProblem) -> str:
    """`CertificateProblem.message` in the UI's language; the server, the subject, the
    issuer, the date and the fingerprint as they came."""
    return translate(
        "StatusText",
        "The certificate of {server} was refused ({problems}): subject {subject}, issuer "
        "{issuer}, valid until {until}, SHA-256 {fingerprint}",
    ).format(
        server=f"{problem.host}:{problem.port}",
        problems=certificate_words(problem.kinds),
        subject=problem.subject or "?",
        issuer=problem.issuer or "?",
        until=problem.not_after or "?",
        fingerprint=problem.sha256 or "?",
    )


def registration_status(aor: str, e: AccountRegistrationDidChange) -> StatusText:
    if e.state is RegistrationState.REGISTERING:
        return StatusText(
            Severity.BUSY, translate("StatusText", "Connecting {address}…").format(address=aor)
        )
    if e.state is RegistrationState.REGISTERED:
        text = translate("StatusText", "Registered as {address}").format(address=aor)
        if e.signalling is not None and e.signalling.encrypted:
            text = translate("StatusText", "Registered as {address} — {tls}").format(
                address=aor, tls=tls_name(e.signalling.tls_version)
            )
        elif e.signalling is not None:
            text = translate(
                "StatusText", "Registered as {address} — signalling NOT encrypted ({transport})"
            ).format(address=aor, transport=e.signalling.transport.upper())
        return StatusText(Severity.OK, text)
    if e.state is RegistrationState.UNREGISTERED:
        return StatusText(
            Severity.INFO,
            translate("StatusText", "Signed out ({address})").format(address=aor),
            can_retry=True,
        )
    if e.certificate is not None:
        reason = certificate_words(e.certificate.kinds)
        if e.certificate.not_after and "expired" in e.certificate.kinds:
            reason = translate("StatusText", "{problem} on {date}").format(
                problem=reason, date=e.certificate.not_after[:10]
            )
        detail = certificate_problem_text(e.certificate)
        return StatusText(Severity.ERROR, _not_registered(reason), detail, True)
    why = registration_reason(e)
    return StatusText(Severity.ERROR, _not_registered(why), why, can_retry=True)


def _not_registered(why: str) -> str:
    return translate("StatusText", "Not registered: {reason}").format(reason=why)


def setup_problem(what: str) -> StatusText:
    """The account could not even be handed to the engine (no password, bad profile)."""
    return StatusText(Severity.ERROR, _not_registered(what), what, can_retry=True)
