"""The device probe in its watch mode, against the real (virtual) PulseAudio server.

A device that leaves no trace in ALSA's files (a PulseAudio sink: Bluetooth, a
network sink) is heard from the server's own event stream within the issue's 2 s,
and nothing is re-read blind while that stream is up (each re-read re-initialises
PortAudio: it costs).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


class Probe:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "softphone.media.probe", "--watch", "0.5", "--log"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line.strip())

    def next_reason(self, timeout: float) -> str | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return line.rsplit("(", 1)[-1].rstrip(")")

    def reasons_within(self, seconds: float) -> list[str]:
        end, got = time.monotonic() + seconds, []
        while (left := end - time.monotonic()) > 0:
            reason = self.next_reason(left)
            if reason is not None:
                got.append(reason)
        return got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(5)


def _pactl_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid), "-x", "pactl"], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


@pytest.fixture
def probe(virtual_sound):
    env = {**os.environ, **virtual_sound.env, "SOFTPHONE_PROBE_FULL_EVERY_S": "1"}
    p = Probe(env)
    assert p.next_reason(15) == "start"
    yield p
    p.close()


def test_a_sound_server_device_is_noticed_within_two_seconds(probe, virtual_sound) -> None:
    sink = "probe_test_sink"
    t0 = time.monotonic()
    module = virtual_sound.pactl("load-module", "module-null-sink", f"sink_name={sink}").strip()
    try:
        assert probe.next_reason(2.0) == "sound server"
        assert time.monotonic() - t0 < 2.0
    finally:
        virtual_sound.pactl("unload-module", module)
    assert probe.next_reason(2.0) == "sound server"  # and its going


def test_nothing_is_re_read_blind_while_the_server_reports(probe, virtual_sound) -> None:
    # the blind period is 1 s here: 3.5 s of quiet would bring 3 "periodic" re-reads
    assert probe.reasons_within(3.5) == []
    # a volume change and a stream opening and closing are not device changes
    try:
        virtual_sound.pactl("set-sink-volume", "@DEFAULT_SINK@", "60%")
        virtual_sound.record_speaker(0.3)
    finally:  # the server outlives this test: other tests measure levels through it
        virtual_sound.pactl("set-sink-volume", "@DEFAULT_SINK@", "100%")
    assert probe.reasons_within(1.5) == []


def test_the_subscription_dies_with_the_probe(probe) -> None:
    children = _pactl_children(probe.proc.pid)
    assert len(children) == 1
    probe.proc.send_signal(signal.SIGKILL)  # no chance to stop its child itself
    probe.proc.wait(5)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and Path(f"/proc/{children[0]}").exists():
        time.sleep(0.05)
    state = Path(f"/proc/{children[0]}/stat")
    assert not state.exists() or state.read_text().split(")")[1].split()[0] == "Z"


def test_without_a_server_it_reads_blind_every_period(virtual_sound) -> None:
    env = {
        **os.environ,
        **virtual_sound.env,
        "PULSE_SERVER": "unix:/nonexistent/pulse",
        "SOFTPHONE_PROBE_FULL_EVERY_S": "1",
    }
    p = Probe(env)
    try:
        assert p.next_reason(15) == "start"
        assert p.reasons_within(3.6).count("periodic") >= 2
    finally:
        p.close()
