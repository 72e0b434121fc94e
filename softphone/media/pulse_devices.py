"""The sound server's own sinks and sources, each one a device users can pick.

Through PortAudio a Linux desktop shows ALSA's cards ("hw:" devices, which the
sound server holds, so opening them fails or steals them) plus "default" and
"pulse", which follow the server's default. A USB headset and the laptop's
speakers are two sinks of the server, not two PortAudio devices: without this
list a user could not ring on the speakers and talk on the headset. So the
server is asked directly (libpulse's introspection, through ctypes; PipeWire's
pulse server answers the same) and each sink and source becomes an AudioDevice
of host API "PulseAudio", named by its description (what the desktop's own sound
settings show), with the server's name for it (stable across restarts and
languages) in `target`. Monitors of sinks are not microphones and are left out.

libpulse's structures are declared here up to the last field read; they only
ever grew at their ends (stable ABI since 0.9), so the prefix is safe.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import time
from dataclasses import dataclass

from softphone.media.nativebridge import declare

HOSTAPI = "PulseAudio"
CHANNELS_MAX = 32
INVALID_INDEX = 0xFFFFFFFF
CONTEXT_READY = 4  # then FAILED 5, TERMINATED 6: every state from READY on is final
OPERATION_RUNNING = 0
NOAUTOSPAWN = 1
TIMEOUT_S = 2.0


class SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class ChannelMap(ctypes.Structure):
    _fields_ = [("channels", ctypes.c_uint8), ("map", ctypes.c_int * CHANNELS_MAX)]


class CVolume(ctypes.Structure):
    _fields_ = [("channels", ctypes.c_uint8), ("values", ctypes.c_uint32 * CHANNELS_MAX)]


# pa_sink_info and pa_source_info share this prefix; the next field is the sink's
# monitor source (sinks) or the sink a source monitors (sources).
_PREFIX = [
    ("name", ctypes.c_char_p),
    ("index", ctypes.c_uint32),
    ("description", ctypes.c_char_p),
    ("sample_spec", SampleSpec),
    ("channel_map", ChannelMap),
    ("owner_module", ctypes.c_uint32),
    ("volume", CVolume),
    ("mute", ctypes.c_int),
]


class DeviceInfo(ctypes.Structure):
    _fields_ = [*_PREFIX, ("monitor", ctypes.c_uint32)]


class ServerInfo(ctypes.Structure):
    _fields_ = [
        ("user_name", ctypes.c_char_p),
        ("host_name", ctypes.c_char_p),
        ("server_version", ctypes.c_char_p),
        ("server_name", ctypes.c_char_p),
        ("sample_spec", SampleSpec),
        ("default_sink_name", ctypes.c_char_p),
        ("default_source_name", ctypes.c_char_p),
    ]


_INFO_CB = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.POINTER(DeviceInfo), ctypes.c_int, ctypes.c_void_p
)
_SERVER_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(ServerInfo), ctypes.c_void_p)


class PulseListError(OSError):
    """No libpulse, no server, or the server did not answer in time."""


@dataclass(frozen=True)
class ServerDevice:
    """One sink ("output") or source ("input") as the server describes it."""

    kind: str
    name: str  # the server's name: what a stream is opened on
    description: str
    rate: int
    channels: int
    default: bool


@functools.cache
def _lib() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("pulse") or "libpulse.so.0"
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    vp, i, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    declare(lib, (
        ("pa_mainloop_new", [], vp),
        ("pa_mainloop_get_api", [vp], vp),
        ("pa_mainloop_prepare", [vp, i], i),
        ("pa_mainloop_poll", [vp], i),
        ("pa_mainloop_dispatch", [vp], i),
        ("pa_mainloop_free", [vp], None),
        ("pa_context_new", [vp, cp], vp),
        ("pa_context_connect", [vp, cp, i, vp], i),
        ("pa_context_get_state", [vp], i),
        ("pa_context_errno", [vp], i),
        ("pa_context_disconnect", [vp], None),
        ("pa_context_unref", [vp], None),
        ("pa_context_get_server_info", [vp, _SERVER_CB, vp], vp),
        ("pa_context_get_sink_info_list", [vp, _INFO_CB, vp], vp),
        ("pa_context_get_source_info_list", [vp, _INFO_CB, vp], vp),
        ("pa_operation_get_state", [vp], i),
        ("pa_operation_unref", [vp], None),
        ("pa_strerror", [i], cp),
    ))  # fmt: skip
    return lib


class _Session:
    """One connection to the server on a private main loop, run from the calling thread
    until each question is answered (or TIMEOUT_S passes)."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        self.ml = lib.pa_mainloop_new()
        self.ctx = lib.pa_context_new(lib.pa_mainloop_get_api(self.ml), b"softphone-devices")
        self.deadline = time.monotonic() + TIMEOUT_S
        try:
            if lib.pa_context_connect(self.ctx, None, NOAUTOSPAWN, None) < 0:
                raise PulseListError(f"PulseAudio: {self._error()}")
            self._run_until(lambda: lib.pa_context_get_state(self.ctx) >= CONTEXT_READY)
            if lib.pa_context_get_state(self.ctx) != CONTEXT_READY:
                raise PulseListError(f"PulseAudio: {self._error()}")
        except PulseListError:
            self.close()
            raise

    def _error(self) -> str:
        return self.lib.pa_strerror(self.lib.pa_context_errno(self.ctx)).decode(errors="replace")

    def _run_until(self, done) -> None:
        lib = self.lib
        while not done():
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise PulseListError("PulseAudio did not answer within 2 s")
            if lib.pa_mainloop_prepare(self.ml, int(min(left, 0.1) * 1e6)) < 0:
                raise PulseListError("PulseAudio's main loop failed")
            lib.pa_mainloop_poll(self.ml)
            lib.pa_mainloop_dispatch(self.ml)

    def ask(self, start, *args) -> None:
        """Start an operation and run the loop until its callback said it is done."""
        op = start(self.ctx, *args)
        if not op:
            raise PulseListError(f"PulseAudio: {self._error()}")
        try:
            self._run_until(lambda: self.lib.pa_operation_get_state(op) != OPERATION_RUNNING)
        finally:
            self.lib.pa_operation_unref(op)

    def close(self) -> None:
        self.lib.pa_context_disconnect(self.ctx)
        self.lib.pa_context_unref(self.ctx)
        self.lib.pa_mainloop_free(self.ml)


def server_devices() -> list[ServerDevice]:
    """Every sink and every source that is not a monitor, as the server has them now."""
    lib = _lib()
    if lib is None:
        raise PulseListError("libpulse is not installed")
    session = _Session(lib)
    try:
        defaults: dict[str, str] = {}
        found: list[ServerDevice] = []

        @_SERVER_CB
        def on_server(_ctx, info, _user) -> None:
            if info:
                defaults["output"] = _text(info.contents.default_sink_name)
                defaults["input"] = _text(info.contents.default_source_name)

        def collector(kind: str):
            @_INFO_CB
            def on_device(_ctx, info, eol, _user) -> None:
                if eol or not info:
                    return
                d = info.contents
                if kind == "input" and d.monitor != INVALID_INDEX:
                    return  # a sink's monitor: what is played, not a microphone
                name = _text(d.name)
                found.append(ServerDevice(kind, name, _text(d.description) or name,
                                          int(d.sample_spec.rate), int(d.sample_spec.channels),
                                          name == defaults.get(kind)))  # fmt: skip

            return on_device

        session.ask(lib.pa_context_get_server_info, on_server, None)
        sinks, sources = collector("output"), collector("input")
        session.ask(lib.pa_context_get_sink_info_list, sinks, None)
        session.ask(lib.pa_context_get_source_info_list, sources, None)
        return found
    finally:
        session.close()


def _text(value: bytes | None) -> str:
    return value.decode(errors="replace") if value else ""


def unique_names(devices: list[ServerDevice]) -> list[str]:
    """Display names: the description, with the server's name added where two devices of
    the same kind share one (two identical headsets; every "Null Output")."""
    count: dict[tuple[str, str], int] = {}
    for d in devices:
        count[(d.kind, d.description)] = count.get((d.kind, d.description), 0) + 1
    return [
        d.description if count[(d.kind, d.description)] == 1 else f"{d.description} [{d.name}]"
        for d in devices
    ]
