"""Where the sound-device path spends CPU and latency, stage by stage (virtual sound card).

    python bench/audio_stages.py callbacks [--seconds 20] [--no-processing]
    python bench/audio_stages.py input
    python bench/audio_stages.py g722 [--seconds 600]

callbacks: a loopback call (the embedded echo peer) on the virtual devices with the
devices in the engine's process (SOFTPHONE_AUDIO_PROCESS=0, so that one process
holds every thread): each thread's CPU from /proc/self/task, and the CPU time
spent inside the Python device callbacks, the echo canceller and the resampler or
drift trim (time.thread_time around each call), per call and per second.

input: PortAudio input streams on the virtual microphone at the call rate with
several latency and block settings: callbacks per second, how old the first and
the average sample of a block are when the callback gets it (ADC timestamps),
and the gaps between callbacks (what the capture ring's margin must cover).

g722: what decoding and encoding G.722 at 16 bits (media/g722_precision.c) cost
beside pjmedia's own decoder and encoder alone: --seconds of 20 ms packets (random
bytes, random samples: the coders' work does not depend on them) through each,
alternating in blocks, CPU time per packet and the difference as a share of a core
per call. ctypes' call overhead is in both figures.
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


def g722_stage(seconds: float) -> None:
    import ctypes

    import numpy as np
    import pjsua2 as pj

    from softphone.engine import g722_precision
    from softphone.media.nativebridge import declare, extension

    print(f"$ python bench/audio_stages.py g722 --seconds {seconds:g}")
    wrong = g722_precision.prepare()
    assert wrong == 0, f"self-test: {wrong} samples differ"
    vp, size = ctypes.c_void_p, ctypes.c_size_t
    coder = [vp, vp, size, vp, vp]
    wide = declare(extension(), (("g722p_decode", coder, ctypes.c_int),
                                 ("g722p_encode", coder, ctypes.c_int)))  # fmt: skip
    so = ctypes.CDLL(pj._pjsua2.__file__)
    for name in ("g722_dec_init", "g722_enc_init"):
        getattr(so, name).argtypes, getattr(so, name).restype = [vp], ctypes.c_int
    for name in ("g722_dec_decode", "g722_enc_encode"):
        getattr(so, name).argtypes, getattr(so, name).restype = [vp, vp, size, vp, vp], ctypes.c_int
    rng = np.random.default_rng(1)
    packets = rng.integers(0, 256, (500, 160), dtype=np.uint8)
    pcm = rng.integers(-8000, 8000, (500, 320), dtype=np.int16)
    for what, init, fns, inputs, n_out in (
        ("decoding", so.g722_dec_init,
         {"pjmedia (14 bits)": so.g722_dec_decode, "ours (16 bits)": wide["g722p_decode"]},
         packets, 320),
        ("encoding", so.g722_enc_init,
         {"pjmedia (14 bits)": so.g722_enc_encode, "ours (16 bits)": wide["g722p_encode"]},
         pcm, 160),
    ):  # fmt: skip
        per = _per_packet(seconds, init, fns, inputs, n_out)
        print(f"  {what}:")
        for name, us in per.items():
            print(f"    {name:18s} {us:6.2f} us per 20 ms packet ({us * 50 / 1e4:.3f} % of a core)")
        extra = per["ours (16 bits)"] - per["pjmedia (14 bits)"]
        print(f"    16 bits cost {extra:+.2f} us per packet: {extra * 50 / 1e4:+.3f} % of a core "
              "per call")  # fmt: skip


def _per_packet(seconds: float, init, fns: dict, inputs, n_out: int) -> dict[str, float]:
    """CPU microseconds per 20 ms packet of each coder, alternating in blocks."""
    import ctypes

    import numpy as np

    out = np.zeros(n_out, dtype=np.int16)
    n = ctypes.c_size_t()
    spent = dict.fromkeys(fns, 0.0)
    counted = 0
    while counted < seconds * 50:
        for name, fn in fns.items():
            state = ctypes.create_string_buffer(4096)  # g722_dec_t/g722_enc_t are 456 bytes
            init(state)
            t = time.thread_time()
            for p in inputs:
                n.value = n_out if n_out == 320 else 2 * n_out  # samples out, or bytes room
                fn(state, p.ctypes.data, p.size, out.ctypes.data, ctypes.byref(n))
            spent[name] += time.thread_time() - t
        counted += len(inputs)
    return {k: 1e6 * v / counted for k, v in spent.items()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    cb = sub.add_parser("callbacks")
    cb.add_argument("--seconds", type=float, default=20.0)
    cb.add_argument("--no-processing", action="store_true")
    sub.add_parser("input")
    g7 = sub.add_parser("g722")
    g7.add_argument("--seconds", type=float, default=600.0)
    args = p.parse_args()
    if args.what == "callbacks":
        callbacks(args.seconds, not args.no_processing)
    elif args.what == "g722":
        g722_stage(args.seconds)
    else:
        input_stage()
    return 0


if __name__ == "__main__":
    sys.exit(main())
