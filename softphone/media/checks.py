"""Checks a user runs on their sound devices: microphone level, speaker tone, echo test.

Called on one ordinary thread (the CLI's main thread, a settings dialog's
worker); each opens its own stream for a few seconds, outside any call
(PortAudio's, or libpulse's for a sound server's own device: devices.callback_stream).
Stream callbacks run on the stream's thread and only copy or compute a
level into preallocated arrays.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from softphone.media.devices import AudioDevice, DeviceList, callback_stream

LEVEL_EVERY_S = 0.1


class CheckError(RuntimeError):
    pass


@dataclass(frozen=True)
class Level:
    rms_dbfs: float
    peak_dbfs: float


def _db(x: float) -> float:
    return round(20 * math.log10(x), 1) if x > 1e-6 else -120.0


def _pick(devices: DeviceList, name: str | None, kind: str) -> AudioDevice:
    device = devices.find(name, kind)
    if device is None:
        what = f"no {kind} device called {name!r}" if name else f"no default {kind} device"
        raise CheckError(f"{what} (see `softphone devices list`)")
    return device


def meter(
    devices: DeviceList,
    name: str | None,
    seconds: float,
    on_level: Callable[[Level], None] | None = None,
) -> list[Level]:
    """The microphone's level every 100 ms for `seconds`."""
    device = _pick(devices, name, "input")
    rate = device.default_rate or 48000
    hop = int(rate * LEVEL_EVERY_S)
    acc = np.zeros(hop, dtype=np.float32)
    fill = [0]
    levels: list[Level] = []
    ready = threading.Condition()

    def callback(indata, frames, _time, _status) -> None:
        x = indata[:, 0]
        i = 0
        while i < frames:
            take = min(hop - fill[0], frames - i)
            acc[fill[0] : fill[0] + take] = x[i : i + take]
            fill[0] += take
            i += take
            if fill[0] == hop:
                fill[0] = 0
                level = Level(
                    _db(float(np.sqrt(np.mean(acc * acc)))), _db(float(np.abs(acc).max()))
                )
                with ready:
                    levels.append(level)
                    ready.notify()

    with callback_stream(device, "input", rate, 1, callback):
        shown = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with ready:
                ready.wait(0.2)
                new = levels[shown:]
            shown += len(new)
            for level in new:
                if on_level:
                    on_level(level)
    return levels


def play(devices: DeviceList, name: str | None, samples: np.ndarray, rate: int) -> AudioDevice:
    """Play float32 mono `samples` on an output device and wait until they are out."""
    device = _pick(devices, name, "output")
    pos = [0]
    done = threading.Event()

    def callback(outdata, frames, _time, _status) -> None:
        n = min(frames, len(samples) - pos[0])
        outdata[:n, 0] = samples[pos[0] : pos[0] + n]
        outdata[n:, 0] = 0.0
        if outdata.shape[1] > 1:
            outdata[:, 1:] = outdata[:, :1]
        pos[0] += n
        if n < frames:
            done.set()

    stream = None
    for channels in (1, 2):
        try:
            stream = callback_stream(device, "output", rate, channels, callback)
            break
        except Exception as e:  # PortAudioError, PulseSimpleError: try stereo, else report
            error = e
    if stream is None:
        raise CheckError(f"cannot open {device.label}: {error}")
    with stream:
        done.wait(len(samples) / rate + 2.0)
        time.sleep(stream.latency)
    return device


def test_tone(seconds: float = 2.0, freq: float = 440.0, rate: int = 48000) -> np.ndarray:
    """A sine with 20 ms fades (no clicks at either end), -12 dBFS."""
    t = np.arange(int(seconds * rate)) / rate
    x = 0.25 * np.sin(2 * np.pi * freq * t)
    ramp = int(0.02 * rate)
    x[:ramp] *= np.linspace(0, 1, ramp)
    x[-ramp:] *= np.linspace(1, 0, ramp)
    return x.astype(np.float32)


def record(devices: DeviceList, name: str | None, seconds: float) -> tuple[np.ndarray, int]:
    """`seconds` from a microphone (float32 mono) and its rate."""
    device = _pick(devices, name, "input")
    rate = device.default_rate or 48000
    data = np.zeros(int(seconds * rate), dtype=np.float32)
    filled = [0]
    done = threading.Event()

    def callback(indata, frames, _time, _status) -> None:
        n = min(frames, data.size - filled[0])
        data[filled[0] : filled[0] + n] = indata[:n, 0]
        filled[0] += n
        if filled[0] == data.size:
            done.set()

    try:
        stream = callback_stream(device, "input", rate, 1, callback)
    except Exception as e:  # PortAudioError, PulseSimpleError
        raise CheckError(f"cannot open {device.label}: {e}") from None
    with stream:
        if not done.wait(seconds + 3.0):
            raise CheckError(f"{device.label} delivered {filled[0] / rate:.1f} s of {seconds:g} s")
    return data, rate
