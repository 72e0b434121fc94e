"""The C port (`media/bridgeport.c`) does what the Python half of the bridge
(`PjmediaSide`) does, frame for frame: both are driven with the same frames over two
`BridgeState`s, the C one through pjsip's own dispatchers, and every ring, counter
and frame must come out the same. (The smoothed fill and the low envelope depend on
when each pull happens, so they are left out; so are resyncs, kept out of reach.)"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from softphone.engine import nativeport
from softphone.media import bridge as b
from softphone.media.ring import SampleRing

RATE, FRAME, CAPACITY = 16000, 320, 2000
AUDIO, NONE = 1, 0

pytestmark = pytest.mark.skipif(
    nativeport.available() is not None, reason=f"no C port: {nativeport.available()}"
)


class CSide:
    def __init__(self, state: b.BridgeState) -> None:
        self.api = nativeport._api()
        self.port = nativeport.NativeBridgePort(state, RATE).new_attached_port("parity")

    def _frame(self, kind: int, data: np.ndarray | None, count: int):
        address = data.ctypes.data if data is not None else 0
        size = count * 2 if data is not None else 0
        return nativeport._PjFrame(kind, address, size, 0, 0)

    def frame_requested(self, out: np.ndarray) -> None:
        frame = self._frame(AUDIO, out, len(out))
        assert self.api.get_frame(self.port, ctypes.byref(frame)) == 0
        assert frame.type == AUDIO

    def frame_received(self, data: np.ndarray | None) -> None:
        frame = self._frame(AUDIO if data is not None else NONE, data, FRAME)
        assert self.api.put_frame(self.port, ctypes.byref(frame)) == 0

    def close(self) -> None:
        self.api.bp_free(self.port)


class PySide:
    def __init__(self, state: b.BridgeState) -> None:
        self.side = b.PjmediaSide(state, RATE, FRAME)

    def frame_requested(self, out: np.ndarray) -> None:
        self.side.frame_requested(out.ctypes.data, len(out))

    def frame_received(self, data: np.ndarray | None) -> None:
        if data is None:
            self.side.frame_received(0, FRAME)
        else:
            self.side.frame_received(data.ctypes.data, len(data))

    def close(self) -> None:
        pass


def run_script(side_cls) -> tuple[b.BridgeState, list[np.ndarray]]:
    state = b.BridgeState(CAPACITY)
    state.clear()
    state.floats[b.F_TARGET_LEFT] = 1e9  # no resync: it depends on the pull's timing
    side = side_cls(state)
    capture, _ = state.rings()
    rng = np.random.default_rng(7)
    pulled = []

    def pull(count: int = FRAME) -> None:
        out = np.full(count, 1234, dtype=np.int16)
        side.frame_requested(out)
        pulled.append(out)

    try:
        pull()  # not primed: silence, a priming frame
        for i in range(8):  # the speaker not started: frames kept while they fit
            side.frame_received(rng.integers(-3000, 3000, FRAME, dtype=np.int16))
            if i == 3:
                side.frame_received(None)  # a silent frame (pjmedia's NONE)
        state.floats[b.F_PLAY_PRIMED] = 1.0
        side.frame_received(rng.integers(-3000, 3000, FRAME, dtype=np.int16))  # overrun
        _, playback = state.rings()  # the device side drains the speaker ring
        playback.discard(1500)
        side.frame_received(rng.integers(-3000, 3000, FRAME, dtype=np.int16))  # wraps
        state.floats[b.F_PLAY_RUNNING] = 0.0
        side.frame_received(rng.integers(-3000, 3000, FRAME, dtype=np.int16))  # dropped
        # the microphone: samples arrive, the ring is primed, pjmedia pulls
        capture.write(rng.integers(-3000, 3000, 1700, dtype=np.int16))
        state.floats[b.F_PRIMED] = 1.0
        for _ in range(6):  # the last pull finds too little: padded with silence
            pull()
        capture.write(rng.integers(-3000, 3000, 900, dtype=np.int16))  # wraps
        pull()
        pull(FRAME // 2)
    finally:
        side.close()
    return state, pulled


def test_the_c_port_and_the_python_side_leave_the_same_state():
    c_state, c_pulled = run_script(CSide)
    py_state, py_pulled = run_script(PySide)
    for c_out, py_out in zip(c_pulled, py_pulled, strict=True):
        assert np.array_equal(c_out, py_out)
    assert np.array_equal(c_state.capture_counters, py_state.capture_counters)
    assert np.array_equal(c_state.playback_counters, py_state.playback_counters)
    assert np.array_equal(c_state.capture_buf, py_state.capture_buf)
    assert np.array_equal(c_state.playback_buf, py_state.playback_buf)
    for i in (b.I_PULLS, b.I_PRIMING_FRAMES, b.I_RESYNCS, b.I_FRAMES_RECEIVED, b.I_PRIMED_SEEN):
        assert c_state.ints[i] == py_state.ints[i], i
    assert c_state.floats[b.F_DEFICIT] == pytest.approx(py_state.floats[b.F_DEFICIT])
    # the script reached what it is about
    counters = SampleRing(CAPACITY, c_state.playback_buf, c_state.playback_counters)
    assert counters.overruns >= 1
    assert SampleRing(CAPACITY, c_state.capture_buf, c_state.capture_counters).underruns >= 1
    assert c_state.ints[b.I_PRIMING_FRAMES] == 1 and c_state.ints[b.I_FRAMES_RECEIVED] == 12
