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


def test_frame_audio_reads_the_frame_as_swig_set_it() -> None:
    from softphone.engine.pjframes import FRAME_FAST_PATH, frame_audio

    assert FRAME_FAST_PATH  # pj::MediaFrame's layout, checked at import
    frame = pj.MediaFrame()
    assert frame_audio(frame) is None  # a fresh frame holds nothing
    frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
    frame.buf = pj.ByteVector(b"\x01\x02" * 320)
    frame.size = 640
    assert frame_audio(frame) == b"\x01\x02" * 320
    frame.size = 4  # the size says how much of the vector is audio
    assert frame_audio(frame) == b"\x01\x02\x01\x02"
    frame.type = pj.PJMEDIA_FRAME_TYPE_NONE
    assert frame_audio(frame) is None


def test_keep_thread_state_is_harmless_on_any_thread() -> None:
    """pjmedia's threads are not Python's; on one that is, the extra hold on its thread
    state changes nothing either (the thread still ends and is joined)."""
    import threading

    from softphone.engine.pjframes import keep_thread_state

    seen = []

    def run() -> None:
        keep_thread_state()
        keep_thread_state()  # once per thread: the second only looks
        seen.append(threading.get_ident())

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and len(seen) == 1


def test_keep_thread_state_holds_the_state_of_a_new_thread_that_reuses_an_old_id(
    monkeypatch,
) -> None:
    """A thread's id is reused once it has ended (glibc hands the next thread the dead
    one's stack, and the id is its address): each engine's pjmedia clock thread usually
    has the id of the previous engine's. The new thread's state must be kept too."""
    import threading

    from softphone.engine import pjframes

    ensured = []
    monkeypatch.setattr(pjframes, "_ensure", lambda: ensured.append(1))
    # every thread gets the same id, as the clock threads of successive engines do
    monkeypatch.setattr(pjframes.threading, "get_ident", lambda: 4242)

    def clock_thread() -> None:
        pjframes.keep_thread_state()
        pjframes.keep_thread_state()  # the same thread again: nothing more

    for _ in range(2):  # one engine's clock thread ends, the next one's starts
        worker = threading.Thread(target=clock_thread)
        worker.start()
        worker.join(5)
        assert not worker.is_alive()
    assert len(ensured) == 2  # once per thread, each thread once
