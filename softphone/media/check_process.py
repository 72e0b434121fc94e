"""Device checks in a child process, for a program that already runs calls.

    python -m softphone.media.check_process meter [--device NAME] [--seconds S]
    python -m softphone.media.check_process tone [--device NAME] [--seconds S] [--freq HZ]
    python -m softphone.media.check_process echo [--mic NAME] [--speaker NAME] [--seconds S]

Each prints one JSON object per line on stdout (flushed): `{"device": label}` when its
stream opened, `{"rms": dBFS, "peak": dBFS}` every 100 ms for the meter,
`{"phase": "recording"|"playing"}` for the echo test, then `{"done": {...}}` or
`{"error": "words for the user"}` (exit status 1). It stops early when its stdin
closes (the parent went away or asked it to stop).

Why a child: the desktop app's PortAudio belongs to its engine thread, and PortAudio
sees devices plugged in since it started only after re-initialising, which closes
every stream, a call's included. A child has its own PortAudio, sees the devices of
now, and can neither block the GUI thread nor disturb a call (as `probe.py`). Its
own main thread runs `media.checks`; PortAudio's callbacks only copy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

NAME = "softphone.media.check_process"


def command(*args: str) -> list[str]:
    """The argument vector that runs this module with the same interpreter."""
    return [sys.executable, "-m", NAME, *args]


def child_env() -> dict[str, str]:
    """The environment for the child: this one, with this package importable."""
    from softphone.media.devices import _package_root

    return {**os.environ, "PYTHONPATH": _package_root()}


def _say(doc: dict) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def _stop_when_stdin_closes() -> None:
    def watch() -> None:
        try:
            while sys.stdin.read(1):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=NAME)
    sub = p.add_subparsers(dest="check", required=True)
    m = sub.add_parser("meter")
    m.add_argument("--device")
    m.add_argument("--seconds", type=float, default=600.0)
    t = sub.add_parser("tone")
    t.add_argument("--device")
    t.add_argument("--seconds", type=float, default=2.0)
    t.add_argument("--freq", type=float, default=440.0)
    e = sub.add_parser("echo")
    e.add_argument("--mic")
    e.add_argument("--speaker")
    e.add_argument("--seconds", type=float, default=5.0)
    a = p.parse_args(argv)
    _stop_when_stdin_closes()

    import numpy as np

    from softphone.media import checks
    from softphone.media.devices import list_devices

    devices = list_devices()
    if devices.error:
        _say({"error": devices.error})
        return 1
    try:
        if a.check == "meter":
            device = checks._pick(devices, a.device, "input")
            _say({"device": device.label})
            levels = checks.meter(
                devices,
                a.device,
                a.seconds,
                lambda lv: _say({"rms": lv.rms_dbfs, "peak": lv.peak_dbfs}),
            )
            _say({"done": {"levels": len(levels)}})
        elif a.check == "tone":
            device = checks._pick(devices, a.device, "output")
            _say({"device": device.label})
            checks.play(devices, a.device, checks.test_tone(a.seconds, a.freq), 48000)
            _say({"done": {"device": device.label, "freq": a.freq}})
        else:
            mic = checks._pick(devices, a.mic, "input")
            speaker = checks._pick(devices, a.speaker, "output")
            _say({"phase": "recording", "device": mic.label})
            samples, rate = checks.record(devices, a.mic, a.seconds)
            rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
            _say({"phase": "playing", "device": speaker.label})
            checks.play(devices, a.speaker, samples, rate)
            _say({"done": {"rms_dbfs": checks._db(rms), "seconds": len(samples) / rate}})
    except checks.CheckError as e:
        _say({"error": str(e)})
        return 1
    except Exception as e:  # PortAudio's own errors: in words, never a traceback
        _say({"error": f"{type(e).__name__}: {e}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
