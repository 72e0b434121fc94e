"""Short-lived audio streams on one named PulseAudio sink or source, through libpulse's
simple API (libpulse-simple.so.0, loaded at run time with ctypes).

The ringer, the speaker test, the microphone meter and the echo test must reach the
device the user picked by its server name (`alsa_output.usb-...analog-stereo`), which
PortAudio cannot address; so must a call's streams on the Python device side (with
the C one calls go through media/pulse.py). The stream has the shape of the part of
sounddevice's streams those callers use.

Threads: one owner thread opens, starts, stops and closes; a daemon worker does the
blocking reads or writes (without the GIL) and calls the callback. While the worker
lives only it calls pa_simple, which is not meant to be shared between threads. On a
suspended device it blocks until the device resumes: a stream closed then is freed
by its worker on the way out.

A device that goes away does not end the stream: PulseAudio >= 14 moves its streams
to the default device (pa_simple cannot ask for PA_STREAM_DONT_MOVE). A stream the
server ends, or a server that goes away, fails with `error` set.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading
from collections.abc import Callable

import numpy as np

from softphone.media.nativebridge import declare

log = logging.getLogger(__name__)

Callback = Callable[[np.ndarray, int, None, int], None]

_FLOAT32LE, _PLAYBACK, _RECORD = 5, 1, 2
_SERVER_DEFAULT = 0xFFFFFFFF  # (uint32)-1 in pa_buffer_attr
_NO_LATENCY = 0xFFFFFFFFFFFFFFFF  # (pa_usec_t)-1: pa_simple_get_latency failed
_JOIN_S = 2.0  # a block is 10 ms, a drain one buffer; longer means a suspended device


class PulseSimpleError(OSError):
    """No libpulse-simple, the server refused the stream, or its device went away."""


class _SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class _BufferAttr(ctypes.Structure):
    _fields_ = [
        (f, ctypes.c_uint32) for f in ("maxlength", "tlength", "prebuf", "minreq", "fragsize")
    ]


@functools.cache
def _libs() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    """libpulse-simple and libpulse, with the prototypes this module uses."""
    try:
        simple, pulse = ctypes.CDLL("libpulse-simple.so.0"), ctypes.CDLL("libpulse.so.0")
    except OSError as e:
        raise PulseSimpleError(f"no PulseAudio simple API: {e}") from None
    vp, i, cp, err = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)
    spec, attr = ctypes.POINTER(_SampleSpec), ctypes.POINTER(_BufferAttr)
    declare(simple, (
        ("pa_simple_new", [cp, cp, i, cp, cp, spec, vp, attr, err], vp),
        ("pa_simple_read", [vp, vp, ctypes.c_size_t, err], i),
        ("pa_simple_write", [vp, vp, ctypes.c_size_t, err], i),
        ("pa_simple_drain", [vp, err], i),
        ("pa_simple_flush", [vp, err], i),
        ("pa_simple_get_latency", [vp, err], ctypes.c_uint64),
        ("pa_simple_free", [vp], None),
    ))  # fmt: skip
    declare(pulse, (("pa_strerror", [i], cp),))
    return simple, pulse


def _error(what: str, code: int) -> PulseSimpleError:
    text = _libs()[1].pa_strerror(code)
    return PulseSimpleError(f"{what}: {text.decode() if text else f'error {code}'}")


class PulseCallbackStream:
    """A playback ("output") or record ("input") stream on `device` (a sink or source
    name; None for the server's default) whose worker feeds or drains it through
    `callback(data, frames, None, 0)` with float32 (frames, channels) blocks."""

    def __init__(
        self,
        kind: str,
        device: str | None,
        samplerate: int,
        channels: int,
        callback: Callback,
        latency: float = 0.1,
        blocksize: int = 0,
        name: str = "softphone",
    ) -> None:
        if kind not in ("input", "output"):
            raise ValueError(f"kind must be 'input' or 'output', not {kind!r}")
        self.kind, self.device, self.channels = kind, device, channels
        self.samplerate = float(samplerate)
        self.blocksize = blocksize or samplerate // 100
        self.error: BaseException | None = None
        self._callback = callback
        self._simple = _libs()[0]
        self._buffer = np.zeros((self.blocksize, channels), dtype=np.float32)
        self._data = ctypes.c_void_p(self._buffer.ctypes.data)
        self._code = ctypes.c_int(0)
        self._code_p = ctypes.pointer(self._code)  # made once: nothing allocated per block
        self._label = f"{kind} {device or '(default)'}"
        self._halt: str | None = None  # "stop" or "abort": the owner's word to the worker
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # guards the handover of pa_simple_free below
        self._running = self._closed = self._orphaned = False
        self._handle: int | None = self._open(name, samplerate, latency)
        self._latency = self._measure(latency)

    def _open(self, name: str, rate: int, latency: float) -> int:
        spec = _SampleSpec(_FLOAT32LE, rate, self.channels)
        attr = _BufferAttr(*[_SERVER_DEFAULT] * 5)
        if self.kind == "output":
            attr.tlength = int(latency * rate) * 4 * self.channels
        else:
            attr.fragsize = self._buffer.nbytes
        handle = self._simple.pa_simple_new(
            None, name.encode(), _PLAYBACK if self.kind == "output" else _RECORD,
            self.device.encode() if self.device else None, f"{name} {self.kind}".encode(),
            ctypes.byref(spec), None, ctypes.byref(attr), self._code_p,
        )  # fmt: skip
        if not handle:
            raise _error(f"cannot open {self._label}", self._code.value)
        return handle

    def _measure(self, requested: float) -> float:
        # Nothing is buffered yet at open (0 s seen for playback, 42 us for record), so
        # the buffer we asked for is the floor: tlength, or one fragment when recording.
        floor = requested if self.kind == "output" else self.blocksize / self.samplerate
        usec = self._simple.pa_simple_get_latency(self._handle, self._code_p)
        return max(usec / 1e6, floor) if usec != _NO_LATENCY else floor

    @property
    def latency(self) -> float:
        """Seconds: what the server reported at open, at least the buffer asked for."""
        return self._latency

    @property
    def active(self) -> bool:
        return self._running

    def start(self) -> None:
        if self._closed:
            raise PulseSimpleError(f"{self._label} is closed")
        if self._running:
            return
        self._halt, self.error, self._running = None, None, True
        self._thread = threading.Thread(
            target=self._run, name=f"pulse-simple-{self.kind}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """End after what was written has played (output)."""
        self._end("stop")

    def abort(self) -> None:
        """End at once, dropping what is still buffered (output)."""
        self._end("abort")

    def close(self) -> None:
        self.abort()
        with self._lock:
            self._closed = True
            if not self._running:
                self._free()
            elif not self._orphaned:  # blocked in libpulse (a suspended device): it frees
                log.warning("pulse-simple %s is stuck; it will close when it ends", self._label)
                self._orphaned = True

    def _end(self, how: str) -> None:
        if self._thread is not None:
            self._halt = how
            self._thread.join(_JOIN_S)

    def _free(self) -> None:
        if self._handle is not None:
            self._simple.pa_simple_free(self._handle)
            self._handle = None

    def __enter__(self) -> PulseCallbackStream:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- worker

    def _run(self) -> None:
        try:
            while self._halt is None:
                self._step()
            if self.kind == "output":
                stop = self._halt == "stop"
                end = self._simple.pa_simple_drain if stop else self._simple.pa_simple_flush
                self._check(end(self._handle, self._code_p), "drain" if stop else "flush")
        except Exception as e:  # the callback's or the server's: kept for the owner
            self.error = e
        finally:
            with self._lock:
                self._running = False
                if self._orphaned:
                    self._free()

    def _step(self) -> None:
        """One block: filled by the callback then written, or read then handed over."""
        out, frames = self.kind == "output", self.blocksize
        if out:
            self._callback(self._buffer, frames, None, 0)
        io = self._simple.pa_simple_write if out else self._simple.pa_simple_read
        result = io(self._handle, self._data, self._buffer.nbytes, self._code_p)
        self._check(result, "write to" if out else "read from")
        if not out:
            self._callback(self._buffer, frames, None, 0)

    def _check(self, result: int, what: str) -> None:
        if result < 0:
            raise _error(f"cannot {what} {self._label}", self._code.value)
