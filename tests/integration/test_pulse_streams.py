"""Streams straight on PulseAudio (media/pulse.py, media/pulseside.c), on the real
virtual sound server: the test devices are ALSA PCMs of `type pulse`, as "default"
is on a desktop with PulseAudio or PipeWire."""

from __future__ import annotations

import time

import numpy as np
import pytest
from virtual_sound import MIC, SPEAKER, tone

from softphone.engine.tone import analyse_tone
from softphone.media import pulse

FRAME = 320  # 20 ms at the call's 16 kHz


@pytest.fixture
def streams(virtual_sound):
    from softphone.media.nativebridge import NativeAudioBridge, NativeDevicesUnavailable
    from softphone.media.streams import DeviceStreams

    try:
        bridge = NativeAudioBridge(call_rate=16000, capture_rate=16000, playback_rate=16000)
    except NativeDevicesUnavailable as e:
        pytest.skip(f"no C device side: {e}")
    s = DeviceStreams(bridge)
    s.devices = _fresh_devices()  # PortAudio may have started here before the devices
    yield s
    s.close()


def _fresh_devices():
    """The device list after PortAudio read the ALSA configuration again."""
    from softphone.media.devices import list_devices, reinitialize

    reinitialize()
    return list_devices()


def _wait_for(condition, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def _pull(bridge, seconds: float) -> np.ndarray:
    """What pjmedia would take from the microphone, a frame every 20 ms."""
    out, frame = [], np.zeros(FRAME, dtype=np.int16)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        bridge.frame_requested(frame.ctypes.data, FRAME)
        out.append(frame.copy())
        time.sleep(0.02)
    return np.concatenate(out)


def _push(bridge, samples: np.ndarray) -> None:
    """Hand `samples` to the speaker as pjmedia would, a frame every 20 ms."""
    for i in range(0, len(samples) - FRAME + 1, FRAME):
        chunk = np.ascontiguousarray(samples[i : i + FRAME])
        bridge.frame_received(chunk.ctypes.data, FRAME)
        time.sleep(0.02)


def test_pulse_backed_devices_open_on_the_server_and_carry_sound(streams, virtual_sound):
    mic = streams.open_input(streams.devices.find(MIC, "input"))
    spk = streams.open_output(streams.devices.find(SPEAKER, "output"))
    assert (mic.via, spk.via) == ("PulseAudio", "PulseAudio")
    assert mic.rate == spk.rate == 16000
    feeder = virtual_sound.play_into_mic(tone(650, 5.0))
    try:
        _wait_for(lambda: streams.started(True), 3.0)  # a suspended source resumes first
        got = _pull(streams.bridge, 1.5)
    finally:
        feeder.kill()
    assert analyse_tone(got[-8000:], 16000, 650).detected
    # libpulse's thread calls the device side: 10 ms blocks in, 20 ms requests out
    assert streams.input_callbacks > 80
    assert streams.input_problem() is None

    heard = {}
    import threading

    rec = threading.Thread(
        target=lambda: heard.setdefault("x", virtual_sound.record_speaker(1.5)), daemon=True
    )
    rec.start()
    sent = tone(880, 2.5, rate=16000)
    _push(streams.bridge, sent)
    rec.join(5)
    assert analyse_tone(heard["x"][-8000:], 16000, 880).detected
    assert streams.output_callbacks > 30
    assert streams.output_problem() is None


def test_a_device_that_goes_away_is_reported(streams, virtual_sound):
    virtual_sound.add_device("pulse_test_headset")
    try:
        device = _fresh_devices().find("pulse_test_headset", "output")
        assert streams.open_output(device).via == "PulseAudio"
        time.sleep(0.3)
    finally:
        virtual_sound.remove_device("pulse_test_headset")
    deadline = time.monotonic() + 3
    problem = None
    while problem is None and time.monotonic() < deadline:
        time.sleep(0.1)
        problem = streams.output_problem()
    assert problem == "the stream stopped"


def test_a_device_the_server_does_not_have_fails_to_open_clearly(streams, virtual_sound):
    from softphone.media.streams import StreamError

    virtual_sound.add_device("pulse_test_ghost")
    try:
        device = _fresh_devices().find("pulse_test_ghost", "output")
        # the ALSA definition stays, the sink goes
        for line in virtual_sound.pactl("list", "short", "modules").splitlines():
            if "sink_name=pulse_test_ghost" in line:
                virtual_sound.pactl("unload-module", line.split("\t")[0])
        with pytest.raises(StreamError, match="pulse_test_ghost"):
            streams.open_output(device)
        assert streams.output is None
    finally:
        virtual_sound.remove_device("pulse_test_ghost")


def test_switched_off_everything_goes_through_portaudio(streams, monkeypatch):
    monkeypatch.setattr(pulse, "ENABLED", False)
    info = streams.open_input(streams.devices.find(MIC, "input"))
    assert info.via == "PortAudio"


def test_streams_open_again_after_the_sound_server_restarts(streams, virtual_sound):
    """PulseAudio or PipeWire restarted under a call (an update, a user's `systemctl
    --user restart`): the streams stop, and opening them again connects again."""
    from virtual_sound import VirtualSound

    assert streams.open_input(streams.devices.find(MIC, "input")).via == "PulseAudio"
    _wait_for(lambda: streams.started(True), 3.0)
    virtual_sound.pactl("exit")
    _wait_for(lambda: not virtual_sound.running(), 5.0)
    _wait_for(lambda: streams.input_problem() == "the stream stopped", 3.0)
    VirtualSound.start()  # a new server on the same socket
    assert streams.open_input(streams.devices.find(MIC, "input")).via == "PulseAudio"
    _wait_for(lambda: streams.started(True), 3.0)
    assert streams.input_problem() is None


def test_only_libpulse_s_own_thread_is_named_and_prioritised_as_it(streams):
    """Naming libpulse's thread after it started renamed the *calling* thread instead
    (libpulse 16 names with prctl), and every thread that one started later inherited
    the name: the real-time priority meant for libpulse's thread went to Python's
    main thread and PortAudio's, and two tests in a row locked both cores up."""
    import os
    import threading

    streams.open_input(streams.devices.find(MIC, "input"))
    names = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as f:
            names[int(tid)] = f.read().strip()
    assert list(names.values()).count("pulse-io") == 1
    assert names[threading.get_native_id()] != "pulse-io"
