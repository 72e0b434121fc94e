"""The value every policy function returns. Pure, any thread.

`reason` is the decision in English words, for the logs, the CLI and the audit trail.
`code` says the same as a fixed value (`Reason`) and `args` carries the parts that
vary (the role, the classes, the domain), so a user interface can say it in its own
language without reading the English; both are optional, so a decision made without
them still works (the UI then shows `reason` as it is).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Verdict(enum.StrEnum):
    ALLOWED = "allowed"
    NEEDS_PIN = "needs_pin"  # allowed once an authorization code is given
    DENIED = "denied"


class Reason(enum.StrEnum):
    """Why a policy decided as it did. `args` per code are listed beside it."""

    # dialing (policy.dialing); every one also has Decision.number_class and .target
    EMERGENCY = "emergency"  # always allowed
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"  # domain
    ALLOWED_EXCEPTION = "allowed_exception"  # role
    DENIED_PREFIX = "denied_prefix"  # role
    CLASS_NOT_ALLOWED = "class_not_allowed"  # role, classes ("premium,international")
    CLASS_NEEDS_PIN = "class_needs_pin"  # role, classes
    ALLOWED_FOR_ROLE = "allowed_for_role"  # role
    # inbound calls (policy.inbound)
    BLOCKED = "blocked"
    ANONYMOUS_REFUSED = "anonymous_refused"
    NO_IDENTITY = "no_identity"
    NOT_APPROVED = "not_approved"
    NOT_SCHEDULED = "not_scheduled"
    ANYONE_ACCEPTED = "anyone_accepted"
    APPROVED_CONTACT = "approved_contact"
    SCHEDULED_PARTICIPANT = "scheduled_participant"
    # transfers the far end asks for (policy.signalling)
    TRANSFERS_DISABLED = "transfers_disabled"
    TRANSFER_NOT_SIP = "transfer_not_sip"  # target
    TRANSFER_DOMAIN_NOT_ALLOWED = "transfer_domain_not_allowed"  # domain
    TRANSFER_ALLOWED = "transfer_allowed"
    # end to end (policy.end_to_end): may a call go on as SDES?
    E2E_REQUIRED = "e2e_required"  # why (English: the circumstance)
    E2E_FALLBACK_ALLOWED = "e2e_fallback_allowed"  # why


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    number_class: str | None = None  # dialing decisions: the target's most restricted class
    target: str | None = None  # dialing decisions: the normalised target the rule matched
    # `reason` restated as a fixed value and its varying parts, for translation; not
    # compared (two decisions with the same words are the same decision)
    code: Reason | None = field(default=None, compare=False)
    args: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOWED

    @property
    def arguments(self) -> dict[str, str]:
        return dict(self.args)

    @classmethod
    def allow(cls, reason: str, code: Reason | None = None, **details: object) -> Decision:
        return cls._make(Verdict.ALLOWED, reason, code, details)

    @classmethod
    def deny(cls, reason: str, code: Reason | None = None, **details: object) -> Decision:
        return cls._make(Verdict.DENIED, reason, code, details)

    @classmethod
    def needs_pin(cls, reason: str, code: Reason | None = None, **details: object) -> Decision:
        return cls._make(Verdict.NEEDS_PIN, reason, code, details)

    @classmethod
    def _make(
        cls, verdict: Verdict, reason: str, code: Reason | None, details: dict[str, object]
    ) -> Decision:
        args = details.pop("args", None) or {}
        assert isinstance(args, Mapping)
        return cls(
            verdict,
            reason,
            code=code,
            args=tuple(sorted((str(k), str(v)) for k, v in args.items())),
            **details,  # type: ignore[arg-type]
        )
