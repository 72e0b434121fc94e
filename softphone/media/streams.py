"""PortAudio streams (through sounddevice) that feed one AudioBridge.

Opened, switched and closed on the engine thread; their callbacks run on
PortAudio's threads and only hand samples to the bridge (which copies). A
stream's health is judged from the engine thread: a stream that stopped, or
whose callback has not run for `STALL_S`, has lost its device.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from softphone.media.bridge import AudioBridge
from softphone.media.devices import AudioDevice, device_index, sounddevice_module

STALL_S = 1.0
# What PortAudio is asked to buffer. Input: the capture buffer must outlast a
# callback held up by another thread (the GIL) without losing samples; it does
# not add latency, since a callback takes whatever has arrived. Output: it is
# the playback latency, and what carries the speaker through such a stall.
INPUT_LATENCY_S = 0.06
OUTPUT_LATENCY_S = 0.06


class StreamError(RuntimeError):
    pass


@dataclass(frozen=True)
class OpenStream:
    device: AudioDevice
    rate: int
    channels: int
    latency_s: float


class DeviceStreams:
    def __init__(self, bridge: AudioBridge) -> None:
        self.bridge = bridge
        self._in = None
        self._out = None
        self.input: OpenStream | None = None
        self.output: OpenStream | None = None
        self.input_callbacks = 0
        self.output_callbacks = 0
        self._in_seen = (0, 0.0)
        self._out_seen = (0, 0.0)

    # --------------------------------------------------- PortAudio threads

    def _on_input(self, indata, frames, _time, status) -> None:
        self.input_callbacks += 1
        self.bridge.capture(indata[:, 0], bool(status))

    def _on_output(self, outdata, frames, _time, status) -> None:
        self.output_callbacks += 1
        self.bridge.playback(outdata[:, 0], bool(status))
        if outdata.shape[1] > 1:
            outdata[:, 1:] = outdata[:, :1]

    # ------------------------------------------------------ engine thread

    def open_input(self, device: AudioDevice) -> OpenStream:
        self.close_input()
        stream, info = self._open(device, "input")
        self.bridge.set_capture_rate(info.rate)
        stream.start()
        self._in, self.input = stream, info
        self._in_seen = (self.input_callbacks, time.monotonic())
        return info

    def open_output(self, device: AudioDevice) -> OpenStream:
        self.close_output()
        stream, info = self._open(device, "output")
        self.bridge.set_playback_rate(info.rate)
        stream.start()
        self._out, self.output = stream, info
        self._out_seen = (self.output_callbacks, time.monotonic())
        return info

    def _open(self, device: AudioDevice, kind: str):
        sd = sounddevice_module()
        index = device_index(device)
        rate = device.default_rate or 48000
        cls = sd.InputStream if kind == "input" else sd.OutputStream
        callback = self._on_input if kind == "input" else self._on_output
        latency = INPUT_LATENCY_S if kind == "input" else OUTPUT_LATENCY_S
        errors = []
        for channels in (1, 2):
            try:
                stream = cls(
                    device=index,
                    samplerate=rate,
                    channels=channels,
                    dtype="float32",
                    latency=latency,
                    blocksize=0,
                    callback=callback,
                )
            except Exception as e:  # sd.PortAudioError, ValueError for channel counts
                errors.append(str(e))
                continue
            return stream, OpenStream(device, int(stream.samplerate), channels, stream.latency)
        raise StreamError(f"cannot open {device.label} for {kind}: {'; '.join(errors)}")

    def close_input(self) -> None:
        stream, self._in, self.input = self._in, None, None
        _close(stream)

    def close_output(self) -> None:
        stream, self._out, self.output = self._out, None, None
        _close(stream)

    def close(self) -> None:
        self.close_input()
        self.close_output()

    def input_failed(self) -> bool:
        ok, self._in_seen = _alive(self._in, self.input_callbacks, self._in_seen)
        return not ok

    def output_failed(self) -> bool:
        ok, self._out_seen = _alive(self._out, self.output_callbacks, self._out_seen)
        return not ok


def _alive(stream, calls: int, seen: tuple[int, float]) -> tuple[bool, tuple[int, float]]:
    if stream is None:
        return True, seen
    now = time.monotonic()
    if calls != seen[0]:
        return True, (calls, now)
    if not stream.active or now - seen[1] > STALL_S:
        return False, seen
    return True, seen


def _close(stream) -> None:
    if stream is None:
        return
    # the device may already be gone: close anyway
    with contextlib.suppress(Exception):
        stream.abort()
    with contextlib.suppress(Exception):
        stream.close()
