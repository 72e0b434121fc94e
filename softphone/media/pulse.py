"""Streams straight on PulseAudio (or PipeWire's pulse server) for ALSA devices that are
PulseAudio underneath.

On a Linux desktop PortAudio sees PulseAudio through ALSA's pulse plugin: the
"default" and "pulse" devices, and any PCM an ALSA configuration defines with
`type pulse`. Every period of such a stream costs two thread hops (the plugin's
libpulse thread, a pipe, PortAudio's callback thread). When the C device side
runs (media/nativebridge.py), such a device is opened with libpulse instead
(media/pulseside.c): libpulse's thread calls the device side's callbacks itself,
for about a fifth of the CPU. The device list, the names users pick and persist,
and everything above the stream stay as they are. Anything else (a hardware
`hw:` device, no server, an old build of the extension) goes through PortAudio.
SOFTPHONE_PULSE_DIRECT=0 sends everything through PortAudio.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from dataclasses import dataclass

ENABLED = os.environ.get("SOFTPHONE_PULSE_DIRECT", "1") != "0" and sys.platform.startswith("linux")


class PulseUnavailable(RuntimeError):
    """No PulseAudio here (no libpulse, no server, a build without the C half)."""


class PulseRefused(RuntimeError):
    """The server is there but would not open this stream (its device is gone...)."""


@dataclass(frozen=True)
class PulseTarget:
    """Where an ALSA PCM of `type pulse` goes: a sink or source, or None for the server's
    default (followed as it moves)."""

    device: str | None


def alsa_pulse_target(alsa_name: str) -> PulseTarget | None:
    """The PulseAudio device behind the ALSA PCM `alsa_name`, or None if it is not one.

    Read from ALSA's own configuration (alsa-lib resolves the definition the way
    opening the PCM would: ALSA_CONFIG_PATH, ~/.asoundrc, the pulse plugin's
    defaults), so the stream goes exactly where the plugin would have sent it.
    """
    lib = libasound()
    if lib is None or not alsa_name or "(hw:" in alsa_name:
        return None
    if lib.snd_config_update() < 0:
        return None
    top = ctypes.c_void_p.in_dll(lib, "snd_config")
    conf = ctypes.c_void_p()
    if lib.snd_config_search_definition(top, b"pcm", alsa_name.encode(), ctypes.byref(conf)) < 0:
        return None
    try:
        if _string(lib, conf, b"type") != "pulse":
            return None
        return PulseTarget(_string(lib, conf, b"device") or None)
    finally:
        lib.snd_config_delete(conf)


def _string(lib, conf: ctypes.c_void_p, key: bytes) -> str | None:
    node, value = ctypes.c_void_p(), ctypes.c_char_p()
    if lib.snd_config_search(conf, key, ctypes.byref(node)) < 0:
        return None
    if lib.snd_config_get_string(node, ctypes.byref(value)) < 0 or value.value is None:
        return None
    return value.value.decode(errors="replace")


@functools.cache
def libasound():
    """alsa-lib through ctypes (this module's configuration lookups, and the PCM
    test-open of media/streams.py), or None where there is none."""
    path = ctypes.util.find_library("asound")
    try:
        lib = ctypes.CDLL(path) if path else None
    except OSError:
        return None
    if lib is None:
        return None
    vp, cp, pvp = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)
    lib.snd_config_update.argtypes = []
    lib.snd_config_search_definition.argtypes = [vp, cp, cp, pvp]
    lib.snd_config_search.argtypes = [vp, cp, pvp]
    lib.snd_config_get_string.argtypes = [vp, ctypes.POINTER(ctypes.c_char_p)]
    lib.snd_config_delete.argtypes = [vp]
    lib.snd_strerror.restype = ctypes.c_char_p
    lib.snd_pcm_open.argtypes = [pvp, cp, ctypes.c_int, ctypes.c_int]
    lib.snd_pcm_close.argtypes = [vp]
    return lib


@functools.cache
def _lib() -> ctypes.CDLL:
    from softphone.media.nativebridge import ExtensionMissing, declare, extension

    try:
        lib = extension()
        vp, i, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
        declare(lib, (
            ("ps_connect", [cp, i], i),
            ("ps_open", [vp, i, cp, i, i, i, i, i, cp, i], vp),
            ("ps_start", [vp], None),
            ("ps_running", [vp], i),
            ("ps_latency", [vp], ctypes.c_double),
            ("ps_close", [vp], None),
        ))  # fmt: skip
    except (ExtensionMissing, AttributeError) as e:  # no extension, or one built before
        raise PulseUnavailable(f"no PulseAudio streams in this build: {e}") from None
    return lib


def connect() -> None:
    """Reach the sound server (once per process); PulseUnavailable says why not."""
    lib = _lib()
    err = ctypes.create_string_buffer(256)
    if lib.ps_connect(err, len(err)) < 0:
        raise PulseUnavailable(err.value.decode(errors="replace"))


class PulseStream:
    """One stream on the sound server feeding (input) or drained by (output) the C device
    side `ds`; shaped like the sounddevice streams `DeviceStreams` holds."""

    # How long the first samples may take once the server has accepted the stream: a
    # suspended device resumes first (0.7 s seen for the virtual microphone, where a
    # stream opened again at once starts at once). Opening it again would only
    # start that wait again.
    start_timeout = 2.0

    def __init__(
        self,
        ds: int,
        kind: str,
        target: PulseTarget,
        rate: int,
        channels: int,
        block: int,
        buffer: int,
        max_frames: int,
    ) -> None:
        connect()
        lib = _lib()
        err = ctypes.create_string_buffer(256)
        device = target.device.encode() if target.device else None
        args = (ds, kind == "input", device, rate, channels, block, buffer, max_frames)
        self._p = lib.ps_open(*args, err, len(err))
        if not self._p:
            raise PulseRefused(err.value.decode(errors="replace"))
        self.samplerate = float(rate)
        self.channels = channels

    @property
    def latency(self) -> float:
        return _lib().ps_latency(self._p) if self._p else 0.0

    @property
    def active(self) -> bool:
        return bool(self._p) and bool(_lib().ps_running(self._p))

    def start(self) -> None:
        if self._p:
            _lib().ps_start(self._p)

    def abort(self) -> None:
        """Closing stops it at once; nothing to drain."""

    def close(self) -> None:
        p, self._p = self._p, None
        if p:
            _lib().ps_close(p)
