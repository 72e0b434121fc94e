"""Network quality levels from loss, jitter and RTT."""

from __future__ import annotations

import pytest

from softphone.engine.events import MediaStats
from softphone.ui.quality import Quality, rate


def _stats(loss: float, jitter: float, rtt: float | None) -> MediaStats:
    return MediaStats(100, 100, int(loss), loss, jitter, rtt, "PCMU", 8000)


@pytest.mark.parametrize(
    ("loss", "jitter", "rtt", "expected"),
    [
        (0.0, 0.3, None, Quality.GOOD),
        (0.5, 20.0, 120.0, Quality.GOOD),
        (3.0, 20.0, 120.0, Quality.FAIR),
        (0.0, 45.0, 120.0, Quality.FAIR),
        (0.0, 5.0, 450.0, Quality.FAIR),
        (8.0, 5.0, 50.0, Quality.POOR),
        (0.0, 80.0, 50.0, Quality.POOR),
        (0.0, 5.0, 900.0, Quality.POOR),
    ],
)
def test_quality_levels(loss: float, jitter: float, rtt: float | None, expected: Quality) -> None:
    assert rate(_stats(loss, jitter, rtt)).quality is expected


def test_quality_text_names_each_measure() -> None:
    assert rate(_stats(1.3, 3.04, None)).text == (
        "Network: fair · loss 1.3 % · jitter 3.0 ms · RTT n/a"
    )
    assert rate(_stats(0.0, 1.0, 42.4)).text == (
        "Network: good · loss 0.0 % · jitter 1.0 ms · RTT 42 ms"
    )
    assert rate(None).quality is Quality.UNKNOWN
