"""The sound devices' bridge port in C (`engine/nativeport.py`) in real calls.

The point of it: pjmedia's clock thread no longer needs the engine process's GIL.
Here the test thread holds the GIL (a C call made through `ctypes.PyDLL`, which
keeps it) the way a busy UI or a long garbage collection would, while a call
plays on the virtual speaker. With the Python port the speaker starves for the
whole hold; with the C port it plays on. Both are run, so the test shows it can
tell them apart.
"""

from __future__ import annotations

import ctypes
import time

import pytest
from test_audio_devices import (
    MAX_GAP_MS,
    bridge_stats,
    call_bob_with_devices,
    hang_up,
    use_virtual_devices,
)

from softphone.engine import events as ev
from softphone.engine import nativeport
from softphone.media.bridge import I_OUTPUT_CALLBACKS
from softphone.media.streams import OUTPUT_BLOCK_S

pytestmark = pytest.mark.integration

HOLD_S = 0.5
HOLDS = 2


def speaker_callbacks(session) -> int:
    """The speaker stream's callbacks so far (the audio process counts them in the
    shared memory the engine holds)."""
    return int(session.engine.audio.streams.state.ints[I_OUTPUT_CALLBACKS])


def hold_gil(seconds: float) -> None:
    """Sleep without letting go of the GIL (PyDLL calls keep it)."""
    ctypes.PyDLL(None).usleep(int(seconds * 1e6))


def test_the_c_port_is_built_and_its_layout_checks_out():
    # CI installs a C compiler: the optional extension must have been built there
    assert nativeport.available() is None


@pytest.mark.parametrize("native", [True, False], ids=["c-port", "python-port"])
def test_speaker_plays_on_while_the_engine_process_holds_the_gil(
    native, monkeypatch, alice, peers, virtual_sound
):
    monkeypatch.setenv("SOFTPHONE_NATIVE_PORT", "1" if native else "0")
    peers.start_peer("bob", "--tone", "520")
    use_virtual_devices(alice)
    call_id = call_bob_with_devices(alice)
    alice.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker")
    alice.drain(1.5)  # the speaker's ring primed and settled
    assert alice.engine.audio.native is native
    # Only holds the speaker played through count: the ALSA pulse plugin now and then
    # stops calling back for a while (then nothing can starve, either port); the
    # engine reopens such a stream, and the holds are tried again.
    for _attempt in range(3):
        before, played = bridge_stats(alice), speaker_callbacks(alice)
        started = time.monotonic()
        for _ in range(HOLDS):
            hold_gil(HOLD_S)
            alice.drain(0.3)
        after, played = bridge_stats(alice), speaker_callbacks(alice) - played
        if played >= 0.8 * (time.monotonic() - started) / OUTPUT_BLOCK_S:
            break
        alice.drain(1.5)
    else:
        pytest.fail(f"the speaker did not play through the holds ({played} callbacks)")
    hang_up(alice, call_id)
    starved_ms = after.playback_underrun_ms - before.playback_underrun_ms
    print(f"native={native}: {starved_ms:.1f} ms of the speaker starved")
    if native:
        assert starved_ms <= MAX_GAP_MS, (before, after)
    else:
        # silent for what a hold exceeds the speaker's margin (30 ms, growing up to
        # 110 ms after starved pulls) and the device's own buffer
        assert starved_ms >= 150, (before, after)


def test_a_released_c_port_leaves_the_bridge_and_is_freed_once_pjmedia_let_go():
    """Its lifetime through pjmedia's group lock: the bridge clock runs (a tone into
    the null sound device keeps it going), the port is called, released, destroyed by
    pjmedia, then freed."""
    import pjsua2 as pj

    from softphone.engine.engine import Engine
    from softphone.media.bridge import BridgeState

    engine = Engine(pjsip_log_level=0)
    engine.start()
    try:

        def playback():
            return engine.endpoint.audDevManager().getPlaybackDevMedia()

        def start():
            tone = pj.ToneGenerator()
            tone.createToneGenerator(16000, 1)
            tone.startTransmit(playback())
            state = BridgeState(8000)
            state.clear()
            port = nativeport.NativeBridgePort(state, 16000)
            port.create()
            port.connect(tone)  # the tone into the port, the port into the tone (ignored)
            return tone, port

        def stop():
            tone.stopTransmit(playback())
            engine.calls.park_port(tone)

        tone, port = engine.run(start).result(10)
        try:
            time.sleep(0.3)
            gets, puts = port.frames
            assert gets >= 5 and puts >= 5
            engine.run(lambda: port.disconnect(tone)).result(10)
            engine.run(port.release).result(10)
            time.sleep(0.3)
            assert engine.run(nativeport.reap).result(10) == 0  # destroyed and freed
        finally:
            engine.run(stop).result(10)
    finally:
        engine.stop()
