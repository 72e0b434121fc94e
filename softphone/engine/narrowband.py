"""8 kHz calls resampled by our filter (`media/narrowband.c`), not by pjmedia's bridge.

The conference bridge runs at 16 kHz. An 8 kHz stream (G.711, GSM, iLBC) joined to
it as pjsua makes it is resampled by pjmedia with libresample's large filter,
whose band edge (-2.4 dB over 3.4-3.7 kHz, -17 dB above) cost what we send over
PCMU 0.02-0.04 PESQ MOS (README, "Speech quality"). When pjsua has made an audio
stream (`Call.onStreamCreated`), an 8 kHz mono PCM stream port is wrapped in a C
port that shows the bridge 16 kHz and converts with a filter flat to 3.4 kHz
(-1.5 dB at 3.6 kHz, 65 dB of alias rejection, 1.9 ms of delay). pjsua adds that
port to the bridge instead of the stream's and destroys it with the stream
(`destroyPort`). For G.711 (PCMU, PCMA) the port also moves negative samples 3
towards zero before pjmedia's encoder, whose table lookup (`pcm >> 2`) would
otherwise code them as if 3 larger than their positive twins (narrowband.c).

Checked, never assumed: the C extension and pjsip's functions (as for the
devices' port, whose layout probe runs first), the stream port's format, a
reference on its group lock, and the layout of pjsua2's `OnStreamCreatedParam`
(read back through SWIG before and after writing it). Anything missing: pjsua's
own port, pjmedia resamples, the reason is logged once. SOFTPHONE_NARROWBAND=0
turns it off (comparisons).

Engine thread only. A port's memory is freed once pjmedia has destroyed it
(`reap`), like the devices' port.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
from dataclasses import dataclass

from softphone.engine import nativeport
from softphone.engine.pjnative import native_function
from softphone.media.nativebridge import declare

log = logging.getLogger(__name__)

ENABLED = os.environ.get("SOFTPHONE_NARROWBAND", "1") != "0"
NARROW_RATE = 8000
SIGNATURE = 0x4E425350  # 'PSBN': any 32-bit tag; pjmedia only reports it
PJMEDIA_FORMAT_PCM = 0  # PJMEDIA_FORMAT_L16
PJMEDIA_TYPE_AUDIO = 1  # enum pjmedia_type
G711 = frozenset({"PCMU", "PCMA"})  # whose encoder our port evens out (narrowband.c)


class _PortInfo(ctypes.Structure):
    """The head of pjmedia 2.15's pjmedia_port (media/pjmedia_abi.h)."""

    _fields_ = (
        ("name_ptr", ctypes.c_void_p),
        ("name_len", ctypes.c_ssize_t),
        ("signature", ctypes.c_uint32),
        ("dir", ctypes.c_uint32),
        ("fmt_id", ctypes.c_uint32),
        ("fmt_type", ctypes.c_uint32),
        ("detail_type", ctypes.c_uint32),
        ("clock_rate", ctypes.c_uint32),
        ("channel_count", ctypes.c_uint32),
        ("frame_time_usec", ctypes.c_uint32),
        ("bits_per_sample", ctypes.c_uint32),
    )


class _StreamParam(ctypes.Structure):
    """pjsua2's OnStreamCreatedParam (pjsua2/call.hpp), probed before use."""

    _fields_ = (
        ("stream", ctypes.c_void_p),
        ("stream_idx", ctypes.c_uint),
        ("destroy_port", ctypes.c_bool),
        ("port", ctypes.c_void_p),
    )


class Unavailable(RuntimeError):
    pass


class _Api:
    def __init__(self) -> None:
        try:
            base = nativeport._api()  # the extension, with pjmedia's layout probed
        except nativeport.NativePortUnavailable as e:
            raise Unavailable(str(e)) from None
        vp, i64 = ctypes.c_void_p, ctypes.c_int64
        table = (
            ("nb_new", [ctypes.c_char_p, vp, i64, vp, vp, vp], vp),
            ("nb_name", [vp], vp),
            ("nb_detach", [vp], None),
            ("nb_set_g711", [vp, ctypes.c_int], None),
            ("nb_gets", [vp], i64),
            ("nb_puts", [vp], i64),
            ("nb_mismatched", [vp], i64),
            ("nb_destroyed", [vp], i64),
            ("nb_free", [vp], None),
        )
        try:
            self.__dict__.update(declare(base.lib, table))
        except AttributeError as e:
            raise Unavailable(f"the C extension is older than this code: {e}") from None
        self.info_init = base.info_init
        try:
            self.add_ref = native_function("pjmedia_port_add_ref", [vp], ctypes.c_int)
            self.dec_ref = native_function("pjmedia_port_dec_ref", [vp], ctypes.c_int)
        except (OSError, AttributeError) as e:
            raise Unavailable(f"pjsua2's build lacks a pjmedia function: {e}") from e
        self.fn_addr = {  # pjsip's own functions, handed to the C port
            "get": ctypes.cast(base.get_frame, vp).value,
            "put": ctypes.cast(base.put_frame, vp).value,
            "dec_ref": ctypes.cast(self.dec_ref, vp).value,
        }


@functools.cache
def _api() -> _Api:
    return _Api()


@functools.cache
def _say_once(reason: str) -> None:
    log.info("8 kHz calls resampled by pjmedia's bridge: %s", reason)


@dataclass
class NarrowbandPort:
    """One stream's 16 kHz face (C), while pjmedia uses it."""

    address: int
    stream_idx: int

    def counters(self) -> dict[str, int]:
        api = _api()
        return {
            "gets": api.nb_gets(self.address),
            "puts": api.nb_puts(self.address),
            "mismatched": api.nb_mismatched(self.address),
        }


class NarrowbandPorts:
    """The engine's 16 kHz faces of 8 kHz streams, by (call, stream index)."""

    def __init__(self, bridge_rate: int, enabled: bool = ENABLED) -> None:
        self.bridge_rate = bridge_rate
        self.enabled = enabled and bridge_rate == 2 * NARROW_RATE
        self._live: dict[tuple[str, int], NarrowbandPort] = {}
        self._retired: list[int] = []

    def on_stream_created(self, call_id: str, prm, codec: str = "") -> bool:
        """pjsua made an audio stream (`prm`: pj.OnStreamCreatedParam) sending `codec`
        (its encoding name, "" if unknown); give the bridge our port instead if the
        stream is 8 kHz. Whether it did."""
        if not self.enabled:
            return False
        try:
            api = _api()
            param = _param_struct(prm)
        except Unavailable as e:
            _say_once(str(e))
            return False
        inner = param.port
        info = _PortInfo.from_address(inner) if inner else None
        if info is None or not _is_narrow_pcm(info):
            return False
        narrow = info.clock_rate * info.frame_time_usec // 1_000_000
        if narrow <= 0 or api.add_ref(inner) != 0:
            _say_once("the stream's port has no group lock to hold it by")
            return False
        port = self._new_port(api, call_id, inner, narrow)
        if port is None:
            api.dec_ref(inner)
            return False
        api.nb_set_g711(port, codec.upper() in G711)
        param.port, param.destroy_port = port, True
        if _addr(prm.pPort) != port or not prm.destroyPort:  # the probe makes this unreachable
            param.port, param.destroy_port = inner, False
            api.nb_free(port)
            api.dec_ref(inner)
            _say_once("pjsua2 did not take the port written to OnStreamCreatedParam")
            return False
        key = (call_id, param.stream_idx)
        if key in self._live:  # a new stream before the old one's end was told: pjmedia
            self._retired.append(self._live.pop(key).address)  # destroys the old with it
        self._live[key] = NarrowbandPort(port, param.stream_idx)
        log.debug("call %s stream %d: 8 kHz, resampled by our filter", call_id, param.stream_idx)
        return True

    def _new_port(self, api: _Api, call_id: str, inner: int, narrow: int) -> int | None:
        name = f"nb-{call_id}".encode()[:31]
        f = api.fn_addr
        port = api.nb_new(name, inner, narrow, f["get"], f["put"], f["dec_ref"])
        if not port:
            return None
        label = nativeport._PjStr(api.nb_name(port), len(name))
        api.info_init(port, ctypes.byref(label), SIGNATURE, self.bridge_rate, 1, 16, 2 * narrow)
        return port

    def on_stream_destroyed(self, call_id: str, stream_idx: int) -> None:
        """pjsua is destroying the stream: stop calling it; free once pjmedia is done."""
        port = self._live.pop((call_id, stream_idx), None)
        if port is None:
            return
        _api().nb_detach(port.address)
        self._retired.append(port.address)
        self.reap()

    def port(self, call_id: str, stream_idx: int = 0) -> NarrowbandPort | None:
        return self._live.get((call_id, stream_idx))

    def reap(self) -> int:
        """Free the ports pjmedia has destroyed; how many are still held by it."""
        if not self._retired:
            return 0
        api = _api()
        keep = []
        for address in self._retired:
            if api.nb_destroyed(address):
                api.nb_free(address)
            else:
                keep.append(address)
        self._retired = keep
        return len(keep)


def _is_narrow_pcm(info: _PortInfo) -> bool:
    return (
        info.fmt_id == PJMEDIA_FORMAT_PCM
        and info.fmt_type == PJMEDIA_TYPE_AUDIO
        and info.clock_rate == NARROW_RATE
        and info.channel_count == 1
        and info.bits_per_sample == 16
    )


def _param_struct(prm) -> _StreamParam:
    """The C++ object behind `prm`, if its layout is the one declared (else Unavailable)."""
    raw = _StreamParam.from_address(int(prm.this))
    seen = (raw.stream, raw.stream_idx, raw.destroy_port, raw.port)
    swig = (_addr(prm.stream), prm.streamIdx, bool(prm.destroyPort), _addr(prm.pPort))
    if seen != swig:
        raise Unavailable(f"pjsua2's OnStreamCreatedParam is not laid out as declared ({seen})")
    return raw


def _addr(pointer) -> int | None:
    """A SWIG void* as ctypes shows it: its address, None for NULL."""
    return None if pointer is None else (int(pointer) or None)
