"""The conference bridge's clock, driven by the microphone (`bp_clock` in
media/bridgeport.c).

pjsua's null sound device clocked the conference bridge with a timer of its own,
so pjmedia took the microphone's frames at a phase unrelated to when the device
delivered them, and the capture ring had to hold a reserve for that phase: a
frame plus the longest wait between two deliveries plus a margin, ~16 ms beyond
the frame (bench/audio.py latency). Here pjsua runs with no sound device
(`pjsua_set_no_snd_dev`) and a C thread clocks the bridge's master port: at
once for each frame the microphone completes (a byte on a pipe from the device
side, in the audio process), and on its own 20 ms timer when no microphone
drives it (none open, one stalled or unplugged, echo cancellation behind). A
tick the timer made while the microphone was late is owed, and the late frame's
byte repays it instead of ticking again, so the bridge never runs faster than the
microphone for long.

Engine thread: `start` after libStart, `stop` before libDestroy (after the device
streams stopped). Where the extension or pjsip's functions are missing (or on
Windows), the engine keeps pjsua's null device, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
from dataclasses import dataclass
from functools import cache

from softphone.engine import nativeport
from softphone.engine.pjnative import native_function
from softphone.media.nativebridge import declare

log = logging.getLogger(__name__)

# How late a microphone frame may be before the timer ticks instead: above the
# pulse plugin's usual lateness (10 ms blocks arriving up to 16 ms apart), below
# a frame (a longer wait is an underrun at the far end anyway).
GRACE_S = float(os.environ.get("SOFTPHONE_CLOCK_GRACE_S", "0.012"))


@dataclass(frozen=True)
class ClockStats:
    device_ticks: int  # ticks the microphone's frames made
    timer_ticks: int  # ticks the timer made (no microphone, or a late one)
    repaid: int  # late frames whose tick the timer had already made


class ConferenceClock:
    def __init__(self) -> None:
        self._api = None
        self._clock = None
        self._pipe: tuple[int, int] | None = None

    @staticmethod
    def unavailable() -> str | None:
        if os.environ.get("SOFTPHONE_DEVICE_CLOCK", "1") == "0":
            return "SOFTPHONE_DEVICE_CLOCK=0"
        if sys.platform == "win32":
            return "not built or tested on Windows yet"
        why = nativeport.available()
        if why is not None:
            return why
        try:
            _functions()
        except (OSError, AttributeError) as e:
            return f"the conference clock cannot be had: {e}"
        return None

    @property
    def running(self) -> bool:
        return self._clock is not None

    @property
    def drive_fd(self) -> int:
        """Where the device side writes a byte per completed frame; -1: nowhere."""
        return self._pipe[1] if self._pipe and self._clock else -1

    def start(self, frame_samples: int, clock_rate: int) -> None:
        """After libStart, in place of the null device: pjsua gets no sound device."""
        api = self._api = nativeport._api()
        fns = _functions()
        master = fns["pjsua_set_no_snd_dev"]()
        if not master:
            raise RuntimeError("pjsua gave no conference master port")
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)  # the device side never waits on it
        addr = [ctypes.cast(fns[n], ctypes.c_void_p).value for n in _POINTERS]
        clock = api.lib.bp_clock_start(master, *addr, frame_samples, clock_rate, GRACE_S, r)
        if not clock:
            os.close(r)
            os.close(w)
            raise RuntimeError("the conference clock's thread did not start")
        self._clock, self._pipe = clock, (r, w)
        log.info("conference clock: driven by the microphone when one runs")

    def stop(self) -> None:
        clock, self._clock = self._clock, None
        if clock is None:
            return
        r, w = self._pipe
        self._api.lib.bp_clock_stop(clock, w)
        self._pipe = None
        for fd in (r, w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def stats(self) -> ClockStats | None:
        if self._clock is None:
            return None
        lib, c = self._api.lib, self._clock
        return ClockStats(
            lib.bp_clock_device_ticks(c), lib.bp_clock_timer_ticks(c), lib.bp_clock_repaid(c)
        )


_POINTERS = ("pjmedia_port_get_frame", "pjmedia_port_put_frame", "pj_thread_register")


@cache
def _functions() -> dict:
    vp, i64 = ctypes.c_void_p, ctypes.c_int64
    lib = nativeport._api().lib
    declare(lib, (
        ("bp_clock_start", [vp, vp, vp, vp, i64, i64, ctypes.c_double, i64], vp),
        ("bp_clock_stop", [vp, i64], None),
        ("bp_clock_device_ticks", [vp], i64),
        ("bp_clock_timer_ticks", [vp], i64),
        ("bp_clock_repaid", [vp], i64),
    ))  # fmt: skip
    fns = {"pjsua_set_no_snd_dev": native_function("pjsua_set_no_snd_dev", [], vp)}
    fns["pjmedia_port_get_frame"] = native_function(
        "pjmedia_port_get_frame", [vp, vp], ctypes.c_int
    )
    fns["pjmedia_port_put_frame"] = native_function(
        "pjmedia_port_put_frame", [vp, vp], ctypes.c_int
    )
    fns["pj_thread_register"] = native_function(
        "pj_thread_register", [ctypes.c_char_p, vp, vp], ctypes.c_int
    )
    return fns
