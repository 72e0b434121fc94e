"""The sound devices' half of the bridge in C (`media/deviceside.c`), when it can be had.

Why: PortAudio calls the microphone's and the speaker's callbacks every 10-20 ms.
As Python callbacks (sounddevice's, then `AudioBridge.capture` / `.playback`:
numpy on a few hundred samples) they cost the audio process ~2.5 % of a core,
about twice what a whole baresip call costs. The C device side does the same
work (drift control, resampling, priming, resyncs, peaks) and PortAudio calls it
with no Python at all: sounddevice's `_StreamBase` takes a raw C callback.

Echo cancellation (WebRTC's, through a Python binding with no C API) runs on a
thread here: the microphone's callback writes its resampled block to the C side's
`near` ring and wakes the thread with a byte on a pipe; the thread takes 10 ms
blocks, the speaker's reference from the `far` ring, and writes what the
processor returns to the capture ring. The mode switch is acknowledged by the
next microphone callback, and the thread is joined before the callback writes
the capture ring again, so the ring always has one writer.

`AudioBridge`'s Python device half stays: the reference (the C side is tested for
parity against it) and the fallback when the extension was not built, on
Windows (not built or tested there yet), with `SOFTPHONE_NATIVE_DEVICES=0`, or
with `SOFTPHONE_DRIFT_TRIM=warp` (a measurement option the C side lacks).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import logging
import os
import sys
import threading
from functools import cache

import numpy as np

from softphone.media import bridge as b
from softphone.media.resample import StreamResampler
from softphone.media.ring import COUNTERS, SampleRing

log = logging.getLogger(__name__)

EXTENSION = "_softphone_bridgeport"
# deviceside.c's K_* order
_CFG = (
    "call_rate", "frame_samples", "max_block", "capture_margin_s", "playback_margin_s",
    "wait_share", "MAX_CORRECTION", "GAIN_PER_S", "INTEGRAL_PER_S2", "LOW_WATER_S",
    "MAX_ALLOWANCE_S", "PRIME_CALLBACKS", "DECAY_AFTER_S", "DECAY_STEP_S",
    "RESYNC_EXCESS_S", "INTEGRATE_WITHIN_S", "_BLOCK_DECAY", "EMA_ALPHA", "LOW_RELEASE",
)  # fmt: skip
# ... and its S_* order
_STATS = (
    "capture_target", "playback_ema", "playback_target", "playback_low",
    "capture_correction", "playback_correction", "capture_drift", "playback_drift",
    "input_errors", "output_errors", "input_peak", "output_peak", "input_age",
    "playback_resyncs", "input_at", "output_at", "mode", "capture_ema", "capture_low",
)  # fmt: skip
NEAR, FAR = 0, 1


class NativeDevicesUnavailable(RuntimeError):
    pass


class ExtensionMissing(RuntimeError):
    pass


@cache
def extension() -> ctypes.CDLL:
    """The C extension (both bridge halves and the conference clock), loaded once:
    setuptools builds it as a module, but it is only ever used through ctypes."""
    spec = importlib.util.find_spec(EXTENSION)
    if spec is None or not spec.origin:
        raise ExtensionMissing(f"{EXTENSION} was not built (no C compiler at install?)")
    return ctypes.CDLL(spec.origin)


def declare(lib: ctypes.CDLL, table: tuple) -> dict[str, ctypes._CFuncPtr]:
    """The extension's functions in `table` ((name, argtypes, restype), ...), typed,
    by name; AttributeError names one this build lacks."""
    typed = {}
    for name, args, res in table:
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
        typed[name] = fn
    return typed


@cache
def _lib() -> ctypes.CDLL:
    try:
        lib = extension()
    except ExtensionMissing as e:
        raise NativeDevicesUnavailable(str(e)) from None
    vp, i64, dbl = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
    fp = ctypes.POINTER(ctypes.c_float)
    try:
        declare(lib, (
            ("ds_new", [vp, i64, ctypes.POINTER(dbl)], vp),
            ("ds_free", [vp], None),
            ("ds_capture", [vp, vp, i64, i64, i64, dbl], None),
            ("ds_playback", [vp, vp, i64, i64, i64], None),
            ("ds_set_capture", [vp, i64, i64, i64, i64, fp, fp], ctypes.c_int),
            ("ds_set_playback", [vp, i64, i64, i64, i64, fp, fp], ctypes.c_int),
            ("ds_capture_stopped", [vp], None),
            ("ds_set_drive_fd", [vp, i64], None),
            ("ds_signal", [vp], None),
            ("ds_playback_stopped", [vp], None),
            ("ds_request_mode", [vp, i64, i64], None),
            ("ds_mode", [vp], i64),
            ("ds_ring_counters", [vp, i64], vp),
            ("ds_ring_buffer", [vp, i64], vp),
            ("ds_stats", [vp, ctypes.POINTER(dbl)], None),
            ("ds_stats_count", [], i64),
            ("ds_cfg_count", [], i64),
        ))  # fmt: skip
    except AttributeError as e:  # an extension built from older sources
        raise NativeDevicesUnavailable(f"{EXTENSION} lacks the device side: {e}") from e
    if lib.ds_cfg_count() != len(_CFG) or lib.ds_stats_count() != len(_STATS):
        raise NativeDevicesUnavailable(f"{EXTENSION} does not match this Python code")
    return lib


def unavailable() -> str | None:
    """None when the C device side can be used here, else why not."""
    if os.environ.get("SOFTPHONE_NATIVE_DEVICES", "1") == "0":
        return "SOFTPHONE_NATIVE_DEVICES=0"
    if sys.platform == "win32":
        return "not built or tested on Windows yet"
    if os.environ.get("SOFTPHONE_DRIFT_TRIM") == "warp":
        return "SOFTPHONE_DRIFT_TRIM=warp has no C version"
    try:
        _lib()
    except (NativeDevicesUnavailable, OSError) as e:
        return str(e)
    return None


def make_audio_bridge(**kwargs) -> b.AudioBridge:
    """The C device side when it can be had, else the Python one (why: logged once)."""
    why = unavailable()
    if why is None:
        return NativeAudioBridge(**kwargs)
    _log_python_once(why)
    return b.AudioBridge(**kwargs)


@cache
def _log_python_once(why: str) -> None:
    log.info("sound device callbacks in Python: %s", why)


def _view(address: int, ctype, count: int) -> np.ndarray:
    return np.ctypeslib.as_array((ctype * count).from_address(address))


class NativeAudioBridge(b.AudioBridge):
    """`AudioBridge` whose device half runs in C; the streams call it directly
    (`native_callbacks`). `capture` / `playback` call the same C code from Python (tests)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        lib = self._lib = _lib()
        values = [
            self.call_rate, self.frame_samples, self._max_block, b.CAPTURE_MARGIN_S,
            self._play_ctl.margin_s, b.CAPTURE_WAIT_SHARE,
        ] + [getattr(b, name) for name in _CFG[6:]]  # fmt: skip
        cfg = (ctypes.c_double * len(values))(*values)
        self._ds = lib.ds_new(self.state.capture_counters.ctypes.data, self.state.capacity, cfg)
        if not self._ds:
            raise MemoryError("device side")
        cap = self.state.capacity

        def ring(which: int) -> SampleRing:
            counters = _view(lib.ds_ring_counters(self._ds, which), ctypes.c_int64, COUNTERS)
            buf = _view(lib.ds_ring_buffer(self._ds, which), ctypes.c_int16, cap)
            return SampleRing(cap, buf, counters)

        self._near, self._far = ring(NEAR), ring(FAR)
        self._stats = (ctypes.c_double * len(_STATS))()
        self._worker: threading.Thread | None = None
        self._stop_worker = threading.Event()
        self._pipe: tuple[int, int] | None = None
        self.set_capture_rate(self.capture_rate)
        self.set_playback_rate(self.playback_rate)

    # ------------------------------------------------------ configuration

    @property
    def native_callbacks(self) -> tuple[int, int, int]:
        """(input callback, output callback, user data): C addresses for PortAudio."""
        lib = self._lib
        addr = ctypes.cast
        return (
            addr(lib.ds_input_callback, ctypes.c_void_p).value,
            addr(lib.ds_output_callback, ctypes.c_void_p).value,
            self._ds,
        )

    def set_capture_rate(self, rate: int, channels: int = 1) -> None:
        rs = self._capture_rs
        if rate != rs.rate_in or not isinstance(rs, StreamResampler):
            rs = self._capture_rs = StreamResampler(rate, self.call_rate, max_block=self._max_block)
        self._configure(self._lib.ds_set_capture, rs, rate, channels)

    def set_playback_rate(self, rate: int, channels: int = 1) -> None:
        rs = self._playback_rs
        if rate != rs.rate_out or not isinstance(rs, StreamResampler):
            rs = StreamResampler(self.call_rate, rate, max_block=self._max_block * 4)
            self._playback_rs = rs
        self._configure(self._lib.ds_set_playback, rs, rate, channels)

    def _configure(self, fn, rs: StreamResampler, rate: int, channels: int) -> None:
        fp = ctypes.POINTER(ctypes.c_float)
        tab, dtab = np.ascontiguousarray(rs._tab), np.ascontiguousarray(rs._dtab)
        if fn(self._ds, rate, channels, rs.half, rs._phases, tab.ctypes.data_as(fp),
              dtab.ctypes.data_as(fp)):  # fmt: skip
            raise MemoryError("device side resampler")

    def capture_stopped(self) -> None:
        self._lib.ds_capture_stopped(self._ds)

    def drive_clock(self, fd: int) -> None:
        """Each frame the microphone completes becomes a byte on `fd`: the conference's
        clock (engine/conferenceclock.py) ticks on it. Before streams open."""
        self._lib.ds_set_drive_fd(self._ds, fd)

    def playback_stopped(self) -> None:
        self._lib.ds_playback_stopped(self._ds)

    def release(self) -> None:
        """Free the C side: only once no stream can call it any more."""
        self.processor = None
        ds, self._ds = self._ds, None
        if ds:
            self._lib.ds_free(ds)
        pipe, self._pipe = self._pipe, None
        if pipe:
            os.close(pipe[0])
            os.close(pipe[1])

    # ------------------------------------------- the C code, called from Python

    def capture(self, block: np.ndarray, device_error: bool = False) -> None:
        x = np.ascontiguousarray(block, dtype=np.float32)
        self._lib.ds_capture(self._ds, x.ctypes.data, len(x), 1, int(device_error), self._clock())

    def playback(self, out: np.ndarray, device_error: bool = False) -> None:
        if not (out.flags.c_contiguous and out.dtype == np.float32):
            raise ValueError("playback needs a contiguous float32 block")
        self._lib.ds_playback(self._ds, out.ctypes.data, len(out), 1, int(device_error))

    # ------------------------------------------------------ echo cancellation

    @property
    def processor(self) -> b.CaptureProcessor | None:
        return self.__dict__.get("_processor")

    @processor.setter
    def processor(self, processor: b.CaptureProcessor | None) -> None:
        self.__dict__["_processor"] = processor
        if "_ds" not in self.__dict__ or not self._ds:
            return  # AudioBridge's __init__: the C side comes after
        if processor is None:
            self._end_worker()  # first: the capture ring's other writer stops
            self._lib.ds_request_mode(self._ds, 0, -1)
        elif self._worker is None:
            self._near.reset()  # reader side: nothing left from an earlier turn
            self._fresh_reference()  # the worker, its reader, is not running yet
            if self._pipe is None:  # one for the bridge's life: the callback may
                self._pipe = os.pipe()  # write to it at any moment until freed
                os.set_blocking(self._pipe[1], False)
            self._stop_worker.clear()
            self._lib.ds_request_mode(self._ds, 1, self._pipe[1])
            self._worker = threading.Thread(
                target=self._work, args=(self._pipe[0],), name="echo-canceller", daemon=True
            )
            self._worker.start()

    def _end_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        self._stop_worker.set()
        with contextlib.suppress(BlockingIOError):  # full: it has bytes to wake on
            os.write(self._pipe[1], b"x")
        worker.join()

    def _work(self, rfd: int) -> None:
        """10 ms blocks from the `near` ring through the processor to the capture ring."""
        near, size = self._near, len(self._near16)
        while not self._stop_worker.is_set():
            try:
                os.read(rfd, 256)  # a byte per microphone callback
            except OSError:
                return
            if self._stop_worker.is_set() or self._lib.ds_mode(self._ds) != 1:
                continue  # not acknowledged yet: a callback may still write the ring
            while near.fill >= size:
                processor = self.processor
                if processor is None:
                    return
                near.read_into(self._near16)
                self._trim_far()
                self._far.read_into(self._far16)  # silence when nothing was played
                try:
                    out = processor.process(self._near16, self._far16)
                except Exception as e:  # the binding failing: the call goes on without it
                    self._give_up_processing(e)
                    return
                self.capture_ring.write(out)
                self._lib.ds_signal(self._ds)  # frames completed: the conference's clock

    def _give_up_processing(self, error: Exception) -> None:
        """On the worker: unprocessed microphone from the next callback on (this thread
        writes no more, so the capture ring keeps one writer)."""
        log.error("echo cancellation failed, the microphone goes unprocessed: %s", error)
        self.__dict__["_processor"] = None
        self._worker = None
        self._lib.ds_request_mode(self._ds, 0, -1)

    # ----------------------------------------------------------- any thread

    def device_stats(self) -> dict[str, float]:
        self._lib.ds_stats(self._ds, self._stats)
        return dict(zip(_STATS, self._stats, strict=True))

    @property
    def last_input_at(self) -> float:
        return self.device_stats()["input_at"]

    @property
    def last_output_at(self) -> float:
        return self.device_stats()["output_at"]

    DEVICE_CALLBACKS = "c"

    def _device_figures(self) -> dict[str, float]:
        return self.device_stats()
