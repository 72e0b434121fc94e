"""Device pickers and switch notices, without Qt: the default first, host APIs shown, a
chosen device that is unplugged kept (marked), and what a fallback means in words."""

from __future__ import annotations

from softphone.engine import events as ev
from softphone.ui.device_text import (
    camera_rates,
    camera_sizes,
    chosen_index,
    device_items,
    meter_percent,
    switch_notice,
)

DEVICES = ev.AudioDevicesDidChange(
    inputs=("softphone_mic (ALSA)", "pulse (ALSA)", "pulse (JACK)"),
    outputs=("Speakers (ALSA)", "Headset (ALSA)"),
    input_names=("softphone_mic", "pulse", "pulse"),
    output_names=("Speakers", "Headset"),
    default_input="pulse",
    default_output="Speakers",
)


def test_device_items_default_first_with_host_api_and_no_duplicate_names() -> None:
    items = device_items(DEVICES, "input", None)
    assert [i.name for i in items] == [None, "softphone_mic", "pulse"]
    assert items[0].label == "pulse (ALSA)"  # the default entry says which device it is
    assert items[1].label == "softphone_mic (ALSA)"
    assert items[2].system_default and not items[1].system_default
    assert chosen_index(items, None) == 0 and chosen_index(items, "pulse") == 2


def test_a_server_device_kept_under_another_description_or_by_its_old_name_is_chosen():
    """Settings may hold a server device's key under the desktop's former language, or
    its bare description (kept before keys): the picker shows it chosen, not missing."""
    devices = ev.AudioDevicesDidChange(
        inputs=(), outputs=("Speakers (ALSA)", "Kopfhörer (PulseAudio)"), input_names=(),
        output_names=("Speakers", "Kopfhörer [alsa_output.usb-x]"), default_input=None,
        default_output="Speakers",
    )  # fmt: skip
    for kept in ("Headphones [alsa_output.usb-x]", "Kopfhörer"):
        items = device_items(devices, "output", kept)
        assert not any(i.missing for i in items), kept
        assert items[chosen_index(items, kept)].label == "Kopfhörer (PulseAudio)", kept
    items = device_items(devices, "output", "Headphones [alsa_output.usb-y]")
    assert items[-1].missing and chosen_index(items, items[-1].name) == len(items) - 1


def test_device_items_keep_a_chosen_device_that_is_unplugged() -> None:
    items = device_items(DEVICES, "output", "USB headset")
    assert items[-1].name == "USB headset" and items[-1].missing
    assert chosen_index(items, "USB headset") == len(items) - 1
    # before the engine has said anything: the default and the choice
    early = device_items(None, "output", "Headset")
    assert [(i.name, i.missing) for i in early] == [(None, False), ("Headset", True)]


def _switch(reason: str, name: str = "Speakers", fallback: bool = False):
    return ev.AudioDeviceDidSwitch("speaker", name, "ALSA", 48000, 20.0, reason, fallback)


def test_switch_notice_names_the_device_that_went_away() -> None:
    n = switch_notice(
        _switch("Headset was removed; Headset is not available: using the system default",
                fallback=True),
        previous="Headset",
    )  # fmt: skip
    assert (n.kind, n.previous, n.name, n.warns) == ("disconnected", "Headset", "Speakers", True)
    # following the default, which was unplugged: still "disconnected", not a fallback
    n = switch_notice(_switch("USB was removed"), previous="USB")
    assert n.kind == "disconnected" and n.previous == "USB"


def test_switch_notice_fallback_back_and_users_choice() -> None:
    n = switch_notice(
        _switch("call started; Headset is not available: using the system default", fallback=True)
    )
    assert (n.kind, n.previous) == ("unavailable", "Headset")
    n = switch_notice(
        _switch("stalled; Headset could not be opened (busy): using the system default",
                fallback=True)
    )  # fmt: skip
    assert (n.kind, n.previous) == ("unavailable", "Headset")
    assert switch_notice(_switch("Headset is back", "Headset")).kind == "back"
    n = switch_notice(_switch("switched by the user", "Headset"), previous="Speakers")
    assert (n.kind, n.previous, n.warns) == ("switched", "Speakers", False)
    assert switch_notice(_switch("call started")).kind == "started"


def test_meter_percent_maps_minus_60_to_0_dbfs() -> None:
    assert meter_percent(-120.0) == 0
    assert meter_percent(-60.0) == 0
    assert meter_percent(-30.0) == 50
    assert meter_percent(0.0) == 100
    assert meter_percent(3.0) == 100


def test_camera_modes_keep_the_saved_one() -> None:
    assert (1280, 720) in camera_sizes((1280, 720))
    assert (800, 600) in camera_sizes((800, 600))
    assert camera_rates(12.5) == [12.5, 15.0, 24.0, 30.0]
