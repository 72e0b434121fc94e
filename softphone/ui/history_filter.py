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
from softphone.ui.dates import short_date_time
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate
from softphone.ui.notify_text import caller_address
from softphone.ui.reason_text import stored_refusal


class OutcomeGroup(enum.StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    DECLINED = "declined"  # declined or busy
    FAILED = "failed"  # failed, no answer, refused for security


# The recorder stores outcomes and directions as English words (data, filtered on
# above); the UI shows them through `outcome_text` and `direction_text`.
_OUTCOME_WORDS = {
    "answered": QT_TRANSLATE_NOOP("HistoryFilter", "answered"),
    "missed": QT_TRANSLATE_NOOP("HistoryFilter", "missed"),
    "declined": QT_TRANSLATE_NOOP("HistoryFilter", "declined"),
    "busy": QT_TRANSLATE_NOOP("HistoryFilter", "busy"),
    "no answer": QT_TRANSLATE_NOOP("HistoryFilter", "no answer"),
    "failed": QT_TRANSLATE_NOOP("HistoryFilter", "failed"),
    "refused": QT_TRANSLATE_NOOP("HistoryFilter", "refused"),
}
_DIRECTION_WORDS = {
    "incoming": QT_TRANSLATE_NOOP("HistoryFilter", "incoming"),
    "outgoing": QT_TRANSLATE_NOOP("HistoryFilter", "outgoing"),
}


def outcome_text(outcome: str) -> str:
    """A stored outcome ("busy", "failed: 503 Service Unavailable") in the UI's language;
    what follows the colon (a SIP reason, the engine's words) is kept as it is, except an
    inbound policy's refusal, which is one of the policy's fixed sentences."""
    word, colon, rest = outcome.partition(":")
    key = word.strip().lower()
    if key not in _OUTCOME_WORDS:
        return outcome
    said = translate("HistoryFilter", _OUTCOME_WORDS[key])
    if not colon:
        return said
    reason = (stored_refusal(rest) if key == "refused" else None) or rest.strip()
    return translate("HistoryFilter", "{outcome}: {reason}").format(outcome=said, reason=reason)


def direction_text(direction: str) -> str:
    words = _DIRECTION_WORDS.get(direction)
    return translate("HistoryFilter", words) if words else direction


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
            when = short_date_time(r.started.astimezone())
            label = translate("HistoryFilter", "{address} — {direction} {when}, {outcome}")
            label = label.format(
                address=address,
                direction=direction_text(r.direction.value),
                when=when,
                outcome=outcome_text(r.outcome),
            )
            found.append((label, r.peer))
            if len(found) >= limit:
                break
    return found
