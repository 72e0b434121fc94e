"""Child process that lists sound devices: once, or whenever they change (`--watch S`).

Its own main thread only. Each round re-initialises PortAudio (the only way it
sees devices come and go) and prints the list as one JSON line when it differs
from the last. It exits when its standard input closes, i.e. with its parent.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from softphone.media.devices import AudioUnavailable, list_devices, reinitialize


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
    while not parent_gone.is_set():
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
