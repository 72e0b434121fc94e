"""The bridge between two clocks, driven by synthetic clocks: no device, no pjmedia.

A simulator runs the four callbacks at the times their clocks dictate (a
device at its nominal rate plus a drift in ppm, in blocks of a few ms with
jitter; pjmedia every 20 ms), optionally freezing them all for a while the way
a thread holding the GIL does, and checks what comes out of each side.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from softphone.engine.tone import analyse_tone
from softphone.media.bridge import AudioBridge

CALL_RATE, FRAME = 16000, 320
TONE = 1000.0
AMP = 0.5


class Simulation:
    def __init__(
        self,
        bridge: AudioBridge,
        device_rate: int,
        drift_ppm: float = 0.0,
        block_ms: float = 5.0,
        jitter_ms: float = 1.0,
        stalls: tuple[tuple[float, float], ...] = (),
        seed: int = 7,
    ) -> None:
        self.b = bridge
        self.fd = device_rate * (1.0 + drift_ppm * 1e-6)  # true device rate, call clock's seconds
        self.device_rate = device_rate
        self.block = int(device_rate * block_ms / 1000)
        self.jitter = jitter_ms / 1000
        self.stalls = stalls
        self.rng = np.random.default_rng(seed)
        self.captured_dev = 0  # device samples produced so far
        self.frames: list[np.ndarray] = []  # what pjmedia got
        self.played: list[np.ndarray] = []  # what the speaker got
        self.sent_phase = 0
        self._frame = np.zeros(FRAME, dtype=np.int16)
        self.now = 0.0
        bridge._clock = lambda: self.now
        bridge.pjmedia._clock = bridge._clock

    def _stalled_until(self, t: float) -> float:
        for start, end in self.stalls:
            if start <= t < end:
                return end
        return t

    def run(self, seconds: float) -> None:
        events: list[tuple[float, int, str]] = []
        heapq.heappush(events, (0.0, 0, "pull"))
        heapq.heappush(events, (0.0, 1, "push"))
        heapq.heappush(events, (self.block / self.fd, 2, "cap"))
        heapq.heappush(events, (self.block / self.fd, 3, "play"))
        n_cap = n_play = 0
        k = 4
        while events:
            t, _, kind = heapq.heappop(events)
            if t > seconds:
                break
            self.now = t
            run_at = self._stalled_until(t)
            if run_at > t:  # frozen: the callback runs when the stall ends
                heapq.heappush(events, (run_at, k, kind))
                k += 1
                continue
            if kind == "pull":
                self.b.frame_requested(self._frame.ctypes.data, FRAME)
                self.frames.append(self._frame.copy())
                nxt = (len(self.frames)) * FRAME / CALL_RATE
            elif kind == "push":
                n = len(self.played) if False else self.sent_phase
                x = AMP * np.sin(2 * np.pi * 600 * (np.arange(n, n + FRAME) / CALL_RATE))
                f = (x * 32767).astype(np.int16)
                self.b.frame_received(f.ctypes.data, FRAME)
                self.sent_phase += FRAME
                nxt = self.sent_phase / CALL_RATE
            elif kind == "cap":
                # everything the device clock produced up to now, as PortAudio would deliver
                due = int(t * self.fd) - self.captured_dev
                if due > 0:
                    idx = np.arange(self.captured_dev, self.captured_dev + due)
                    block = (AMP * np.sin(2 * np.pi * TONE * idx / self.device_rate)).astype(
                        np.float32
                    )
                    self.b.capture(block)
                    self.captured_dev += due
                n_cap += 1
                nxt = n_cap * self.block / self.fd + self.rng.uniform(0, self.jitter)
            else:
                n_play += 1
                out = np.zeros(self.block, dtype=np.float32)
                self.b.playback(out)
                self.played.append(out)
                nxt = n_play * self.block / self.fd + self.rng.uniform(0, self.jitter)
            heapq.heappush(events, (max(nxt, t), k, kind))
            k += 1

    def call_side(self) -> np.ndarray:
        return np.concatenate(self.frames)

    def speaker_side(self) -> np.ndarray:
        return np.concatenate(self.played)


def max_step(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x.astype(np.float64))).max())


def sine_step(freq: float, rate: float, amp: float) -> float:
    return amp * 2 * math.sin(math.pi * freq / rate)


@pytest.mark.parametrize("device_rate", [48000, 44100, 16000])
@pytest.mark.parametrize("drift_ppm", [-300.0, 0.0, 500.0])
def test_bridge_absorbs_drift_without_underruns_or_clicks(device_rate, drift_ppm):
    b = AudioBridge(capture_rate=device_rate, playback_rate=device_rate)
    sim = Simulation(b, device_rate, drift_ppm=drift_ppm)
    sim.run(40.0)
    s = b.stats()
    assert s.capture_underruns == 0 and s.playback_underruns == 0, s
    assert s.capture_overruns == 0 and s.playback_overruns == 0, s
    assert s.capture_resyncs == 0 and s.playback_resyncs == 0, s
    assert s.capture_priming_frames <= 3  # the first 20-60 ms: ring filling
    # the fill settles near its target: drift absorbed (uncorrected, 500 ppm over 40 s
    # would have moved it by 20 ms), latency bounded
    assert abs(s.capture_fill_ms - s.capture_target_ms) < 2.5, s
    assert abs(s.playback_fill_ms - s.playback_target_ms) < 2.5, s
    assert s.capture_target_ms < 36, s  # one frame (20 ms) + block + margin
    call = sim.call_side()[CALL_RATE:].astype(np.float64) / 32767
    tone = analyse_tone((call * 32767).astype(np.int16), CALL_RATE, int(TONE))
    assert tone.detected and tone.snr_db > 40, tone
    assert max_step(call) <= 1.05 * sine_step(TONE, CALL_RATE, AMP)  # no click anywhere
    speaker = sim.speaker_side()[device_rate:]
    tone = analyse_tone((speaker * 32767).astype(np.int16), device_rate, 600)
    assert tone.detected and tone.snr_db > 40, tone
    assert max_step(speaker) <= 1.05 * sine_step(600, device_rate, AMP)


def test_underruns_give_silence_and_are_counted():
    """The microphone stops delivering (device unplugged): pjmedia gets silence, counted."""
    b = AudioBridge(capture_rate=48000, playback_rate=48000)
    sim = Simulation(b, 48000, stalls=())
    sim.run(2.0)
    before = b.stats()
    assert before.capture_underruns == 0
    frame = np.full(FRAME, 123, dtype=np.int16)
    for _ in range(10):  # the device is gone; pjmedia keeps asking
        b.frame_requested(frame.ctypes.data, FRAME)
    after = b.stats()
    assert after.capture_underruns >= 9
    assert after.capture_underrun_ms >= 9 * 20 - before.capture_target_ms
    assert not frame.any()  # silence, not stale samples


@pytest.mark.parametrize("stall_ms", [5, 10, 20])
def test_a_busy_thread_causes_at_most_one_underrun_then_the_margin_adapts(stall_ms):
    """Every callback frozen for `stall_ms` every 100 ms (the GIL held by a busy UI)."""
    stalls = tuple((t, t + stall_ms / 1000) for t in np.arange(2.0, 20.0, 0.1))
    b = AudioBridge(capture_rate=48000, playback_rate=48000)
    sim = Simulation(b, 48000, drift_ppm=100, stalls=stalls)
    sim.run(20.0)
    s = b.stats()
    # the first stalls may find the margin too small; after that it has grown
    assert s.capture_underruns <= 2 and s.playback_underruns <= 2, s
    assert s.capture_resyncs == 0 and s.playback_resyncs == 0
    assert s.capture_target_ms <= 20 + 5 + stall_ms + 8, s


def test_a_long_stall_is_resynchronised_not_played_late():
    b = AudioBridge(capture_rate=48000, playback_rate=48000)
    sim = Simulation(b, 48000, stalls=((3.0, 3.4),))
    sim.run(6.0)
    s = b.stats()
    assert s.capture_resyncs + s.capture_underruns >= 1
    assert s.capture_fill_ms < s.capture_target_ms + 15, s


def test_device_rate_change_reprimes():
    b = AudioBridge(capture_rate=48000, playback_rate=48000)
    Simulation(b, 48000).run(1.0)
    b.set_capture_rate(44100)
    b.set_playback_rate(44100)
    sim = Simulation(b, 44100)
    sim.run(3.0)
    s = b.stats()
    assert s.capture_underruns == 0 and s.playback_underruns == 0, s
    assert b.capture_rate == 44100 and b.playback_rate == 44100


class _Reference:
    """A capture processor that keeps the echo reference it is given (what was played)."""

    def __init__(self, bridge: AudioBridge) -> None:
        self.bridge = bridge
        self.backlog: list[int] = []  # reference samples waiting, at each 10 ms block

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        self.backlog.append(self.bridge._far.fill)
        return near


def test_echo_reference_keeps_step_with_the_microphone_after_speaker_stalls():
    """The echo canceller's reference is what the speaker played, read 10 ms at a time as
    the microphone delivers. When the speaker's thread stalls (100 ms, five times) while
    the microphone goes on, those reads get silence and the speaker's catch-up arrives
    late. Read in turn, it would leave the reference behind the microphone by the
    longest stall so far, for the rest of the call: once that is more than the echo's
    own delay, the echo comes before its reference and the canceller has nothing to
    cancel with. The backlog must come back down instead."""
    b = AudioBridge(capture_rate=16000, playback_rate=16000)
    ref = _Reference(b)
    b.processor = ref
    frame = (AMP * 32767 * np.sin(2 * np.pi * 600 * np.arange(FRAME) / CALL_RATE)).astype(np.int16)
    pulled = np.zeros(FRAME, dtype=np.int16)
    stalls = [(s, s + 0.1) for s in (2.0, 3.0, 4.0, 5.0, 6.0)]
    owed = 0  # speaker samples not asked for during a stall
    step = 0.005
    for i in range(int(9.0 / step)):
        now = i * step
        b._clock = lambda now=now: now
        if i % 4 == 0:  # pjmedia, every 20 ms
            b.frame_received(frame.ctypes.data, FRAME)
            b.frame_requested(pulled.ctypes.data, FRAME)
        b.capture(np.zeros(80, dtype=np.float32))  # the microphone never stops
        owed += 80
        if not any(start <= now < end for start, end in stalls):
            b.playback(np.zeros(owed, dtype=np.float32))
            owed = 0
    backlog_ms = np.array(ref.backlog) * 1000 / CALL_RATE
    assert backlog_ms[:150].max() < 30, backlog_ms[:150].max()  # before the stalls
    assert backlog_ms[-50:].max() < 30, backlog_ms[-50:].max()  # 2 s after the last
