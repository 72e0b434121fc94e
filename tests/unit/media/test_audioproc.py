"""The audio process on its own: shared memory between the two halves of the bridge,
the command channel, and a child that dies being replaced. No sound device needed."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from softphone.media.audioproc import AudioProcess
from softphone.media.bridge import I_INPUT_CALLBACKS, AudioBridge, BridgeState

RATE, FRAME = 16000, 320


@pytest.fixture
def proc():
    p = AudioProcess(RATE, FRAME)
    p.start()
    yield p
    p.stop()


def test_audioproc_pjmedia_side_and_child_share_the_bridge_state(proc) -> None:
    frame = np.arange(FRAME, dtype=np.int16)
    for _ in range(5):
        proc.pjmedia.frame_received(frame.ctypes.data, FRAME)
    out = np.full(FRAME, 7, dtype=np.int16)
    proc.pjmedia.frame_requested(out.ctypes.data, FRAME)  # nothing captured: silence
    assert not out.any()
    stats = proc.stats()  # computed in the child, from shared memory
    assert stats.frames_received == 5
    assert stats.capture_priming_frames == 1
    assert proc.set_processing(dict.fromkeys(("echo_cancellation",), False)) is None
    assert proc.input_problem() is None and proc.output_problem() is None


def test_audioproc_a_dead_child_is_replaced_and_keeps_the_counters(proc) -> None:
    frame = np.zeros(FRAME, dtype=np.int16)
    proc.pjmedia.frame_received(frame.ctypes.data, FRAME)
    assert proc.stats().frames_received == 1
    os.kill(proc.pid, signal.SIGKILL)
    proc._child.proc.wait(5)
    proc.pjmedia.frame_received(frame.ctypes.data, FRAME)  # pjmedia never notices
    assert proc.stats().frames_received == 2
    assert proc.restarts == 1


def test_audioproc_health_check_asks_the_child_only_when_a_stream_went_quiet(proc) -> None:
    """A stream whose callback count (in shared memory) moved since the last check is
    well without a round trip to the child; one whose count stood still is judged there."""
    asked = []
    send = proc._send
    proc._send = lambda name, *a: asked.append(name) or send(name, *a)
    proc.input = object()  # as if open: the child has no stream, so it judges it fine
    proc.state.ints[I_INPUT_CALLBACKS] += 3
    assert proc.input_problem() is None and asked == []
    assert proc.input_problem() is None and asked == ["input_problem"]
    proc.state.ints[I_INPUT_CALLBACKS] += 1
    assert proc.input_problem() is None and asked == ["input_problem"]


def test_audioproc_errors_come_back_as_exceptions(proc) -> None:
    with pytest.raises(ValueError, match="unknown command"):
        proc._send("os.system", "true")


def test_audioproc_shared_memory_goes_with_stop() -> None:
    p = AudioProcess(RATE, FRAME)
    p.start()
    name = p._shm.name
    p.stop()
    from multiprocessing import shared_memory

    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name)


def test_bridge_state_in_a_buffer_is_the_same_bridge() -> None:
    """Two views of one buffer behave as one bridge (as the two processes do)."""
    buf = bytearray(BridgeState.size(RATE))
    a = BridgeState(RATE, buf)
    a.clear()
    device_half = AudioBridge(state=a)
    pjmedia_half = AudioBridge(state=BridgeState(RATE, buf)).pjmedia
    frame = np.full(FRAME, 1000, dtype=np.int16)
    pjmedia_half.frame_received(frame.ctypes.data, FRAME)
    assert device_half.playback_ring.fill == FRAME
    assert device_half.stats().frames_received == 1


def test_audioproc_pjmedia_side_stays_mapped_after_stop() -> None:
    """pjmedia may call the port until the conference bridge lets go of it: after the
    audio process has stopped, the memory behind the pjmedia side is still there."""
    import gc

    p = AudioProcess(RATE, FRAME)
    p.start()
    side = p.pjmedia
    p.stop()
    del p
    gc.collect()
    frame = np.full(FRAME, 3, dtype=np.int16)
    side.frame_received(frame.ctypes.data, FRAME)
    side.frame_requested(frame.ctypes.data, FRAME)
    assert not frame.any()


def test_audioproc_the_speaker_margin_is_the_engines_choice() -> None:
    """10 ms with the C port, 30 ms with the Python one (engine/audio.py decides)."""
    targets = []
    for margin in (0.01, 0.03):
        p = AudioProcess(RATE, FRAME, margin)
        p.start()
        try:
            targets.append(p.stats().playback_target_ms)  # before any speaker block
        finally:
            p.stop()
    assert targets == [30.0, 50.0]  # one 20 ms frame + the margin
