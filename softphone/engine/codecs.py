"""Codecs: the order from a profile, applied to pjmedia's global codec priorities, and
G.722's level set to what the rest of the SIP world uses.

Engine thread only. pjsua keeps one codec priority table for the whole
endpoint, so the order of the account placing or answering a call is applied
just before its SDP is built. Codecs the profile does not list are disabled:
the list is the allowed set, not a hint.
"""

from __future__ import annotations

import ctypes
import functools
import logging
from collections.abc import Callable

import pjsua2 as pj

from softphone.engine import g722_precision
from softphone.engine.pjnative import native_function

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


# pjmedia's G.722 scales PCM by 1 << PJMEDIA_G722_DEFAULT_PCM_SHIFT (shift 2, factor 4):
# its encoder divides what it sends by 4 and its decoder multiplies what it receives by
# 4, halving that for the rest of the call at the first clipped sample
# (PJMEDIA_G722_STOP_PCM_SHIFT_ON_CLIPPING; pjmedia/src/pjmedia-codec/g722.c).
# spandsp's G.722 and its descendants - Asterisk, FreeSWITCH, baresip, Linphone: what SIP
# servers and most phones run - work as a factor of 2. With pjmedia's default a baresip
# peer reached us 6 dB loud (for the whole call if nothing ever clips) and heard us 6 dB
# quiet (measured, bench/quality.py); a shift of 1 (factor 2) makes both ways 1:1.
# The trade-off: a pjsip-based peer left at pjsip's default now sounds 6 dB quieter to
# us, and hears us 6 dB louder until its first clipped sample halves its factor.
G722_PCM_SHIFT = 1


def match_g722_level_to_spandsp() -> bool:
    """Set pjmedia's G.722 PCM shift to spandsp's level (engine thread, after libInit:
    pjmedia's G.722 factory resets its default there, and reads it when a codec opens).

    pjsua2 does not wrap `pjmedia_codec_g722_set_pcm_shift`; the Linux wheel's extension
    exports it, so it is found there with ctypes. A build without it (another platform,
    no G.722) keeps pjmedia's default: logged once, not an error. False then.
    """
    setter = _g722_pcm_shift_setter()
    if setter is None:
        return False
    # with our 16-bit decode and encode in place (engine/g722_precision.py) our functions scale,
    # and only once pjmedia's codec no longer does
    wide = g722_precision.install() and setter(0) == 0
    g722_precision.activate(wide)
    status = 0 if wide else setter(G722_PCM_SHIFT)
    if status != 0:  # pj_status_t; the function always returns PJ_SUCCESS today
        log.info("G.722 level left at pjmedia's default: setting it failed (%d)", status)
        return False
    return True


@functools.cache
def _g722_pcm_shift_setter() -> Callable[[int], int] | None:
    """pjmedia_codec_g722_set_pcm_shift from pjsua2's own extension, or None."""
    try:
        return native_function("pjmedia_codec_g722_set_pcm_shift", [ctypes.c_uint], ctypes.c_int)
    except (AttributeError, OSError) as e:
        log.info("G.722 level left at pjmedia's default (6 dB off spandsp's peers): %s", e)
        return None
