"""Callback streams on PulseAudio's simple API (media/pulse_simple.py), on the real virtual
sound server: tones played to a named sink are found on its monitor, a tone played into
the virtual microphone is recorded from it, and failures end the stream, never the
process.

The virtual devices are null sinks: an idle one takes up to 2 s to notice a new stream
(it sleeps for its longest latency), so tests wait for the sound to flow before they
listen."""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
import pytest
from virtual_sound import MIC, MIC_FEED, SPEAKER, tone

from softphone.media.pulse_simple import PulseCallbackStream, PulseSimpleError

RATE = 48000
EXTRA = "pstest_sink"


class Tone:
    """A sounddevice-style output callback playing a sine; counts the frames it made."""

    def __init__(self, freq: float, level: float = 0.4) -> None:
        self.freq, self.level, self.frames = freq, level, 0

    def __call__(self, outdata: np.ndarray, frames: int, _time, _status) -> None:
        t = (np.arange(frames) + self.frames) / RATE
        outdata[:, 0] = self.level * np.sin(2 * np.pi * self.freq * t)
        self.frames += frames

    def wait_flowing(self, seconds: float = 0.5) -> None:
        """Until `seconds` more have been taken by the server (the buffer is 0.1 s)."""
        goal = self.frames + int(seconds * RATE)
        _wait_for(lambda: self.frames >= goal, 5.0)


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    x = samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft((x - x.mean()) * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1.0 / rate)[int(np.argmax(spectrum))])


def _dbfs(samples: np.ndarray) -> float:
    rms = np.sqrt(np.mean((samples.astype(np.float64) / 32768.0) ** 2))
    return 20 * np.log10(max(rms, 1e-9))


def _assert_tone(samples: np.ndarray, rate: int, freq: float) -> None:
    assert len(samples) >= rate // 2, f"only {len(samples)} samples recorded"
    assert _dbfs(samples) > -20, f"level {_dbfs(samples):.1f} dBFS"
    assert abs(_dominant_hz(samples, rate) - freq) < 5


def _wait_for(condition, seconds: float) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "timed out"
        time.sleep(0.01)
    return time.monotonic() - start


def _has_stream(vs, kind: str, app: str) -> bool:
    """Whether the server holds a stream from the client that called itself `app`."""
    what = "sink-inputs" if kind == "output" else "source-outputs"
    return f'application.name = "{app}"' in vs.pactl("list", what)


@pytest.fixture
def extra_sink(virtual_sound):
    virtual_sound.add_device(EXTRA)
    try:
        yield EXTRA
    finally:
        virtual_sound.remove_device(EXTRA)


@pytest.fixture
def private_server(virtual_sound, tmp_path, monkeypatch):
    """A PulseAudio server of this test's own (with a null sink `priv`) that it may kill;
    this process's streams go to it."""
    (tmp_path / "private.pa").write_text(
        f"load-module module-native-protocol-unix socket={tmp_path}/native auth-anonymous=1\n"
        f"load-module module-null-sink sink_name=priv rate={RATE} channels=1\n"
    )
    env = {**os.environ, "PULSE_RUNTIME_PATH": str(tmp_path), "PULSE_STATE_PATH": str(tmp_path)}
    env.pop("PULSE_SERVER", None)
    server = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
         "-F", str(tmp_path / "private.pa"), f"--log-target=file:{tmp_path}/log"],
        env=env,
    )  # fmt: skip
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/native")
    try:
        # the socket file appears before the server accepts on it (seen in CI: a stream
        # opened then was refused): wait until pactl gets an answer
        ready = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/native"}
        _wait_for(lambda: subprocess.run(["pactl", "info"], env=ready,
                                         capture_output=True).returncode == 0, 10.0)  # fmt: skip
        yield server
    finally:
        server.kill()
        server.wait(10)


def test_pulse_simple_output_plays_a_tone_on_the_named_sink(virtual_sound):
    sine = Tone(1000)
    with PulseCallbackStream("output", SPEAKER, RATE, 1, sine) as s:
        assert s.active and s.samplerate == RATE and s.channels == 1
        assert 0.1 <= s.latency < 0.5
        sine.wait_flowing()
        got = virtual_sound.record(f"{SPEAKER}.monitor", 1.0, RATE)
    assert not s.active and s.error is None
    _assert_tone(got, RATE, 1000)


def test_pulse_simple_output_reaches_only_the_chosen_sink(virtual_sound, extra_sink):
    sine = Tone(1000)
    with PulseCallbackStream("output", extra_sink, RATE, 1, sine):
        sine.wait_flowing()
        there = virtual_sound.record(f"{extra_sink}.monitor", 1.0, RATE)
        default = virtual_sound.record(f"{SPEAKER}.monitor", 1.0, RATE)
    _assert_tone(there, RATE, 1000)
    assert _dbfs(default) < -60, "the tone leaked onto the default sink"


def test_pulse_simple_input_records_the_named_source(virtual_sound):
    blocks: list[np.ndarray] = []
    feeder = virtual_sound.play_into(MIC_FEED, tone(700, 6.0, RATE), RATE)
    try:
        stream = PulseCallbackStream("input", MIC, RATE, 1, lambda d, *_: blocks.append(d.copy()))
        with stream:
            assert stream.latency >= 0.01  # one 10 ms block at least
            _wait_for(lambda: len(blocks) >= 150, 5.0)  # 1.5 s
    finally:
        feeder.kill()
        feeder.wait(5)
    assert stream.error is None
    got = (np.concatenate(blocks)[:, 0] * 32767).astype(np.int16)
    _assert_tone(got[-RATE:], RATE, 700)


@pytest.mark.parametrize("kind", ["output", "input"])
def test_pulse_simple_unknown_device_is_refused_at_open(virtual_sound, kind):
    with pytest.raises(PulseSimpleError, match=r"pstest_nosuch: No such entity"):
        PulseCallbackStream(kind, "pstest_nosuch", RATE, 1, Tone(1000))


def test_pulse_simple_removed_sink_moves_the_stream_to_the_default(virtual_sound, extra_sink):
    """PulseAudio >= 14 moves the streams of a vanished sink to the default one (pa_simple
    cannot ask for PA_STREAM_DONT_MOVE): nothing fails, the sound moves."""
    sine = Tone(1000)
    with PulseCallbackStream("output", extra_sink, RATE, 1, sine) as stream:
        sine.wait_flowing()
        virtual_sound.remove_device(extra_sink)
        sine.wait_flowing()
        assert stream.active and stream.error is None
        _assert_tone(virtual_sound.record(f"{SPEAKER}.monitor", 1.0, RATE), RATE, 1000)
    assert not stream.active


@pytest.mark.parametrize(("kind", "device"), [("output", "priv"), ("input", "priv.monitor")])
def test_pulse_simple_server_gone_ends_the_stream_with_an_error(private_server, kind, device):
    stream = PulseCallbackStream(kind, device, RATE, 1, Tone(1000))
    try:
        stream.start()
        time.sleep(0.3)
        private_server.kill()
        assert _wait_for(lambda: not stream.active, 2.0) < 2.0
        assert isinstance(stream.error, PulseSimpleError)
        assert device in str(stream.error) and "Connection terminated" in str(stream.error)
    finally:
        stream.close()
    stream.close()  # again: nothing left to do


@pytest.mark.parametrize(("kind", "device"), [("output", SPEAKER), ("input", MIC)])
def test_pulse_simple_callback_error_ends_the_stream(virtual_sound, kind, device):
    calls, boom = [], ValueError("callback failed")

    def callback(*_args) -> None:
        calls.append(1)
        if len(calls) == 5:
            raise boom

    stream = PulseCallbackStream(kind, device, RATE, 1, callback)
    try:
        stream.start()
        _wait_for(lambda: not stream.active, 5.0)
        assert stream.error is boom and len(calls) == 5
    finally:
        stream.close()
    assert not stream.active


def test_pulse_simple_close_on_a_suspended_sink_frees_the_stream_later(virtual_sound, extra_sink):
    """A write blocks while its sink is suspended: close() returns anyway and the worker
    lets the stream go when the sink resumes."""
    sine, app = Tone(1000), "pstest-suspended"
    stream = PulseCallbackStream("output", extra_sink, RATE, 1, sine, name=app)
    stream.start()
    sine.wait_flowing()
    virtual_sound.pactl("suspend-sink", extra_sink, "1")
    try:
        time.sleep(0.3)
        stuck_at = sine.frames
        time.sleep(0.3)
        assert sine.frames == stuck_at  # the worker is blocked in pa_simple_write
        started = time.monotonic()
        stream.close()
        assert time.monotonic() - started < 3.0
        assert _has_stream(virtual_sound, "output", app)
    finally:
        virtual_sound.pactl("suspend-sink", extra_sink, "0")
    _wait_for(lambda: not stream.active, 5.0)
    _wait_for(lambda: not _has_stream(virtual_sound, "output", app), 2.0)
    assert stream.error is None
