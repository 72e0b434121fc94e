"""Call-history filters and search matches. Pure, any thread.

The recorder writes outcomes as words ("answered", "missed", "declined", "busy",
"no answer", "failed: 503 ...", "refused: ..."); `outcome_group` folds them into the
groups the history's filter offers. `history_matches` is the search field's default
provider until the contact directory is wired in.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from softphone.storage.database import CallRecord
from softphone.ui.notify_text import caller_address


class OutcomeGroup(enum.StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    DECLINED = "declined"  # declined or busy
    FAILED = "failed"  # failed, no answer, refused for security


def outcome_group(outcome: str) -> OutcomeGroup:
    word = outcome.split(":", 1)[0].strip().lower()
    if word == "answered":
        return OutcomeGroup.ANSWERED
    if word == "missed":
        return OutcomeGroup.MISSED
    if word in ("declined", "busy"):
        return OutcomeGroup.DECLINED
    return OutcomeGroup.FAILED


def keep(record: CallRecord, direction: str | None, group: OutcomeGroup | None) -> bool:
    """Whether the filter (None: any) lets `record` through."""
    if direction is not None and record.direction.value != direction:
        return False
    return group is None or outcome_group(record.outcome) is group


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def history_matches(
    records: Iterable[CallRecord], query: str, limit: int = 20
) -> list[tuple[str, str]]:
    """(label, target) for each distinct peer matching `query` — by text, or by digits
    so "212 555" finds "+12125550100" — newest first."""
    q = query.strip().lower()
    if not q:
        return []
    q_digits = _digits(q) if len(_digits(q)) >= 3 else ""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for r in records:
        address = caller_address(r.peer)
        if address in seen:
            continue
        text_hit = q in address.lower()
        digit_hit = bool(q_digits) and q_digits in _digits(address)
        if text_hit or digit_hit:
            seen.add(address)
            when = r.started.astimezone().strftime("%d %b %H:%M")
            found.append((f"{address} — {r.direction.value} {when}, {r.outcome}", r.peer))
            if len(found) >= limit:
                break
    return found
