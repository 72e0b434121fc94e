"""Where a registration's time goes, step by step, ours beside baresip's.

    python bench/registration_steps.py [--runs 30]

Needs the SIP test bed. Each side registers `runs` times on an open TLS
connection (a new account each time, as in call_setup.py's "client warm"),
0.1 s apart. Kamailio's sipdump stamps each message; the client's own clock
(the same wall clock) stamps the command and the outcome. Printed per step,
medians in microseconds:

  command -> REGISTER  AddAccount / `uanew` sent -> first REGISTER received
  proxy 401            REGISTER received -> 401 sent (Kamailio)
  turnaround           401 sent -> authenticated REGISTER received (the client)
  proxy 200            authenticated REGISTER received -> 200 OK sent (Kamailio)
  200 -> outcome       200 OK sent -> our REGISTERED event made / baresip's
                       REGISTER_OK event received by this script

Run it under `flock /tmp/softphone-testbed.lock` (and the bench lock).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import call_setup as cs

from softphone.config.profile import load_profile
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

STEPS = ("command -> REGISTER", "proxy 401", "turnaround", "proxy 200", "200 -> outcome")
Window = tuple[float, float]  # wall-clock: command sent, outcome seen


def our_windows(runs: int) -> list[Window]:
    profile = load_profile(cs.REPO / "sip_profiles" / "testbed.toml")
    windows = []
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        for i in range(runs + 1):
            time.sleep(0.1)
            wall, mono = time.time(), time.monotonic()
            report = add_and_register(s, profile, "alice", Secret("alice-secret"), f"s{i}")
            assert report.ok, report
            windows.append((wall, wall + s.history[-1].at - mono))
            s.submit(cmd.RemoveAccount(f"s{i}"))
    return windows[1:]  # the first one opened the connection


def baresip_windows(runs: int) -> list[Window]:
    return cs.baresip_registration_windows(runs, time.time)  # wall-clock, as the sipdump


def steps(records: list[cs.SipRecord], window: Window) -> list[float] | None:
    """The five steps (seconds) of the registration inside `window`, if all were seen."""
    start, end = window
    mine = [r for r in records if start <= r.time <= end and r.cseq.endswith("REGISTER")]
    try:
        k1 = next(r.time for r in mine if r.tag == "rcv")
        k2 = next(r.time for r in mine if r.tag == "snd" and r.first_line.startswith("SIP/2.0 401"))
        k3 = next(r.time for r in mine if r.tag == "rcv" and r.time > k2)
        k4 = next(r.time for r in mine if r.tag == "snd" and r.first_line.startswith("SIP/2.0 200"))
    except StopIteration:
        return None
    return [k1 - start, k2 - k1, k3 - k2, k4 - k3, end - k4]


def report(name: str, records: list[cs.SipRecord], windows: list[Window]) -> None:
    rows = [s for s in (steps(records, w) for w in windows) if s is not None]
    if not rows:
        print(f"{name}: no complete registration in the dump")
        return
    total = statistics.median(end - start for start, end in windows) * 1e6
    print(f"{name} (n={len(rows)}, total median {total:.0f} us)")
    for step, column in zip(STEPS, zip(*rows, strict=True), strict=True):
        print(f"  {step:22} {statistics.median(column) * 1e6:7.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    cs.peer("stop", "carol")
    since = time.time()
    ours = our_windows(args.runs)
    theirs = baresip_windows(args.runs)
    time.sleep(1.0)  # sipdump writes from a timer
    records = cs.read_sipdump(since)
    report("ours", records, ours)
    report("baresip", records, theirs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
