"""The audio bridge between two clocks: sound devices (PortAudio) and a call (pjmedia).

Capture:  device callback -> resample to the call rate -> [processing] -> capture ring
          -> pjmedia asks for a frame (`frame_requested`)
Playback: pjmedia hands over a frame (`frame_received`) -> playback ring
          -> device callback -> resample to the device rate

Threads: `capture` runs on the input stream's PortAudio thread, `playback` on
the output stream's, `frame_requested` / `frame_received` on pjmedia's clock
thread. Each ring has exactly one writer and one reader (see `ring.py`). None
of these four allocate buffers, block or log: they copy into memory allocated
here, and update counters. (The optional capture processor's binding returns
one small array per 10 ms block; it runs on the capture thread, never on
pjmedia's.) Configuration (`set_capture_rate`, `set_playback_rate`) happens
while the stream in question is stopped.

`media/deviceside.c` does the device half's work in C, called by PortAudio without
Python (`media/nativebridge.py`); this class stays the reference it is tested
against and the fallback.

Drift: the two clocks never agree exactly. Each side measures how full its
ring is where the *other* clock takes from it (before pjmedia's pull for
capture, before the device's pull for playback), smooths it, and trims its
resampler's ratio (proportional control, at most ±0.5 %, i.e. < 9 cents of
pitch) to hold that fill at a target; no sample is ever dropped or repeated in
normal running, so there are no clicks. The target is one pull plus a small
margin that grows when a pull finds the ring nearly empty (a stalled thread:
the GIL held elsewhere, a busy machine) and shrinks back slowly when things are
calm, like a jitter buffer. A pull that finds too little gets silence for the
rest (an underrun, counted). Before a ring first reaches its target it is
"priming": those pulls give silence and are counted apart, not as underruns.
A backlog far above target (after a long stall) is dropped at once and counted
as a resync, rather than played late for tens of seconds.
"""

from __future__ import annotations

import ctypes
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from softphone.media.resample import make_resampler
from softphone.media.ring import SampleRing

MAX_CORRECTION = 0.005  # ±0.5 % ratio trim
GAIN_PER_S = 0.2  # proportional: ratio trim per second of fill error
INTEGRAL_PER_S2 = 0.004  # integral: carries a steady drift with no standing error
CAPTURE_MARGIN_S = 0.004  # kept beyond one pull and one device block
# The share of the longest wait between two microphone deliveries that the capture
# ring's average keeps beyond a pull (the least-left condition always holds the
# margin). 1: the whole wait, as shipped; lower is less latency and less slack for a
# late delivery (for measurements: bench/audio.py latency).
CAPTURE_WAIT_SHARE = float(os.environ.get("SOFTPHONE_CAPTURE_WAIT_SHARE", "1"))
# What the speaker's ring keeps after the device's pull, for pjmedia's frames coming
# late (pjmedia catches up right after; this margin is what plays meanwhile). With the
# Python port pjmedia's clock thread needs the engine process's GIL for every frame,
# so a busy thread there (the UI) delays frames by as long as it holds the GIL: 30 ms.
# With the C port (engine/nativeport.py) only the scheduler delays it: 10 ms. Either
# grows on demand (the allowance) when a pull finds the ring nearly empty.
PLAYBACK_MARGIN_S = float(os.environ.get("SOFTPHONE_PLAYBACK_MARGIN_S", "0.03"))
C_PORT_PLAYBACK_MARGIN_S = float(os.environ.get("SOFTPHONE_C_PORT_PLAYBACK_MARGIN_S", "0.01"))
LOW_WATER_S = 0.002  # a pull leaving less than this raises the margin
MAX_ALLOWANCE_S = 0.08
PRIME_CALLBACKS = 10  # device callbacks seen before a ring counts as primed: the first
# few after a stream starts come in irregular bursts
DECAY_AFTER_S = 10.0  # calm this long: lower the margin by DECAY_STEP_S
DECAY_STEP_S = 0.001
RESYNC_EXCESS_S = 0.12  # backlog beyond target + this is dropped at once
INTEGRATE_WITHIN_S = 0.01
_BLOCK_DECAY = 0.999
FAR_TRIM_READS = 100  # echo reference: look at its backlog once a second (10 ms reads)
FAR_SLACK = 320  # samples of it kept beyond what the reads needed (20 ms at 16 kHz): fewer,
# larger trims (each one is a delay jump the canceller re-converges on)
EMA_ALPHA = 0.01  # per pull: ~2 s of smoothing over the fill's sawtooth (stats)
LOW_RELEASE = 0.005  # per pull: how fast the low envelope of what is left rises again

# Shared state, one writer per slot (see BridgeState). Floats:
F_LOW, F_EMA, F_DEFICIT, F_TARGET_LEFT, F_PRIMED, F_PLAY_RUNNING, F_PLAY_PRIMED = range(7)
# integers, written by pjmedia's side:
I_PULLS, I_PRIMING_FRAMES, I_RESYNCS, I_FRAMES_RECEIVED, I_PRIMED_SEEN = range(5)
# and by the device side: its streams' callbacks so far (the engine's health check reads
# them without asking the audio process)
I_INPUT_CALLBACKS, I_OUTPUT_CALLBACKS = 5, 6
_FLOATS, _INTS, _RING_COUNTERS = 8, 8, 6


class BridgeState:
    """What both sides of the bridge touch, laid out in one buffer: two rings of
    int16 samples with their counters, and the capture control's shared numbers.

    The buffer is a `multiprocessing.shared_memory` block when the devices run in
    the audio process (`media/audioproc.py`) and a private array otherwise. Every
    slot has one writer: the capture ring's `W`, `F_TARGET_LEFT`, `F_PRIMED` and
    `F_PLAY_RUNNING` the device side; the capture ring's `R`, the low envelope,
    the deficit and the integer counters pjmedia's side (but the streams' callback
    counts, `I_INPUT_CALLBACKS` and `I_OUTPUT_CALLBACKS`: the device side's); the
    playback ring the reverse.
    """

    def __init__(self, capacity: int, buffer=None, owner: object = None) -> None:
        self.capacity = capacity
        # What owns the memory (a SharedMemory): held as long as this state is, so
        # the mapping outlives every view of it. numpy keeps a reference to the
        # buffer object but no export of it, so closing the SharedMemory would
        # unmap memory that pjmedia's callbacks may still touch.
        self._owner = owner
        size = self.size(capacity)
        if buffer is None:
            buffer = bytearray(size)
        off = 0

        def take(dtype, count):
            nonlocal off
            a = np.ndarray(count, dtype=dtype, buffer=buffer, offset=off)
            off += a.nbytes
            return a

        self.capture_counters = take(np.int64, _RING_COUNTERS)
        self.playback_counters = take(np.int64, _RING_COUNTERS)
        self.ints = take(np.int64, _INTS)
        self.floats = take(np.float64, _FLOATS)
        self.capture_buf = take(np.int16, capacity)
        self.playback_buf = take(np.int16, capacity)
        self.buffer = buffer

    @staticmethod
    def size(capacity: int) -> int:
        return 8 * (2 * _RING_COUNTERS + _INTS + _FLOATS) + 2 * 2 * capacity

    def clear(self) -> None:
        """Zero everything (the owner, before either side starts)."""
        for a in (self.capture_counters, self.playback_counters, self.ints, self.floats):
            a[:] = 0
        self.floats[F_LOW] = -1.0
        self.floats[F_EMA] = -1.0
        self.floats[F_PLAY_RUNNING] = 1.0

    def rings(self) -> tuple[SampleRing, SampleRing]:
        return (
            SampleRing(self.capacity, self.capture_buf, self.capture_counters),
            SampleRing(self.capacity, self.playback_buf, self.playback_counters),
        )


class CaptureProcessor(Protocol):
    """Echo cancellation / noise suppression / gain on 10 ms blocks at the call rate."""

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class BridgeStats:
    capture_underruns: int
    capture_underrun_ms: float
    capture_overruns: int
    capture_resyncs: int
    capture_priming_frames: int
    playback_underruns: int
    playback_underrun_ms: float
    playback_overruns: int
    playback_resyncs: int
    capture_fill_ms: float  # smoothed, where pjmedia pulls
    capture_target_ms: float  # what the ring should hold, at least, when pjmedia pulls
    playback_fill_ms: float  # smoothed, where the device pulls
    playback_target_ms: float
    capture_correction_ppm: float  # the ratio trim now
    playback_correction_ppm: float
    capture_drift_ppm: float  # its slow part: the clocks' measured disagreement
    playback_drift_ppm: float
    device_input_errors: int  # overflow/underflow flags PortAudio reported
    device_output_errors: int
    input_peak_dbfs: float
    output_peak_dbfs: float
    frames_requested: int
    frames_received: int
    processing: bool
    capture_low_ms: float = 0.0  # the low envelope of the fill at pjmedia's pull
    playback_low_ms: float = 0.0
    # how old the first sample of a microphone block is when PortAudio hands it over
    # (its ADC timestamp), smoothed: the input stage of the latency, before the ring
    input_age_ms: float = 0.0
    device_callbacks: str = "python"  # or "c": media/nativebridge.py


def _dbfs(peak: float) -> float:
    return round(20.0 * math.log10(peak), 1) if peak > 1e-6 else -120.0


def _pulled(
    f: np.ndarray, i: np.ndarray, fill: int, count: int, rate: int, on_time: bool = True
) -> None:
    """The ring held `fill` samples when the far side took `count` (the pulling side).

    Keeps a low envelope of what was left (it falls at once to a new low and rises
    back slowly), the smoothed fill, and what pulls lacked. A pull that is not on
    time (pjmedia catching up after its thread was held: the ring holds the
    backlog) only counts for what it lacked."""
    left = fill - count
    if left < LOW_WATER_S * rate:
        f[F_DEFICIT] += LOW_WATER_S - left / rate
    i[I_PULLS] += 1
    if not on_time:
        return
    low = f[F_LOW]
    f[F_LOW] = left if not low <= left else low + LOW_RELEASE * (left - low)  # NaN: unset
    ema = f[F_EMA]
    f[F_EMA] = fill if ema < 0 else ema + EMA_ALPHA * (fill - ema)


class _Control:
    """Fill-level control of one ring.

    The fill is measured where the far clock takes from the ring (`_pulled`,
    possibly in another process: `f` and `i` are then shared memory): its
    average and a low envelope of what pulls leave. `adapt` runs on the thread
    that owns the resampler and turns them into a margin and a ratio trim that
    hold the least left after a pull at the margin, and the average at one pull
    plus the longest wait between two of the near side's deliveries plus the
    margin, whichever needs more. The margin grows when pulls find the ring
    nearly empty. Each slot has one writer.
    """

    def __init__(
        self,
        rate: int,
        pull: int,
        margin_s: float,
        f: np.ndarray | None = None,
        i: np.ndarray | None = None,
        wait_share: float = 1.0,
    ) -> None:
        self.rate = rate
        self.pull = pull  # samples the far side takes (or gives) at once
        self.margin_s = margin_s
        self.wait_share = wait_share
        self.f = np.zeros(_FLOATS) if f is None else f
        self.i = np.zeros(_INTS, dtype=np.int64) if i is None else i
        self.block = 0.0  # decaying max of the near side's block, in ring samples
        self.allowance = 0.0  # seconds, raised by near-empty pulls
        self.primed = False
        self.callbacks = 0  # near-side callbacks since the last restart
        # owner-side bookkeeping
        self._deficit_seen = float(self.f[F_DEFICIT])
        self._calm_from = 0
        self._integral = 0.0
        self._pulls_integrated = 0
        self.restart()

    def target_left(self) -> float:
        """What the ring should keep, on average, after a pull (samples)."""
        return self.wait_share * self.block + (self.margin_s + self.allowance) * self.rate

    def start_left(self) -> float:
        """What a ring starting (or resynchronised) keeps after a pull: a whole
        longest wait beyond the margin, as no phase has been seen yet; the control
        then brings it down to `target_left` if the phases allow."""
        return self.block + (self.margin_s + self.allowance) * self.rate

    def least_left(self) -> float:
        """What the ring should keep, at the least, after any pull (samples)."""
        return (self.margin_s + self.allowance) * self.rate

    def target(self) -> float:
        """What the ring should hold, on average, when the far side pulls."""
        return self.pull + self.target_left()

    def pulled(self, fill: int, count: int) -> None:
        _pulled(self.f, self.i, fill, count, self.rate)

    @property
    def pulls(self) -> int:
        return int(self.i[I_PULLS])

    @property
    def ema(self) -> float:
        return float(self.f[F_EMA])

    @property
    def low(self) -> float:
        low = float(self.f[F_LOW])
        return low if low == low else 0.0

    def adapt(self) -> float:
        """Update the margin from what the pulls saw; returns the ratio trim."""
        pulls = self.pulls
        total = float(self.f[F_DEFICIT])
        deficit = total - self._deficit_seen
        if deficit > 0:
            self._deficit_seen = total
            self.allowance = min(MAX_ALLOWANCE_S, self.allowance + deficit)
            self._calm_from = pulls
        elif self.allowance > 0 and pulls - self._calm_from >= self._calm_pulls():
            self.allowance = max(0.0, self.allowance - DECAY_STEP_S)
            self._calm_from = pulls
        ema, low = float(self.f[F_EMA]), float(self.f[F_LOW])
        if ema < 0 or low != low:  # no pull yet
            return 0.0
        # Two conditions, the stricter wins: the least left after a pull at the
        # margin, and the average the near side's longest wait beyond it (a phase
        # between the clocks not seen yet, or one late delivery, may find the ring
        # that much lower). Half the wait was tried: a lone late delivery (the
        # sound server busy) then underran.
        error_s = min(ema - self.target(), low - self.least_left()) / self.rate
        new = pulls - self._pulls_integrated
        if new:
            self._pulls_integrated = pulls
            if abs(error_s) > INTEGRATE_WITHIN_S:  # no wind-up while far off (a stall)
                new = 0
        if new:
            dt = new * max(self.pull, 160) / self.rate
            limit = MAX_CORRECTION / 2
            integral = self._integral + INTEGRAL_PER_S2 * error_s * dt
            self._integral = max(-limit, min(limit, integral))
        trim = GAIN_PER_S * error_s + self._integral
        return max(-MAX_CORRECTION, min(MAX_CORRECTION, trim))

    def _calm_pulls(self) -> int:
        return int(DECAY_AFTER_S * self.rate / max(self.pull, 160))

    @property
    def drift(self) -> float:
        return self._integral

    def restart(self) -> None:
        self.primed = False
        self.callbacks = 0
        self._integral = 0.0
        self.block = 0.0
        self.f[F_LOW] = math.nan
        self.f[F_EMA] = -1.0

    def note_block(self, n: float) -> None:
        self.block = max(float(n), self.block * _BLOCK_DECAY)


class PjmediaSide:
    """pjmedia's half of the bridge: the two frame callbacks.

    Runs on pjmedia's clock thread, in the engine process (`engine/pjobjects.py`),
    over the same `BridgeState` as the device half, which may live in another
    process. Only memmoves and a few numbers: no allocation, no lock, no logging.
    """

    def __init__(self, state: BridgeState, call_rate: int, frame_samples: int) -> None:
        self.call_rate = call_rate
        self.frame_samples = frame_samples
        self.state = state  # keeps the memory mapped while pjmedia may call
        self.capture_ring, self.playback_ring = state.rings()
        self._f, self._i = state.floats, state.ints
        self._resync = RESYNC_EXCESS_S * call_rate
        self._silent = np.zeros(4096, dtype=np.int16)
        self._clock = time.monotonic
        self._last_pull = 0.0
        self._period = frame_samples / call_rate

    def frame_requested(self, address: int, count: int) -> None:
        """Write `count` int16 samples for the call at `address`."""
        f, i = self._f, self._i
        primed = f[F_PRIMED]
        if not primed:
            i[I_PRIMING_FRAMES] += 1
            ctypes.memset(address, 0, count * 2)
            return
        ring = self.capture_ring
        fill = ring.fill
        if primed != i[I_PRIMED_SEEN]:  # the first pull since priming
            # The ring holds what arrived since it was primed too: that headroom
            # goes slowly, through the control, while the longest device wait is
            # still being learnt (trimmed at once, a test call underran).
            i[I_PRIMED_SEEN] = int(primed)
        now = self._clock()
        gap, self._last_pull = now - self._last_pull, now
        # After this thread was held up, pjmedia's clock catches up with pulls back
        # to back, which take exactly the backlog: only a pull on time measures.
        on_time = 0.5 * self._period < gap < 1.5 * self._period
        excess = fill - count - f[F_TARGET_LEFT] - self._resync  # beyond the start level
        if excess > 0 and on_time:
            ring.discard(int(excess))
            i[I_RESYNCS] += 1
            fill = ring.fill
        _pulled(f, i, fill, count, self.call_rate, on_time)
        ring.read_to(address, count)

    def frame_received(self, address: int, count: int) -> None:
        """`count` int16 samples from the call at `address` (0: a silent frame)."""
        self._i[I_FRAMES_RECEIVED] += 1
        f = self._f
        if not f[F_PLAY_RUNNING]:
            return
        if not f[F_PLAY_PRIMED] and self.playback_ring.space < count:
            return  # the speaker has not started yet: nothing to count as lost
        if address:
            self.playback_ring.write_from(address, count)
        else:
            self.playback_ring.write(self._silent[:count])


class AudioBridge:
    """The device half of the bridge (PortAudio's threads), and in one process
    both halves (`frame_requested` / `frame_received` are pjmedia's)."""

    def __init__(
        self,
        call_rate: int = 16000,
        frame_samples: int = 320,
        capture_rate: int = 48000,
        playback_rate: int = 48000,
        *,
        ring_seconds: float = 0.5,
        max_device_block: int = 16384,
        clock: Callable[[], float] = time.monotonic,
        state: BridgeState | None = None,
        playback_margin_s: float = PLAYBACK_MARGIN_S,
    ) -> None:
        self.call_rate = call_rate
        self.frame_samples = frame_samples
        self._clock = clock
        self._last_capture: float | None = None
        self._max_block = max_device_block
        cap = int(call_rate * ring_seconds)
        if state is None:
            state = BridgeState(cap)
            state.clear()
        self.state = state
        self.capture_ring, self.playback_ring = state.rings()
        self.pjmedia = PjmediaSide(state, call_rate, frame_samples)
        self.frame_requested = self.pjmedia.frame_requested
        self.frame_received = self.pjmedia.frame_received
        self._f = state.floats
        self._far = SampleRing(state.capacity)  # what went to the speaker, for echo cancellation
        self._cap_ctl = _Control(
            call_rate,
            frame_samples,
            CAPTURE_MARGIN_S,
            state.floats,
            state.ints,
            wait_share=CAPTURE_WAIT_SHARE,
        )
        self._play_ctl = _Control(call_rate, frame_samples, playback_margin_s)
        self._f[F_TARGET_LEFT] = self._cap_ctl.start_left()
        self._primings = float(state.ints[I_PRIMED_SEEN])  # a restarted audio process
        self.playback_resyncs = 0
        self.device_input_errors = 0
        self.device_output_errors = 0
        self.input_peak = 0.0
        self.output_peak = 0.0
        self.input_age = 0.0  # seconds, smoothed (written by the device streams)
        self.processor: CaptureProcessor | None = None
        # capture-thread scratch
        self._i16 = np.zeros(max_device_block * 4, dtype=np.int16)
        self._abs = np.zeros(max_device_block, dtype=np.float32)
        self._blk = np.zeros(call_rate // 100, dtype=np.float32)  # 10 ms for the processor
        self._blk_n = 0
        self._near16 = np.zeros(call_rate // 100, dtype=np.int16)
        self._far16 = np.zeros(call_rate // 100, dtype=np.int16)
        self._far_low = cap  # least reference backlog seen at a read, this second
        self._far_reads = 0
        # playback-thread scratch
        self._p16 = np.zeros(max_device_block * 4, dtype=np.int16)
        self._pf = np.zeros(max_device_block * 4, dtype=np.float32)
        self._pabs = np.zeros(max_device_block, dtype=np.float32)
        self._pref = np.zeros(max_device_block, dtype=np.float32)  # the played block, scaled
        self._pi16 = np.zeros(max_device_block, dtype=np.int16)  # and as the reference
        self._capture_rs = make_resampler(capture_rate, call_rate, max_block=max_device_block)
        self._playback_rs = make_resampler(call_rate, playback_rate, max_block=max_device_block * 4)

    # ------------------------------------------------------ configuration

    @property
    def capture_rate(self) -> int:
        return self._capture_rs.rate_in

    @property
    def playback_rate(self) -> int:
        return self._playback_rs.rate_out

    @property
    def max_device_block(self) -> int:
        """The most samples a device callback may hand over or ask for at once."""
        return self._max_block

    def set_capture_rate(self, rate: int, channels: int = 1) -> None:
        """A new microphone (its stream stopped): new resampler, ring primed afresh."""
        if rate != self._capture_rs.rate_in:
            self._capture_rs = make_resampler(rate, self.call_rate, max_block=self._max_block)
        self._capture_rs.reset()
        self._restart_capture()
        self._blk_n = 0

    def set_playback_rate(self, rate: int, channels: int = 1) -> None:
        """A new speaker (its stream stopped)."""
        if rate != self._playback_rs.rate_out:
            self._playback_rs = make_resampler(self.call_rate, rate, max_block=self._max_block * 4)
        self._playback_rs.reset()
        self._play_ctl.restart()
        self.playback_ring.reset()
        self._f[F_PLAY_PRIMED] = 0.0
        self._f[F_PLAY_RUNNING] = 1.0

    def capture_stopped(self) -> None:
        """The microphone stream was closed on purpose: pulls give silence, counted as
        priming, not as underruns, until a stream runs again."""
        self._restart_capture()

    def playback_stopped(self) -> None:
        """The speaker stream was closed: frames from the call are dropped, not queued."""
        self._f[F_PLAY_RUNNING] = 0.0

    def _restart_capture(self) -> None:
        self._f[F_PRIMED] = 0.0
        self._cap_ctl.restart()
        self._last_capture = None

    # ----------------------------------------- input stream's PortAudio thread

    def capture(self, block: np.ndarray, device_error: bool = False) -> None:
        """Samples from the microphone (float32 mono, device rate)."""
        if device_error:
            self.device_input_errors += 1
        n = len(block)
        if n == 0:
            return
        if n > self._max_block:
            block = block[-self._max_block :]
            n = self._max_block
        np.abs(block, out=self._abs[:n])
        peak = float(self._abs[:n].max())
        self.input_peak = peak if peak > self.input_peak else self.input_peak * 0.95
        ctl = self._cap_ctl
        rs = self._capture_rs
        rs.correction = ctl.adapt()
        y = rs.process(block)
        m = len(y)
        # Data that may be missing at a pull: what arrives in the longest wait
        # between two deliveries, not one block.
        now = self._clock()
        last, self._last_capture = self._last_capture, now
        ctl.note_block(max(m, int((now - last) * self.call_rate)) if last is not None else m)
        if self.processor is None:
            self._fresh_reference()  # nobody cancels echo: keep no backlog of it
            out = self._i16[:m]
            np.multiply(y, 32767.0, out=y)
            np.clip(y, -32768.0, 32767.0, out=y)
            np.copyto(out, y, casting="unsafe")
            self.capture_ring.write(out)
        else:
            self._process_blocks(y)
        self._f[F_TARGET_LEFT] = ctl.start_left()
        ctl.callbacks += 1
        if not ctl.primed:
            # pjmedia's side does not read the ring until it is primed: hold it at
            # target while the stream settles (its first blocks come in bursts)
            ring, target = self.capture_ring, ctl.pull + ctl.start_left()
            if ring.fill > target:
                ring.discard(int(ring.fill - target))
            if ring.fill >= target and ctl.callbacks >= PRIME_CALLBACKS:
                ctl.primed = True
                self._primings += 1
                self._f[F_PRIMED] = self._primings  # pjmedia's side reads from now on

    def _process_blocks(self, y: np.ndarray) -> None:
        blk, size = self._blk, len(self._blk)
        i = 0
        while i < len(y):
            take = min(size - self._blk_n, len(y) - i)
            blk[self._blk_n : self._blk_n + take] = y[i : i + take]
            self._blk_n += take
            i += take
            if self._blk_n == size:
                self._blk_n = 0
                np.multiply(blk, 32767.0, out=blk)
                np.clip(blk, -32768.0, 32767.0, out=blk)
                np.copyto(self._near16, blk, casting="unsafe")
                self._trim_far()
                self._far.read_into(self._far16)  # silence when nothing was played
                out = self.processor.process(self._near16, self._far16)
                self.capture_ring.write(out)

    def _fresh_reference(self) -> None:
        """Start the echo reference at what the speaker plays now (its reader's thread,
        or before that thread starts). The speaker side writes it whether or not echo
        is cancelled: left alone while processing was off, it held the last second
        played, and turning processing on (a call with it after one without) started
        the canceller one second behind the microphone and trimmed it back in jumps
        over the next two: ERLE 8-28 dB from run to run in the echo test."""
        self._far.discard(self._far.fill - FAR_SLACK)
        self._far_low = self._far.capacity
        self._far_reads = 0

    def _trim_far(self) -> None:
        """Keep the echo reference in step with the microphone (capture thread).

        A read that finds the reference short gets silence, and the samples that come
        later are read that much later: after a stall of the speaker's thread the
        reference stays behind the microphone by the longest stall so far, for the rest
        of the call; once that exceeds the echo's own delay, the echo comes before its
        reference and the canceller has nothing to cancel with. Once a second, the part
        of the backlog that no read needed is dropped (a jump the canceller's delay
        estimator follows), as a jitter buffer shrinks."""
        fill = self._far.fill
        if fill < self._far_low:
            self._far_low = fill
        self._far_reads += 1
        if self._far_reads >= FAR_TRIM_READS:
            excess = self._far_low - FAR_SLACK
            if excess > 0:
                self._far.discard(excess)
            self._far_low = self._far.capacity
            self._far_reads = 0

    # ---------------------------------------- output stream's PortAudio thread

    def playback(self, out: np.ndarray, device_error: bool = False) -> None:
        """Fill float32 `out` (mono, device rate) for the speaker."""
        if device_error:
            self.device_output_errors += 1
        n = len(out)
        rs, ctl, ring = self._playback_rs, self._play_ctl, self.playback_ring
        fill = ring.fill
        if not ctl.primed:
            ctl.note_block(rs.needed(n))
            ctl.callbacks += 1
            target = ctl.pull + ctl.start_left()
            if fill < target or ctl.callbacks < PRIME_CALLBACKS:
                if fill > target:  # hold it at target while the stream settles
                    ring.discard(int(fill - target))
                out[:] = 0.0
                return
            ctl.primed = True
            self._f[F_PLAY_PRIMED] = 1.0
        excess = fill - ctl.target() - RESYNC_EXCESS_S * self.call_rate
        if excess > 0:
            ring.discard(int(excess))
            self.playback_resyncs += 1
            fill = ring.fill
        rs.correction = ctl.adapt()
        need = rs.needed(n)
        ctl.pulled(fill, need)
        ctl.note_block(need)
        if need > len(self._p16):
            need = len(self._p16)
        p16 = self._p16[:need]
        ring.read_into(p16)
        pf = self._pf[:need]
        np.multiply(p16, 1.0 / 32768.0, out=pf)
        y = rs.process(pf, n)
        out[:] = y
        self._write_reference(p16, y)
        np.abs(y, out=self._pabs[: len(y)])
        peak = float(self._pabs[: len(y)].max()) if len(y) else 0.0
        self.output_peak = peak if peak > self.output_peak else self.output_peak * 0.95

    def _write_reference(self, taken: np.ndarray, played: np.ndarray) -> None:
        """The echo canceller's reference: at equal rates the block played, in the
        device's time base (the ring is read faster or slower than the device plays,
        by the ratio trim: a reference of what was taken slid against the echo by 3-4 ms
        a second while the ring settled, deviceside.c `far_reference`); else what was
        taken from the ring at the call rate."""
        if self._playback_rs.rate_out != self.call_rate:
            self._far.write(taken)
            return
        i16 = self._pi16[: len(played)]
        np.multiply(played, 32768.0, out=self._pref[: len(played)])
        np.clip(self._pref[: len(played)], -32768.0, 32767.0, out=self._pref[: len(played)])
        np.copyto(i16, self._pref[: len(played)], casting="unsafe")
        self._far.write(i16)

    # ----------------------------------------------------------- any thread

    DEVICE_CALLBACKS = "python"

    def _device_figures(self) -> dict[str, float]:
        """The device half's figures (`BridgeStats` in raw units: samples, seconds)."""
        cc, pc = self._cap_ctl, self._play_ctl
        return {
            "playback_resyncs": self.playback_resyncs,
            "capture_ema": cc.ema,
            "capture_target": cc.target(),
            "capture_low": cc.low,
            "playback_ema": pc.ema,
            "playback_target": pc.target(),
            "playback_low": pc.low,
            "capture_correction": self._capture_rs.correction,
            "playback_correction": self._playback_rs.correction,
            "capture_drift": cc.drift,
            "playback_drift": pc.drift,
            "input_errors": self.device_input_errors,
            "output_errors": self.device_output_errors,
            "input_peak": self.input_peak,
            "output_peak": self.output_peak,
            "input_age": self.input_age,
        }

    def stats(self) -> BridgeStats:
        d = self._device_figures()
        c, p = self.capture_ring, self.playback_ring
        i = self.state.ints
        ms = 1000.0 / self.call_rate
        return BridgeStats(
            capture_underruns=c.underruns,
            capture_underrun_ms=round(c.underrun_samples * ms, 1),
            capture_overruns=c.overruns,
            capture_resyncs=int(i[I_RESYNCS]),
            capture_priming_frames=int(i[I_PRIMING_FRAMES]),
            playback_underruns=p.underruns,
            playback_underrun_ms=round(p.underrun_samples * ms, 1),
            playback_overruns=p.overruns,
            playback_resyncs=int(d["playback_resyncs"]),
            capture_fill_ms=round(max(d["capture_ema"], 0.0) * ms, 2),
            capture_target_ms=round(d["capture_target"] * ms, 2),
            playback_fill_ms=round(max(d["playback_ema"], 0.0) * ms, 2),
            playback_target_ms=round(d["playback_target"] * ms, 2),
            capture_correction_ppm=round(d["capture_correction"] * 1e6, 1),
            playback_correction_ppm=round(d["playback_correction"] * 1e6, 1),
            capture_drift_ppm=round(d["capture_drift"] * 1e6, 1),
            playback_drift_ppm=round(d["playback_drift"] * 1e6, 1),
            device_input_errors=int(d["input_errors"]),
            device_output_errors=int(d["output_errors"]),
            input_peak_dbfs=_dbfs(d["input_peak"]),
            output_peak_dbfs=_dbfs(d["output_peak"]),
            frames_requested=int(i[I_PULLS]) + int(i[I_PRIMING_FRAMES]),
            frames_received=int(i[I_FRAMES_RECEIVED]),
            processing=self.processor is not None,
            capture_low_ms=round(d["capture_low"] * ms, 2),
            playback_low_ms=round(d["playback_low"] * ms, 2),
            input_age_ms=round(d["input_age"] * 1000, 2),
            device_callbacks=self.DEVICE_CALLBACKS,
        )
