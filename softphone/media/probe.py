"""Child process that lists sound devices: once, or whenever they change (`--watch S`).

Its own main thread only. Re-initialising PortAudio is the only way it sees
devices come and go, but it costs (every ALSA device is opened and probed), so
on Linux a cheap fingerprint is checked every interval (the entries of
/dev/snd, /proc/asound/cards, the ALSA configuration files and their times)
and PortAudio is re-initialised when it changes. What leaves no trace there
(a PulseAudio or PipeWire device: Bluetooth, a network sink) is heard from the
sound server itself: `pactl subscribe` runs beside the probe and a sink or
source coming or going wakes it at once. Only without that subscription (no
pactl, no server) is PortAudio re-initialised every `FULL_EVERY_S` as well,
blind. Elsewhere every interval. The list goes out as one JSON line when it
differs from the last. It exits when its standard input closes, i.e. with its
parent.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from softphone.media.devices import list_devices, reinitialize

# Blind re-reads without a sound-server subscription (tests shorten it).
FULL_EVERY_S = float(os.environ.get("SOFTPHONE_PROBE_FULL_EVERY_S", "10"))
SETTLE_S = 0.2  # a card brings its sinks and sources as several events: take them as one
_DEVICE_FACILITIES = ("sink", "source", "card")


def device_event(line: str) -> bool:
    """Whether a `pactl subscribe` line (C locale) says a device came, went or the default moved.

    Volume and mute changes ("change" on a sink) and streams opening and closing
    (sink-input, source-output: ours among them) are not device changes.
    """
    parts = line.split()
    if len(parts) < 4 or parts[0] != "Event" or parts[2] != "on":
        return False
    kind, facility = parts[1].strip("'"), parts[3]
    if facility == "server":
        return kind == "change"  # the default sink or source
    return facility in _DEVICE_FACILITIES and kind in ("new", "remove")


def _parent_death_signal():
    """A Popen preexec_fn: SIGTERM when the probe dies, however it dies (Linux), else None.

    prctl is looked up here, in the parent: the child only calls it (no import
    or lookup after fork in a process with threads).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class PulseEvents:
    """`pactl subscribe` as a child; `wake` is set when a device event arrives."""

    def __init__(self, wake: threading.Event) -> None:
        self._wake = wake
        self._proc: subprocess.Popen | None = None
        self._pending = threading.Event()
        self._on_fork = _parent_death_signal()

    def start(self) -> bool:
        """Subscribe; False where there is no pactl or no server to ask."""
        pactl = shutil.which("pactl")
        if pactl is None or self.alive:
            return self.alive
        env = {**os.environ, "LC_ALL": "C"}  # pactl translates its event lines
        try:
            self._proc = subprocess.Popen(
                [pactl, "subscribe"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
                preexec_fn=self._on_fork,
            )
        except OSError:
            return False
        threading.Thread(target=self._read, args=(self._proc,), daemon=True).start()
        time.sleep(0.1)  # pactl exits at once when no server answers
        return self.alive

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def take(self) -> bool:
        """Whether a device event arrived since the last call."""
        if not self._pending.is_set():
            return False
        self._pending.clear()
        return True

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if device_event(line):
                self._pending.set()
                self._wake.set()
        self._wake.set()  # the server went away: the loop falls back to polling

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()


def fingerprint() -> tuple | None:
    """What changes when an ALSA device or the ALSA configuration changes (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    files = ["/proc/asound/cards", *glob.glob("/dev/snd/*"), "/etc/asound.conf"]
    files += os.environ.get("ALSA_CONFIG_PATH", "").split(":")
    files += [os.path.expanduser("~/.asoundrc"), *glob.glob("/etc/alsa/conf.d/*")]
    marks = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            continue
        marks.append((path, st.st_mtime_ns, st.st_size))
    try:
        with open("/proc/asound/cards", "rb") as f:
            marks.append(("cards", f.read()))
    except OSError:
        pass
    return tuple(marks)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m softphone.media.probe")
    p.add_argument("--watch", type=float, metavar="S", help="re-check every S seconds")
    p.add_argument("--log", action="store_true", help="say on stderr why each re-read happened")
    args = p.parse_args(argv)
    if args.watch is None:
        print(json.dumps(list_devices().to_json()), flush=True)
        return 0
    wake = threading.Event()
    pulse = PulseEvents(wake)
    pulse.start()  # before any thread of ours: Popen's preexec_fn and threads do not mix
    parent_gone = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        parent_gone.set()
        wake.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    try:
        _watch(args.watch, parent_gone, wake, pulse, args.log)
    finally:
        pulse.stop()
    return 0


def _watch(
    interval: float,
    parent_gone: threading.Event,
    wake: threading.Event,
    pulse: PulseEvents,
    log: bool,
) -> None:
    last = None
    seen, full_at = fingerprint(), 0.0
    while not parent_gone.is_set():
        now_print = fingerprint()
        if not pulse.alive and time.monotonic() - full_at > FULL_EVERY_S:
            pulse.start()  # the server may be back
        reason = _reason(last is None, now_print is None or now_print != seen, pulse, full_at)
        if reason is None:
            wake.wait(interval)
            wake.clear()
            continue
        if reason == "sound server":
            time.sleep(SETTLE_S)
            pulse.take()
        if log:
            print(f"probe: re-reading devices ({reason})", file=sys.stderr, flush=True)
        seen, full_at = fingerprint(), time.monotonic()
        with contextlib.suppress(Exception):  # PortAudio failing to start: list_devices says so
            reinitialize()
        doc = list_devices().to_json()
        if doc != last:
            print(json.dumps(doc), flush=True)
            last = doc
        wake.wait(interval)
        wake.clear()


def _reason(first: bool, alsa_changed: bool, pulse: PulseEvents, full_at: float) -> str | None:
    """Why the devices must be read again now, or None."""
    if first:
        return "start"
    if alsa_changed:
        return "ALSA"
    if pulse.take():
        return "sound server"
    if not pulse.alive and time.monotonic() - full_at > FULL_EVERY_S:
        return "periodic"
    return None


if __name__ == "__main__":
    sys.exit(main())
