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
