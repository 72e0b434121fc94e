"""The sound devices' conference-bridge port in C (`media/bridgeport.c`), when it can
be had; `PjBridgePort` (Python, through SWIG's directors) otherwise.

Why: pjmedia's clock thread calls the port twice every 20 ms. Through pjsua2's
`AudioMediaPort` each call is a Python callback that needs the engine process's
GIL, so a thread holding it (the UI, a garbage collection) delays the speaker's
frames by as long as it holds it, and each call costs SWIG's director dispatch.
The C port does the same work (`PjmediaSide`, over the same shared memory)
without Python.

What is checked, never assumed: that the extension was built (it is optional:
an install without a C compiler gets the Python port), that the pjsip in
pjsua2's wheel exports the functions used here, and that pjsip's own dispatchers
reach the C callbacks through the struct layout the C file declares (a probe
port, before any port joins the bridge). Any failure: the Python port, and the
reason is logged once.

Engine thread only, like everything pjsua2. Lifetime: pjmedia holds the port by
a group lock that the conference bridge creates; `release` takes the port out
of the bridge and drops our reference, and the C struct and the shared memory it
points into are kept until pjmedia says it destroyed the port (`reap`).
"""

from __future__ import annotations

import ctypes
import logging
from functools import cache
from typing import TYPE_CHECKING

from softphone.engine.pjnative import native_function
from softphone.media import bridge as bridge_mod
from softphone.media.nativebridge import ExtensionMissing, declare, extension

if TYPE_CHECKING:
    import pjsua2 as pj

log = logging.getLogger(__name__)

SIGNATURE = 0x50484253  # 'SBHP': any 32-bit tag; pjmedia only reports it


class _PjStr(ctypes.Structure):
    _fields_ = (("ptr", ctypes.c_void_p), ("slen", ctypes.c_ssize_t))


class _PjFrame(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_uint32),
        ("buf", ctypes.c_void_p),
        ("size", ctypes.c_size_t),
        ("timestamp", ctypes.c_uint64),
        ("bit_info", ctypes.c_uint32),
    )


class NativePortUnavailable(RuntimeError):
    pass


class _Api:
    """The C functions: ours (the extension) and pjsip's (pjsua2's extension)."""

    def __init__(self) -> None:
        try:
            lib = self.lib = extension()
        except ExtensionMissing as e:
            raise NativePortUnavailable(str(e)) from None
        vp, i64, dbl = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
        table = (
            ("bp_new", [ctypes.c_char_p], vp),
            ("bp_name", [vp], vp),
            ("bp_attach", [vp, vp, i64, i64, i64, dbl, dbl, dbl, dbl], None),
            ("bp_gets", [vp], i64),
            ("bp_puts", [vp], i64),
            ("bp_destroyed", [vp], i64),
            ("bp_free", [vp], None),
        )
        self.__dict__.update(declare(lib, table))
        u, st, p = ctypes.c_uint, ctypes.c_int, ctypes.POINTER
        try:
            self.info_init = native_function(
                "pjmedia_port_info_init", [vp, p(_PjStr), u, u, u, u, u], st
            )
            self.get_frame = native_function("pjmedia_port_get_frame", [vp, p(_PjFrame)], st)
            self.put_frame = native_function("pjmedia_port_put_frame", [vp, p(_PjFrame)], st)
            self.destroy = native_function("pjmedia_port_destroy", [vp], st)
            self.pool_create = native_function(
                "pjsua_pool_create", [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t], vp
            )
            self.pool_release = native_function("pj_pool_release", [vp], None)
            self.add_port = native_function("pjsua_conf_add_port", [vp, vp, p(st)], st)
            self.remove_port = native_function("pjsua_conf_remove_port", [st], st)
            self.connect = native_function("pjsua_conf_connect", [st, st], st)
            self.disconnect = native_function("pjsua_conf_disconnect", [st, st], st)
        except (OSError, AttributeError) as e:
            raise NativePortUnavailable(f"pjsua2's build lacks a pjmedia function: {e}") from e

    def new_port(self, name: str, clock_rate: int, frame_samples: int) -> int:
        port = self.bp_new(name.encode()[:31])
        if not port:
            raise MemoryError("bridge port")
        label = _PjStr(self.bp_name(port), len(name.encode()[:31]))
        self.info_init(port, ctypes.byref(label), SIGNATURE, clock_rate, 1, 16, frame_samples)
        return port


@cache
def _api() -> _Api:
    """The C functions, with the layout probed once per process (engine thread)."""
    api = _Api()
    _probe(api)
    return api


def _probe(api: _Api) -> None:
    """pjsip's dispatchers must reach our callbacks: the struct layout holds."""
    port = api.new_port("probe", 16000, 320)
    try:
        buf = (ctypes.c_int16 * 320)()
        frame = _PjFrame(0, ctypes.addressof(buf), 640, 0, 0)
        got = api.get_frame(port, ctypes.byref(frame))
        put = api.put_frame(port, ctypes.byref(frame))
        api.destroy(port)
        seen = (api.bp_gets(port), api.bp_puts(port), api.bp_destroyed(port), frame.type)
        if got or put or seen != (1, 1, 1, 1):
            raise NativePortUnavailable(
                "pjmedia's port layout is not the one bridgeport.c declares "
                f"(get {got}, put {put}, calls {seen})"
            )
    finally:
        api.bp_free(port)


def available() -> str | None:
    """None when the C port can be used here, else why not (engine thread)."""
    try:
        _api()
    except NativePortUnavailable as e:
        return str(e)
    return None


_retired: list[tuple[int, object]] = []  # (C port, the state it points into)


class NativeBridgePort:
    """The sound devices' port in pjmedia's bridge, in C, over a `BridgeState`."""

    errors = 0  # the C callbacks cannot fail (interface of PjBridgePort)
    last_error = ""

    def __init__(self, state: bridge_mod.BridgeState, clock_rate: int, frame_ms: int = 20):
        self._api = _api()
        self.state = state  # the memory the C port reads and writes
        self.clock_rate = clock_rate
        self.frame_samples = clock_rate * frame_ms // 1000
        self._port: int | None = None
        self._pool: int | None = None
        self.slot = -1

    def new_attached_port(self, name: str) -> int:
        """A C port over this state, not in any bridge yet (tests drive it directly
        through pjsip's dispatchers); `bp_free` it if it never joins one."""
        api, state = self._api, self.state
        port = api.new_port(name, self.clock_rate, self.frame_samples)
        api.bp_attach(
            port,
            state.capture_counters.ctypes.data,  # the buffer's first byte
            state.capacity,
            self.clock_rate,
            self.frame_samples,
            bridge_mod.RESYNC_EXCESS_S,
            bridge_mod.LOW_WATER_S,
            bridge_mod.LOW_RELEASE,
            bridge_mod.EMA_ALPHA,
        )
        return port

    def create(self, name: str = "sound-devices") -> None:
        api = self._api
        port = self.new_attached_port(name)
        pool = api.pool_create(b"bridgeport", 512, 512)
        slot = ctypes.c_int(-1)
        status = api.add_port(pool, port, ctypes.byref(slot))
        if status:
            api.pool_release(pool)
            api.bp_free(port)
            raise NativePortUnavailable(f"pjsua_conf_add_port failed ({status})")
        self._port, self._pool, self.slot = port, pool, slot.value

    def connect(self, aud: pj.AudioMedia) -> None:
        """Both ways between the devices and a call's audio."""
        slot = aud.getPortId()
        for a, b in ((self.slot, slot), (slot, self.slot)):
            status = self._api.connect(a, b)
            if status:
                raise RuntimeError(f"pjsua_conf_connect {a}->{b} failed ({status})")

    def disconnect(self, aud: pj.AudioMedia) -> None:
        slot = aud.getPortId()
        for a, b in ((self.slot, slot), (slot, self.slot)):
            self._api.disconnect(a, b)  # the call's media may already be gone

    @property
    def frames(self) -> tuple[int, int]:
        """Frames pjmedia asked for and handed over so far."""
        if self._port is None:
            return (0, 0)
        return (self._api.bp_gets(self._port), self._api.bp_puts(self._port))

    def release(self) -> None:
        """Out of the bridge; freed once pjmedia has let go (`reap`). Idempotent."""
        port, self._port = self._port, None
        if port is None:
            return
        api = self._api
        api.remove_port(self.slot)
        api.destroy(port)  # our reference; the bridge drops its own on its clock
        api.pool_release(self._pool)
        _retired.append((port, self.state))
        reap()


def reap() -> int:
    """Free the retired ports pjmedia has destroyed; returns how many are still held."""
    if not _retired:
        return 0
    api = _api()
    keep = []
    for port, state in _retired:
        if api.bp_destroyed(port):
            api.bp_free(port)
        else:
            keep.append((port, state))
    _retired[:] = keep
    return len(keep)
