"""The value every policy function returns. Pure, any thread."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Verdict(enum.StrEnum):
    ALLOWED = "allowed"
    NEEDS_PIN = "needs_pin"  # allowed once an authorization code is given
    DENIED = "denied"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    number_class: str | None = None  # dialing decisions: the target's most restricted class
    target: str | None = None  # dialing decisions: the normalised target the rule matched

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOWED

    @classmethod
    def allow(cls, reason: str, **details: str | None) -> Decision:
        return cls(Verdict.ALLOWED, reason, **details)

    @classmethod
    def deny(cls, reason: str, **details: str | None) -> Decision:
        return cls(Verdict.DENIED, reason, **details)

    @classmethod
    def needs_pin(cls, reason: str, **details: str | None) -> Decision:
        return cls(Verdict.NEEDS_PIN, reason, **details)
