"""The audio process: sound-device streams, resampling and echo cancellation in a
child process of their own, so that no thread of the engine's process (a busy UI
holding the GIL) can hold up the sound devices.

    engine process                               audio process
    pjmedia clock thread                         PortAudio threads
      PjBridgePort -> PjmediaSide  <- shared ->    DeviceStreams -> AudioBridge
                      (memmove)       memory       (resample, AEC, drift control)
    engine thread: AudioProcess  <- commands over the child's stdin/stdout ->  main thread

Both halves have a C version used where the extension was built: pjmedia's in
`engine/nativeport.py` (bridgeport.c), the devices' in `media/nativebridge.py`
(deviceside.c): then no Python runs per frame or per device block on either side,
but for echo cancellation, on its own thread here.

The rings and the control numbers live in one `multiprocessing.shared_memory`
block (`bridge.BridgeState`) created by the engine; each slot has one writer, so
neither side ever waits for the other. pjmedia's callbacks only memmove: when
the engine's GIL is held for a while, pjmedia's clock catches up afterwards, the
capture ring simply holds more meanwhile and the playback ring plays its margin.
The devices' callbacks need only the audio process's own GIL.

Commands (open/close a stream, health, statistics, processing options) are
pickled requests answered in order; the engine thread sends them, the child's
main thread runs them. The child exits when its stdin closes (the engine went
away). If it dies (PortAudio aborting on a vanished device, say), the next
command starts a new one over the same shared memory, and the engine's health
check reopens the streams.

`SOFTPHONE_AUDIO_PROCESS=0` keeps the devices in the engine's process
(`LocalStreams`), as before: for comparison and as a fallback.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass

from softphone.media.bridge import (
    I_INPUT_CALLBACKS,
    I_OUTPUT_CALLBACKS,
    PLAYBACK_MARGIN_S,
    BridgeState,
    BridgeStats,
    PjmediaSide,
)
from softphone.media.nativebridge import make_audio_bridge
from softphone.media.streams import DeviceStreams, StreamError

RING_SECONDS = 1.0  # > pjmedia's clock catch-up (MAX_JUMP_MSEC, 500 ms)
PROCESS_GONE = "the audio process stopped"
_COMMANDS = frozenset(
    {
        "open_input",
        "open_output",
        "close_input",
        "close_output",
        "close",
        "started",
        "input_problem",
        "output_problem",
        "reinitialize",
        "set_processing",
        "stats",
        "cpu_seconds",
    }
)


def use_audio_process() -> bool:
    return os.environ.get("SOFTPHONE_AUDIO_PROCESS", "1") != "0"


class LocalStreams(DeviceStreams):
    """Device streams with their bridge, in this process: what the audio process
    runs, and the in-process mode."""

    def __init__(
        self,
        call_rate: int,
        frame_samples: int,
        state: BridgeState | None = None,
        playback_margin_s: float = PLAYBACK_MARGIN_S,
        drive_fd: int = -1,
    ) -> None:
        if state is None:
            state = BridgeState(int(call_rate * RING_SECONDS))
            state.clear()
        bridge = make_audio_bridge(
            call_rate=call_rate,
            frame_samples=frame_samples,
            state=state,
            playback_margin_s=playback_margin_s,
        )
        super().__init__(bridge, call_rate)
        if drive_fd >= 0 and hasattr(bridge, "drive_clock"):  # the C device side
            bridge.drive_clock(drive_fd)  # (engine/conferenceclock.py)
        self.pjmedia = bridge.pjmedia
        self.state = state

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.close()

    def reinitialize(self) -> None:
        from softphone.media.devices import reinitialize

        self.close()
        reinitialize()

    def set_processing(self, options: dict[str, bool]) -> str | None:
        """Echo cancellation etc. on or off; the reason when they cannot be had."""
        if not any(options.values()):
            self.bridge.processor = None
            return None
        from softphone.media.processing import ProcessingUnavailable, make_processor

        try:
            self.bridge.processor = make_processor(self.bridge.call_rate, **options)
        except ProcessingUnavailable as e:
            self.bridge.processor = None
            return str(e)
        return None

    def stats(self) -> BridgeStats:
        return self.bridge.stats()

    def cpu_seconds(self) -> float:
        """CPU time of the process the devices run in, beyond the caller's (none here)."""
        return 0.0


@dataclass
class _Child:
    proc: subprocess.Popen


class AudioProcess:
    """The engine thread's handle on the audio process: the interface of
    `LocalStreams`, each call a request to the child."""

    def __init__(
        self,
        call_rate: int,
        frame_samples: int,
        playback_margin_s: float = PLAYBACK_MARGIN_S,
        drive_fd: int = -1,
    ) -> None:
        from multiprocessing import shared_memory

        self.call_rate = call_rate
        self.frame_samples = frame_samples
        self.playback_margin_s = playback_margin_s
        self.drive_fd = drive_fd  # the conference clock's pipe (engine/conferenceclock.py)
        capacity = int(call_rate * RING_SECONDS)
        self._shm = shared_memory.SharedMemory(create=True, size=BridgeState.size(capacity))
        self.state = BridgeState(capacity, self._shm.buf, owner=self._shm)
        self.state.clear()
        self.pjmedia = PjmediaSide(self.state, call_rate, frame_samples)
        self.input = None
        self.output = None
        self._processing: dict[str, bool] | None = None
        self._child: _Child | None = None
        self._stale: set[str] = set()  # streams a dead child had open: reopen them
        self._lock = threading.Lock()
        self.restarts = 0
        # the streams' callback counts at the last health check (from shared memory)
        self._calls = {I_INPUT_CALLBACKS: -1, I_OUTPUT_CALLBACKS: -1}

    # ------------------------------------------------------------ process

    def start(self) -> None:
        """Start the child (returns at once; the first command waits for it)."""
        if self._child is not None and self._child.proc.poll() is None:
            return
        from softphone.media.devices import _package_root

        fds = (self.drive_fd,) if self.drive_fd >= 0 else ()
        proc = subprocess.Popen(
            [sys.executable, "-m", "softphone.media.audioproc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": _package_root()},
            pass_fds=fds,  # the conference clock's pipe, as the same number
        )
        config = {
            "shm": self._shm.name,
            "capacity": self.state.capacity,
            "call_rate": self.call_rate,
            "frame_samples": self.frame_samples,
            "playback_margin_s": self.playback_margin_s,
            "drive_fd": self.drive_fd,
        }
        proc.stdin.write(json.dumps(config).encode() + b"\n")
        proc.stdin.flush()
        self._child = _Child(proc)
        if self._processing is not None:
            self._send("set_processing", self._processing)

    @property
    def pid(self) -> int | None:
        return self._child.proc.pid if self._child is not None else None

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            try:
                child.proc.stdin.close()  # the child closes its streams and exits
                child.proc.wait(3)
            except (OSError, subprocess.TimeoutExpired):
                child.proc.kill()
                child.proc.wait(3)
        self.input = self.output = None
        # The name goes now; the mapping stays while anything holds the state
        # (pjmedia's port until the conference bridge lets go of it): never
        # unmapped under a callback.
        with contextlib.suppress(FileNotFoundError):
            self._shm.unlink()

    def _send(self, name: str, *args):
        with self._lock:
            if self._child is None or self._child.proc.poll() is not None:
                if self._child is not None:
                    self.restarts += 1
                    self._stale = {"input", "output"}
                self._child = None
                self.start()
            proc = self._child.proc
            try:
                pickle.dump((name, args), proc.stdin)
                proc.stdin.flush()
                status, value = pickle.load(proc.stdout)
            except (OSError, EOFError, pickle.UnpicklingError) as e:
                proc.kill()
                raise StreamError(f"{PROCESS_GONE}: {e}") from None
        if status == "error":
            raise value
        return value

    def _alive(self) -> bool:
        return self._child is not None and self._child.proc.poll() is None

    # ------------------------------------------------ the streams' interface

    def open_input(self, device):
        self.input = None
        self.input = self._send("open_input", device)
        self._stale.discard("input")
        self._calls[I_INPUT_CALLBACKS] = int(self.state.ints[I_INPUT_CALLBACKS])
        return self.input

    def open_output(self, device):
        self.output = None
        self.output = self._send("open_output", device)
        self._stale.discard("output")
        self._calls[I_OUTPUT_CALLBACKS] = int(self.state.ints[I_OUTPUT_CALLBACKS])
        return self.output

    def close_input(self) -> None:
        self.input = None
        if self._alive():
            self._send("close_input")

    def close_output(self) -> None:
        self.output = None
        if self._alive():
            self._send("close_output")

    def close(self) -> None:
        self.input = self.output = None
        if self._alive():
            self._send("close")

    def started(self, microphone: bool) -> bool:
        return self._alive() and self._send("started", microphone)

    def input_problem(self) -> str | None:
        if self.input is None:
            return None
        if not self._alive() or "input" in self._stale:
            return PROCESS_GONE
        if self._called_back(I_INPUT_CALLBACKS):
            return None
        return self._send("input_problem")

    def output_problem(self) -> str | None:
        if self.output is None:
            return None
        if not self._alive() or "output" in self._stale:
            return PROCESS_GONE
        if self._called_back(I_OUTPUT_CALLBACKS):
            return None
        return self._send("output_problem")

    def _called_back(self, slot: int) -> bool:
        """The stream called back since the last check: healthy, without a round trip
        to the audio process (which would cost both processes a wake-up, 10 a second).
        Otherwise the audio process judges (stopped, stalled, never started)."""
        calls = int(self.state.ints[slot])
        if calls == self._calls[slot]:
            return False
        self._calls[slot] = calls
        return True

    def reinitialize(self) -> None:
        self.input = self.output = None
        self._send("reinitialize")

    def set_processing(self, options: dict[str, bool]) -> str | None:
        self._processing = dict(options)
        return self._send("set_processing", self._processing)

    def stats(self) -> BridgeStats:
        return self._send("stats")

    def cpu_seconds(self) -> float:
        """The audio process's CPU time so far (user + system)."""
        return self._send("cpu_seconds")


# ------------------------------------------------------------------ the child


def _attach(name: str):
    """Open the engine's shared memory without registering it with this process's
    resource tracker, which would unlink it when this process exits
    (python/cpython#82300, fixed by `track=False` in 3.13)."""
    from multiprocessing import resource_tracker, shared_memory

    register = resource_tracker.register
    resource_tracker.register = lambda *a, **k: None
    try:
        return shared_memory.SharedMemory(name)
    finally:
        resource_tracker.register = register


def _child_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    # the protocol owns the original stdout; anything a library prints goes to stderr
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    config = json.loads(inp.readline())
    shm = _attach(config["shm"])
    state = BridgeState(config["capacity"], shm.buf, owner=shm)
    margin = config.get("playback_margin_s", PLAYBACK_MARGIN_S)
    drive_fd = config.get("drive_fd", -1)
    streams = LocalStreams(config["call_rate"], config["frame_samples"], state, margin, drive_fd)
    streams.cpu_seconds = _child_cpu
    try:
        while True:
            try:
                name, args = pickle.load(inp)
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            try:
                if name not in _COMMANDS:
                    raise ValueError(f"unknown command {name!r}")
                reply = ("ok", getattr(streams, name)(*args))
            except Exception as e:  # goes back to the engine, raised there
                reply = ("error", e)
            try:
                data = pickle.dumps(reply)
            except Exception:
                data = pickle.dumps(("error", StreamError(repr(reply[1]))))
            out.write(data)
            out.flush()
    finally:
        streams.close()
    return 0


if __name__ == "__main__":
    # no interpreter teardown: PortAudio's threads may still be winding down
    code = main()
    sys.stdout.flush()
    os._exit(code)
