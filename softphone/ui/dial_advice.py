"""What the dial pad says under the number while it is typed. Pure, any thread.

The verdict comes from the same decision the engine makes when the call is placed
(`tasks.policy.check_dial`: `policy.dialing.decide_dial` under the account profile's
dial plan, `engine.gate.dial_plan`), so what is shown is what will happen.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from softphone.tasks.policy import DialReport
from softphone.ui.i18n import translate
from softphone.ui.reason_text import report_reason

# Line breaks and tabs arrive with pasted text ("+1 (212)\n555-0100"); nothing else is
# touched here: the policy reads every other formatting itself.
_PASTE_BREAKS = re.compile(r"[\r\n\t\v\f]+")


class Advice(enum.StrEnum):
    EMPTY = "empty"
    NO_ACCOUNT = "no_account"
    ALLOWED = "allowed"
    NEEDS_PIN = "needs_pin"
    DENIED = "denied"


@dataclass(frozen=True)
class DialAdvice:
    advice: Advice
    headline: str
    detail: str = ""
    normalised: str | None = None

    @property
    def can_call(self) -> bool:
        return self.advice in (Advice.ALLOWED, Advice.NEEDS_PIN)

    @property
    def text(self) -> str:
        parts = [self.headline]
        if self.normalised:
            parts.append(translate("DialAdvice", "dials {number}").format(number=self.normalised))
        if self.detail:
            parts.append(self.detail)
        return " · ".join(parts)


def clean_typed(text: str) -> str:
    """What was typed or pasted, with line breaks and tabs as spaces, ends trimmed."""
    return _PASTE_BREAKS.sub(" ", text).strip()


def advise(text: str, report: DialReport | None) -> DialAdvice:
    """`report` is None when there is no account (no dial plan to judge by)."""
    if not clean_typed(text):
        return DialAdvice(
            Advice.EMPTY, translate("DialAdvice", "Type or paste a number or SIP address")
        )
    if report is None:
        return DialAdvice(
            Advice.NO_ACCOUNT,
            translate("DialAdvice", "No SIP account"),
            translate("DialAdvice", "set one up in Settings to place calls"),
        )
    if report.verdict == "allowed":
        return DialAdvice(
            Advice.ALLOWED,
            translate("DialAdvice", "Allowed"),
            report_reason(report),
            report.normalised,
        )
    if report.verdict == "needs_pin":
        return DialAdvice(
            Advice.NEEDS_PIN,
            translate("DialAdvice", "Needs an authorization code"),
            report_reason(report),
            report.normalised,
        )
    return DialAdvice(
        Advice.DENIED,
        translate("DialAdvice", "Not allowed"),
        report_reason(report),
        report.normalised,
    )
