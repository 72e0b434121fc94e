"""Desktop app responsiveness: cold start to the first window shown, and the longest
GUI-thread stall while the app registers, calls and hangs up, under Xvfb.

    flock /tmp/softphone-testbed.lock python bench/ui_start.py [--runs 7] [--calls 3] [--json]
    python bench/ui_start.py --test-calls 3     # no test bed: the embedded test call

Needs the SIP test bed (../shared/testbed/up) for the call part (`--calls 0` skips
it) and Xvfb (started here on a free display when $DISPLAY is unset). Each run is a
fresh `softphone gui` process (`app.run_gui`, as the command runs it) with its own
user folders: an account for alice on the test bed, the encrypted-file secret store
(`SOFTPHONE_STORE_PASSPHRASE`, no OS keyring) and the encrypted database.

* Cold start: from just before the process is spawned to the main window's first
  paint, reported by the child (wall-clock time, the same clock in both processes).
  One unmeasured start first creates the database (a first start), then `--runs`
  starts are measured; median and range. Target <= 1.5 s. By then the app has read
  the settings, unlocked the store, opened the database and built the main window;
  the calling engine (pjsua2) is imported and started after that first paint (since
  the app defers it, `ui.deferred_engine`), so the call runs report when it ran
  ("engine up") and when the account was registered, both from the first paint.
  The children run as this environment runs Python: where PYTHONDONTWRITEBYTECODE
  is set, the app's own modules are compiled at every start (an installed app has
  them compiled), which makes these figures pessimistic.
* GUI-thread stall: from the first paint on, a 5 ms precise QTimer heartbeat records
  how late each tick is; the child then does what a user does: waits for
  "Registered", types bob's address on the dial pad and presses Call (baresip
  answers at once), stays 2 s in the call, presses Hang up, waits for the end and
  1 s more. The longest lateness (and the phase it fell in) over `--calls` runs;
  median and range. Target <= 50 ms. The tick is a Python slot, so the lateness
  includes waiting for the GIL while other threads (the engine's, the end-to-end
  media loop importing aiortc) run Python: what any slot of the app would wait.
  The watch itself adds no work per event (its event filter, which finds the first
  paint, is removed then). `--profile` prints what ran longest on the GUI thread
  in the worst tick (a sampling of the main thread's stack every 2 ms, which itself
  takes the GIL that often).
* Without the test bed (`--test-calls N`): the same watch over the menu's "Encrypted
  test call…" (the embedded TLS + SRTP echo peer: a real call through the engine,
  its analysis and the report shown), N runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SOFTPHONE_SHARED_DIR", REPO.parent / "shared"))
TESTBED_DIR = Path(os.environ.get("TESTBED_DIR", "/tmp/sip-testbed"))
PASSPHRASE = "bench ui passphrase"
BOB = "sip:bob@127.0.0.1"
HEARTBEAT_MS = 5
TARGET_START_S = 1.5
TARGET_STALL_MS = 50.0


# ----------------------------------------------------------------------------- parent


def _home(root: Path) -> dict[str, str]:
    env = {
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "XDG_RUNTIME_DIR": str(root / "run"),
        "SOFTPHONE_STORE_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TESTBED_DIR": str(TESTBED_DIR),
        "PYTHONPATH": str(REPO),
        "PYTHONFAULTHANDLER": "1",  # a crash shows where
    }
    (root / "run").mkdir(mode=0o700)
    return env


def _prepare(root: Path, env: dict[str, str]) -> None:
    """Settings with alice's account, her password in the encrypted-file store."""
    code = f"""
import keyring
from keyring.backends import fail
keyring.set_keyring(fail.Keyring())
from softphone.config.settings import AccountSettings, SecretRef, Settings, save_settings
from softphone.security.credentials import data_dir
from softphone.security.secret_store import open_secret_store
store = open_secret_store(data_dir(), lambda: {PASSPHRASE!r})
store.set("sip", "alice@127.0.0.1", "alice-secret")
profile = {str(REPO / "sip_profiles" / "testbed.toml")!r}
save_settings(Settings(accounts=(AccountSettings(profile, "alice",
              SecretRef("sip", "alice@127.0.0.1")),)))
"""
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, check=True)


def _run_child(env: dict[str, str], mode: str, profile: bool, timeout: float = 60) -> dict:
    args = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    if profile:
        args.append("--profile")
    t0 = time.time()
    proc = subprocess.run(
        args,
        env={**os.environ, **env, "BENCH_SPAWNED_AT": repr(t0)},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[6:])
    if result is None or "error" in result:
        raise RuntimeError(
            f"child ({mode}) failed, exit {proc.returncode}: {result}\n{proc.stderr[-3000:]}"
        )
    if proc.returncode != 0:  # measured, but the app did not exit cleanly: say so
        result["exit_code"] = proc.returncode
        result["stderr_tail"] = proc.stderr[-1500:]
    result["cold_start_s"] = result["shown_at"] - t0
    return result


def _xvfb() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        display = f.readline().strip()
    os.environ["DISPLAY"] = f":{display}"
    return proc


def _peer(*args: str) -> None:
    subprocess.run(
        [str(SHARED / "testbed" / "peer"), *args],
        check=True,
        capture_output=True,
        env={**os.environ, "TESTBED_DIR": str(TESTBED_DIR)},
        timeout=30,
    )


def _spread(values: list[float], unit: str, digits: int = 0) -> str:
    med = statistics.median(values)
    lo, hi = min(values), max(values)
    return f"median {med:.{digits}f} {unit} (min {lo:.{digits}f}, max {hi:.{digits}f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts measured")
    parser.add_argument("--calls", type=int, default=3, help="register+call+hang-up runs")
    parser.add_argument(
        "--test-calls", type=int, default=0, help="embedded test calls (no test bed needed)"
    )
    parser.add_argument("--profile", action="store_true", help="sample the GUI thread")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=("start", "call", "test-call"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.profile)

    xvfb = _xvfb()
    root = Path(tempfile.mkdtemp(prefix="sp-ui-"))
    try:
        env = _home(root)
        _prepare(root, env)
        first = _run_child(env, "start", False)
        starts = [_run_child(env, "start", False) for _ in range(args.runs)]
        calls = []
        if args.calls:
            if not (TESTBED_DIR / "env").exists():
                subprocess.run([str(SHARED / "testbed" / "up")], check=True, capture_output=True)
            _peer("start", "bob")
            try:
                calls = [_run_child(env, "call", args.profile) for _ in range(args.calls)]
            finally:
                _peer("stop", "bob")
        tests = [_run_child(env, "test-call", args.profile) for _ in range(args.test_calls)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()

    cold = [r["cold_start_s"] for r in starts]
    report = {
        "first_start_s": round(first["cold_start_s"], 3),
        "cold_start_s": [round(c, 3) for c in cold],
        "cold_start_median_s": round(statistics.median(cold), 3),
        "target_start_s": TARGET_START_S,
        "calls": calls,
        "test_calls": tests,
        "target_stall_ms": TARGET_STALL_MS,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"display {os.environ.get('DISPLAY')}, Qt platform xcb, {args.runs} cold starts")
    print(f"first start (creates the database): {first['cold_start_s'] * 1000:.0f} ms")
    print(f"cold start to first paint: {_spread([c * 1000 for c in cold], 'ms')}", end="")
    print(f"  [target <= {TARGET_START_S * 1000:.0f} ms]")
    print("  interpreter start: " + _spread([r["imports_at"] * 1000 for r in starts], "ms"))
    print("  imports:           " + _spread([r["import_s"] * 1000 for r in starts], "ms"))
    print("  GuiApp.start():    " + _spread([r["app_start_s"] * 1000 for r in starts], "ms"))
    print(
        "  CPU (user+sys) spent up to the first paint: "
        + _spread([r["cpu_to_shown_s"] * 1000 for r in starts], "ms")
        + " (what an idle machine would take, about)"
    )
    for runs, what in (
        (calls, "register + call bob + hang up"),
        (tests, "encrypted test call (embedded peer)"),
    ):
        if not runs:
            continue
        stalls = [c["max_stall_ms"] for c in runs]
        print(f"longest GUI-thread stall, {what} ({len(runs)} runs; times from the first paint):")
        print(f"  {_spread(stalls, 'ms', 1)}  [target <= {TARGET_STALL_MS:.0f} ms]")
        busy = [c["max_busy_ms"] for c in runs]
        print(
            "  longest GUI-thread CPU between two ticks (work on the GUI thread itself, "
            f"whatever the machine's load): {_spread(busy, 'ms', 1)}"
        )
        for c in runs:
            if c.get("exit_code"):
                print(f"  !! the app exited with {c['exit_code']} after this run's measurement")
            phases = ", ".join(f"{k} {v:.1f}" for k, v in c["stall_by_phase_ms"].items())
            print(
                f"  run: max {c['max_stall_ms']:.1f} ms in '{c['max_stall_phase']}' "
                f"(busy max {c['max_busy_ms']:.1f} ms in '{c['max_busy_phase']}'); "
                f"per phase (ms): {phases}; ticks {c['ticks']}"
                + (f", engine up {c['engine_up_ms']:.0f} ms" if "engine_up_ms" in c else "")
                + (
                    f", registered {c['register_ms']:.0f} ms, call up {c['call_up_ms']:.0f} ms"
                    if "register_ms" in c
                    else ""
                )
            )
            if c.get("profile"):
                print("  worst tick, GUI thread samples:")
                for frame, count in c["profile"]:
                    print(f"    {count:4d}  {frame}")
    return 0


# ----------------------------------------------------------------------------- child


def child(mode: str, profile: bool) -> int:
    """One `softphone gui` run (app.run_gui), watched from inside."""
    import_start = time.time()
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])  # run_gui takes this one, as it would make it
    import resource

    import softphone.ui.app as gui_app  # what `softphone gui` imports, timed here
    from softphone.cli import main as cli_main

    import_s = time.time() - import_start
    build: dict[str, float] = {}
    original_start = gui_app.GuiApp.start

    def timed_start(self):
        t = time.time()
        try:
            return original_start(self)
        finally:
            build["app_start_s"] = time.time() - t

    gui_app.GuiApp.start = timed_start

    class Watch(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.window: QMainWindow | None = None
            self.shown_at = 0.0
            self.phase = "start"
            self.last = 0.0
            self.ticks = 0
            self.max_by_phase: dict[str, float] = {}
            self.worst = (0.0, "")
            self.marks: dict[str, float] = {}
            self.sampler = None
            self.worst_samples: list = []
            self.heartbeat = QTimer(self)
            self.heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
            self.heartbeat.setInterval(HEARTBEAT_MS)
            self.heartbeat.timeout.connect(self.on_tick)
            self.deadline = QTimer(self, singleShot=True, interval=45_000)
            self.deadline.timeout.connect(self.on_deadline)

        def eventFilter(self, obj, event) -> bool:
            if (
                self.window is None
                and event.type() == QEvent.Type.Paint
                and isinstance(obj, QMainWindow)
            ):
                self.window = obj
                self.shown_at = time.time()
                # Only until the first paint: a Python filter on the application runs,
                # and takes the GIL, for every event of every widget, which the app
                # itself never does; left in, it doubled the GUI thread's work when a
                # call window opened (and the stall measured there).
                app.removeEventFilter(self)
                usage = resource.getrusage(resource.RUSAGE_SELF)
                self.cpu_to_shown = usage.ru_utime + usage.ru_stime
                if mode == "start":
                    QTimer.singleShot(0, self.finish)
                else:
                    self.begin()
            return False

        # -- the stall watch ------------------------------------------------------
        def begin(self) -> None:
            self.last = time.perf_counter()
            self.last_cpu = time.thread_time()
            self.max_busy = (0.0, "")
            self.marks["shown"] = self.last
            self.phase = "register"
            self.heartbeat.start()
            self.deadline.start()
            if profile:
                self.sampler = Sampler()
            w = self.window
            if mode == "test-call":
                self.phase = "test call"
                QTimer.singleShot(300, self.test_call)
                return
            w.accounts.statusChanged.connect(self.on_status)
            w.ctx.bridge.engineStarted.connect(self.on_engine_started)
            w.ctx.bridge.callStateChanged.connect(self.on_call_state)
            w.ctx.bridge.callEnded.connect(self.on_call_ended)
            self.on_status(w.accounts.status)

        def on_tick(self) -> None:
            now = time.perf_counter()
            late = (now - self.last) * 1000 - HEARTBEAT_MS
            cpu = time.thread_time()  # the GUI thread's own CPU time
            busy = (cpu - self.last_cpu) * 1000
            self.last, self.last_cpu = now, cpu
            if busy > self.max_busy[0]:
                self.max_busy = (busy, self.phase)
            self.ticks += 1
            if late > self.max_by_phase.get(self.phase, -1):
                self.max_by_phase[self.phase] = late
            if late > self.worst[0]:
                self.worst = (late, self.phase)
                if self.sampler is not None:
                    self.worst_samples = self.sampler.since(now - late / 1000 - HEARTBEAT_MS / 1000)
            if self.sampler is not None:
                self.sampler.trim(now - 1.0)

        def on_engine_started(self, _e) -> None:
            self.marks["engine"] = time.perf_counter()

        def on_status(self, status) -> None:
            if self.phase == "register" and status.severity.value == "ok":
                self.marks["registered"] = time.perf_counter()
                self.phase = "call"
                pad = self.window.dial_pad
                self.window.tabs.setCurrentWidget(pad)
                pad.set_number(BOB)
                pad.call_button.click()

        def on_call_state(self, e) -> None:
            if self.phase == "call" and e.state.name == "CONFIRMED":
                self.marks["confirmed"] = time.perf_counter()
                self.phase = "in call"
                QTimer.singleShot(2000, self.hang_up)

        def test_call(self) -> None:
            self.window.test_call_action.trigger()
            panel = self.window.test_call_dialog.panel
            panel.finished.connect(self.on_test_call_finished)
            panel.run_button.click()

        def on_test_call_finished(self, report) -> None:
            if not report.passed:
                self.report({"error": f"test call failed: {report.failures}"})
                app.quit()
                return
            self.phase = "after"
            QTimer.singleShot(1000, self.finish)

        def hang_up(self) -> None:
            self.phase = "hang-up"
            [window] = list(self.window.call_windows.values())
            window.hangup_button.click()

        def on_call_ended(self, e) -> None:
            if self.phase in ("call", "in call", "hang-up"):
                self.phase = "after"
                QTimer.singleShot(1000, self.finish)

        def on_deadline(self) -> None:
            self.report({"error": f"timed out in phase {self.phase}"})
            app.quit()

        def report(self, extra: dict) -> None:
            print("BENCH " + json.dumps(extra), flush=True)

        def finish(self) -> None:
            self.heartbeat.stop()
            if self.sampler is not None:
                self.sampler.stop()  # before the interpreter shuts down
            m = self.marks
            result = {
                "shown_at": self.shown_at,
                "imports_at": import_start - float(os.environ["BENCH_SPAWNED_AT"]),
                "import_s": import_s,
                "cpu_to_shown_s": self.cpu_to_shown,
                **build,
            }
            if mode != "start":
                result["max_busy_ms"] = round(self.max_busy[0], 2)
                result["max_busy_phase"] = self.max_busy[1]
            if mode == "test-call":
                result.update(
                    max_stall_ms=round(self.worst[0], 2),
                    max_stall_phase=self.worst[1],
                    stall_by_phase_ms={k: round(v, 2) for k, v in self.max_by_phase.items()},
                    ticks=self.ticks,
                )
                if self.sampler is not None:
                    result["profile"] = Sampler.summary(self.worst_samples)
            if mode == "call":
                result.update(
                    max_stall_ms=round(self.worst[0], 2),
                    max_stall_phase=self.worst[1],
                    stall_by_phase_ms={k: round(v, 2) for k, v in self.max_by_phase.items()},
                    ticks=self.ticks,
                    register_ms=(m["registered"] - m["shown"]) * 1000,
                    call_up_ms=(m["confirmed"] - m["registered"]) * 1000,
                )
                if "engine" in m:  # started after the first paint (else before it)
                    result["engine_up_ms"] = (m["engine"] - m["shown"]) * 1000
                if self.sampler is not None:
                    result["profile"] = Sampler.summary(self.worst_samples)
            self.report(result)
            app.quit()

    watch = Watch()
    app.installEventFilter(watch)
    return cli_main(["gui"])


class Sampler:
    """Samples the main thread's stack every 2 ms from a side thread (--profile)."""

    def __init__(self) -> None:
        import threading

        self.main = threading.main_thread().ident
        self.samples: list[tuple[float, tuple[str, ...]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="sampler")
        self._thread.start()

    def _run(self) -> None:
        import traceback

        while not self._stop.wait(0.002):
            frame = sys._current_frames().get(self.main)
            if frame is None:
                continue
            stack = tuple(
                f"{Path(f.filename).name}:{f.lineno} {f.name}"
                for f in traceback.extract_stack(frame)[-12:]
            )
            self.samples.append((time.perf_counter(), stack))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def since(self, t: float) -> list[tuple[float, tuple[str, ...]]]:
        return [s for s in self.samples if s[0] >= t]

    def trim(self, t: float) -> None:
        if self.samples and self.samples[0][0] < t:
            self.samples = self.since(t)

    @staticmethod
    def summary(samples) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for _t, stack in samples:
            for frame in set(stack):
                counts[frame] = counts.get(frame, 0) + 1
        return sorted(counts.items(), key=lambda kv: -kv[1])[:15]


if __name__ == "__main__":
    sys.exit(main())
