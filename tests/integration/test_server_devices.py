"""The sound server's own sinks and sources as devices (media/pulse_devices.py): listed as
the server has them, chosen by their description, used for a call's microphone and
speaker, for the ringer and the checks, noticed when they come and go. The sinks here
are made on the virtual PulseAudio server with no ALSA PCM behind them: PortAudio
cannot see them at all, as on a desktop where a USB headset is one of PipeWire's sinks.
"""

from __future__ import annotations

import json
import threading

import pytest
from test_audio_devices import (
    assert_few_gaps,
    bob_received,
    bridge_stats,
    call_bob_with_devices,
    device_side,  # noqa: F401 (fixture)
    hang_up,
    ring_alice,
    run_cli,
)
from virtual_sound import tone

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.tone import analyse_tone
from softphone.media.devices import list_devices

pytestmark = pytest.mark.integration

HEADSET = "softphone_srv_headset"
HEADSET_LABEL = "USB headset (test)"
HEADSET_KEY = f"{HEADSET_LABEL} [{HEADSET}]"  # what settings keep for it
MIC_LABEL = "Softphone-virtual-microphone"  # the description tests/virtual_sound.py gives


class Headset:
    """A sink that only the sound server knows (no ALSA PCM), described like a real one."""

    def __init__(self, vs) -> None:
        self.vs, self.module = vs, None

    def plug(self, description: str = HEADSET_LABEL) -> None:
        self.module = self.vs.pactl(
            "load-module", "module-null-sink", f"sink_name={HEADSET}", "rate=48000",
            "channels=1", f"sink_properties='device.description=\"{description}\"'",
        ).strip()  # fmt: skip

    def pull(self) -> None:
        module, self.module = self.module, None
        if module:
            self.vs.unload_module(module)


@pytest.fixture
def headset(virtual_sound):
    h = Headset(virtual_sound)
    yield h
    h.pull()


@pytest.fixture
def plugged(headset):
    headset.plug()
    return headset


def pactl_json(vs, what: str) -> list[dict]:
    return json.loads(vs.pactl("-f", "json", "list", what))


def test_the_servers_sinks_and_sources_are_listed_as_it_has_them(virtual_sound, plugged):
    """Checked against pactl's own report: pulse_devices reads libpulse's structures
    through a declared layout, so a wrong offset would show here as wrong rates,
    names, or a monitor taken for a microphone."""
    listed = [d for d in list_devices().devices if d.hostapi == "PulseAudio"]
    sinks = {s["name"]: s for s in pactl_json(virtual_sound, "sinks")}
    sources = {s["name"]: s for s in pactl_json(virtual_sound, "sources")}
    # pactl names the sink a monitor listens to "monitor_source" (empty: a real source)
    mics = {n: s for n, s in sources.items() if not s.get("monitor_source")}
    assert {d.target for d in listed if d.max_outputs} == set(sinks)
    assert {d.target for d in listed if d.max_inputs} == set(mics)
    assert not any(d.target.endswith(".monitor") for d in listed)
    for d in listed:
        doc = sinks[d.target] if d.max_outputs else mics[d.target]
        spec = doc["sample_specification"]  # e.g. "s16le 1ch 48000Hz"
        assert d.name.startswith(doc["description"]), (d, doc["description"])
        assert f"{d.max_outputs or d.max_inputs}ch" in spec and f"{d.default_rate}Hz" in spec
    headset_device = list_devices().find(HEADSET_LABEL, "output")
    assert headset_device is not None and headset_device.target == HEADSET
    assert list_devices().find(HEADSET, "output") is None  # its server name: see find()


def test_cli_lists_a_server_sink_and_plays_its_test_tone_there(virtual_sound, plugged, capsys):
    code, out = run_cli(capsys, "devices", "list", "--json")
    assert code == 0
    outputs = {d["name"]: d for d in json.loads(out)["outputs"]}
    assert outputs[HEADSET_LABEL]["hostapi"] == "PulseAudio"
    assert outputs[HEADSET_LABEL]["server_name"] == HEADSET
    got = {}
    rec = threading.Thread(
        target=lambda: got.setdefault("x", virtual_sound.record(f"{HEADSET}.monitor", 2.0)),
        daemon=True,
    )
    rec.start()
    code, out = run_cli(
        capsys, "devices", "test-speaker", "--device", HEADSET_LABEL, "--freq", "880"
    )
    rec.join(5)
    assert code == 0, out
    assert analyse_tone(got["x"], 16000, 880).detected
    # the microphone check on the server's own source (its description)
    player = virtual_sound.play_into_mic_heard(tone(700, 4.0))
    code, out = run_cli(capsys, "devices", "test-mic", "--device", MIC_LABEL, "--seconds", "1.5")
    player.wait(8)
    assert code == 0 and "sound heard" in out, out


def test_a_call_talks_on_server_devices_and_follows_the_headset_in_and_out(
    device_side,  # noqa: F811 (fixture)
    alice,
    peers,
    virtual_sound,
    headset,
):
    """Microphone: the server's own source. Speaker: a headset chosen before it is there,
    a sink PortAudio never sees: the call starts on the default speaker, takes the
    headset within 2 s of it appearing, and falls back when it is pulled out."""
    peers.start_peer("bob", "--tone", "520")
    alice.submit(cmd.SetAudioDevices(microphone=MIC_LABEL, speaker=HEADSET_LABEL,
                                     echo_cancellation=False, noise_suppression=False,
                                     auto_gain=False))  # fmt: skip
    alice.wait_for(ev.AudioDevicesDidChange)  # the watcher's first list
    call_id = call_bob_with_devices(alice)
    mic = alice.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "microphone")
    assert mic.name == MIC_LABEL and not mic.fallback, mic
    first = alice.wait_for(ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker")
    assert first.name != HEADSET_LABEL, first  # not there yet: the default
    headset.plug()
    alice.wait_for(ev.AudioDevicesDidChange, lambda e: HEADSET_KEY in e.output_names, timeout=2.0)
    taken = alice.wait_for(
        ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker" and e.name == HEADSET_LABEL
    )
    assert "is back" in taken.reason, taken
    player = virtual_sound.play_into_mic(tone(700, 3.0))
    alice.drain(0.5)
    heard = []
    for _ in range(3):  # a sink made a moment ago can take a while to start
        heard.append(analyse_tone(virtual_sound.record(f"{HEADSET}.monitor", 1.0), 16000, 520))
        if heard[-1].detected:
            break
    assert heard[-1].detected, heard
    assert not analyse_tone(virtual_sound.record_speaker(0.5), 16000, 520).detected
    player.wait(5)
    stats = bridge_stats(alice)
    assert stats.device_callbacks == device_side
    assert_few_gaps(stats.capture_underruns, stats.capture_underrun_ms, stats)
    # pulled out: noticed within 2 s, the call falls back and keeps going
    headset.pull()
    fallback = alice.wait_for(
        ev.AudioDeviceDidSwitch, lambda e: e.role == "speaker" and e.fallback, timeout=2.0
    )
    assert fallback.name != HEADSET_LABEL, fallback
    alice.drain(0.5)
    assert not alice.seen(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert analyse_tone(virtual_sound.record_speaker(1.5), 16000, 520).detected
    hang_up(alice, call_id)
    samples, rate = bob_received(peers)
    assert analyse_tone(samples[rate:], rate, 700).detected  # the server's microphone


def test_an_incoming_call_rings_on_a_server_sink(alice, peers, virtual_sound, plugged):
    s = alice
    arrived, rang = ring_alice(s, peers, HEADSET_LABEL)
    assert rang.name == HEADSET_LABEL, rang
    ring = virtual_sound.record(f"{HEADSET}.monitor", 1.2)
    assert analyse_tone(ring, 16000, 440).level_dbfs > -30
    assert analyse_tone(virtual_sound.record_speaker(0.5), 16000, 440).level_dbfs < -60
    s.submit(cmd.Reject(arrived.call_id))
    s.wait_for(ev.CallDidEnd, lambda e: e.call_id == arrived.call_id)
    s.drain(0.3)
    assert (
        analyse_tone(virtual_sound.record(f"{HEADSET}.monitor", 0.8), 16000, 440).level_dbfs < -60
    )


def test_a_ringer_kept_on_a_server_sink_rings_there_after_a_language_change(
    alice, peers, virtual_sound, headset, capsys
):
    """Settings keep a server device's key (description and the server's own name). The
    desktop's language changes the description ("Eingebaute Audio Analog Stereo"), not
    the server's name: the choice still finds the device, in the CLI and for the ring."""
    headset.plug()
    key = list_devices().find(HEADSET_LABEL, "output").key
    assert key == HEADSET_KEY
    headset.pull()
    renamed = "USB-Headset (Test, deutsch)"
    headset.plug(renamed)
    found = list_devices().find(key, "output")
    assert found is not None and (found.name, found.target) == (renamed, HEADSET)
    assert list_devices().find(HEADSET_LABEL, "output") is None  # a bare old description
    code, out = run_cli(capsys, "devices", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert next(d for d in listed["outputs"] if d["server_name"] == HEADSET)["key"] == (
        f"{renamed} [{HEADSET}]"
    )
    arrived, rang = ring_alice(alice, peers, key)
    assert (rang.name, rang.fallback) == (renamed, False), rang
    ring = virtual_sound.record(f"{HEADSET}.monitor", 1.2)
    assert analyse_tone(ring, 16000, 440).level_dbfs > -30
    alice.submit(cmd.Reject(arrived.call_id))
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == arrived.call_id)


def test_no_sound_server_lists_portaudios_devices_and_says_why(virtual_sound, monkeypatch):
    import time

    from softphone.media import pulse_devices

    monkeypatch.setenv("PULSE_SERVER", f"unix:{virtual_sound.root}/no-such-socket")
    started = time.monotonic()
    with pytest.raises(pulse_devices.PulseListError, match="Connection refused"):
        pulse_devices.server_devices()
    assert time.monotonic() - started < 1.0
    listed = list_devices()
    assert not any(d.hostapi == "PulseAudio" for d in listed.devices)
