"""The memmove path into pjsua2 frame buffers: verified, and equal to the slow path."""

from __future__ import annotations

import ctypes

import pjsua2 as pj

from softphone.engine.pjframes import FAST_PATH, data_address


def test_fast_path_reads_what_swig_wrote_and_writes_what_swig_reads() -> None:
    assert FAST_PATH  # libstdc++'s vector layout, checked at import
    v = pj.ByteVector()
    for b in b"hello pjmedia":
        v.append(b)
    address, size = data_address(v)
    assert ctypes.string_at(address, size) == b"hello pjmedia"
    v.resize(640)
    address, size = data_address(v)
    assert size == 640
    ctypes.memmove(address, b"\x01\x02" * 320, 640)
    assert bytes(v) == b"\x01\x02" * 320  # the slow, element-by-element view agrees
    empty = pj.ByteVector()
    assert data_address(empty) == (0, 0)
