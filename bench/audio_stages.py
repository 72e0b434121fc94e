"""Where the sound-device path spends CPU and latency, stage by stage (virtual sound card).

    python bench/audio_stages.py callbacks [--seconds 20] [--no-processing]
    python bench/audio_stages.py input

callbacks: a loopback call (the embedded echo peer) on the virtual devices with the
devices in the engine's process (SOFTPHONE_AUDIO_PROCESS=0, so that one process
holds every thread): each thread's CPU from /proc/self/task, and the CPU time
spent inside the Python device callbacks, the echo canceller and the resampler or
drift trim (time.thread_time around each call), per call and per second.

input: PortAudio input streams on the virtual microphone at the call rate with
several latency and block settings: callbacks per second, how old the first and
the average sample of a block are when the callback gets it (ADC timestamps),
and the gaps between callbacks (what the capture ring's margin must cover).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))


def callbacks(seconds: float, processing: bool) -> None:
    os.environ["SOFTPHONE_AUDIO_PROCESS"] = "0"
    import audio as bench

    from softphone.media import processing as proc_mod
    from softphone.media import resample
    from softphone.media import streams as streams_mod

    clock = time.thread_time
    spent: dict[str, list] = {}

    def timed(cls, name: str, key: str, tid: bool = False) -> None:
        orig = getattr(cls, name)

        def wrapper(self, *a, **k):
            t = clock()
            r = orig(self, *a, **k)
            e = spent.setdefault(key, [0.0, 0, None])
            e[0] += clock() - t
            e[1] += 1
            if tid:
                e[2] = threading.get_native_id()
            return r

        setattr(cls, name, wrapper)

    timed(streams_mod.DeviceStreams, "_on_input", "input callback", tid=True)
    timed(streams_mod.DeviceStreams, "_on_output", "output callback", tid=True)
    timed(proc_mod.WebRtcProcessor, "process", "echo canceller etc.")
    timed(resample.StreamResampler, "process", "sinc resampler")
    timed(resample.DriftTrim, "process", "drift trim")
    vs = bench.VirtualSound.start()
    vs.apply_env()
    feeder = vs.play_into_mic(bench.tone(440, seconds + 30, level=0.3))
    s, uri = bench.start_session(dict.fromkeys(bench.NO_PROCESSING, processing))
    call_id, _peer = bench.call_echo(s, uri, devices=True)
    time.sleep(3)
    me = os.getpid()
    t0, c0 = bench._threads(me), {k: list(v) for k, v in spent.items()}
    start = time.monotonic()
    time.sleep(seconds)
    dt = time.monotonic() - start
    t1, names = bench._threads(me), bench._thread_names()
    for key, tag in (("input callback", "INPUT"), ("output callback", "OUTPUT")):
        if key in spent:
            names[spent[key][2]] = tag
    print(f"$ python bench/audio_stages.py callbacks --seconds {seconds:g}"
          + ("" if processing else " --no-processing"))  # fmt: skip
    print(bench.thread_report("process", t0, t1, dt, names))
    for key, (cpu, n, _tid) in spent.items():
        cpu0, n0 = c0.get(key, [0.0, 0])[:2]
        calls = n - n0
        print(f"    {key}: {calls / dt:.0f} calls/s, {100 * (cpu - cpu0) / dt:.2f} % of a core, "
              f"{1e6 * (cpu - cpu0) / max(calls, 1):.0f} us each")  # fmt: skip
    st = bench.bridge_stats(s)
    print(f"    trim now: capture {st.capture_correction_ppm} ppm, playback "
          f"{st.playback_correction_ppm} ppm")  # fmt: skip
    bench.hang_up(s, call_id)
    feeder.kill()
    bench.close_session(s, [])


def input_stage() -> None:
    import numpy as np
    import sounddevice as sd
    from virtual_sound import MIC, VirtualSound, tone

    from softphone.media.devices import device_index, list_devices

    vs = VirtualSound.start()
    vs.apply_env()
    mic = list_devices().find(MIC, "input")
    feeder = vs.play_into_mic(tone(440, 120, level=0.3))
    rate = 16000
    print("$ python bench/audio_stages.py input")
    settings = [(0.04, 0), (0.02, 0), (0.01, 0), ("low", 0), ("high", 0), (0.04, 160),
                (0.02, 160), (0.04, 320)]  # fmt: skip
    try:
        for latency, block in settings:
            ages, gaps, frames, last = [], [], [], [None]

            def cb(indata, n, t, status, ages=ages, gaps=gaps, frames=frames, last=last):
                now = time.monotonic()
                ages.append(t.currentTime - t.inputBufferAdcTime)
                frames.append(n)
                if last[0] is not None:
                    gaps.append(now - last[0])
                last[0] = now

            stream = sd.InputStream(device=device_index(mic), samplerate=rate, channels=1,
                                    dtype="float32", latency=latency, blocksize=block,
                                    callback=cb)  # fmt: skip
            stream.start()
            time.sleep(1.0)
            ages.clear(), gaps.clear(), frames.clear()
            time.sleep(8)
            stream.close()
            a, g, f = np.array(ages) * 1000, np.array(gaps) * 1000, np.array(frames)
            mean_age = a - f / rate * 1000 / 2
            print(f"  latency={latency!s:5} block={block:3}: PortAudio latency "
                  f"{stream.latency * 1000:.1f} ms, {len(f) / 8:.0f} callbacks/s of "
                  f"{np.median(f):.0f} samples; age at the callback: first sample "
                  f"{np.median(a):.1f} ms, mean sample {np.median(mean_age):.1f} ms; gaps "
                  f"median {np.median(g):.1f}, p99 {np.percentile(g, 99):.1f}, max "
                  f"{g.max():.1f} ms", flush=True)  # fmt: skip
    finally:
        feeder.kill()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    cb = sub.add_parser("callbacks")
    cb.add_argument("--seconds", type=float, default=20.0)
    cb.add_argument("--no-processing", action="store_true")
    sub.add_parser("input")
    args = p.parse_args()
    if args.what == "callbacks":
        callbacks(args.seconds, not args.no_processing)
    else:
        input_stage()
    return 0


if __name__ == "__main__":
    sys.exit(main())
