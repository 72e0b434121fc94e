"""Network quality of a call from the engine's statistics. Pure, any thread.

Thresholds follow common VoIP guidance (ITU-T G.114 for delay; loss above a few
per cent and jitter beyond a typical jitter buffer are audible).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from softphone.engine.events import MediaStats
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate


class Quality(enum.StrEnum):
    UNKNOWN = "unknown"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


@dataclass(frozen=True)
class QualityView:
    quality: Quality
    text: str


_WORDS = {
    Quality.UNKNOWN: QT_TRANSLATE_NOOP("Quality", "unknown"),
    Quality.GOOD: QT_TRANSLATE_NOOP("Quality", "good"),
    Quality.FAIR: QT_TRANSLATE_NOOP("Quality", "fair"),
    Quality.POOR: QT_TRANSLATE_NOOP("Quality", "poor"),
}

_LIMITS = (  # (loss %, jitter ms, RTT ms) that a level may not exceed
    (Quality.GOOD, 1.0, 30.0, 300.0),
    (Quality.FAIR, 5.0, 60.0, 600.0),
)


def rate(stats: MediaStats | None) -> QualityView:
    if stats is None:
        return QualityView(Quality.UNKNOWN, translate("Quality", "Network: measuring…"))
    rtt = stats.rtt_ms
    quality = Quality.POOR
    for level, loss, jitter, max_rtt in _LIMITS:
        if stats.rx_loss_pct <= loss and stats.jitter_ms <= jitter and (rtt or 0) <= max_rtt:
            quality = level
            break
    rtt_text = (
        translate("Quality", "{rtt} ms").format(rtt=f"{rtt:.0f}")
        if rtt is not None
        else translate("Quality", "n/a")
    )
    text = translate(
        "Quality", "Network: {quality} · loss {loss} % · jitter {jitter} ms · RTT {rtt}"
    ).format(
        quality=translate("Quality", _WORDS[quality]),
        loss=f"{stats.rx_loss_pct:.1f}",
        jitter=f"{stats.jitter_ms:.1f}",
        rtt=rtt_text,
    )
    return QualityView(quality, text)
