"""History filters and the search field's default (history) matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from softphone.storage.database import CallRecord, Direction
from softphone.ui.history_filter import OutcomeGroup, history_matches, keep, outcome_group

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def _rec(peer: str, direction: Direction, outcome: str, minutes: int = 0) -> CallRecord:
    return CallRecord(T0 + timedelta(minutes=minutes), 10.0, direction, outcome, True, False, peer)


@pytest.mark.parametrize(
    ("outcome", "group"),
    [
        ("answered", OutcomeGroup.ANSWERED),
        ("missed", OutcomeGroup.MISSED),
        ("declined", OutcomeGroup.DECLINED),
        ("busy", OutcomeGroup.DECLINED),
        ("no answer", OutcomeGroup.FAILED),
        ("failed: 503 Service Unavailable", OutcomeGroup.FAILED),
        ("refused: media is not encrypted (RTP/AVP)", OutcomeGroup.FAILED),
    ],
)
def test_history_outcome_groups(outcome: str, group: OutcomeGroup) -> None:
    assert outcome_group(outcome) is group


def test_history_filter_direction_and_outcome() -> None:
    r = _rec("sip:a@x", Direction.INCOMING, "missed")
    assert keep(r, None, None)
    assert keep(r, "incoming", OutcomeGroup.MISSED)
    assert not keep(r, "outgoing", None)
    assert not keep(r, None, OutcomeGroup.ANSWERED)


def test_history_matches_by_text_and_digits_newest_first_distinct() -> None:
    records = [
        _rec("sip:+12125550100@pbx.example;user=phone", Direction.OUTGOING, "answered", 5),
        _rec("sip:bob@pbx.example", Direction.INCOMING, "missed", 3),
        _rec("sip:+12125550100@pbx.example;user=phone", Direction.INCOMING, "missed", 1),
    ]
    by_digits = history_matches(records, "212 555")
    assert len(by_digits) == 1
    assert by_digits[0][1] == records[0].peer and "outgoing" in by_digits[0][0]
    assert [t for _l, t in history_matches(records, "BOB")] == ["sip:bob@pbx.example"]
    assert history_matches(records, "  ") == []
    assert history_matches(records, "zzz") == []
