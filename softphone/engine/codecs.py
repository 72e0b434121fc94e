"""Codec order from a profile, applied to pjmedia's global codec priorities.

Engine thread only. pjsua keeps one codec priority table for the whole
endpoint, so the order of the account placing or answering a call is applied
just before its SDP is built. Codecs the profile does not list are disabled:
the list is the allowed set, not a hint.
"""

from __future__ import annotations

import logging

import pjsua2 as pj

log = logging.getLogger(__name__)


def priorities(available: list[str], wanted: tuple[str, ...]) -> dict[str, int]:
    """Priority (255 first .. 0 disabled) per codec id like "PCMU/8000/1". Pure."""
    result = dict.fromkeys(available, 0)
    for rank, name in enumerate(wanted):
        key = name.lower()
        for codec_id in available:
            if result[codec_id] == 0 and _matches(codec_id.lower(), key):
                result[codec_id] = max(255 - rank, 1)
    return result


def _matches(codec_id: str, name: str) -> bool:
    return codec_id == name or codec_id.startswith(name + "/")


class CodecOrder:
    def __init__(self, endpoint: pj.Endpoint) -> None:
        self._ep = endpoint
        self._applied: tuple[str, ...] | None = None

    def apply(self, wanted: tuple[str, ...]) -> None:
        if wanted == self._applied:
            return
        available = [c.codecId for c in self._ep.codecEnum2()]
        table = priorities(available, wanted)
        if not any(table.values()):
            raise ValueError(
                f"none of the profile's codecs {list(wanted)} is available "
                f"(this build has: {', '.join(available)})"
            )
        for codec_id, prio in table.items():
            self._ep.codecSetPriority(codec_id, prio)
        self._applied = wanted
