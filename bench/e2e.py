"""End-to-end (aiortc, DTLS-SRTP, Opus) against SDES (pjmedia, PCMU) calls, in one run.

    flock /tmp/softphone-testbed.lock python bench/e2e.py [--runs 5] [--seconds 4] [--json]

Needs the SIP test bed (../shared/testbed/up). Two softphone processes: this one
(alice) calls a second engine process (carol, tests/engine_peer.py, answering at once
from its own engine listener) through Kamailio, alternating the two kinds of call:

* e2e : alice's account with end_to_end = "preferred", e2e_codecs opus first;
* sdes: alice's account with end_to_end = "off", codecs PCMU.

Per call: setup to first decoded audio (MakeCall -> the first frame with energy from
carol's 600 Hz tone reaching alice's analyzer, through the same conference bridge in
both cases), and where the time goes (INVITE out, 200 received, media up, first
audio); then the CPU each process uses while the call runs (`--seconds`), minus
what it used idle (both engines registered, no call; measured over three times as
long, once), as a share
of one core. Medians and the spread (min-max) are printed, and the ratios e2e/sdes
against the targets: setup <= 2x, CPU <= 3x.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("TESTBED_DIR", "/tmp/sip-testbed")

from engine_peer import EnginePeer  # noqa: E402

from softphone.config.profile import load_profile  # noqa: E402
from softphone.engine import commands as cmd  # noqa: E402
from softphone.engine import events as ev  # noqa: E402
from softphone.security.secret import Secret  # noqa: E402
from softphone.tasks.register import add_and_register  # noqa: E402
from softphone.tasks.session import EngineSession  # noqa: E402

CAROL = "sip:carol@127.0.0.1"
TONE = 600
TICKS = os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_cpu(pid: int) -> float:
    """CPU seconds `pid` used so far: the scheduler's own count per thread, in ns
    (/proc/PID/stat counts 10 ms ticks, ±0.25 % of a core over a 4 s window, as much
    as a whole SDES call's net share). A thread that ends within a window takes its
    time with it: the engines' threads live as long as the process."""
    total, found = 0, False
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
            found = True
        except (OSError, ValueError, IndexError):
            continue
    if found:
        return total / 1e9
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def cpu_share(pid: int, seconds: float) -> tuple[float, float]:
    """CPU % of one core used by this process and by `pid` over `seconds` from now."""
    a0, c0, t0 = own_cpu(), child_cpu(pid), time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - t0
    return 100 * (own_cpu() - a0) / wall, 100 * (child_cpu(pid) - c0) / wall


def one_call(s: EngineSession, account: str, pid: int, seconds: float) -> dict:
    call_id = s.new_id(account)
    s.submit(
        cmd.MakeCall(
            call_id, account, CAROL, source=cmd.AudioSource(tone_hz=(1000,)), analyze=(TONE,)
        )
    )
    started = s.wait_for(ev.CallDidStart, lambda e: e.call_id == call_id)
    media = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=20
    )
    if isinstance(media, ev.CallDidEnd):
        raise RuntimeError(f"{account} call ended before media: {media.reason}")
    calling = s.seen(
        ev.CallStateDidChange,
        lambda e: e.call_id == call_id and e.state == ev.CallState.CALLING,
    )
    confirmed = s.wait_for(
        ev.CallStateDidChange,
        lambda e: e.call_id == call_id and e.state == ev.CallState.CONFIRMED,
    )
    first_audio = None
    deadline = time.monotonic() + 5
    while first_audio is None and time.monotonic() < deadline:
        s.submit(cmd.AnalyzeAudio(call_id, (TONE,), 0.5))
        analysed = s.wait_for(ev.CallAudioWasAnalyzed, lambda e: e.call_id == call_id)
        first_audio = analysed.first_sound_ms
        if first_audio is None:
            time.sleep(0.05)
    ours, theirs = cpu_share(pid, seconds)
    s.submit(cmd.AnalyzeAudio(call_id, (TONE,), 1.0))
    tone = s.wait_for(ev.CallAudioWasAnalyzed, lambda e: e.call_id == call_id).tones[0]
    s.submit(cmd.Hangup(call_id))
    ended = s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)

    def since_start(event) -> float:
        return round((event.at - started.at) * 1000, 1)

    return {
        "first_audio_ms": first_audio,
        "invite_sent_ms": since_start(calling[0]) if calling else None,
        "confirmed_ms": since_start(confirmed),
        "media_up_ms": since_start(media),
        "first_rtp_ms": ended.first_rtp_ms,
        "cpu_alice_pct": round(ours, 1),
        "cpu_carol_pct": round(theirs, 1),
        "codec": media.codec,
        "label": media.media.label,
        "tone_heard": tone.detected,
    }


def summary(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None}
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="CPU window per call")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    profile = load_profile(REPO / "sip_profiles" / "testbed.toml")
    e2e_media = dataclasses.replace(profile.media, end_to_end="preferred", e2e_codecs=("opus",))
    sdes_media = dataclasses.replace(profile.media, end_to_end="off", codecs=("PCMU",))
    carol = EnginePeer({"auto_answer": {"tone_hz": [TONE]}})
    results: dict[str, list[dict]] = {"e2e": [], "sdes": []}
    try:
        carol.register("carol", "carol-secret", codecs=["PCMU"])
        with EngineSession() as s:
            s.wait_for(ev.EngineDidStart)
            for account, media in (("e2e", e2e_media), ("sdes", sdes_media)):
                report = add_and_register(
                    s,
                    dataclasses.replace(profile, media=media),
                    "alice",
                    Secret("alice-secret"),
                    account_id=account,
                )
                if not report.ok:
                    raise RuntimeError(f"alice ({account}) did not register: {report.reason}")
            time.sleep(1.0)  # let start-up work (aiortc import) finish before measuring idle
            # idle over three windows: it is subtracted from every call's figure
            idle_alice, idle_carol = cpu_share(carol._proc.pid, 3 * args.seconds)
            one_call(s, "e2e", carol._proc.pid, 0.5)  # warm-up call, not counted
            one_call(s, "sdes", carol._proc.pid, 0.5)
            for _ in range(args.runs):
                for account in ("e2e", "sdes"):
                    results[account].append(one_call(s, account, carol._proc.pid, args.seconds))
    finally:
        carol.close()

    out: dict = {"idle_cpu_pct": {"alice": round(idle_alice, 1), "carol": round(idle_carol, 1)}}
    for account, runs in results.items():
        out[account] = {
            key: summary([r[key] for r in runs])
            for key in (
                "first_audio_ms", "invite_sent_ms", "confirmed_ms", "media_up_ms",
                "first_rtp_ms", "cpu_alice_pct", "cpu_carol_pct",
            )
        }  # fmt: skip
        out[account]["codec"] = sorted({r["codec"] for r in runs})
        out[account]["label"] = sorted({r["label"] for r in runs})
        out[account]["tone_heard"] = all(r["tone_heard"] for r in runs)
        for side in ("alice", "carol"):
            net = [r[f"cpu_{side}_pct"] - out["idle_cpu_pct"][side] for r in runs]
            out[account][f"cpu_{side}_net_pct"] = summary(net)
    e2e, sdes = out["e2e"], out["sdes"]
    out["ratio_setup"] = round(
        e2e["first_audio_ms"]["median"] / sdes["first_audio_ms"]["median"], 2
    )
    out["ratio_cpu"] = {
        side: round(
            e2e[f"cpu_{side}_net_pct"]["median"] / max(sdes[f"cpu_{side}_net_pct"]["median"], 0.1),
            2,
        )
        for side in ("alice", "carol")
    }
    out["runs"] = results
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"{args.runs} calls of each kind, CPU over {args.seconds:.0f} s per call")
    print(
        f"idle CPU: alice {out['idle_cpu_pct']['alice']} %, carol {out['idle_cpu_pct']['carol']} %"
    )
    for name in ("e2e", "sdes"):
        r = out[name]
        kinds = f"{', '.join(r['label'])}; codec {', '.join(r['codec'])}"
        print(f"\n{name}: {kinds}; tone heard: {r['tone_heard']}")
        for key in (
            "invite_sent_ms",
            "confirmed_ms",
            "media_up_ms",
            "first_rtp_ms",
            "first_audio_ms",
        ):
            v = r[key]
            print(f"  {key:<16} median {v['median']:>7} ms  (min {v['min']}, max {v['max']})")
        for side in ("alice", "carol"):
            v = r[f"cpu_{side}_net_pct"]
            print(
                f"  CPU {side:<6} net  median {v['median']:>6} %   (min {v['min']}, max {v['max']})"
            )
    print(f"\nsetup to first audio, e2e/sdes: {out['ratio_setup']}x (target <= 2x)")
    print(
        f"CPU per call, e2e/sdes: alice {out['ratio_cpu']['alice']}x, "
        f"carol {out['ratio_cpu']['carol']}x (target <= 3x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
