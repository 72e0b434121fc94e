"""Fast access to the bytes of a pjsua2 MediaFrame. Any thread; no allocation per call.

`MediaFrame.buf` is a SWIG proxy of a C++ `std::vector<unsigned char>`; going
through it element by element costs about 1 µs per byte (0.3 ms for one 20 ms
frame at 16 kHz). The vector's first member is the pointer to its data (the
layout of libstdc++, libc++ and MSVC's release builds: begin, end, capacity),
and SWIG's `.this` gives the vector's address, so its data can be copied with
one `memmove`. `FAST_PATH` is decided once, at import, by reading back a vector
filled through the SWIG API; if the layout is not the expected one, the slow
but portable path is used instead.
"""

from __future__ import annotations

import ctypes
import threading

import pjsua2 as pj

_Triple = ctypes.c_void_p * 3


def data_address(vector: pj.ByteVector) -> tuple[int, int]:
    """(address of the first byte, size in bytes) of a ByteVector."""
    begin, end, _cap = _Triple.from_address(int(vector.this))
    if not begin:
        return 0, 0
    return begin, end - begin


def _check_layout() -> bool:
    probe = pj.ByteVector()
    pattern = bytes(range(1, 40))
    for b in pattern:
        probe.append(b)
    try:
        address, size = data_address(probe)
        if size != len(pattern) or ctypes.string_at(address, size) != pattern:
            return False
        probe.resize(1000)
        address, size = data_address(probe)
        return size == 1000 and ctypes.string_at(address, len(pattern)) == pattern
    except (ValueError, OSError, TypeError):
        return False


FAST_PATH = _check_layout()


def vector_bytes(vector: pj.ByteVector) -> bytes:
    """A copy of a ByteVector's bytes (one memmove on the fast path)."""
    if not FAST_PATH:
        return bytes(vector)
    address, size = data_address(vector)
    return ctypes.string_at(address, size) if size else b""


class _MediaFrame(ctypes.Structure):
    """pj::MediaFrame as the compiler lays it out: type, buf (a std::vector), size."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("begin", ctypes.c_void_p),
        ("end", ctypes.c_void_p),
        ("capacity", ctypes.c_void_p),
        ("size", ctypes.c_uint),
    ]


def _check_frame_layout() -> bool:
    if not FAST_PATH:
        return False
    pattern = bytes(range(1, 40))
    try:
        for kind, size in ((pj.PJMEDIA_FRAME_TYPE_AUDIO, 1234), (pj.PJMEDIA_FRAME_TYPE_NONE, 7)):
            probe = pj.MediaFrame()
            probe.type = kind
            probe.buf = pj.ByteVector(pattern)
            probe.size = size
            view = _MediaFrame.from_address(int(probe.this))
            seen = ctypes.string_at(view.begin, view.end - view.begin) if view.begin else b""
            if view.type != kind or view.size != size or seen != pattern:
                return False
        return True
    except (ValueError, OSError, TypeError, AttributeError):
        return False


FRAME_FAST_PATH = _check_frame_layout()
_AUDIO = pj.PJMEDIA_FRAME_TYPE_AUDIO


def frame_audio(frame: pj.MediaFrame) -> bytes | None:
    """A copy of an audio frame's bytes; None for a frame without audio.

    On the fast path the frame is read as the struct it is (`FRAME_FAST_PATH`,
    checked at import like `FAST_PATH`): one ctypes view instead of three SWIG
    property calls and a vector proxy, on a path pjmedia's clock takes 50 times a
    second per port."""
    if FRAME_FAST_PATH:
        view = _MediaFrame.from_address(int(frame.this))
        begin = view.begin
        if view.type != _AUDIO or not view.size or not begin:
            return None
        return ctypes.string_at(begin, min(view.size, view.end - begin))
    if frame.type != _AUDIO or not frame.size:
        return None
    return vector_bytes(frame.buf) or None


# -- Python thread states on pjmedia's threads -----------------------------------------

_ensure = ctypes.pythonapi.PyGILState_Ensure
_ensure.argtypes = []
_ensure.restype = ctypes.c_int
_kept = threading.local()  # per thread *state*: a thread id is reused, a state is not


def keep_thread_state() -> None:
    """Keep the calling thread's Python thread state for as long as the thread lives.

    pjmedia's threads (its conference clock above all) are not Python's: each call
    into Python from one goes through PyGILState_Ensure/Release, which without a
    thread state of the thread's own creates one and deletes it again on the way out,
    every time. In Python 3.11 that is an allocation, a registration in the
    interpreter, and a 16 KiB frame stack mmap'd, page-faulted in and munmap'd: per
    audio port, 50 times a second (measured with strace: one mmap and one munmap per
    frame callback). One more Ensure that is never released keeps the state: every
    later call only takes the GIL. Call it first thing in a callback that pjmedia
    makes; it costs an attribute lookup once done. (The state is one small object per
    pjmedia thread, freed with the interpreter.)

    Remembered in a `threading.local`, not by thread id: each engine's libDestroy()
    ends pjmedia's clock thread and the next engine's usually gets the same id (glibc
    reuses the dead thread's stack, and the id is its address). Keyed by id, every
    engine after the first in a process found its clock thread "already kept" and went
    back to a new thread state per frame; a thread-local lives in the thread state, so
    a new thread starts without it."""
    if getattr(_kept, "done", False):
        return
    _kept.done = True
    _ensure()  # recursive for this thread, which holds the GIL: it only counts
