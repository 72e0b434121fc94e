"""The C device side (`media/deviceside.c`) does what the Python one (`AudioBridge.capture`
/ `.playback`) does: both bridges get the same microphone blocks, the same speaker
pulls and the same pjmedia frames at the same (fake) times, and every frame pjmedia
gets, every block the speaker plays, every ring counter and every control figure must
come out the same (samples within float rounding: the C filter sums its taps in
another order). The scripts cover resampling and equal rates, priming, a stalled
pjmedia (backlog, resync), a speaker restarted mid-call and device error flags."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from softphone.media import bridge as b
from softphone.media import nativebridge

RATE, FRAME = 16000, 320

pytestmark = pytest.mark.skipif(
    nativebridge.unavailable() is not None, reason=f"no C device side: {nativebridge.unavailable()}"
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(cls, clock: Clock, mic_rate: int, speaker_rate: int):
    bridge = cls(
        call_rate=RATE,
        frame_samples=FRAME,
        capture_rate=mic_rate,
        playback_rate=speaker_rate,
        clock=clock,
        ring_seconds=1.0,
        playback_margin_s=0.01,
    )
    bridge.pjmedia._clock = clock
    bridge.set_capture_rate(mic_rate)
    bridge.set_playback_rate(speaker_rate)
    return bridge


def signal(n: int, start: int, rate: int) -> np.ndarray:
    t = (np.arange(n) + start) / rate
    rng = np.random.default_rng(start)
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(n)
    return x.astype(np.float32)


def run_script(bridge, clock: Clock, mic_rate: int, speaker_rate: int, seconds: float):
    """Drive one bridge: 10 ms device blocks, 20 ms pjmedia frames; returns what came out."""
    got_frames, played = [], []
    mic_block, spk_block = mic_rate // 100, speaker_rate // 100
    sent = 0
    steps = int(seconds * 100)
    for step in range(steps):
        clock.now = 100.0 + step * 0.01
        stalled = 150 <= step < 190  # pjmedia held up 400 ms, catches up only in part
        quiet = step >= steps - 30  # the peaks decay: the meters' figures are compared too
        block = signal(mic_block, sent, mic_rate) * (0.0 if quiet else 1.0)
        bridge.capture(block, device_error=step == 33)
        sent += mic_block
        out = np.zeros(spk_block, dtype=np.float32)
        bridge.playback(out, device_error=step == 77)
        played.append(out.copy())
        if step == 250:  # a new speaker stream
            bridge.playback_stopped()
            bridge.set_playback_rate(speaker_rate)
        if step % 2 == 0 and not stalled:
            pulls = 3 if step == 190 else 1
            for _ in range(pulls):
                frame = np.zeros(FRAME, dtype=np.int16)
                bridge.frame_requested(frame.ctypes.data, FRAME)
                got_frames.append(frame)
                data = (8000 * np.sin(np.arange(FRAME) * 0.05 + step)).astype(np.int16)
                if step % 10 == 0 or quiet:
                    bridge.frame_received(0, FRAME)  # a silent frame
                else:
                    bridge.frame_received(data.ctypes.data, FRAME)
    return np.concatenate(got_frames), np.concatenate(played)


@pytest.mark.parametrize(("mic_rate", "speaker_rate"), [(16000, 16000), (48000, 44100)])
def test_the_c_device_side_matches_the_python_one(mic_rate, speaker_rate):
    clock_py, clock_c = Clock(), Clock()
    py = make(b.AudioBridge, clock_py, mic_rate, speaker_rate)
    c = make(nativebridge.NativeAudioBridge, clock_c, mic_rate, speaker_rate)
    try:
        frames_py, played_py = run_script(py, clock_py, mic_rate, speaker_rate, 4.0)
        frames_c, played_c = run_script(c, clock_c, mic_rate, speaker_rate, 4.0)
        assert len(frames_py) == len(frames_c)
        assert np.abs(frames_py.astype(int) - frames_c.astype(int)).max() <= 1
        assert np.abs(frames_py).max() > 5000  # the tone went through
        np.testing.assert_allclose(played_c, played_py, atol=2e-4)
        assert np.abs(played_py).max() > 0.1
        for ring in ("capture_counters", "playback_counters"):
            np.testing.assert_array_equal(getattr(c.state, ring), getattr(py.state, ring))
        np.testing.assert_array_equal(c.state.ints, py.state.ints)
        np.testing.assert_allclose(c.state.floats, py.state.floats, rtol=1e-9)
        s_py, s_c = dataclasses.asdict(py.stats()), dataclasses.asdict(c.stats())
        assert s_py.pop("input_age_ms") == s_c.pop("input_age_ms") == 0.0  # callbacks only
        assert (s_py.pop("device_callbacks"), s_c.pop("device_callbacks")) == ("python", "c")
        assert s_c == s_py
        assert -120 < s_c["output_peak_dbfs"] < -3 and -120 < s_c["input_peak_dbfs"] < -3
        assert s_c["capture_resyncs"] >= 1  # the stall's backlog was dropped
        assert s_c["device_input_errors"] == s_c["device_output_errors"] == 1
    finally:
        c.release()


def test_echo_cancellation_runs_on_the_worker_thread_and_feeds_pjmedia():
    class Halve:
        def __init__(self) -> None:
            self.blocks, self.far_peak = 0, 0

        def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
            self.blocks += 1
            self.far_peak = max(self.far_peak, int(np.abs(far).max()))
            return (near // 2).astype(np.int16)

    import time

    bridge = nativebridge.NativeAudioBridge(call_rate=RATE, frame_samples=FRAME,
                                            capture_rate=RATE, playback_rate=RATE)  # fmt: skip
    halve = Halve()
    try:
        bridge.processor = halve
        data = (8000 * np.sin(np.arange(FRAME) * 0.05)).astype(np.int16)
        for _ in range(60):
            bridge.frame_received(data.ctypes.data, FRAME)
            out = np.zeros(160, dtype=np.float32)
            bridge.playback(out)
            bridge.capture(np.full(160, 0.5, dtype=np.float32))
            time.sleep(0.003)
        deadline = time.monotonic() + 2
        while bridge.capture_ring.written < 40 * 160 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert halve.blocks >= 40
        assert halve.far_peak > 4000  # the speaker's samples reached the canceller
        assert bridge.stats().processing
        got = np.zeros(FRAME, dtype=np.int16)
        bridge.frame_requested(got.ctypes.data, FRAME)
        assert bridge.state.floats[b.F_PRIMED]
        assert abs(int(got[-1]) - 16383 // 2) <= 1  # halved: it went through the processor
        bridge.processor = None  # the worker stops; the callback writes the ring again
        blocks, before = halve.blocks, bridge.capture_ring.written
        bridge.capture(np.full(160, 0.5, dtype=np.float32))
        time.sleep(0.05)
        assert bridge.capture_ring.written == before + 160
        assert halve.blocks == blocks  # no more processing after the switch
    finally:
        bridge.release()


def test_a_failing_processor_leaves_the_microphone_unprocessed_not_silent(caplog):
    import time

    class Broken:
        def process(self, near, far):
            raise RuntimeError("binding broke")

    bridge = nativebridge.NativeAudioBridge(call_rate=RATE, frame_samples=FRAME,
                                            capture_rate=RATE, playback_rate=RATE)  # fmt: skip
    try:
        bridge.processor = Broken()
        for _ in range(3):
            bridge.capture(np.full(160, 0.5, dtype=np.float32))
            time.sleep(0.02)
        deadline = time.monotonic() + 2
        while bridge.processor is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bridge.processor is None
        assert "echo cancellation failed" in caplog.text
        before = bridge.capture_ring.written
        bridge.capture(np.full(160, 0.5, dtype=np.float32))
        assert bridge.capture_ring.written == before + 160  # straight to the ring again
        bridge.processor = None  # no worker left to stop: nothing hangs
    finally:
        bridge.release()


def test_driving_the_conference_clock_signals_each_frame_as_it_completes():
    import os

    clock = Clock()
    bridge = make(nativebridge.NativeAudioBridge, clock, RATE, RATE)
    r, w = os.pipe()
    os.set_blocking(r, False)

    def bytes_written() -> int:
        try:
            return len(os.read(r, 1000))
        except BlockingIOError:
            return 0

    try:
        bridge.drive_clock(w)
        bridge.set_capture_rate(RATE)
        block = signal(160, 0, RATE)
        for _ in range(b.PRIME_CALLBACKS):  # priming: nothing to signal yet
            assert bytes_written() == 0
            clock.now += 0.01
            bridge.capture(block)
        assert bridge.state.floats[b.F_PRIMED]
        # primed on exactly one frame (no reserve for a clock phase): signalled at once
        assert bridge.capture_ring.fill == FRAME
        assert bytes_written() == 1
        frame = np.zeros(FRAME, dtype=np.int16)
        bridge.frame_requested(frame.ctypes.data, FRAME)
        fills = []
        for _ in range(40):  # pjmedia takes each frame as its byte comes
            clock.now += 0.01
            bridge.capture(block)
            for _ in range(bytes_written()):
                fills.append(bridge.capture_ring.fill)
                bridge.frame_requested(frame.ctypes.data, FRAME)
        assert len(fills) == 20 and set(fills) == {FRAME}
        assert bridge.capture_ring.fill == 0
        stats = bridge.stats()
        assert stats.capture_underruns == 0
        assert stats.capture_correction_ppm == 0.0  # one clock: nothing to trim
        bridge.capture_stopped()  # a new stream primes afresh before signalling again
        bridge.set_capture_rate(RATE)
        clock.now += 0.01
        bridge.capture(block)
        bridge.capture(block)
        assert bytes_written() == 0
    finally:
        bridge.release()
        os.close(r)
        os.close(w)
