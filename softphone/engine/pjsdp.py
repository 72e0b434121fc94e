"""The text of an SDP pjsua2 holds, whatever its size. Engine thread (pjsua2 objects).

pjsua2 prints SDPs for Python callbacks into a 1024-byte buffer and hands over an
empty string when one does not fit (`SdpSession::fromPj`): an offer with end-to-end
lines usually does not. The printed form is only a view: `pjSdpSession` still points
at pjsua's own SDP, so we print it again with pjmedia's `pjmedia_sdp_print`, which
the wheel's extension module exports, into a buffer of our own.

If neither works the caller gets "" and must treat the SDP as unreadable — refuse,
never assume it is fine (the plaintext guard ends such a call).
"""

from __future__ import annotations

import ctypes
import functools
import logging

import pjsua2 as pj

from softphone.engine.pjnative import native_function

log = logging.getLogger(__name__)

_BUFFER = 32 * 1024  # pjsip refuses messages over 4000 bytes; an SDP is far below this


@functools.cache
def _printer() -> ctypes._CFuncPtr | None:
    try:
        return native_function(
            "pjmedia_sdp_print", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int
        )
    except (OSError, AttributeError) as e:
        log.warning("pjmedia_sdp_print is not reachable (%s): SDPs over 1 KiB are unreadable", e)
        return None


def sdp_text(sdp: pj.SdpSession) -> str:
    """The whole SDP text of `sdp`, or "" if it cannot be read."""
    if sdp.wholeSdp:
        return sdp.wholeSdp
    pointer = sdp.pjSdpSession
    printer = _printer()
    if pointer is None or printer is None:
        return ""
    buf = ctypes.create_string_buffer(_BUFFER)
    length = printer(int(pointer), buf, _BUFFER)
    if length <= 0:
        return ""
    return buf.raw[:length].decode("utf-8", errors="replace")
