"""G.722 decoded to 16 bits and encoded from 16 bits, as spandsp does both
(`media/g722_precision.c`).

pjmedia's G.722 decoder returns 14-bit samples that its codec doubles, so the
lowest bit of everything we receive over G.722 is 0; and its codec halves what it
encodes, so the lowest bit of what we send is lost before the encoder's filter.
baresip, Asterisk and FreeSWITCH (spandsp) keep both. Our C functions take the
place of pjmedia's decode and encode in pjsua2's extension (its PLT slots): they
keep the bit in each direction around pjmedia's own ADPCM, so we decode to
spandsp's samples and send spandsp's bytes; pjmedia's codec is then set not to
scale (PCM shift 0).

Checked, never assumed: the functions and coefficients are looked up in
pjsua2's extension, and both state layouts are verified by self-tests before
anything is replaced. Anything missing or different: pjmedia's codec as it is,
the reason logged once. SOFTPHONE_G722_WIDE=0 turns it off.

Engine thread, once per process (the replacement lasts as long as the library).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os

import pjsua2 as pj

from softphone.media.nativebridge import ExtensionMissing, declare, extension

log = logging.getLogger(__name__)

ENABLED = os.environ.get("SOFTPHONE_G722_WIDE", "1") != "0"
REFUSALS = {
    -1: "pjmedia's coder failed the self-test",
    -2: "not an ELF platform",
    -3: "pjsua2's extension not found among the loaded modules",
    -4: "pjsua2's extension does not call its G.722 functions through its PLT",
    -5: "a PLT slot could not be written",
}


@functools.cache
def _functions() -> tuple[dict, dict]:
    """Our extension's g722p_* functions and pjmedia's addresses they need."""
    vp, i64 = ctypes.c_void_p, ctypes.c_int64
    ours = declare(
        extension(),
        (
            ("g722p_prepare", [vp, vp, vp, vp, vp], i64),
            ("g722p_install", [], ctypes.c_int),
            ("g722p_activate", [ctypes.c_int], None),
            ("g722p_installed", [], i64),
            ("g722p_mismatched", [], i64),
            ("g722p_encoded", [], i64),
        ),
    )
    so = ctypes.CDLL(pj._pjsua2.__file__)
    theirs = {
        name: ctypes.cast(getattr(so, name), vp).value
        for name in ("g722_dec_decode", "g722_enc_encode", "g722_dec_init", "g722_enc_init")
    }
    theirs["g722_qmf_coeff"] = ctypes.addressof(ctypes.c_int.in_dll(so, "g722_qmf_coeff"))
    return ours, theirs


def prepare() -> int:
    """Hand our C functions pjmedia's decoder, encoder and coefficients and run the
    self-tests; the samples and bytes they found unlike pjmedia's (0: both layouts
    are as expected).
    Raises what `_functions` raises. Nothing is replaced yet."""
    ours, theirs = _functions()
    return int(
        ours["g722p_prepare"](
            theirs["g722_dec_decode"],
            theirs["g722_enc_encode"],
            theirs["g722_dec_init"],
            theirs["g722_enc_init"],
            theirs["g722_qmf_coeff"],
        )
    )


@functools.cache
def install() -> bool:
    """Put our G.722 decode and encode in pjmedia's place, passing everything through
    to pjmedia's until `activate`. Whether they are there."""
    if not ENABLED:
        return False
    try:
        ours = _functions()[0]
    except (ExtensionMissing, AttributeError, OSError, ValueError) as e:
        log.info("G.722 coded by pjmedia at 14 bits: %s", e)
        return False
    wrong = prepare()
    if wrong != 0:
        why = "its coder states are not laid out as pjmedia 2.15's"
        log.info("G.722 coded by pjmedia at 14 bits: %s (%d self-test values)", why, wrong)
        return False
    status = ours["g722p_install"]()
    if status != 0:
        log.info("G.722 coded by pjmedia at 14 bits: %s", REFUSALS.get(status, status))
        return False
    return True


def mismatched() -> int:
    """Samples our decode computed unlike pjmedia's decoder (pjmedia's used): 0."""
    try:
        return int(_functions()[0]["g722p_mismatched"]())
    except (ExtensionMissing, AttributeError, OSError):
        return 0


def encoded() -> int:
    """Bytes our encode has produced in this process (0 where it is not in place)."""
    try:
        return int(_functions()[0]["g722p_encoded"]())
    except (ExtensionMissing, AttributeError, OSError):
        return 0


def activate(on: bool) -> None:
    """Decode to and encode from 16 bits (`on`: pjmedia's G.722 PCM shift is 0 now),
    or leave pjmedia's functions to do all (its shift is whatever it is).
    Before any G.722 codec opens: engine start."""
    if install():
        _functions()[0]["g722p_activate"](1 if on else 0)
