"""Child process for test_port_release: destroy parked Python ports while pjmedia's
clock thread waits for the GIL inside their frame callbacks.

Usage: python port_release_child.py devices|parked ROUNDS

A real engine (null sound device: while the bridge has a connection, here a tone,
its clock calls every port of the bridge every 20 ms). Each round, on the engine
thread: a port with Python callbacks is made and put where the engine keeps it
(`devices`: as the sound devices' port; `parked`: parked, as a call's analyzer is
when the call ends); the engine thread then keeps the GIL for a few clock ticks (a
long switch interval, so the clock thread asks for it and waits), which is what any
Python work of the engine thread does for a moment, and lets the port go as the
engine does (`AudioRouter.release_port`, `Calls.reap`). A callback that runs on a
port being deallocated is counted; before the fix it also corrupted the heap, and
this process died of it.
Prints "rounds=N dying_callbacks=M" and exits 0.
"""

from __future__ import annotations

import sys
import time
import weakref
from collections.abc import Callable

import pjsua2 as pj

from softphone.engine.engine import Engine
from softphone.engine.pjobjects import PjAnalyzerPort, destroy_media_port

HOLD_S = 0.045  # a little over two clock ticks
FED_S = 0.1  # the port is called a few times before it goes
SETTLE_S = 1.5  # past the sound device's idle close, had nothing kept the clock going

_alive: dict[int, weakref.ref] = {}  # by id: nothing on the port itself is read
dying_callbacks = 0


class WatchedAnalyzerPort(PjAnalyzerPort):
    """Counts frame callbacks that arrive while the port is being deallocated (its
    weak references are cleared first thing in that)."""

    def __init__(self) -> None:
        super().__init__(16000, seconds=0.1)
        _alive[id(self)] = weakref.ref(self)

    def onFrameReceived(self, frame) -> None:
        global dying_callbacks
        ref = _alive.get(id(self))
        if ref is None or ref() is None:
            dying_callbacks += 1
            return
        super().onFrameReceived(frame)

    def release(self) -> None:  # as PjBridgePort's: the devices' Python port
        destroy_media_port(self)


def _park(engine: Engine, name: str) -> None:
    port = WatchedAnalyzerPort()
    port.create(name)
    engine.calls.park_port(port)


def _as_devices_port(engine: Engine, name: str) -> None:
    """A stand-in for the sound devices' bridge port (the release path is the same)."""
    port = WatchedAnalyzerPort()
    port.create(name)
    engine.audio.port = port


def _hold_then(release: Callable[[], None]) -> None:
    default = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    try:
        until = time.monotonic() + HOLD_S
        while time.monotonic() < until:
            pass
        release()
    finally:
        sys.setswitchinterval(default)


def _keep_the_clock_running(engine: Engine) -> pj.ToneGenerator:
    """pjsua closes the sound device, the bridge's clock, 1 s after the bridge's last
    connection goes: a tone into it keeps the bridge ticking, as a call does."""
    tone = pj.ToneGenerator()
    tone.createToneGenerator(16000, 1)
    tone.startTransmit(engine.endpoint.audDevManager().getPlaybackDevMedia())
    return tone


def _stop(engine: Engine, tone: pj.ToneGenerator) -> None:
    tone.stopTransmit(engine.endpoint.audDevManager().getPlaybackDevMedia())
    engine.calls.park_port(tone)


def main() -> None:
    way, rounds = sys.argv[1], int(sys.argv[2])
    engine = Engine(pjsip_log_level=0)
    engine.start()
    if way == "devices":
        put, release = _as_devices_port, engine.audio.release_port
    else:
        put, release = _park, lambda: engine.calls.reap(port_grace_s=0.0)
    tone = engine.run(lambda: _keep_the_clock_running(engine)).result(10)
    try:
        time.sleep(SETTLE_S)
        for i in range(rounds):
            engine.run(lambda i=i: put(engine, f"{way}-{i}")).result(10)
            time.sleep(FED_S)
            engine.run(lambda: _hold_then(release)).result(10)
    finally:
        engine.run(lambda: _stop(engine, tone)).result(10)  # reaped by the engine's stop
        engine.stop()
    print(f"rounds={rounds} dying_callbacks={dying_callbacks}", flush=True)


if __name__ == "__main__":
    main()
