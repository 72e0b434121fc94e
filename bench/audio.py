"""Benchmarks of the sound-device bridge, through a real virtual sound card.

    python bench/audio.py latency   [--impulses 20] [--runs 3]
    python bench/audio.py underruns [--minutes 10] [--busy-ms 0,5,10,20,50]
    flock /tmp/softphone-testbed.lock python bench/audio.py cpu [--seconds 30] [--runs 3]

The sound card is the PulseAudio virtual one the tests use
(tests/virtual_sound.py): `softphone_mic` / `softphone_speaker`, opened by
PortAudio through ALSA like any card.

latency: short tone bursts enter the virtual microphone (played into it by a
PortAudio stream whose DAC timestamps say when each burst got there), cross
the bridge, pjmedia's conference bridge, an SRTP call to the embedded echo
peer, and are timestamped where that far end receives them. The same far-end
detector then times bursts injected straight into pjmedia (a port that emits
them when pjmedia asks: no device, no bridge). The difference is what the
device path adds: PulseAudio + ALSA + PortAudio + the bridge (with the microphone
driving the conference's clock when it runs: engine/conferenceclock.py). Target: at most
10 ms beyond one packet time (20 ms), i.e. <= 30 ms.

underruns: a call with the microphone fed continuously and the speaker
playing, for --minutes, optionally with a thread that holds the GIL in
chunks of --busy-ms (a C-level loop: it does not yield every 5 ms like
bytecode does), the way a busy UI would. Target: 0 underruns and overruns
with chunks up to 20 ms.

cpu: our whole process (engine, bridge, device streams, the device watcher
child and the audio process) during a call through the test bed to baresip "bob" with the virtual
devices, beside a baresip client calling bob with the same devices and codec
(PCMU, SDES-SRTP) in the same run. Target: ours <= 1.5x baresip's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import pjsua2 as pj  # noqa: E402
from virtual_sound import MIC, MIC_FEED, SPEAKER, VirtualSound, tone  # noqa: E402

from softphone.engine import commands as cmd  # noqa: E402
from softphone.engine import events as ev  # noqa: E402
from softphone.engine.pjframes import data_address  # noqa: E402
from softphone.tasks.session import EngineSession  # noqa: E402

SHARED = Path(os.environ.get("SOFTPHONE_SHARED_DIR", REPO.parent / "shared"))
TESTBED_DIR = Path(os.environ.get("TESTBED_DIR", "/tmp/sip-testbed"))
RATE = 16000
BURST_S, PERIOD_S, THRESHOLD = 0.004, 0.4, 4000
NO_PROCESSING = {"echo_cancellation": False, "noise_suppression": False, "auto_gain": False}


def burst(rate: int) -> np.ndarray:
    n = int(BURST_S * rate)
    t = np.arange(n) / rate
    return (0.6 * np.sin(2 * np.pi * 1000 * t) * np.hanning(n)).astype(np.float32)


def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    v = sorted(values)
    return (
        f"median {statistics.median(v):.1f} ms (min {v[0]:.1f}, "
        f"p90 {v[int(0.9 * (len(v) - 1))]:.1f}, max {v[-1]:.1f}, n={len(v)})"
    )


# ----------------------------------------------------------------- pjmedia ports


class Onsets(pj.AudioMediaPort):
    """Far-end detector: the time each burst's first loud sample arrived (clock thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._armed = True
        self._buf = np.zeros(4096, dtype=np.int16)

    def create(self) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, RATE, 1, 20000, 16)
        self.createPort("onsets", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        now = time.monotonic()
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
            return
        address, size = data_address(frame.buf)
        n = size // 2
        x = np.ctypeslib.as_array((np.ctypeslib.ctypes.c_int16 * n).from_address(address))
        loud = np.flatnonzero(np.abs(x.astype(np.int32)) > THRESHOLD)
        if len(loud) and self._armed:
            self.times.append(now - (n - loud[0]) / RATE)  # the frame ends "now"
            self._armed = False
        elif not len(loud) and np.abs(x.astype(np.int32)).max(initial=0) < THRESHOLD // 8:
            self._armed = True


class Bursts(pj.AudioMediaPort):
    """Baseline source: a burst at the start of a frame every PERIOD_S (clock thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[float] = []
        self._burst = (burst(RATE) * 32767).astype(np.int16)
        self._next = 0.0

    def create(self) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, RATE, 1, 20000, 16)
        self.createPort("bursts", fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        now = time.monotonic()
        buf = frame.buf
        buf.resize(frame.size)
        address, size = data_address(buf)
        x = np.ctypeslib.as_array((np.ctypeslib.ctypes.c_int16 * (size // 2)).from_address(address))
        x[:] = 0
        if now >= self._next and self._next:
            x[: len(self._burst)] = self._burst
            self.sent.append(now)
            self._next += PERIOD_S
        elif not self._next:
            self._next = now + 1.0
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        pass


def pair(sent: list[float], got: list[float]) -> list[float]:
    """Latency of each detected burst: from the latest burst sent before it."""
    out = []
    for t in got:
        before = [s for s in sent if s <= t]
        if before and t - before[-1] < PERIOD_S * 0.8:
            out.append((t - before[-1]) * 1000)
    return out


# ------------------------------------------------------------------------ helpers


def start_session(processing: dict | None = None) -> tuple[EngineSession, str]:
    s = EngineSession()
    s.__enter__()
    s.wait_for(ev.EngineDidStart)
    s.submit(cmd.SetAudioDevices(MIC, SPEAKER, **(processing or NO_PROCESSING)))
    s.submit(cmd.StartLoopback("caller"))
    return s, s.wait_for(ev.LoopbackDidStart).uri


def call_echo(s: EngineSession, uri: str, devices: bool) -> tuple[str, str]:
    call_id = s.new_id("b")
    s.submit(cmd.MakeCall(call_id, "caller", uri, devices=devices))
    s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id == call_id)
    peer = s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id != call_id)
    return call_id, peer.call_id


def attach(s: EngineSession, port_cls, call_id: str, direction: str):
    def on_engine():
        port = port_cls()
        port.create()
        entry = s.engine.calls.get(call_id)
        aud = entry.pj.getAudioMedia(entry.audio_index)
        if direction == "listen":
            aud.startTransmit(port)
        else:
            port.startTransmit(aud)
        return port

    return s.engine.run(on_engine).result(5)


def hang_up(s: EngineSession, call_id: str) -> None:
    s.submit(cmd.Hangup(call_id))
    s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)


def bridge_stats(s: EngineSession):
    s.submit(cmd.RequestAudioStats())
    return s.wait_for(ev.AudioBridgeStatsDidUpdate).stats


def close_session(s: EngineSession, ports: list) -> None:
    time.sleep(1.0)  # the conference bridge lets go of the ports first
    s.engine.run(lambda: ports.clear()).result(5)
    s.__exit__(None, None, None)


# ------------------------------------------------------------------------ latency


def feed_bursts(count: int) -> list[float]:
    """Play `count` bursts into the virtual microphone; when each reached it (monotonic)."""
    import sounddevice as sd

    rate = 48000
    b = burst(rate)
    period = int(PERIOD_S * rate)
    state = {"pos": 0, "next": rate, "left": count}
    stamps: list[float] = []
    done = threading.Event()

    def callback(outdata, frames, t, status) -> None:
        outdata.fill(0)
        start = state["pos"]
        while state["left"] and state["next"] < start + frames:
            j = state["next"] - start
            n = min(len(b), frames - j)
            outdata[j : j + n, 0] = b[:n]  # bursts never straddle blocks at this period
            ahead = t.outputBufferDacTime - t.currentTime
            stamps.append(time.monotonic() + ahead + j / rate)
            state["next"] += period
            state["left"] -= 1
        state["pos"] += frames
        if not state["left"] and state["pos"] > state["next"]:
            done.set()

    with sd.OutputStream(
        device=MIC_FEED, samplerate=rate, channels=1, dtype="float32", callback=callback,
        latency=0.05,
    ):  # fmt: skip
        done.wait(count * PERIOD_S + 5)
        time.sleep(0.5)
    return stamps


class PlainCapture:
    """A second, plain PortAudio reader of the virtual microphone: when each burst
    reached PortAudio (its ADC timestamps), with no bridge and no pjmedia."""

    def __init__(self) -> None:
        import sounddevice as sd

        self.times: list[float] = []
        self._armed = True
        self._stream = sd.InputStream(
            device=MIC, samplerate=48000, channels=1, dtype="float32", callback=self._cb,
            latency="low",
        )  # fmt: skip
        self._stream.start()

    def _cb(self, indata, frames, t, status) -> None:
        x = np.abs(indata[:, 0])
        loud = np.flatnonzero(x > THRESHOLD / 32768)
        if len(loud) and self._armed:
            ahead = t.inputBufferAdcTime - t.currentTime
            self.times.append(time.monotonic() + ahead + loud[0] / 48000)
            self._armed = False
        elif not len(loud) and x.max(initial=0) < THRESHOLD / 32768 / 8:
            self._armed = True

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()


def bench_latency(impulses: int, runs: int, processing: bool) -> None:
    print(
        f"$ python bench/audio.py latency --impulses {impulses} --runs {runs}"
        + (" --processing" if processing else "")
    )
    vs = VirtualSound.start()
    vs.apply_env()
    device_all, base_all, plain_all, fills, ages = [], [], [], [], []
    for run in range(runs):
        options = None if processing else NO_PROCESSING
        s, uri = start_session(options)
        ports = []
        call_id, peer = call_echo(s, uri, devices=True)
        time.sleep(1.5)  # streams primed, margins settled
        onsets = attach(s, Onsets, peer, "listen")
        ports.append(onsets)
        plain = PlainCapture()
        sent = feed_bursts(impulses)
        time.sleep(0.5)
        plain.close()
        device = pair(sent, list(onsets.times))
        mic = pair(sent, plain.times)
        stats = bridge_stats(s)
        hang_up(s, call_id)
        call_id, peer = call_echo(s, uri, devices=False)
        onsets2 = attach(s, Onsets, peer, "listen")
        source = attach(s, Bursts, call_id, "send")
        ports += [onsets2, source]
        time.sleep(1.0 + impulses * PERIOD_S)
        base = pair(list(source.sent), list(onsets2.times))
        hang_up(s, call_id)
        del onsets, onsets2, source  # only `ports` holds them: dropped on the engine thread
        close_session(s, ports)
        device_all += device
        base_all += base
        plain_all += mic
        fills.append(stats.capture_fill_ms)
        ages.append(stats.input_age_ms)
        print(
            f"  run {run + 1}: device path {spread(device)}; pjmedia-only {spread(base)}; "
            f"virtual mic to PortAudio {spread(mic)}; bridge capture buffer "
            f"{stats.capture_fill_ms} ms (target {stats.capture_target_ms}, least left "
            f"{stats.capture_low_ms}), input age at callback {stats.input_age_ms} ms, "
            f"underruns {stats.capture_underruns}"
        )
    if device_all and base_all:
        added = statistics.median(device_all) - statistics.median(base_all)
        device_only = statistics.median(plain_all) if plain_all else 0.0
        print(f"  device path:   {spread(device_all)}")
        print(f"  pjmedia only:  {spread(base_all)}")
        print(f"  virtual mic -> PortAudio callback (no bridge): {spread(plain_all)}")
        print(
            f"  added by PulseAudio+ALSA+PortAudio+bridge: {added:.1f} ms; "
            f"by the bridge alone {added - device_only:.1f} ms "
            f"(= {added - device_only - 20:.1f} ms beyond one 20 ms packet; target <= 10 ms)"
        )
        print(f"  bridge capture ring at pjmedia's pull: {fills} ms (includes the 20 ms frame)")
        print(
            f"  stages: input age at PortAudio's callback (first sample of a block) {ages} ms; "
            f"ring at the pull {fills} ms; the rest of the bridge alone "
            f"{added - device_only - statistics.median(fills):.1f} ms (PulseAudio's and the "
            "plugin's buffering beyond the callback's timestamps, the block's own length)"
        )


# ---------------------------------------------------------------------- underruns


def busy_ui(chunk_ms: float, stop: threading.Event, holds: list[float]) -> None:
    """Hold the GIL for `chunk_ms` at a time: sum(range(n)) is one C call that never lets
    go of it. n is steered so the median hold is the target (the machine's load
    makes a fixed n drift)."""
    n = 100_000
    while not stop.is_set():
        t = time.perf_counter()
        sum(range(n))
        took = (time.perf_counter() - t) * 1000
        holds.append(took)
        n = max(1000, int(n * (1 + 0.2 * (chunk_ms / max(took, 1e-3) - 1))))
        time.sleep(0.002)  # the UI's event loop gets back to its queue


def bench_underruns(minutes: float, busy: list[float]) -> None:
    print(f"$ python bench/audio.py underruns --minutes {minutes:g} --busy-ms "
          f"{','.join(f'{b:g}' for b in busy)}")  # fmt: skip
    vs = VirtualSound.start()
    vs.apply_env()
    for chunk in busy:
        s, uri = start_session()
        call_id, _peer = call_echo(s, uri, devices=True)
        feeder = vs.play_into_mic(tone(440, minutes * 60 + 10, level=0.3))
        time.sleep(2.0)
        start = bridge_stats(s)
        stop, holds = threading.Event(), []
        thread = None
        if chunk:
            thread = threading.Thread(target=busy_ui, args=(chunk, stop, holds), daemon=True)
            thread.start()
        time.sleep(minutes * 60)
        stop.set()
        if thread:
            thread.join()
        end = bridge_stats(s)
        feeder.kill()
        hang_up(s, call_id)
        close_session(s, [])
        held = f"GIL held {spread(holds)}" if holds else "no busy thread"
        print(
            f"  busy {chunk:g} ms ({held}):\n"
            f"    capture underruns {end.capture_underruns - start.capture_underruns} "
            f"({end.capture_underrun_ms - start.capture_underrun_ms:.1f} ms), overruns "
            f"{end.capture_overruns - start.capture_overruns}, resyncs "
            f"{end.capture_resyncs - start.capture_resyncs}; "
            f"playback underruns {end.playback_underruns - start.playback_underruns} "
            f"({end.playback_underrun_ms - start.playback_underrun_ms:.1f} ms), overruns "
            f"{end.playback_overruns - start.playback_overruns}, resyncs "
            f"{end.playback_resyncs - start.playback_resyncs}; device xruns in "
            f"{end.device_input_errors - start.device_input_errors} out "
            f"{end.device_output_errors - start.device_output_errors}; capture buffer "
            f"{end.capture_fill_ms} ms (target {end.capture_target_ms}), playback buffer "
            f"{end.playback_fill_ms} ms (target {end.playback_target_ms})",
            flush=True,
        )


# ---------------------------------------------------------------------------- cpu


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its living children (the device probe's pactl)."""
    total = _proc_cpu(pid)
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):
            total += _proc_cpu(int(child))
    return total


def _threads(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds of each thread of `pid` so far: {tid: (name, seconds)}."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            raw = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return out


def _thread_names() -> dict[int, str]:
    """This process's Python threads by native id (pjmedia's and PortAudio's are not)."""
    return {t.native_id: t.name for t in threading.enumerate() if t.native_id}


def thread_report(label: str, before: dict, after: dict, seconds: float, names=None) -> str:
    """Per-thread CPU between two `_threads` snapshots, busiest first (>= 0.05 %)."""
    names = names or {}
    rows = []
    for tid, (comm, cpu) in after.items():
        used = cpu - before.get(tid, (comm, 0.0))[1]
        if used / seconds >= 0.0005:
            rows.append((used / seconds * 100, f"{names.get(tid, comm)}[{tid}]"))
    rows.sort(reverse=True)
    return f"    {label} threads: " + ", ".join(f"{n} {pct:.2f} %" for pct, n in rows)


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _env() -> dict[str, str]:
    import shlex

    env = {}
    for line in (TESTBED_DIR / "env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = shlex.split(v)[0] if v else ""
    return env


def start_baresip(env: dict[str, str], folder: Path, port: int) -> subprocess.Popen:
    """baresip as carol with the virtual devices (like the test bed's peers, but with sound)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config").write_text(
        f"""poll_method epoll
net_interface 127.0.0.1
dns_server 127.0.0.1:53
sip_listen 127.0.0.1:0
sip_cafile {env["TLS_CA_FILE"]}
audio_player alsa,{SPEAKER}
audio_alert alsa,{SPEAKER}
audio_source alsa,{MIC}
ausrc_srate 16000
auplay_srate 16000
ausrc_channels 1
auplay_channels 1
audio_level no
rtp_ports 30000-39999
rtcp_mux no
jitter_buffer_delay 5-10
module_path /usr/lib/baresip/modules
module g711.so
module alsa.so
module srtp.so
module_app account.so
module_app menu.so
statmode_default off
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:{port}
"""
    )
    proxy = f"sip:127.0.0.1:{env['SIP_TLS_PORT']};transport=tls"
    (folder / "accounts").write_text(
        f"<sip:carol@127.0.0.1;transport=tls>;auth_pass={env['SIP_CAROL_PASSWORD']};"
        f'answermode=manual;regint=600;outbound="{proxy}";mediaenc=srtp-mand;audio_codecs=PCMU\n'
    )
    (folder / "contacts").write_text("")
    log = open(folder / "baresip.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(["baresip", "-f", str(folder)], stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL, env={**os.environ})  # fmt: skip
    deadline = time.monotonic() + 10
    while "200 OK" not in (folder / "baresip.log").read_text(errors="replace"):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("baresip did not register: " + (folder / "baresip.log").read_text())
        time.sleep(0.1)
    return proc


def ctrl(port: int, command: str, params: str = "") -> None:
    body = f'{{"command":"{command}","params":"{params}","token":"bench"}}'.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(str(len(body)).encode() + b":" + body + b",")
        sock.recv(4096)


def peer(*args: str) -> None:
    subprocess.run([str(SHARED / "testbed" / "peer"), *args], check=True, capture_output=True,
                   env={**os.environ, "TESTBED_DIR": str(TESTBED_DIR)}, timeout=60)  # fmt: skip


def bench_cpu(seconds: float, runs: int, processing: bool = True) -> None:
    from softphone.config.profile import load_profile
    from softphone.security.secret import Secret
    from softphone.tasks.register import add_and_register

    print(f"$ flock /tmp/softphone-testbed.lock python bench/audio.py cpu --seconds {seconds:g}"
          f" --runs {runs}" + ("" if processing else " --no-processing"))  # fmt: skip
    subprocess.run([str(SHARED / "testbed" / "up")], check=True, capture_output=True)
    vs = VirtualSound.start()
    vs.apply_env()
    env = _env()
    os.environ.setdefault("TESTBED_DIR", str(TESTBED_DIR))
    profile = load_profile(REPO / "sip_profiles" / "testbed.toml")
    ours, theirs = [], []
    feeder = vs.play_into_mic(tone(440, (seconds + 15) * runs * 2 + 30, level=0.3))
    try:
        for run in range(runs):
            peer("start", "bob")
            with EngineSession() as s:
                s.wait_for(ev.EngineDidStart)
                assert add_and_register(s, profile, "alice", Secret("alice-secret")).ok
                options = {} if processing else NO_PROCESSING  # on: the default
                s.submit(cmd.SetAudioDevices(MIC, SPEAKER, **options))
                call_id = s.new_id("cpu")
                s.submit(cmd.MakeCall(call_id, "acc", "sip:bob@127.0.0.1", devices=True))
                media = s.wait_for(ev.CallMediaDidChange, lambda e, c=call_id: e.call_id == c)
                time.sleep(2.0)
                watcher = s.engine.audio.watcher._proc.pid
                # the audio process (media/audioproc.py), when the devices run in one
                audio = getattr(s.engine.audio.streams, "pid", None)
                me = os.getpid()
                th0 = _threads(me), _threads(audio) if audio else {}
                c0, w0, t0 = _self_cpu(), _tree_cpu(watcher), time.monotonic()
                a0 = _proc_cpu(audio) if audio else 0.0
                time.sleep(seconds)
                c1, w1, t1 = _self_cpu(), _tree_cpu(watcher), time.monotonic()
                a1 = _proc_cpu(audio) if audio else 0.0
                th1 = _threads(me), _threads(audio) if audio else {}
                names = _thread_names()
                stats = bridge_stats(s)
                hang_up(s, call_id)
            ours.append(100 * ((c1 - c0) + (w1 - w0) + (a1 - a0)) / (t1 - t0))
            print(f"  run {run + 1}: softphone {ours[-1]:.1f} % of a core "
                  f"({media.codec}, processing {'on' if stats.processing else 'off'}; "
                  f"engine {100 * (c1 - c0) / (t1 - t0):.1f} %, "
                  f"audio process {100 * (a1 - a0) / (t1 - t0):.1f} %, "
                  f"watcher {100 * (w1 - w0) / (t1 - t0):.1f} %)")  # fmt: skip
            print(thread_report("engine", th0[0], th1[0], t1 - t0, names))
            if audio:
                print(thread_report("audio process", th0[1], th1[1], t1 - t0))
            peer("stop", "bob")
            peer("start", "bob")
            with tempfile.TemporaryDirectory() as tmp:
                proc = start_baresip(env, Path(tmp), 4449)
                try:
                    ctrl(4449, "dial", "sip:bob@127.0.0.1")
                    time.sleep(4.0)
                    b0, c0, t0 = _threads(proc.pid), _proc_cpu(proc.pid), time.monotonic()
                    time.sleep(seconds)
                    b1, c1, t1 = _threads(proc.pid), _proc_cpu(proc.pid), time.monotonic()
                    ctrl(4449, "hangup")
                    text = (Path(tmp) / "baresip.log").read_text(errors="replace")
                    established = "Call established" in text or "ESTABLISHED" in text
                finally:
                    proc.terminate()
                    proc.wait(10)
            theirs.append(100 * (c1 - c0) / (t1 - t0))
            print(f"  run {run + 1}: baresip   {theirs[-1]:.1f} % of a core "
                  f"(PCMU, call established: {established})")  # fmt: skip
            print(thread_report("baresip", b0, b1, t1 - t0))
            peer("stop", "bob")
    finally:
        feeder.kill()
    ratio = statistics.median(ours) / max(statistics.median(theirs), 1e-9)
    print(
        f"  softphone median {statistics.median(ours):.1f} % (runs {ours}), baresip median "
        f"{statistics.median(theirs):.1f} % (runs {theirs}): {ratio:.2f}x (target <= 1.5x)"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("--impulses", type=int, default=20)
    lat.add_argument("--runs", type=int, default=3)
    lat.add_argument("--processing", action="store_true", help="echo cancellation etc. on")
    und = sub.add_parser("underruns")
    und.add_argument("--minutes", type=float, default=10.0)
    und.add_argument("--busy-ms", default="0,5,10,20,50")
    cpu = sub.add_parser("cpu")
    cpu.add_argument("--seconds", type=float, default=30.0)
    cpu.add_argument("--runs", type=int, default=3)
    cpu.add_argument("--no-processing", action="store_true", help="echo cancellation etc. off")
    args = p.parse_args()
    if args.what == "latency":
        bench_latency(args.impulses, args.runs, args.processing)
    elif args.what == "underruns":
        bench_underruns(args.minutes, [float(x) for x in args.busy_ms.split(",")])
    else:
        bench_cpu(args.seconds, args.runs, not args.no_processing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
