"""Sound devices in real calls: a virtual microphone and speaker (PulseAudio null devices
opened by PortAudio through ALSA), through Kamailio to baresip, which records what it gets.
"""

from __future__ import annotations

import pytest
from helpers import read_wav_mono, wait_until
from virtual_sound import MIC, SPEAKER, tone

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.tone import analyse_tone

pytestmark = pytest.mark.integration

BOB = "sip:bob@127.0.0.1"


def use_virtual_devices(s, processing: bool = False, speaker: str = SPEAKER) -> None:
    switches = dict.fromkeys(("echo_cancellation", "noise_suppression", "auto_gain"), processing)
    s.submit(cmd.SetAudioDevices(microphone=MIC, speaker=speaker, **switches))


def call_bob_with_devices(s) -> str:
    call_id = s.new_id("dev")
    s.submit(cmd.MakeCall(call_id, "acc", BOB, devices=True))
    media = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=10
    )
    assert isinstance(media, ev.CallMediaDidChange), media
    assert media.media.encrypted
    return call_id


def bridge_stats(s):
    s.submit(cmd.RequestAudioStats())
    return s.wait_for(ev.AudioBridgeStatsDidUpdate).stats


def hang_up(s, call_id: str) -> None:
    s.submit(cmd.Hangup(call_id))
    s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)


def bob_received(peers):
    def complete():
        try:
            files = peers.recordings("bob")
            return bool(files) and len(read_wav_mono(files[-1])[0]) > 0
        except Exception:  # baresip writes the WAV header when the call closes
            return False

    assert wait_until(complete, 5), "bob recorded nothing"
    return read_wav_mono(peers.recordings("bob")[-1])


# Gaps: a broken bridge starves every frame (hundreds of underruns in these calls).
# A few short gaps are this 2-core machine descheduling the audio process under load;
# the target of none is the underrun benchmark's (bench/audio.py underruns), not a
# timing assertion here (seen in CI: 1 capture gap of 15.7 ms, 3 playback gaps).
MAX_GAPS = 3
MAX_GAP_MS = 60.0  # in all: 3 frames of 20 ms


def assert_few_gaps(count: int, ms: float, stats) -> None:
    assert count <= MAX_GAPS and ms <= MAX_GAP_MS, stats


@pytest.fixture(params=["c", "python"])
def device_side(request, monkeypatch):
    """The sound devices' callbacks in C (media/deviceside.c, the default where it was
    built) or in Python (the fallback): before `alice`, whose audio process reads it."""
    if request.param == "python":
        monkeypatch.setenv("SOFTPHONE_NATIVE_DEVICES", "0")
    return request.param


def test_virtual_microphone_reaches_baresip(device_side, alice, peers, virtual_sound):
    peers.start_peer("bob")
    use_virtual_devices(alice)
    call_id = call_bob_with_devices(alice)
    switched = alice.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "microphone")
    assert switched.name == MIC and not switched.fallback
    player = virtual_sound.play_into_mic(tone(700, 3.0))
    before = alice.engine.conference_clock.stats()
    alice.drain(3.0)
    player.wait(5)
    stats = bridge_stats(alice)
    clock = alice.engine.conference_clock.stats()
    hang_up(alice, call_id)
    samples, rate = bob_received(peers)
    heard = analyse_tone(samples[rate:], rate, 700)
    assert heard.detected, heard
    absent = analyse_tone(samples[rate:], rate, 1700)
    assert not absent.detected  # the detector is not just firing on anything
    assert_few_gaps(stats.capture_underruns, stats.capture_underrun_ms, stats)
    assert stats.device_input_errors == 0, stats
    assert stats.frames_requested > 100
    assert stats.device_callbacks == device_side
    # The conference's clock (engine/conferenceclock.py): the C device side drives it
    # with each frame the microphone completes, so pjmedia finds one frame in the ring,
    # not a frame and a reserve for the phase between two clocks (36 ms before).
    driven = clock.device_ticks - before.device_ticks
    if device_side == "c":
        assert driven > 100, (before, clock)
        assert stats.capture_fill_ms < 25.0, stats
    else:  # the Python device side does not drive it: the timer does
        assert driven == 0, (before, clock)


def test_baresip_reaches_virtual_speaker(device_side, alice, peers, virtual_sound):
    peers.start_peer("bob", "--tone", "520")
    use_virtual_devices(alice)
    call_id = call_bob_with_devices(alice)
    alice.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker")
    alice.drain(1.0)
    played = virtual_sound.record_speaker(2.0)
    stats = bridge_stats(alice)
    hang_up(alice, call_id)
    heard = analyse_tone(played, 16000, 520)
    assert heard.detected and heard.level_dbfs > -30, heard
    assert not analyse_tone(played, 16000, 1300).detected
    assert_few_gaps(stats.playback_underruns, stats.playback_underrun_ms, stats)
    assert stats.device_callbacks == device_side
    # once the call is over the speaker gets nothing more
    silent = virtual_sound.record_speaker(0.5)
    assert not analyse_tone(silent, 16000, 520).detected


def test_hot_plug_switch_mid_call_and_fallback_when_removed(alice, peers, virtual_sound):
    """A headset appears (noticed within 2 s), the call switches to it, it is pulled out:
    the call falls back to the default speaker and goes on."""
    headset = "softphone_test_headset"
    peers.start_peer("bob", "--tone", "520")
    use_virtual_devices(alice)
    call_id = call_bob_with_devices(alice)
    alice.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker")
    alice.wait_for(ev.AudioDevicesDidChange)  # the watcher's first list
    virtual_sound.add_device(headset)
    alice.wait_for(ev.AudioDevicesDidChange, lambda e: headset in e.output_names, timeout=2.0)
    # switch mid-call: PortAudio here has never seen this device (re-initialised)
    use_virtual_devices(alice, speaker=headset)
    moved = alice.wait_for(
        ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker" and e.name == headset
    )
    assert not moved.fallback and "switched by the user" in moved.reason, moved
    # A stream on a sink PulseAudio created a moment ago can take a while to start on a
    # fresh machine (once in CI: 1.5 s of exact zeros right after the switch); the call
    # must be heard on it within 3.5 s.
    alice.drain(0.5)
    heard = []
    for _ in range(3):
        heard.append(analyse_tone(virtual_sound.record(f"{headset}.monitor", 1.0), 16000, 520))
        if heard[-1].detected:
            break
    assert heard[-1].detected, heard
    # pulled out: noticed within 2 s, the call falls back and keeps going
    virtual_sound.remove_device(headset)
    fallback = alice.wait_for(
        ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker" and e.fallback, timeout=2.0
    )
    assert fallback.fallback and fallback.name != headset, fallback
    assert "removed" in fallback.reason or "failed" in fallback.reason
    alice.drain(0.5)
    assert not alice.seen(ev.CallDidEnd, lambda e: e.call_id == call_id)
    on_default = virtual_sound.record_speaker(1.5)
    assert analyse_tone(on_default, 16000, 520).detected
    # the microphone, on another device, was never interrupted
    stats = bridge_stats(alice)
    assert stats.capture_underruns <= 1, stats  # the PortAudio restart: at most one gap
    hang_up(alice, call_id)


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    from softphone.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().out


def test_cli_devices_list_shows_virtual_devices_with_host_api(virtual_sound, capsys):
    import json

    code, out = run_cli(capsys, "devices", "list", "--json")
    assert code == 0
    doc = json.loads(out)
    inputs = {d["name"]: d for d in doc["inputs"]}
    outputs = {d["name"]: d for d in doc["outputs"]}
    assert MIC in inputs and SPEAKER in outputs
    assert inputs[MIC]["hostapi"] == "ALSA"
    assert any(d["system_default"] for d in doc["outputs"])
    code, out = run_cli(capsys, "devices", "list")
    assert code == 0 and f"{MIC} (ALSA" in out


def test_cli_test_mic_meters_the_microphone(virtual_sound, capsys):
    player = virtual_sound.play_into_mic_heard(tone(700, 4.0))
    code, out = run_cli(capsys, "devices", "test-mic", "--device", MIC, "--seconds", "1.5")
    player.wait(8)
    assert code == 0, out
    assert "sound heard" in out
    # nothing playing: the meter says so and the command fails
    code, out = run_cli(capsys, "devices", "test-mic", "--device", MIC, "--seconds", "0.6")
    assert code == 1 and "NO sound" in out


def test_cli_test_speaker_plays_a_tone(virtual_sound, capsys):
    import threading

    got = {}
    rec = threading.Thread(
        target=lambda: got.setdefault("x", virtual_sound.record_speaker(2.0)), daemon=True
    )
    rec.start()
    code, out = run_cli(capsys, "devices", "test-speaker", "--device", SPEAKER, "--freq", "880")
    rec.join(5)
    assert code == 0, out
    assert analyse_tone(got["x"], 16000, 880).detected


def test_encrypted_test_call_with_live_devices(virtual_sound):
    """`softphone test-call --devices`: the microphone goes through both SRTP legs of the
    embedded echo peer and comes back on the speaker."""
    import threading

    from softphone.config.settings import AudioSettings
    from softphone.tasks.test_call import run_test_call

    audio = AudioSettings(microphone=MIC, speaker=SPEAKER, echo_cancellation=False,
                          noise_suppression=False, auto_gain=False)  # fmt: skip
    player = virtual_sound.play_into_mic(tone(650, 5.0))
    got = {}

    def listen():
        import time

        time.sleep(0.5)
        got["x"] = virtual_sound.record_speaker(4.0)

    rec = threading.Thread(target=listen, daemon=True)
    rec.start()
    report = run_test_call(duration=3.5, devices=True, audio=audio)
    rec.join(10)
    player.kill()
    assert report.passed, report.failures
    assert report.srtp_suite and report.microphone == MIC and report.speaker == SPEAKER
    bridge = report.bridge
    assert_few_gaps(bridge["capture_underruns"], bridge["capture_underrun_ms"], bridge)
    # my "voice", echoed back (mixed with the call's 1 kHz test tone: judged by level),
    # in the loudest half second (when media flows depends on the machine: a fixed
    # window measured silence as well)
    assert _loudest(got["x"], 650) > -20
    assert _loudest(got["x"], 1700) < -40  # and not just anything


def _loudest(x, freq: int, rate: int = 16000) -> float:
    """`freq`'s level in the half second of `x` where it is loudest."""
    n = rate // 2
    windows = [x[i : i + n] for i in range(0, len(x) - n + 1, n // 4)]
    return max((analyse_tone(w, rate, freq).level_dbfs for w in windows), default=-120.0)


def ring_alice(s, peers, ringer: str):
    """carol calls alice, whose ringer is `ringer`: the arriving call and the ring's switch."""
    s.submit(cmd.SetAudioDevices(microphone=MIC, speaker=SPEAKER, ringer=ringer))
    peers.start_peer("carol")
    peers.peer("dial", "carol", "sip:alice@127.0.0.1")
    arrived = s.wait_for(ev.CallDidArrive)
    return arrived, s.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "ringer")


def test_incoming_call_rings_on_the_ringer_device_until_answered(alice, peers, virtual_sound):
    ringer = "softphone_test_ringer"
    virtual_sound.add_device(ringer)
    try:
        s = alice
        peers.start_peer("bob", "--manual")
        arrived, rang = ring_alice(s, peers, ringer)
        assert rang.name == ringer, rang
        ring = virtual_sound.record(f"{ringer}.monitor", 1.0)
        speaker = virtual_sound.record_speaker(0.5)
        assert analyse_tone(ring, 16000, 440).level_dbfs > -30  # the ring cadence is on
        assert analyse_tone(speaker, 16000, 440).level_dbfs < -60  # and not on the speaker
        s.submit(cmd.Answer(arrived.call_id, devices=True))
        s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == arrived.call_id)
        s.drain(0.3)
        after = virtual_sound.record(f"{ringer}.monitor", 1.0)
        assert analyse_tone(after, 16000, 440).level_dbfs < -60  # answered: it stopped
        hang_up(s, arrived.call_id)
    finally:
        virtual_sound.remove_device(ringer)
