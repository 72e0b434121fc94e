"""AudioRouter's re-reading of this process's PortAudio while the ringer rings, and what
it does with the watcher's lists (a chosen device back, a choice kept as a label).

PortAudio's re-initialisation frees every stream of the process: a ringer still holding
its stream would later abort and close freed memory. Fakes stand in for PortAudio and
the ringer; the real path is exercised by tests/integration/test_audio_devices.py.
"""

from __future__ import annotations

import pytest

from softphone.engine import events as ev
from softphone.engine.audio import AudioRouter
from softphone.media import devices
from softphone.media.devices import AudioDevice


class FakeEngine:
    def __init__(self) -> None:
        self.events: list[object] = []

    def emit(self, event: object) -> None:
        self.events.append(event)


class FakeRinger:
    def __init__(self, log: list, device: AudioDevice | None, fail: Exception | None = None):
        self._log, self.device, self._fail = log, device, fail

    @property
    def ringing(self) -> bool:
        return self.device is not None

    def stop(self) -> None:
        self._log.append("stop")
        self.device = None

    def start(self, device: AudioDevice) -> None:
        self._log.append(("start", device.name))
        if self._fail is not None:
            raise self._fail
        self.device = device


HEADSET = AudioDevice("USB headset", "ALSA", max_inputs=0, max_outputs=2, default_rate=48000)


@pytest.fixture
def order(monkeypatch) -> list:
    log: list = []
    monkeypatch.setattr(devices, "reinitialize", lambda: log.append("reinitialize"))
    return log


def router_with(ringer: FakeRinger | None) -> tuple[AudioRouter, FakeEngine]:
    engine = FakeEngine()
    router = AudioRouter(engine, 16000)
    router.ringer = ringer
    return router, engine


def test_a_ringing_ringer_is_stopped_before_and_restarted_after(order) -> None:
    router, engine = router_with(FakeRinger(order, HEADSET))
    router._reinitialize_here()
    assert order == ["stop", "reinitialize", ("start", "USB headset")]
    assert router.ringer.ringing and not engine.events


def test_a_silent_ringer_is_left_alone(order) -> None:
    router, _ = router_with(FakeRinger(order, None))
    router._reinitialize_here()
    assert order == ["reinitialize"]
    router, _ = router_with(None)
    router._reinitialize_here()
    assert order == ["reinitialize", "reinitialize"]


def test_a_ringer_that_cannot_restart_says_so(order) -> None:
    router, engine = router_with(FakeRinger(order, HEADSET, fail=OSError("device busy")))
    router._reinitialize_here()
    assert order == ["stop", "reinitialize", ("start", "USB headset")]
    assert not router.ringer.ringing
    (failed,) = engine.events
    assert isinstance(failed, ev.AudioDeviceDidFail)
    assert (failed.role, failed.name) == ("ringer", "USB headset")
    assert "device busy" in failed.reason


class FakeStreams:
    def __init__(self, output: AudioDevice) -> None:
        from softphone.media.streams import OpenStream

        self.input = None
        self.output = OpenStream(output, 16000, 1, 0.04)


SPEAKERS = AudioDevice("Speakers", "ALSA", 0, 2, 48000, default_output=True)


def watched(router: AudioRouter, choice: str, playing_on: AudioDevice) -> list:
    """The speaker's reopenings when the watcher's list has both devices."""
    from dataclasses import replace as with_

    reopened: list = []
    router.choice = with_(router.choice, speaker=choice)
    router.streams = FakeStreams(playing_on)
    router._connected = {"c1": object()}
    router._open = lambda role, why, **_kw: reopened.append((role, why))
    router._on_list(devices.DeviceList((SPEAKERS, HEADSET)))
    return reopened


def test_a_choice_kept_as_a_label_is_not_reopened_on_every_list() -> None:
    router, _ = router_with(None)
    assert watched(router, "USB headset (ALSA)", HEADSET) == []
    assert watched(router, "USB headset", HEADSET) == []


def test_the_chosen_device_is_taken_when_it_is_back() -> None:
    router, _ = router_with(None)
    assert watched(router, "USB headset (ALSA)", SPEAKERS) == [
        ("speaker", "USB headset (ALSA) is back")
    ]
