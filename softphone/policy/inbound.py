"""Inbound policy: who may call us. Pure functions, any thread.

Modes (administrator or user setting): accept from anyone, from approved contacts
only, or from participants of an appointment scheduled around now (telehealth:
"do not accept untrusted calls"). A block list applies in every mode. The caller
is read with the same classifier as dialled numbers, so `sip:+1 (212)...;user=phone`,
`tel:+1212...` and `212...` are one caller, and a block entry written in any format
matches.

The facts that need data — is this caller an approved contact, are they scheduled
now — are looked up by the caller of `decide_inbound` and passed in as
`CallerFacts`; the decision itself stays pure. A refused call is answered 603
Decline (`REFUSAL_CODE`) whatever the reason, so a caller learns nothing about the
policy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from softphone.policy.decision import Decision, Reason
from softphone.policy.numbers import DialPlan, Target, TargetKind, classify

REFUSAL_CODE = 603  # Decline: says nothing about why
NOT_NOW_CODE = 480  # Temporarily Unavailable: the polite answer outside an appointment

BLOCKED = "the caller is on the block list"
ANONYMOUS_REFUSED = "anonymous callers are not accepted"
NO_IDENTITY = "the caller has no identity to check"
NOT_APPROVED = "only approved contacts may call"
NOT_SCHEDULED = "only scheduled participants may call now"
# The refusals above by their code: history rows keep the English words ("refused: ..."),
# and a UI reads them back to the code through this table (an exact match).
REFUSAL_CODES: dict[str, Reason] = {
    BLOCKED: Reason.BLOCKED,
    ANONYMOUS_REFUSED: Reason.ANONYMOUS_REFUSED,
    NO_IDENTITY: Reason.NO_IDENTITY,
    NOT_APPROVED: Reason.NOT_APPROVED,
    NOT_SCHEDULED: Reason.NOT_SCHEDULED,
}
R = Reason


class InboundMode(enum.StrEnum):
    ANYONE = "anyone"
    APPROVED = "approved"  # approved contacts only
    SCHEDULED = "scheduled"  # participants of an appointment around now


@dataclass(frozen=True)
class InboundPolicy:
    mode: InboundMode = InboundMode.ANYONE
    block: tuple[str, ...] = ()  # numbers, SIP addresses or "@domain", any formatting
    # Callers without an identity we can read (anonymous, unknown) are refused in
    # every mode but ANYONE; with ANYONE, only if this is set.
    refuse_anonymous: bool = False


@dataclass(frozen=True)
class CallerFacts:
    approved: bool = False  # an approved contact
    scheduled: bool = False  # a participant of an appointment around now


def caller_identity(remote_uri: str, plan: DialPlan) -> Target:
    """The caller's From URI (name-addr or addr-spec) read like a dialled target."""
    return classify(remote_uri, plan)


def decide_inbound(
    caller: Target, facts: CallerFacts, policy: InboundPolicy, plan: DialPlan
) -> Decision:
    details = {"number_class": caller.number_class.value, "target": caller.key or None}
    if _blocked(caller, policy.block, plan):
        return Decision.deny(BLOCKED, R.BLOCKED, **details)
    anonymous = _anonymous(caller)
    if policy.mode is InboundMode.ANYONE:
        if anonymous and policy.refuse_anonymous:
            return Decision.deny(ANONYMOUS_REFUSED, R.ANONYMOUS_REFUSED, **details)
        return Decision.allow("calls from anyone are accepted", R.ANYONE_ACCEPTED, **details)
    if anonymous:
        return Decision.deny(NO_IDENTITY, R.NO_IDENTITY, **details)
    if policy.mode is InboundMode.APPROVED:
        if facts.approved:
            return Decision.allow("an approved contact", R.APPROVED_CONTACT, **details)
        return Decision.deny(NOT_APPROVED, R.NOT_APPROVED, **details)
    if facts.scheduled:
        return Decision.allow(
            "a participant of an appointment now", R.SCHEDULED_PARTICIPANT, **details
        )
    return Decision.deny(NOT_SCHEDULED, R.NOT_SCHEDULED, **details)


def refusal_code(decision: Decision) -> int:
    """The SIP response for a refused call: 480 outside appointments, else 603."""
    return NOT_NOW_CODE if decision.reason == NOT_SCHEDULED else REFUSAL_CODE


def _anonymous(caller: Target) -> bool:
    if caller.kind is TargetKind.ADDRESS:
        user = (caller.user or "").lower()
        domain = (caller.domain or "").lower()
        return user in {"anonymous", ""} or domain == "anonymous.invalid"
    return not caller.digits


def _blocked(caller: Target, block: tuple[str, ...], plan: DialPlan) -> bool:
    for entry in block:
        entry = entry.strip()
        if not entry:
            continue
        if entry.startswith("@"):
            if caller.domain and caller.domain == entry[1:].lower().rstrip("."):
                return True
            continue
        spec = entry if ":" in entry or "@" not in entry else f"sip:{entry}"
        blocked = classify(spec, plan)
        if not blocked.key:
            continue  # nothing readable to match (the policy file loader refuses these)
        if blocked.kind is TargetKind.ADDRESS:
            if caller.kind is TargetKind.ADDRESS and _same_address(caller, blocked):
                return True
        elif caller.key and caller.key == blocked.key:
            return True
    return False


def _same_address(a: Target, b: Target) -> bool:
    return (a.user or "").lower() == (b.user or "").lower() and a.domain == b.domain
