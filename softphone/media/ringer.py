"""The ring of an incoming call, on its own output device (the ringer).

Opened and closed on the engine thread; the stream callback (PortAudio's
thread, or ours on libpulse for a sound server's own sink) synthesises the
cadence into the buffer it is given, from a phase counter: no allocation, no lock.
"""

from __future__ import annotations

import contextlib
import math
import sys

import numpy as np

from softphone.media.devices import AudioDevice, callback_stream
from softphone.media.streams import alsa_can_open

TONES_HZ = (440.0, 480.0)
ON_S, OFF_S = 1.0, 2.0
LEVEL = 0.2


class Ringer:
    def __init__(self) -> None:
        self._stream = None
        self.device: AudioDevice | None = None
        self._n = 0
        self._rate = 48000

    @property
    def ringing(self) -> bool:
        return self._stream is not None

    def start(self, device: AudioDevice) -> None:
        self.stop()
        if device.hostapi == "ALSA" and sys.platform.startswith("linux"):
            refused = alsa_can_open(device.name, "output")  # PortAudio 19.6 would abort
            if refused:
                raise OSError(f"cannot ring on {device.label}: {refused}")
        self._rate = device.default_rate or 48000
        self._n = 0
        self._t = np.zeros(16384, dtype=np.float64)
        self._y = np.zeros(16384, dtype=np.float64)
        stream = None
        for channels in (1, 2):
            try:
                stream = callback_stream(device, "output", self._rate, channels,
                                         self._callback, latency=0.1)  # fmt: skip
                break
            except LookupError:  # new to this process's PortAudio: the engine re-reads
                raise
            except Exception as e:  # PortAudioError, PulseSimpleError: try stereo, else give up
                error = e
        if stream is None:
            raise OSError(f"cannot ring on {device.label}: {error}")
        stream.start()
        self._stream, self.device = stream, device

    def _callback(self, outdata, frames, _time, _status) -> None:
        n = min(frames, len(self._t))
        t, y = self._t[:n], self._y[:n]
        t[:] = self._n
        t += self._index[:n]
        t /= self._rate
        period = ON_S + OFF_S
        on = (self._n / self._rate) % period < ON_S
        if on:
            np.multiply(t, 2 * math.pi * TONES_HZ[0], out=y)
            np.sin(y, out=y)
            y *= LEVEL / 2
            outdata[:n, 0] = y
            np.multiply(t, 2 * math.pi * TONES_HZ[1], out=y)
            np.sin(y, out=y)
            y *= LEVEL / 2
            outdata[:n, 0] += y
        else:
            outdata[:n, 0] = 0.0
        outdata[n:, 0] = 0.0
        if outdata.shape[1] > 1:
            outdata[:, 1:] = outdata[:, :1]
        self._n += frames

    _index = np.arange(16384, dtype=np.float64)

    def stop(self) -> None:
        stream, self._stream, self.device = self._stream, None, None
        if stream is not None:
            with contextlib.suppress(Exception):  # the device may be gone already
                stream.abort()
                stream.close()
