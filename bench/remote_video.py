"""What showing the other side's video costs the end-to-end media loop.

    python bench/remote_video.py [--seconds 5] [--width 640 --height 480] [--json]

No test bed needed: two `E2eSession`s in this process, over 127.0.0.1 (ICE, DTLS-SRTP,
Opus audio, VP8 video), on one media loop as in the app; one sends the moving test
pattern at 15 frames a second. The receiver's `VideoSlot` is left alone for
`--seconds` (nobody watching: no frame is converted), then read 30 times a second
from another thread for as long (as the call window's timer does). For each phase:

* conversion on the loop: frames put into the slot, mean and max time of
  `frame.to_ndarray("rgb24")` per frame (the only work this adds to the loop);
* the loop's lateness: a probe sleeps 20 ms on the loop again and again, as the
  outgoing audio track paces its frames, and records how late it wakes (p50, p99,
  max): what conversion would delay audio by;
* the process's CPU, as a share of one core.

The machine's load average is printed with the figures: they are noisy on a busy
machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from softphone.e2e.bridge import AudioBridge  # noqa: E402
from softphone.e2e.identity import generate_identity  # noqa: E402
from softphone.e2e.loop import MediaLoop  # noqa: E402
from softphone.e2e.media import E2eSession, PatternSource, SessionConfig  # noqa: E402
from softphone.media.video_slot import VideoSlot  # noqa: E402

CONFIG = SessionConfig(video=True, host_addresses=("127.0.0.1",))


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def session(video_source, slot, events: list) -> tuple[E2eSession, bytes]:
    identity = generate_identity()
    notify = lambda kind, value: events.append(kind)  # noqa: E731
    s = E2eSession(identity, CONFIG, AudioBridge(), notify, video_source, remote_video=slot)
    return s, identity.fingerprint


async def connect(a: E2eSession, fa: bytes, b: E2eSession, fb: bytes) -> None:
    offer = await a.create_offer()
    answer = await b.create_answer(offer, fa)
    await a.accept_answer(answer, fb)


async def probe(lateness: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.02)
        lateness.append(time.perf_counter() - start - 0.02)


def phase(loop: MediaLoop, slot: VideoSlot, seconds: float, watch: bool) -> dict:
    before = slot.stats()
    lateness: list[float] = []
    stop = threading.Event()
    probing = loop.submit(probe(lateness, stop))
    reader = None
    if watch:

        def read() -> None:
            seq = 0
            while not stop.is_set():
                frame = slot.newest(seq)
                seq = frame.seq if frame is not None else seq
                time.sleep(1 / 30)

        reader = threading.Thread(target=read)
        reader.start()
    used, started = cpu(), time.monotonic()
    time.sleep(seconds)
    used, elapsed = cpu() - used, time.monotonic() - started
    stop.set()
    probing.result(2)
    if reader is not None:
        reader.join()
    after = slot.stats()
    put = after.put - before.put
    lateness_ms = sorted(1000 * x for x in lateness)
    return {
        "watched": watch,
        "frames_converted": put,
        "convert_mean_ms": round(1000 * (after.convert_s - before.convert_s) / put, 3)
        if put
        else None,
        "convert_max_ms": round(1000 * after.convert_max_s, 3) if put else None,
        "loop_late_p50_ms": round(lateness_ms[len(lateness_ms) // 2], 3),
        "loop_late_p99_ms": round(lateness_ms[int(len(lateness_ms) * 0.99)], 3),
        "loop_late_max_ms": round(lateness_ms[-1], 3),
        "cpu_pct_of_one_core": round(100 * used / elapsed, 1),
        "load_1min": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    loop = MediaLoop("e2e-bench")
    loop.start()
    events: list[str] = []
    slot = VideoSlot()
    sender, f_sender = session(PatternSource(args.width, args.height), None, events)
    receiver, f_receiver = session(None, slot, events)
    try:
        loop.submit(connect(sender, f_sender, receiver, f_receiver)).result(15)
        deadline = time.monotonic() + 15
        while "video-frame" not in events and time.monotonic() < deadline:
            time.sleep(0.05)
        if "video-frame" not in events:
            print("no video arrived", file=sys.stderr)
            return 1
        results = [phase(loop, slot, args.seconds, watch) for watch in (False, True)]
    finally:
        for s in (sender, receiver):
            loop.submit(s.close()).result(5)
        loop.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{args.width}x{args.height} VP8 at 15 fps, {args.seconds:.0f} s per phase")
    for r in results:
        label = "watched (30 Hz reader)" if r["watched"] else "nobody watching"
        print(
            f"{label:24} converted {r['frames_converted']:4} frames, "
            f"{r['convert_mean_ms']} ms mean / {r['convert_max_ms']} ms max; "
            f"loop late p50 {r['loop_late_p50_ms']} p99 {r['loop_late_p99_ms']} "
            f"max {r['loop_late_max_ms']} ms; CPU {r['cpu_pct_of_one_core']} %; "
            f"load {r['load_1min']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
