"""Child process that lists sound devices: once, or whenever they change (`--watch S`).

Its own main thread only. Re-initialising PortAudio is the only way it sees
devices come and go, but it costs (every ALSA device is opened and probed), so
on Linux a cheap fingerprint is checked every interval (the entries of
/dev/snd, /proc/asound/cards, the ALSA configuration files and their times)
and PortAudio is re-initialised when it changes, and at least every
`FULL_EVERY_S` for what leaves no trace there (a PulseAudio or Bluetooth
device). Elsewhere every interval. The list goes out as one JSON line when it
differs from the last. It exits when its standard input closes, i.e. with its
parent.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import threading
import time

from softphone.media.devices import AudioUnavailable, list_devices, reinitialize

FULL_EVERY_S = 10.0


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
    args = p.parse_args(argv)
    if args.watch is None:
        print(json.dumps(list_devices().to_json()), flush=True)
        return 0
    parent_gone = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        parent_gone.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    last = None
    seen, full_at = fingerprint(), 0.0
    while not parent_gone.is_set():
        now_print = fingerprint()
        due = now_print is None or now_print != seen or time.monotonic() - full_at > FULL_EVERY_S
        if last is not None and not due:
            parent_gone.wait(args.watch)
            continue
        seen, full_at = now_print, time.monotonic()
        try:
            reinitialize()
        except AudioUnavailable:
            pass
        except Exception:  # PortAudio failing to start is reported by list_devices
            pass
        doc = list_devices().to_json()
        if doc != last:
            print(json.dumps(doc), flush=True)
            last = doc
        parent_gone.wait(args.watch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
