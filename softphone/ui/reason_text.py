"""Reasons from the engine and the policies, in the UI's language. Pure, any thread.

The engine and the policies stay English and Qt-free: their `reason` strings are for
the logs, the CLI and the audit trail. Beside each reason they give a code
(`policy.decision.Reason`, `engine.events.RegistrationFailure`, `EndCause`,
`VerificationReason`) and the parts that vary (a role, number classes, a domain);
this module says the code in the UI's language and fills in those parts. What is not
ours to translate stays as it came: the SIP reason phrase a server sent, pjsip's own
messages, certificate subjects and fingerprints, role and domain names. A reason
without a code (an event from an older engine, a decision made elsewhere) is shown as
it is. Every code has a sentence here; tests/unit/ui/test_reason_text.py fails when a
code is added without one.
"""

from __future__ import annotations

from collections.abc import Iterable

from softphone.engine import events as ev
from softphone.policy.decision import Reason
from softphone.policy.inbound import REFUSAL_CODES
from softphone.policy.numbers import NumberClass
from softphone.policy.pin import PinError, PinRefusal
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate

CTX = "ReasonText"

# What a number is, as the dial pad and the refusals say it ("premium-rate calls ...").
CLASS_WORDS = {
    NumberClass.EMERGENCY: QT_TRANSLATE_NOOP("ReasonText", "emergency"),
    NumberClass.INTERNAL: QT_TRANSLATE_NOOP("ReasonText", "internal extension"),
    NumberClass.SIP: QT_TRANSLATE_NOOP("ReasonText", "SIP address"),
    NumberClass.TOLL_FREE: QT_TRANSLATE_NOOP("ReasonText", "toll-free"),
    NumberClass.NATIONAL: QT_TRANSLATE_NOOP("ReasonText", "national"),
    NumberClass.MOBILE: QT_TRANSLATE_NOOP("ReasonText", "mobile"),
    NumberClass.SERVICE_CODE: QT_TRANSLATE_NOOP("ReasonText", "service code"),
    NumberClass.SHARED_COST: QT_TRANSLATE_NOOP("ReasonText", "shared-cost"),
    NumberClass.INTERNATIONAL: QT_TRANSLATE_NOOP("ReasonText", "international"),
    NumberClass.PREMIUM: QT_TRANSLATE_NOOP("ReasonText", "premium-rate"),
    NumberClass.UNKNOWN: QT_TRANSLATE_NOOP("ReasonText", "unreadable"),
}

# Placeholders: {role}, {classes}, {kind} (the number's class), {domain}, {target}.
DECISION_WORDS = {
    Reason.EMERGENCY: QT_TRANSLATE_NOOP("ReasonText", "emergency calls are always allowed"),
    Reason.DOMAIN_NOT_ALLOWED: QT_TRANSLATE_NOOP(
        "ReasonText", "calls to the SIP domain {domain} are not allowed"
    ),
    Reason.ALLOWED_EXCEPTION: QT_TRANSLATE_NOOP(
        "ReasonText", "allowed as an exception for the role “{role}”"
    ),
    Reason.DENIED_PREFIX: QT_TRANSLATE_NOOP(
        "ReasonText", "this number is blocked for the role “{role}”"
    ),
    Reason.CLASS_NOT_ALLOWED: QT_TRANSLATE_NOOP(
        "ReasonText", "{classes} calls are not allowed for the role “{role}”"
    ),
    Reason.CLASS_NEEDS_PIN: QT_TRANSLATE_NOOP(
        "ReasonText", "{classes} calls need an authorization code for the role “{role}”"
    ),
    Reason.ALLOWED_FOR_ROLE: QT_TRANSLATE_NOOP(
        "ReasonText", "{kind}, allowed for the role “{role}”"
    ),
    Reason.BLOCKED: QT_TRANSLATE_NOOP("ReasonText", "the caller is on the block list"),
    Reason.ANONYMOUS_REFUSED: QT_TRANSLATE_NOOP("ReasonText", "anonymous callers are not accepted"),
    Reason.NO_IDENTITY: QT_TRANSLATE_NOOP("ReasonText", "the caller has no identity to check"),
    Reason.NOT_APPROVED: QT_TRANSLATE_NOOP("ReasonText", "only approved contacts may call"),
    Reason.NOT_SCHEDULED: QT_TRANSLATE_NOOP(
        "ReasonText", "only scheduled participants may call now"
    ),
    Reason.ANYONE_ACCEPTED: QT_TRANSLATE_NOOP("ReasonText", "calls from anyone are accepted"),
    Reason.APPROVED_CONTACT: QT_TRANSLATE_NOOP("ReasonText", "an approved contact"),
    Reason.SCHEDULED_PARTICIPANT: QT_TRANSLATE_NOOP(
        "ReasonText", "a participant of an appointment now"
    ),
    Reason.TRANSFERS_DISABLED: QT_TRANSLATE_NOOP(
        "ReasonText", "transfers asked for by the other side are turned off by policy"
    ),
    Reason.TRANSFER_NOT_SIP: QT_TRANSLATE_NOOP(
        "ReasonText", "the transfer target is not a SIP address: {target}"
    ),
    Reason.TRANSFER_DOMAIN_NOT_ALLOWED: QT_TRANSLATE_NOOP(
        "ReasonText", "transfers to the domain {domain} are not allowed"
    ),
    Reason.TRANSFER_ALLOWED: QT_TRANSLATE_NOOP("ReasonText", "the transfer is allowed by policy"),
    Reason.E2E_REQUIRED: QT_TRANSLATE_NOOP(
        "ReasonText",
        "end-to-end encryption is required for this call, and it cannot be end to end; "
        "an ordinary encrypted call would let the server read its keys",
    ),
    Reason.E2E_FALLBACK_ALLOWED: QT_TRANSLATE_NOOP(
        "ReasonText", "not end to end: encrypted to the server only"
    ),
}

REGISTRATION_WORDS = {
    # {answer}: the server's code and phrase as they came; {detail}: pjsip's words
    ev.RegistrationFailure.CERTIFICATE: QT_TRANSLATE_NOOP(
        "ReasonText", "the server's certificate was refused"
    ),
    ev.RegistrationFailure.TLS_VERIFICATION: QT_TRANSLATE_NOOP(
        "ReasonText", "TLS certificate verification failed ({detail})"
    ),
    ev.RegistrationFailure.CREDENTIALS: QT_TRANSLATE_NOOP(
        "ReasonText", "wrong user name or password ({answer})"
    ),
    ev.RegistrationFailure.UNREACHABLE: QT_TRANSLATE_NOOP(
        "ReasonText", "server unreachable ({answer})"
    ),
    ev.RegistrationFailure.SERVER: QT_TRANSLATE_NOOP("ReasonText", "the server answered {answer}"),
}

END_WORDS = {
    ev.EndCause.NOT_SENT: QT_TRANSLATE_NOOP("ReasonText", "the call could not be placed"),
    ev.EndCause.CANCELLED_UNSENT: QT_TRANSLATE_NOOP(
        "ReasonText", "hung up before the call was placed"
    ),
    ev.EndCause.WRONG_TRANSPORT: QT_TRANSLATE_NOOP(
        "ReasonText", "the call did not come over this account's encrypted connection"
    ),
    ev.EndCause.PEER_PLAINTEXT: QT_TRANSLATE_NOOP(
        "ReasonText", "the caller offered unencrypted media"
    ),
    ev.EndCause.MEDIA_NOT_ENCRYPTED: QT_TRANSLATE_NOOP("ReasonText", "the media is not encrypted"),
    ev.EndCause.LOCAL_PLAINTEXT: QT_TRANSLATE_NOOP(
        "ReasonText", "this app could not offer encrypted media"
    ),
    ev.EndCause.E2E_REQUIRED: QT_TRANSLATE_NOOP(
        "ReasonText", "end-to-end encryption is required for this call, and it cannot be end to end"
    ),
    ev.EndCause.E2E_SETUP_FAILED: QT_TRANSLATE_NOOP(
        "ReasonText", "the end-to-end encryption could not be set up"
    ),
    ev.EndCause.E2E_TIMEOUT: QT_TRANSLATE_NOOP(
        "ReasonText", "the end-to-end media did not connect in time"
    ),
    ev.EndCause.E2E_PEER_CERTIFICATE: QT_TRANSLATE_NOOP(
        "ReasonText", "the other side's encryption certificate is not the one it announced"
    ),
    ev.EndCause.SAS_MISMATCH: QT_TRANSLATE_NOOP(
        "ReasonText", "the short codes did not match: someone may be intercepting the call"
    ),
    ev.EndCause.E2E_COMMITMENT_FAILED: QT_TRANSLATE_NOOP(
        "ReasonText", "the end-to-end check failed: someone may be interfering with the call"
    ),
}

VERIFICATION_WORDS = {
    ev.VerificationReason.USERS_CONFIRMED: QT_TRANSLATE_NOOP(
        "ReasonText", "you confirmed that the short codes match"
    ),
    ev.VerificationReason.KNOWN_CERTIFICATE: QT_TRANSLATE_NOOP(
        "ReasonText", "the other side presented the identity verified on an earlier call"
    ),
    ev.VerificationReason.NO_SAS: QT_TRANSLATE_NOOP(
        "ReasonText",
        "no short code: the caller never sent what the code is made from, so this call "
        "cannot be verified (it stays end-to-end encrypted, not verified)",
    ),
    ev.VerificationReason.SAS_MISMATCH: QT_TRANSLATE_NOOP(
        "ReasonText", "the short codes did not match: someone may be intercepting the call"
    ),
    ev.VerificationReason.COMMITMENT_FAILED: QT_TRANSLATE_NOOP(
        "ReasonText", "the end-to-end check failed: someone may be interfering with the call"
    ),
}

PIN_WORDS = {
    PinRefusal.NOT_SET_UP: QT_TRANSLATE_NOOP(
        "ReasonText", "no authorization code is set up on this computer"
    ),
    PinRefusal.FORMAT: QT_TRANSLATE_NOOP(
        "ReasonText", "an authorization code is {low} to {high} digits (0-9)"
    ),
    PinRefusal.WRONG: QT_TRANSLATE_NOOP(
        "ReasonText", "wrong authorization code ({left} tries left)"
    ),
    PinRefusal.LOCKED: QT_TRANSLATE_NOOP(
        "ReasonText", "too many wrong authorization codes: locked for {minutes} min"
    ),
    PinRefusal.WAIT: QT_TRANSLATE_NOOP(
        "ReasonText", "wait {seconds} s before trying the authorization code again"
    ),
}


def _tr(source: str) -> str:
    return translate(CTX, source)


def class_text(number_class: str | None) -> str:
    """A number class ("premium") in words ("premium-rate"); unknown values as they are."""
    try:
        return _tr(CLASS_WORDS[NumberClass(number_class)])
    except ValueError:
        return number_class or ""


def classes_text(classes: str | Iterable[str]) -> str:
    """`Decision.args["classes"]` ("premium,international") as a list in words."""
    names = classes.split(",") if isinstance(classes, str) else list(classes)
    return translate("ReasonText", ", ").join(class_text(c) for c in names if c)


def decision_text(
    code: str | None,
    args: Iterable[tuple[str, str]] = (),
    fallback: str = "",
    number_class: str | None = None,
) -> str:
    """A policy decision's reason (`Decision.code`/`args`, or the same on an event or a
    `DialReport`); `fallback` (the English reason) when there is no known code."""
    try:
        reason = Reason(code)
    except ValueError:
        return fallback
    values = dict(args)
    return _tr(DECISION_WORDS[reason]).format(
        role=values.get("role", ""),
        classes=classes_text(values.get("classes", "")),
        kind=class_text(number_class),
        domain=values.get("domain", ""),
        target=values.get("target", ""),
    )


def report_reason(report: object) -> str:
    """A `tasks.policy.DialReport`'s reason in words."""
    return decision_text(
        getattr(report, "code", None),
        getattr(report, "args", ()),
        getattr(report, "reason", ""),
        getattr(report, "number_class", None),
    )


def dial_refusal(e: ev.CallDialWasRefused) -> str:
    return decision_text(e.code, e.args, e.reason, e.number_class)


def registration_reason(e: ev.AccountRegistrationDidChange) -> str:
    """Why a registration failed; the server's code and phrase are kept as they came."""
    if e.failure is None:
        return e.reason
    answer = f"{e.code} {e.sip_reason}".strip()
    return _tr(REGISTRATION_WORDS[e.failure]).format(answer=answer, detail=e.sip_reason)


def end_cause_text(cause: ev.EndCause | str | None, fallback: str = "") -> str:
    """Why the engine ended or refused a call; `fallback` (the engine's English) when
    there is no code."""
    try:
        return _tr(END_WORDS[ev.EndCause(cause)])
    except ValueError:
        return fallback


def call_end_reason(e: ev.CallDidEnd) -> str:
    """Why a call ended: the engine's own cause in words, else the SIP reason phrase
    the far end or the server gave (as it came), else ""."""
    if e.cause is not None:
        return end_cause_text(e.cause, e.security_failure or e.reason)
    return e.security_failure or e.reason


def security_failure_text(e: ev.CallSecurityDidFail) -> str:
    return end_cause_text(e.cause, e.reason)


def verification_text(e: ev.CallVerificationDidChange) -> str:
    try:
        return _tr(VERIFICATION_WORDS[ev.VerificationReason(e.code)])
    except ValueError:
        return e.reason


def stored_refusal(reason: str) -> str | None:
    """A history row's "refused: ..." words, when they are an inbound policy's refusal
    (stored in English: the policy's own constant, matched whole); else None."""
    code = REFUSAL_CODES.get(reason.strip())
    return _tr(DECISION_WORDS[code]) if code is not None else None


def pin_error_text(error: PinError) -> str:
    """Why an authorization code was refused (never the code itself)."""
    if error.code is None:
        return str(error)
    return _tr(PIN_WORDS[error.code]).format(**error.values)
