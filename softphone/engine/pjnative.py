"""C functions of pjsip that pjsua2 does not wrap, found in pjsua2's own extension.

dlopen of an already loaded library returns that library, so these act on the same
pjsip state as pjsua2 (its codec factories, its SDP objects). Whether a build exports
a function is learnt by looking, never assumed: `native_function` raises when not.
"""

from __future__ import annotations

import ctypes

import pjsua2 as pj


def native_function(name: str, argtypes: list, restype: type | None):
    """`name` from pjsua2's extension, typed; OSError or AttributeError if this build
    has no such symbol (another platform's wheel, a static build that hides it)."""
    fn = getattr(ctypes.CDLL(pj._pjsua2.__file__), name)
    fn.argtypes = argtypes
    fn.restype = restype
    return fn
