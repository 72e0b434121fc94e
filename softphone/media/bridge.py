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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from softphone.media.resample import StreamResampler
from softphone.media.ring import SampleRing

MAX_CORRECTION = 0.005  # ±0.5 % ratio trim
GAIN_PER_S = 0.2  # proportional: ratio trim per second of fill error
INTEGRAL_PER_S2 = 0.004  # integral: carries a steady drift with no standing error
BASE_MARGIN_S = 0.004
LOW_WATER_S = 0.002  # a pull leaving less than this raises the margin
MAX_ALLOWANCE_S = 0.08
PRIME_CALLBACKS = 10  # device callbacks seen before a ring counts as primed: the first
# few after a stream starts come in irregular bursts, and the block size learnt from
# them sets the margin
DECAY_AFTER_S = 10.0  # calm this long: lower the margin by DECAY_STEP_S
DECAY_STEP_S = 0.001
RESYNC_EXCESS_S = 0.12  # backlog beyond target + this is dropped at once
EMA_ALPHA = 0.01  # per pull: ~2 s of smoothing over the fill's sawtooth
_BLOCK_DECAY = 0.999
FAR_TRIM_READS = 100  # echo reference: look at its backlog once a second (10 ms reads)
FAR_SLACK = 320  # samples of it kept beyond what the reads needed (20 ms at 16 kHz): fewer,
# larger trims (each one is a delay jump the canceller re-converges on)


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
    capture_target_ms: float
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


def _dbfs(peak: float) -> float:
    return round(20.0 * math.log10(peak), 1) if peak > 1e-6 else -120.0


class _Control:
    """Fill-level control of one ring.

    `pulled` runs where the far clock takes from the ring (it only updates
    numbers); `adapt` runs on the thread that owns the resampler and turns them
    into a margin and a ratio trim. Each attribute has one writer.
    """

    def __init__(self, rate: int, pull: int) -> None:
        self.rate = rate
        self.pull = pull  # samples the far side takes (or gives) at once
        self.block = 0.0  # decaying max of the near side's block, in ring samples
        self.allowance = 0.0  # seconds, raised by near-empty pulls
        self.primed = False
        self.callbacks = 0  # near-side callbacks since the last restart
        # written by the pulling side
        self.ema = -1.0
        self.deficit_total = 0.0
        self.pulls = 0
        # read-side bookkeeping (owner thread)
        self._deficit_seen = 0.0
        self._calm_from = 0
        self._integral = 0.0
        self._pulls_integrated = 0

    def target(self) -> float:
        margin = BASE_MARGIN_S + self.allowance
        return self.pull + self.block + margin * self.rate

    def pulled(self, fill: int, count: int) -> None:
        """The ring held `fill` samples when the far side took `count` of them."""
        left = (fill - count) / self.rate
        if left < LOW_WATER_S:
            self.deficit_total += LOW_WATER_S - left
        self.ema = fill if self.ema < 0 else self.ema + EMA_ALPHA * (fill - self.ema)
        self.pulls += 1

    def adapt(self) -> float:
        """Update the margin from what the pulls saw; returns the ratio trim."""
        deficit = self.deficit_total - self._deficit_seen
        if deficit > 0:
            self._deficit_seen = self.deficit_total
            self.allowance = min(MAX_ALLOWANCE_S, self.allowance + deficit)
            self._calm_from = self.pulls
        elif self.allowance > 0 and self.pulls - self._calm_from >= self._calm_pulls():
            self.allowance = max(0.0, self.allowance - DECAY_STEP_S)
            self._calm_from = self.pulls
        if self.ema < 0:
            return 0.0
        error_s = (self.ema - self.target()) / self.rate
        new = self.pulls - self._pulls_integrated
        if new:
            self._pulls_integrated = self.pulls
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
        self.ema = -1.0
        self.block = 0.0

    def note_block(self, n: int) -> None:
        self.block = max(float(n), self.block * _BLOCK_DECAY)


class AudioBridge:
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
    ) -> None:
        self.call_rate = call_rate
        self.frame_samples = frame_samples
        self._clock = clock
        self._last_capture: float | None = None
        self._max_block = max_device_block
        cap = int(call_rate * ring_seconds)
        self.capture_ring = SampleRing(cap)
        self.playback_ring = SampleRing(cap)
        self._far = SampleRing(cap)  # what went to the speaker, for echo cancellation
        self._cap_ctl = _Control(call_rate, frame_samples)
        self._play_ctl = _Control(call_rate, frame_samples)
        self.capture_resyncs = 0
        self.playback_resyncs = 0
        self.capture_priming_frames = 0
        self.frames_received = 0
        self.device_input_errors = 0
        self.device_output_errors = 0
        self.input_peak = 0.0
        self.output_peak = 0.0
        self.processor: CaptureProcessor | None = None
        self._play_running = True
        self._silent = np.zeros(4096, dtype=np.int16)
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
        self._capture_rs = StreamResampler(capture_rate, call_rate, max_block=max_device_block)
        self._playback_rs = StreamResampler(
            call_rate, playback_rate, max_block=max_device_block * 4
        )

    # ------------------------------------------------------ configuration

    @property
    def capture_rate(self) -> int:
        return self._capture_rs.rate_in

    @property
    def playback_rate(self) -> int:
        return self._playback_rs.rate_out

    def set_capture_rate(self, rate: int) -> None:
        """A new microphone (its stream stopped): new resampler, ring primed afresh."""
        if rate != self._capture_rs.rate_in:
            self._capture_rs = StreamResampler(rate, self.call_rate, max_block=self._max_block)
        self._capture_rs.reset()
        self._cap_ctl.restart()
        self._last_capture = None
        self._blk_n = 0

    def set_playback_rate(self, rate: int) -> None:
        """A new speaker (its stream stopped)."""
        if rate != self._playback_rs.rate_out:
            self._playback_rs = StreamResampler(self.call_rate, rate, max_block=self._max_block * 4)
        self._playback_rs.reset()
        self._play_ctl.restart()
        self.playback_ring.reset()
        self._play_running = True

    def capture_stopped(self) -> None:
        """The microphone stream was closed on purpose: pulls give silence, counted as
        priming, not as underruns, until a stream runs again (engine thread)."""
        self._cap_ctl.restart()

    def playback_stopped(self) -> None:
        """The speaker stream was closed: frames from the call are dropped, not queued."""
        self._play_running = False

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
        # between two deliveries (PortAudio delivers in bursts), not one block.
        now = self._clock()
        last, self._last_capture = self._last_capture, now
        ctl.note_block(max(m, int((now - last) * self.call_rate)) if last is not None else m)
        if self.processor is None:
            out = self._i16[:m]
            np.multiply(y, 32767.0, out=y)
            np.clip(y, -32768.0, 32767.0, out=y)
            np.copyto(out, y, casting="unsafe")
            self.capture_ring.write(out)
        else:
            self._process_blocks(y)
        ctl.callbacks += 1
        if not ctl.primed and self.capture_ring.fill >= ctl.target():
            if ctl.callbacks >= PRIME_CALLBACKS:
                ctl.primed = True
            else:  # keep the ring at target while learning the block size
                self.capture_ring.discard(int(self.capture_ring.fill - ctl.target()))

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

    # --------------------------------------------------- pjmedia clock thread

    def frame_requested(self, address: int, count: int) -> None:
        """Write `count` int16 samples for the call at `address`."""
        ring = self.capture_ring
        fill = ring.fill
        ctl = self._cap_ctl
        if not ctl.primed:
            self.capture_priming_frames += 1
            ctypes.memset(address, 0, count * 2)
            return
        excess = fill - ctl.target() - RESYNC_EXCESS_S * self.call_rate
        if excess > 0:
            ring.discard(int(excess))
            self.capture_resyncs += 1
            fill = ring.fill
        ctl.pulled(fill, count)
        ring.read_to(address, count)

    def frame_received(self, address: int, count: int) -> None:
        """`count` int16 samples from the call at `address` (0: a silent frame)."""
        self.frames_received += 1
        if not self._play_running:
            return
        if address:
            self.playback_ring.write_from(address, count)
        else:
            self.playback_ring.write(self._zeros(count))

    def _zeros(self, count: int) -> np.ndarray:
        return self._silent[:count]

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
            if fill < ctl.target() or ctl.callbacks < PRIME_CALLBACKS:
                if fill > ctl.target():  # hold it at target while learning the block size
                    ring.discard(int(fill - ctl.target()))
                out[:] = 0.0
                return
            ctl.primed = True
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
        self._far.write(p16)
        pf = self._pf[:need]
        np.multiply(p16, 1.0 / 32768.0, out=pf)
        y = rs.process(pf, n)
        out[:] = y
        np.abs(y, out=self._pabs[: len(y)])
        peak = float(self._pabs[: len(y)].max()) if len(y) else 0.0
        self.output_peak = peak if peak > self.output_peak else self.output_peak * 0.95

    # ----------------------------------------------------------- any thread

    def stats(self) -> BridgeStats:
        c, p = self.capture_ring, self.playback_ring
        cc, pc = self._cap_ctl, self._play_ctl
        ms = 1000.0 / self.call_rate
        return BridgeStats(
            capture_underruns=c.underruns,
            capture_underrun_ms=round(c.underrun_samples * ms, 1),
            capture_overruns=c.overruns,
            capture_resyncs=self.capture_resyncs,
            capture_priming_frames=self.capture_priming_frames,
            playback_underruns=p.underruns,
            playback_underrun_ms=round(p.underrun_samples * ms, 1),
            playback_overruns=p.overruns,
            playback_resyncs=self.playback_resyncs,
            capture_fill_ms=round(max(cc.ema, 0.0) * ms, 2),
            capture_target_ms=round(cc.target() * ms, 2),
            playback_fill_ms=round(max(pc.ema, 0.0) * ms, 2),
            playback_target_ms=round(pc.target() * ms, 2),
            capture_correction_ppm=round(self._capture_rs.correction * 1e6, 1),
            playback_correction_ppm=round(self._playback_rs.correction * 1e6, 1),
            capture_drift_ppm=round(cc.drift * 1e6, 1),
            playback_drift_ppm=round(pc.drift * 1e6, 1),
            device_input_errors=self.device_input_errors,
            device_output_errors=self.device_output_errors,
            input_peak_dbfs=_dbfs(self.input_peak),
            output_peak_dbfs=_dbfs(self.output_peak),
            frames_requested=cc.pulls + self.capture_priming_frames,
            frames_received=self.frames_received,
            processing=self.processor is not None,
        )
