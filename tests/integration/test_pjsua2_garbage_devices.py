"""No pjsua2 object is left to the cyclic garbage collector, or dies off the engine
thread, while the sound devices are in use (see `pjsua2_watch`).

`test_pjsua2_garbage` covers calls without devices. This one runs the scenarios of
`test_audio_devices` in one engine: the ringer on its own device, a call answered on the
devices (the bridge port made), a headset plugged in and chosen mid-call, pulled out (the
call falls back), hung up, and a second call on the same bridge port. The bridge port is
the pjsua2 object whose frame callbacks pjmedia's clock thread makes into memory shared
with the audio process: freed by a collection, its callbacks could run into memory
already unmapped (the shared block's finalizer runs before the port is unregistered).
"""

from __future__ import annotations

import pytest
from pjsua2_watch import assert_engine_leaves_nothing
from test_audio_devices import call_bob_with_devices, hang_up, use_virtual_devices
from virtual_sound import MIC, SPEAKER

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine import nativeport
from softphone.engine.engine import Engine  # noqa: F401  imported before the watch: pjframes' probe
from softphone.engine.tone import analyse_tone
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration


def _ring_and_answer(s: EngineSession, peers, vs) -> None:
    """carol calls: it rings on the ringer device, is answered on the devices, ends."""
    ringer = "softphone_test_ringer"
    vs.add_device(ringer)
    try:
        s.submit(cmd.SetAudioDevices(microphone=MIC, speaker=SPEAKER, ringer=ringer))
        peers.start_peer("carol")
        peers.peer("dial", "carol", "sip:alice@127.0.0.1")
        arrived = s.wait_for(ev.CallDidArrive)
        s.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "ringer")
        s.submit(cmd.Answer(arrived.call_id, devices=True))
        s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == arrived.call_id)
        s.drain(0.5)
        hang_up(s, arrived.call_id)
    finally:
        vs.remove_device(ringer)


def _hot_plug(s: EngineSession, peers, vs) -> None:
    """A call to bob: a headset plugged in and chosen, then pulled out mid-call."""
    headset = "softphone_test_headset"
    peers.start_peer("bob", "--tone", "520")
    use_virtual_devices(s)
    call_id = call_bob_with_devices(s)
    s.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker")
    vs.add_device(headset)
    try:
        s.wait_for(ev.AudioDevicesDidChange, lambda e: headset in e.output_names, timeout=3)
        use_virtual_devices(s, speaker=headset)
        s.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker" and e.name == headset)
        # pulled out once its stream plays (a sink PulseAudio just made can take 1.5 s
        # to start: test_audio_devices' hot-plug test waits the same way)
        s.drain(0.5)
        for _ in range(3):
            if analyse_tone(vs.record(f"{headset}.monitor", 1.0), 16000, 520).detected:
                break
    finally:
        vs.remove_device(headset)
    s.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker" and e.fallback, 3)
    s.drain(0.5)
    hang_up(s, call_id)


def _second_call(s: EngineSession) -> None:
    """The bridge port outlives a call: the next one reuses it."""
    call_id = call_bob_with_devices(s)
    s.submit(cmd.RequestAudioStats())
    s.wait_for(ev.AudioBridgeStatsDidUpdate)
    hang_up(s, call_id)


def test_no_pjsua2_object_is_left_to_the_garbage_collector_with_devices(
    testbed_profile, testbed, peers, virtual_sound
):
    def scenario(s: EngineSession) -> None:
        assert add_and_register(s, testbed_profile, "alice", Secret("alice-secret")).ok
        _ring_and_answer(s, peers, virtual_sound)
        _hot_plug(s, peers, virtual_sound)
        _second_call(s)

    expected = {"PjCall", "PjAccount", "CallInfo"}
    if nativeport.available() is not None:  # the devices' port is a pjsua2 object then
        expected.add("PjBridgePort")
    assert_engine_leaves_nothing(scenario, expected)
