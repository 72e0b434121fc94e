"""How the sound server's sinks and sources join the device list (media/devices.py,
media/pulse_devices.py): names users see and persist, lookups, no clash with PortAudio's."""

from __future__ import annotations

from softphone.media import devices as d
from softphone.media.devices import AudioDevice, DeviceList
from softphone.media.pulse_devices import ServerDevice, unique_names


def server(kind: str, name: str, description: str, default: bool = False) -> ServerDevice:
    return ServerDevice(kind, name, description, 48000, 2, default)


def test_descriptions_are_the_names_and_repeats_get_the_servers_name():
    found = [
        server("output", "alsa_output.pci.analog-stereo", "Built-in Audio Analog Stereo"),
        server("output", "null1", "Null Output"),
        server("output", "null2", "Null Output"),
        server("input", "null1_in", "Null Output"),  # another kind: no clash
    ]
    assert unique_names(found) == [
        "Built-in Audio Analog Stereo",
        "Null Output [null1]",
        "Null Output [null2]",
        "Null Output",
    ]


def pa(name: str, default: bool = False) -> AudioDevice:
    return AudioDevice(name, "ALSA", 32, 32, 44100, default, default)


def srv(name: str, target: str, kind: str = "output", default: bool = False) -> AudioDevice:
    inputs, outputs = int(kind == "input"), int(kind == "output")
    return AudioDevice(
        name, "PulseAudio", inputs, outputs, 48000, default and bool(inputs),
        default and bool(outputs), target,
    )  # fmt: skip


def merged(monkeypatch, portaudio: list[AudioDevice], sound_server: list[AudioDevice]):
    monkeypatch.setattr(d, "_portaudio_devices", lambda: DeviceList(tuple(portaudio)))
    monkeypatch.setattr(d, "server_audio_devices", lambda: list(sound_server))
    return d.list_devices()


def test_server_devices_follow_portaudios_and_a_clashing_name_is_told_apart(monkeypatch):
    listed = merged(
        monkeypatch,
        [pa("pulse"), pa("default", default=True)],
        [srv("Headset", "alsa_output.usb-headset"), srv("default", "weird_sink", default=True)],
    )
    assert [x.name for x in listed.devices] == [
        "pulse",
        "default",
        "Headset",
        "default [weird_sink]",
    ]
    # the system default stays PortAudio's (ALSA's "default" follows the server anyway)
    assert listed.default("output").name == "default"
    assert not listed.devices[3].default_output


def test_a_server_device_is_found_by_its_name_or_label_not_the_servers_name(monkeypatch):
    """A process's PortAudio list can be older than the server's: a choice naming an ALSA
    PCM that shares the server's name for a sink must not find the sink instead."""
    listed = merged(monkeypatch, [pa("default", True)], [srv("USB headset", "alsa_output.usb-x")])
    for key in ("USB headset", "USB headset (PulseAudio)"):
        found = listed.find(key, "output")
        assert found is not None and found.target == "alsa_output.usb-x", key
    assert listed.find("USB headset", "input") is None  # a sink is no microphone
    assert listed.find("alsa_output.usb-x", "output") is None


def test_settings_keep_a_server_devices_own_name_too_and_find_it_under_another_language(
    monkeypatch,
):
    """The description is the desktop's language ("Built-in Audio" / "Interne Audio"); the
    server's name for the device is not. A kept key finds the device under either."""
    english = merged(monkeypatch, [pa("default", True)],
                     [srv("Built-in Audio", "alsa_output.pci"), srv("Null", "null1")])  # fmt: skip
    key = english.find("Built-in Audio", "output").key
    assert key == "Built-in Audio [alsa_output.pci]"
    assert english.find("default", "output").key == "default"  # PortAudio's: the name
    german = merged(monkeypatch, [pa("default", True)],
                    [srv("Interne Audio", "alsa_output.pci"), srv("Null", "null1")])  # fmt: skip
    assert german.find(key, "output").name == "Interne Audio"
    assert german.find(key, "input") is None  # a sink is still no microphone
    assert german.find("Built-in Audio", "output") is None  # a bare old description: gone
    assert german.find("Whatever [null1]", "output").name == "Null"
    assert german.find("null1", "output") is None  # never the bare server name
    assert german.chosen(german.find(key, "output"), key, "output")
    assert not german.chosen(german.find(key, "output"), None, "output")


def test_a_name_that_already_carries_the_servers_name_is_its_own_key(monkeypatch):
    listed = merged(monkeypatch, [pa("Headset")], [srv("Headset", "alsa_output.usb")])
    told_apart = listed.devices[-1]
    assert told_apart.name == told_apart.key == "Headset [alsa_output.usb]"
    assert listed.find("Headset", "output").hostapi == "ALSA"  # the exact name first


def test_choice_matches_keys_old_descriptions_and_renamed_devices():
    key = "Headphones [alsa_output.usb-x]"
    assert d.choice_matches(key, key)
    assert d.choice_matches("Headphones", key)  # kept before keys existed
    assert d.choice_matches("Kopfhörer [alsa_output.usb-x]", key)
    assert not d.choice_matches("Kopfhörer", key)
    assert not d.choice_matches("alsa_output.usb-x", key)
    assert not d.choice_matches("Headphones [alsa_output.usb-y]", key)
    assert not d.choice_matches(None, key)
    assert d.choice_matches("pulse", "pulse") and not d.choice_matches("pulse", "default")
    assert not d.choice_matches("x [a]", "no brackets") and not d.choice_matches("x", "[odd]")


def test_without_a_sound_server_the_list_is_portaudios_alone(monkeypatch):
    only = [pa("default", True)]
    assert merged(monkeypatch, only, []).devices == tuple(only)


def test_a_server_device_survives_the_watchers_json(monkeypatch):
    listed = merged(monkeypatch, [pa("default", True)], [srv("Mic", "alsa_input.usb", "input")])
    again = DeviceList.from_json(listed.to_json())
    assert again == listed and again.find("Mic", "input").target == "alsa_input.usb"


def test_server_devices_are_not_listed_when_streams_on_the_server_are_off(monkeypatch):
    from softphone.media import pulse, pulse_devices

    monkeypatch.setattr(pulse, "ENABLED", False)
    monkeypatch.setattr(pulse_devices, "server_devices", lambda: 1 / 0)  # not even asked
    assert d.server_audio_devices() == []


def test_no_server_means_no_server_devices(monkeypatch):
    from softphone.media import pulse, pulse_devices

    def refused():
        raise pulse_devices.PulseListError("PulseAudio: Connection refused")

    monkeypatch.setattr(pulse, "ENABLED", True)
    monkeypatch.setattr(pulse_devices, "server_devices", refused)
    assert d.server_audio_devices() == []
