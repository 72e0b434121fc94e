"""Which ALSA devices the streams open straight on PulseAudio: read from ALSA's own
configuration, as the pulse plugin would be chosen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from softphone.media import pulse
from softphone.media.pulse import PulseTarget, alsa_pulse_target

ALSA_CONF = Path("/usr/share/alsa/alsa.conf")


@pytest.fixture
def alsa_config(tmp_path, monkeypatch):
    if pulse.libasound() is None or not ALSA_CONF.exists():
        pytest.skip("no alsa-lib here")
    conf = tmp_path / "asound.conf"
    conf.write_text(
        "pcm.headset { type pulse; device alsa_output.usb-Jabra.analog-stereo }\n"
        "pcm.follow { type pulse }\n"
        "pcm.card { type hw; card 0 }\n"
        'pcm.plugged { type plug; slave.pcm "headset" }\n'
    )
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_CONF}:{conf}")
    return conf


def test_a_pulse_pcm_names_its_sink_or_source(alsa_config) -> None:
    assert alsa_pulse_target("headset") == PulseTarget("alsa_output.usb-Jabra.analog-stereo")


def test_a_pulse_pcm_without_a_device_follows_the_server_default(alsa_config) -> None:
    assert alsa_pulse_target("follow") == PulseTarget(None)


@pytest.mark.parametrize(
    "name", ["card", "plugged", "nonexistent", "", "HDA Intel PCH: ALC3246 Analog (hw:0,0)"]
)
def test_anything_else_stays_with_portaudio(alsa_config, name: str) -> None:
    assert alsa_pulse_target(name) is None


def test_a_changed_configuration_is_read_again(alsa_config) -> None:
    assert alsa_pulse_target("headset") is not None
    alsa_config.write_text("pcm.headset { type hw; card 0 }\n")
    later = alsa_config.stat().st_mtime + 2  # alsa-lib compares whole seconds
    os.utime(alsa_config, (later, later))
    assert alsa_pulse_target("headset") is None
