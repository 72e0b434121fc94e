"""The conference's clock thread (`bp_clock` in media/bridgeport.c) with pjsip's functions
replaced by counting callbacks: it ticks on its own timer when no microphone drives it,
at once for each byte the device side writes, and repays the timer's ticks with late
bytes instead of ticking twice. (Through pjsip and real devices:
tests/integration/test_audio_devices.py.)"""

from __future__ import annotations

import ctypes
import os
import threading
import time

import pytest

from softphone.engine import nativeport

pytestmark = pytest.mark.skipif(
    nativeport.available() is not None, reason=f"no C extension: {nativeport.available()}"
)

FRAME_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
REGISTER_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p)


class FakePjsip:
    def __init__(self) -> None:
        self.gets, self.puts, self.registered = [], 0, threading.Event()
        self.get = FRAME_FN(self._get)
        self.put = FRAME_FN(self._put)
        self.register = REGISTER_FN(self._register)

    def _get(self, port, frame) -> int:
        self.gets.append(time.monotonic())
        return 0

    def _put(self, port, frame) -> int:
        self.puts += 1
        return 0

    def _register(self, name, desc, thread) -> int:
        self.registered.set()
        return 0


@pytest.fixture
def clock():
    from softphone.engine.conferenceclock import _functions

    _functions()  # argtypes
    lib = nativeport._api().lib
    pj = FakePjsip()
    r, w = os.pipe()
    os.set_blocking(r, False)
    addr = [ctypes.cast(f, ctypes.c_void_p).value for f in (pj.get, pj.put, pj.register)]
    handle = lib.bp_clock_start(1, *addr, 320, 16000, 0.012, r)
    assert handle
    yield lib, handle, pj, w
    lib.bp_clock_stop(handle, w)
    os.close(r)
    os.close(w)


def ticks(lib, handle) -> tuple[int, int, int]:
    return (lib.bp_clock_device_ticks(handle), lib.bp_clock_timer_ticks(handle),
            lib.bp_clock_repaid(handle))  # fmt: skip


def test_with_no_microphone_the_timer_ticks_every_20_ms(clock):
    lib, handle, pj, _w = clock
    assert pj.registered.wait(1)  # the thread registered itself with pjlib
    time.sleep(1.0)
    device, timer, _ = ticks(lib, handle)
    assert device == 0 and 45 <= timer <= 52, (device, timer)
    gaps = [b - a for a, b in zip(pj.gets[5:], pj.gets[6:], strict=False)]
    assert 0.018 < sorted(gaps)[len(gaps) // 2] < 0.022
    gets = len(pj.gets)  # a silent frame in, the mix out, per tick (read as it runs:
    assert pj.puts - gets in (0, 1)  # a tick may be between its put and its get)


def test_each_byte_ticks_at_once_and_the_timer_keeps_out_of_the_way(clock):
    lib, handle, pj, w = clock
    time.sleep(0.1)
    os.write(w, b"x")  # the microphone takes over from the timer
    time.sleep(0.005)
    start = ticks(lib, handle)
    late = []
    for _ in range(40):  # a microphone completing a frame every 15 ms: faster than 20
        sent = time.monotonic()
        n = len(pj.gets)
        os.write(w, b"x")
        while len(pj.gets) == n and time.monotonic() - sent < 0.5:
            time.sleep(0.0005)
        late.append(pj.gets[n] - sent)
        time.sleep(0.015)
    device, timer, repaid = (a - b for a, b in zip(ticks(lib, handle), start, strict=True))
    # every byte ticked once, or repaid a tick the timer made for it during a stall of
    # this test's thread (none on a quiet machine)
    assert device + repaid == 40 and timer <= repaid + 1, (device, timer, repaid)
    assert sorted(late)[20] < 0.002  # the tick follows the byte at once


def test_a_late_frame_repays_the_timer_tick_made_in_its_place(clock):
    lib, handle, _pj, w = clock
    time.sleep(0.1)
    for _ in range(5):
        os.write(w, b"x")
        last = time.monotonic()
        time.sleep(0.02 if _ < 4 else 0.005)
    start = ticks(lib, handle)
    # The next frame is late: the timer ticks in its place a period and the grace
    # (32 ms) after the last one, and would again 20 ms later.
    time.sleep(last + 0.042 - time.monotonic())
    os.write(w, b"x")  # its frame comes: owed, no second tick
    time.sleep(0.005)
    device, timer, repaid = (a - b for a, b in zip(ticks(lib, handle), start, strict=True))
    # one timer tick (two if this thread overslept), and the late frame ticked none
    assert device == 0 and repaid == 1 and timer >= 1, (device, timer, repaid)


def test_after_a_long_silence_the_microphone_owes_nothing(clock):
    lib, handle, _pj, w = clock
    os.write(w, b"x")
    time.sleep(0.5)  # the microphone stopped: timer ticks, beyond what can be owed
    start = ticks(lib, handle)
    os.write(w, b"xx")  # a new stream's first frames tick at once
    time.sleep(0.005)
    device, _timer, repaid = (a - b for a, b in zip(ticks(lib, handle), start, strict=True))
    assert (device, repaid) == (2, 0)
