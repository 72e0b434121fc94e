"""PortAudio streams (through sounddevice) that feed one AudioBridge; devices that are
PulseAudio underneath straight on PulseAudio when the C device side runs (media/pulse.py).

Opened, switched and closed on the engine thread; their callbacks run on
PortAudio's threads and only hand samples to the bridge (which copies). A
stream's health is judged from the engine thread: a stream that stopped, or
whose callback has not run for `STALL_S`, needs a new stream (`engine/audio.py`
decides whether on the same device or on the default).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import logging
import os
import sys
import time
from dataclasses import dataclass

from softphone.media import pulse
from softphone.media.bridge import I_INPUT_CALLBACKS, I_OUTPUT_CALLBACKS, AudioBridge
from softphone.media.devices import AudioDevice, device_index, sounddevice_module

log = logging.getLogger(__name__)

STALL_S = 0.5
START_TIMEOUT_S = 0.3
# ALSA's pulse plugin often calls an output stream back a few times (filling its
# buffer) and then not at all for about 1.9 s before it really starts: a stream
# that has only filled its buffer gets this long before it counts as stalled.
PREFILL_CALLBACKS = 8
PREFILL_GRACE_S = 2.5
NOT_STARTED = "the stream did not start"
# What PortAudio is asked to buffer. Input: the capture buffer must outlast a
# callback held up by another thread (the GIL) without losing samples; it does
# not add latency, since a callback takes whatever has arrived, but it sets the
# period, i.e. how bursty delivery is, which the bridge's margin must cover.
# Output: it is the playback latency, and what carries the speaker through such
# a stall. SOFTPHONE_INPUT_LATENCY_S overrides the input figure (benchmarks).
INPUT_LATENCY_S = float(os.environ.get("SOFTPHONE_INPUT_LATENCY_S", "0.04"))
OUTPUT_LATENCY_S = float(os.environ.get("SOFTPHONE_OUTPUT_LATENCY_S", "0.04"))
# Callback sizes (0: PortAudio's choice). Each callback costs tens of microseconds
# of Python, so fewer are cheaper. The microphone is left to PortAudio (10 ms on
# ALSA's pulse plugin with 40 ms of buffer): asking for 10 ms blocks with 20 ms of
# buffer measured ~15 ms *more* latency (67 vs 52 ms added, same runs), outside
# the bridge's ring, i.e. in PulseAudio or its plugin.
INPUT_BLOCK_S = float(os.environ.get("SOFTPHONE_INPUT_BLOCK_MS", "0")) / 1000
OUTPUT_BLOCK_S = float(os.environ.get("SOFTPHONE_OUTPUT_BLOCK_MS", "20")) / 1000
# The microphone's block on PulseAudio directly (media/pulse.py): what PortAudio
# picks through the pulse plugin, which the latency figures were measured with.
PULSE_INPUT_BLOCK_S = 0.01
# Open the device at the call's rate when it accepts it (PulseAudio, CoreAudio and
# WASAPI's shared mode convert in C; ALSA's plug layer too): our resampler then only
# trims for drift. SOFTPHONE_DEVICE_RATE=native keeps the device's own rate.
OPEN_AT_CALL_RATE = os.environ.get("SOFTPHONE_DEVICE_RATE", "call") != "native"
# Ask PortAudio's ALSA host API for real-time scheduling of its callback threads, as
# its WASAPI (MMCSS) and CoreAudio back ends have anyway. Best effort: without the
# right (RLIMIT_RTPRIO, rtkit, CAP_SYS_NICE) PortAudio quietly keeps normal priority.
ALSA_REALTIME = os.environ.get("SOFTPHONE_AUDIO_REALTIME", "1") != "0"


class StreamError(RuntimeError):
    pass


@dataclass(frozen=True)
class OpenStream:
    device: AudioDevice
    rate: int
    channels: int
    latency_s: float
    via: str = "PortAudio"  # or "PulseAudio": straight on the sound server (media/pulse.py)


class DeviceStreams:
    def __init__(self, bridge: AudioBridge, call_rate: int | None = None) -> None:
        self.bridge = bridge
        self.call_rate = call_rate or bridge.call_rate
        self._in = None
        self._out = None
        self.input: OpenStream | None = None
        self.output: OpenStream | None = None
        self._in_at = self._out_at = 0.0  # when each last called back (monotonic)
        self._in_seen = (0, 0.0, 0)
        self._out_seen = (0, 0.0, 0)
        # the callback counts, kept where the engine's process reads them (shared
        # memory when this runs in the audio process): a stream that keeps calling
        # back needs no question asked
        self._counts = bridge.state.ints
        self._clock = time.monotonic
        # (input, output, user data): C callbacks PortAudio calls without Python
        # (media/nativebridge.py), or None
        self._native = getattr(bridge, "native_callbacks", None)

    @property
    def input_callbacks(self) -> int:
        return int(self._counts[I_INPUT_CALLBACKS])

    @property
    def output_callbacks(self) -> int:
        return int(self._counts[I_OUTPUT_CALLBACKS])

    def _last_callback(self, microphone: bool) -> float:
        if self._native is None:
            return self._in_at if microphone else self._out_at
        return self.bridge.last_input_at if microphone else self.bridge.last_output_at

    # --------------------------------------------------- PortAudio threads

    def _on_input(self, indata, frames, time_info, status) -> None:
        self._counts[I_INPUT_CALLBACKS] += 1
        self._in_at = self._clock()
        bridge = self.bridge
        if time_info is not None:  # None from libpulse's simple API (media/pulse_simple.py)
            age = time_info.currentTime - time_info.inputBufferAdcTime
            if 0.0 <= age < 1.0:  # 0 where the host API has no timestamps
                bridge.input_age += 0.02 * (age - bridge.input_age)
        bridge.capture(indata[:, 0], bool(status))

    def _on_output(self, outdata, frames, _time, status) -> None:
        self._counts[I_OUTPUT_CALLBACKS] += 1
        self._out_at = self._clock()
        self.bridge.playback(outdata[:, 0], bool(status))
        if outdata.shape[1] > 1:
            outdata[:, 1:] = outdata[:, :1]

    # ------------------------------------------------------ engine thread

    def open_input(self, device: AudioDevice) -> OpenStream:
        self.close_input()
        stream, info = self._open(device, "input")
        self.bridge.set_capture_rate(info.rate, info.channels)
        stream.start()
        _pulse_threads_realtime(device)
        self._in, self.input = stream, info
        self._in_seen = (self.input_callbacks, time.monotonic(), self.input_callbacks)
        return info

    def open_output(self, device: AudioDevice) -> OpenStream:
        self.close_output()
        stream, info = self._open(device, "output")
        self.bridge.set_playback_rate(info.rate, info.channels)
        stream.start()
        _pulse_threads_realtime(device)
        self._out, self.output = stream, info
        self._out_seen = (self.output_callbacks, time.monotonic(), self.output_callbacks)
        return info

    def _open(self, device: AudioDevice, kind: str):
        opened = self._open_pulse(device, kind)
        if opened is not None:
            return opened
        sd = sounddevice_module()
        index = device_index(device)
        if device.hostapi == "ALSA" and sys.platform.startswith("linux"):
            refused = alsa_can_open(device.name, kind)
            if refused:
                raise StreamError(f"cannot open {device.label} for {kind}: {refused}")
        native = device.default_rate or 48000
        rates = [self.call_rate, native] if OPEN_AT_CALL_RATE else [native]
        cls = _stream_class(sd, kind, self._native)
        callback = self._on_input if kind == "input" else self._on_output
        latency = INPUT_LATENCY_S if kind == "input" else OUTPUT_LATENCY_S
        block_s = INPUT_BLOCK_S if kind == "input" else OUTPUT_BLOCK_S
        errors = []
        for rate in dict.fromkeys(rates):
            for channels in (1, 2):
                try:
                    stream = cls(
                        device=index,
                        samplerate=rate,
                        channels=channels,
                        dtype="float32",
                        latency=latency,
                        blocksize=int(rate * block_s),
                        callback=callback,
                    )
                except Exception as e:  # sd.PortAudioError, ValueError for channel counts
                    errors.append(str(e))
                    continue
                if device.hostapi == "ALSA" and ALSA_REALTIME:
                    _alsa_realtime(stream)
                info = OpenStream(device, int(stream.samplerate), channels, stream.latency)
                return stream, info
        raise StreamError(f"cannot open {device.label} for {kind}: {'; '.join(errors)}")

    def _open_pulse(self, device: AudioDevice, kind: str):
        """The device straight on PulseAudio when it is PulseAudio underneath (media/pulse.py):
        through the C device side when it runs; a server's own sink or source (which
        PortAudio cannot open) otherwise through media/pulse_simple.py. None: PortAudio
        opens it."""
        if self._native is None and device.target is None:
            return None  # the Python device side opens the rest with PortAudio
        target = _pulse_target(device)
        if target is None:
            return None
        if self._native is None:  # a server's own device: PortAudio cannot reach it
            return self._open_pulse_python(device, kind, target)
        rate = self.call_rate
        block_s = (INPUT_BLOCK_S or PULSE_INPUT_BLOCK_S) if kind == "input" else OUTPUT_BLOCK_S
        try:
            stream = pulse.PulseStream(
                self._native[2],
                kind,
                target,
                rate,
                1,
                block=max(1, int(rate * block_s)),
                buffer=int(rate * OUTPUT_LATENCY_S),
                max_frames=self.bridge.max_device_block,
            )
        except pulse.PulseUnavailable as e:
            if device.target is not None:  # only the server has it
                return self._open_pulse_python(device, kind, target)
            if _say_once(str(e)):
                log.info("%s through PortAudio: %s", device.label, e)
            return None
        except pulse.PulseRefused as e:  # the plugin would fail the same way, later
            raise StreamError(f"cannot open {device.label} for {kind}: {e}") from None
        return stream, OpenStream(device, rate, 1, stream.latency, via="PulseAudio")

    def _open_pulse_python(self, device: AudioDevice, kind: str, target: pulse.PulseTarget):
        """A server's own sink or source for the Python device side: libpulse's simple
        API on a thread of ours calls the same callbacks PortAudio would."""
        from softphone.media.pulse_simple import PulseCallbackStream, PulseSimpleError

        rate = self.call_rate
        block_s = (INPUT_BLOCK_S or PULSE_INPUT_BLOCK_S) if kind == "input" else OUTPUT_BLOCK_S
        callback = self._on_input if kind == "input" else self._on_output
        latency = INPUT_LATENCY_S if kind == "input" else OUTPUT_LATENCY_S
        try:
            stream = PulseCallbackStream(kind, target.device, rate, 1, callback, latency=latency,
                                         blocksize=max(1, int(rate * block_s)))  # fmt: skip
        except PulseSimpleError as e:
            raise StreamError(f"cannot open {device.label} for {kind}: {e}") from None
        return stream, OpenStream(device, rate, 1, stream.latency, via="PulseAudio")

    def close_input(self) -> None:
        stream, self._in, self.input = self._in, None, None
        _close(stream)
        self.bridge.capture_stopped()

    def close_output(self) -> None:
        stream, self._out, self.output = self._out, None, None
        _close(stream)
        self.bridge.playback_stopped()

    def close(self) -> None:
        self.close_input()
        self.close_output()

    def started(self, microphone: bool) -> bool:
        """The stream has called back at least once since it was opened."""
        if microphone:
            return self._in is not None and self.input_callbacks != self._in_seen[2]
        return self._out is not None and self.output_callbacks != self._out_seen[2]

    def input_problem(self) -> str | None:
        """Why the microphone stream is not working, or None."""
        problem, self._in_seen = _health(
            self._in, self.input_callbacks, self._in_seen, self._last_callback(True)
        )
        return problem

    def output_problem(self) -> str | None:
        problem, self._out_seen = _health(
            self._out, self.output_callbacks, self._out_seen, self._last_callback(False)
        )
        return problem


def _pulse_target(device: AudioDevice) -> pulse.PulseTarget | None:
    """Where on the sound server `device` is: one of its own sinks or sources, or an ALSA
    PCM of the pulse plugin; None for anything else (PortAudio opens it)."""
    if not pulse.ENABLED:
        return None
    if device.target is not None:
        return pulse.PulseTarget(device.target)
    return pulse.alsa_pulse_target(device.name) if device.hostapi == "ALSA" else None


def _stream_class(sd, kind: str, native: tuple[int, int, int] | None):
    """What `_open` instantiates: sounddevice's stream calling `callback` (Python), or,
    with the C device side, its base class calling a C function (`_StreamBase` takes a
    raw `PaStreamCallback` pointer and user data: its documented use)."""
    if native is None:
        return sd.InputStream if kind == "input" else sd.OutputStream
    pointer = native[0] if kind == "input" else native[1]
    userdata = sd._ffi.cast("void *", native[2])

    def open_native(*, callback, **kwargs):  # the Python callback is not used
        return sd._StreamBase(kind, callback=pointer, userdata=userdata, wrap_callback=None,
                              **kwargs)  # fmt: skip

    return open_native


def _health(
    stream, calls: int, seen: tuple[int, float, int], last: float
) -> tuple[str | None, tuple[int, float, int]]:
    """`seen`: (callbacks counted, when the last of them ran, callbacks at open);
    `last`: when the last callback ran. Asked at any pace: the time a stream has
    been silent is measured from its last callback, not from the last question."""
    if stream is None:
        return None, seen
    now = time.monotonic()
    if calls != seen[0]:
        return None, (calls, min(now, max(last, seen[1])), seen[2])
    if 0 < calls - seen[2] <= PREFILL_CALLBACKS and now - seen[1] <= PREFILL_GRACE_S:
        return None, seen
    if calls == seen[2] and now - seen[1] > getattr(stream, "start_timeout", START_TIMEOUT_S):
        # Seen with ALSA's pulse plugin: about one capture stream in three never
        # gets its first callback. A fresh stream on the same device starts.
        return NOT_STARTED, seen
    if calls == seen[2] and stream.active:
        return None, seen  # not started yet, within its time
    if not stream.active:
        return "the stream stopped", seen
    if now - seen[1] > STALL_S:
        return (
            f"no audio from the device for {now - seen[1]:.1f} s "
            f"(after {calls - seen[2]} callbacks)",
            seen,
        )
    return None, seen


def alsa_can_open(name: str, kind: str) -> str | None:
    """Try to open an ALSA PCM directly; None if it opens, else ALSA's reason.

    PortAudio 19.6's ALSA host API aborts the whole process (a failed assert in
    PaAlsaStream_Initialize) when a device it listed cannot be opened any more,
    e.g. one unplugged since PortAudio listed it. alsa-lib itself just returns
    an error, so ask it first.
    """
    lib = pulse.libasound()
    if lib is None:
        return None
    pcm_name = name
    if name.endswith(")") and "(hw:" in name:
        pcm_name = name[name.rindex("(hw:") + 1 : -1]
    handle = ctypes.c_void_p()
    stream = 0 if kind == "output" else 1  # SND_PCM_STREAM_PLAYBACK / _CAPTURE
    rc = lib.snd_pcm_open(ctypes.byref(handle), pcm_name.encode(), stream, 1)  # NONBLOCK
    if rc < 0:
        return lib.snd_strerror(rc).decode(errors="replace")
    lib.snd_pcm_close(handle)
    return None


@functools.cache
def _enable_realtime():
    sd = sounddevice_module()
    try:
        lib = ctypes.CDLL(sd._libname)
        f = lib.PaAlsa_EnableRealtimeScheduling
    except (OSError, AttributeError):
        return None
    f.argtypes = [ctypes.c_void_p, ctypes.c_int]
    f.restype = None
    return f


def _alsa_realtime(stream) -> None:
    """Before the stream starts: its callback thread asks for SCHED_FIFO."""
    f = _enable_realtime()
    if f is not None:
        sd = sounddevice_module()
        f(int(sd._ffi.cast("intptr_t", stream._ptr)), 1)


def _pulse_threads_realtime(device: AudioDevice) -> None:
    """ALSA's pulse plugin moves the samples in a libpulse thread of ours
    ("threaded-ml"), not in PortAudio's, and so do our own PulseAudio streams
    ("pulse-io"): they get the same priority, best effort."""
    if not (ALSA_REALTIME and device.hostapi == "ALSA" and sys.platform.startswith("linux")):
        return
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                if f.read().strip() not in ("threaded-ml", "pulse-io"):
                    continue
            if os.sched_getscheduler(int(tid)) == os.SCHED_OTHER:
                os.sched_setscheduler(int(tid), os.SCHED_FIFO, os.sched_param(1))
        except (OSError, ValueError):
            continue  # no right to it, or the thread is gone


@functools.lru_cache(maxsize=32)
def _say_once(reason: str) -> bool:
    return True


def _close(stream) -> None:
    if stream is None:
        return
    # the device may already be gone: close anyway
    with contextlib.suppress(Exception):
        stream.abort()
    with contextlib.suppress(Exception):
        stream.close()
