"""A real virtual sound card for tests: PulseAudio null devices that PortAudio opens
through ALSA's pulse plugin, exactly like a card. Importable as `virtual_sound`.

    vs = VirtualSound.start()          # idempotent: reuses a running server
    vs.apply_env()                     # this process's PortAudio sees the devices
    player = vs.play_into_mic(samples, 16000)   # what the "microphone" hears
    got = vs.record_speaker(2.0)                # what was played to the "speaker"

PulseAudio runs as the current user (root is fine: it warns and goes on) with
its own runtime folder, socket and configuration, so it neither needs nor
disturbs a desktop session; it stays up between test runs. Devices:

* `softphone_mic` (input): a remap of the monitor of the null sink
  `softphone_mic_feed`; tests play into that sink;
* `softphone_speaker` (output): a null sink; tests record its monitor.

ALSA learns the devices from our own file, added to the standard one through
ALSA_CONFIG_PATH; `add_device`/`remove_device` make one come and go (hot-plug).
Needs Debian's pulseaudio, pulseaudio-utils and libasound2-plugins.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(os.environ.get("SOFTPHONE_VSOUND_DIR", f"/tmp/softphone-vsound-{os.getuid()}"))
MIC, MIC_FEED, SPEAKER = "softphone_mic", "softphone_mic_feed", "softphone_speaker"
RATE = 48000
PACKAGES = ("pulseaudio", "pulseaudio-utils", "libasound2-plugins")


class VirtualSoundError(RuntimeError):
    pass


def _missing_tools() -> list[str]:
    return [t for t in ("pulseaudio", "pactl", "pacat", "parec") if shutil.which(t) is None]


@dataclass
class VirtualSound:
    root: Path

    @property
    def socket(self) -> Path:
        return self.root / "native"

    @property
    def asound(self) -> Path:
        return self.root / "asound.conf"

    @property
    def env(self) -> dict[str, str]:
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(self.root),
            "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{self.asound}",
        }

    # --------------------------------------------------------------- server

    @classmethod
    def start(cls, root: Path = ROOT) -> VirtualSound:
        missing = _missing_tools()
        if missing:
            raise VirtualSoundError(
                f"missing {', '.join(missing)}: apt-get install {' '.join(PACKAGES)}"
            )
        vs = cls(root)
        if vs.running():
            vs._write_alsa()
            return vs
        root.mkdir(parents=True, exist_ok=True)
        (root / "state").mkdir(exist_ok=True)
        script = root / "default.pa"
        script.write_text(
            f"load-module module-native-protocol-unix socket={vs.socket} auth-anonymous=1\n"
            f"load-module module-null-sink sink_name={SPEAKER} rate={RATE} channels=1"
            " sink_properties=device.description=Softphone-virtual-speaker\n"
            f"load-module module-null-sink sink_name={MIC_FEED} rate={RATE} channels=1"
            " sink_properties=device.description=Softphone-microphone-feed\n"
            f"load-module module-remap-source master={MIC_FEED}.monitor source_name={MIC}"
            " source_properties=device.description=Softphone-virtual-microphone\n"
            f"set-default-sink {SPEAKER}\n"
            f"set-default-source {MIC}\n"
        )
        env = {**os.environ, **vs.env, "PULSE_STATE_PATH": str(root / "state")}
        env.pop("PULSE_SERVER")
        proc = subprocess.run(
            [
                "pulseaudio",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disallow-exit=no",
                "--use-pid-file=yes",
                "-n",
                "-F",
                str(script),
                f"--log-target=file:{root / 'pulseaudio.log'}",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        deadline = time.monotonic() + 10
        while not vs.running():
            if time.monotonic() > deadline:
                log = (root / "pulseaudio.log").read_text(errors="replace")[-2000:]
                raise VirtualSoundError(f"pulseaudio did not start: {proc.stderr}{log}")
            time.sleep(0.05)
        vs._write_alsa()
        return vs

    def running(self) -> bool:
        if not self.socket.exists():
            return False
        proc = subprocess.run(
            ["pactl", "info"], env={**os.environ, **self.env}, capture_output=True, timeout=10
        )
        return proc.returncode == 0

    def pactl(self, *args: str) -> str:
        proc = subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=10,
        )
        if proc.returncode != 0:
            raise VirtualSoundError(f"pactl {' '.join(args)}: {proc.stderr.strip()}")
        return proc.stdout

    def apply_env(self) -> None:
        """Point this process (and its children) at the virtual devices."""
        os.environ.update(self.env)

    # --------------------------------------------------------------- devices

    def _extra(self) -> Path:
        return self.root / "hotplug"

    def _write_alsa(self) -> None:
        names = [
            (MIC, "Softphone virtual microphone"),
            (SPEAKER, "Softphone virtual speaker"),
            # what tests and benchmarks play into the microphone through PortAudio
            # (its output timestamps say when a sample reached the microphone)
            (MIC_FEED, "What the virtual microphone hears"),
        ]
        extra = self._extra()
        if extra.exists():
            names += [(line, line) for line in extra.read_text().split() if line]
        text = "".join(
            f'pcm.{n} {{ type pulse; device {n}; hint {{ show on; description "{d}" }} }}\n'
            for n, d in names
        )
        tmp = self.asound.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.asound)

    def add_device(self, name: str) -> None:
        """Plug in a sound device called `name` (a sink, usable as speaker; its monitor
        is `name.monitor`)."""
        self.pactl(
            "load-module", "module-null-sink", f"sink_name={name}", f"rate={RATE}", "channels=1"
        )
        extra = self._extra()
        current = extra.read_text().split() if extra.exists() else []
        extra.write_text("\n".join([*current, name]) + "\n")
        self._write_alsa()

    def remove_device(self, name: str) -> None:
        extra = self._extra()
        current = extra.read_text().split() if extra.exists() else []
        extra.write_text("".join(f"{n}\n" for n in current if n != name))
        self._write_alsa()
        for line in self.pactl("list", "short", "modules").splitlines():
            fields = line.split("\t")
            if len(fields) > 2 and f"sink_name={name}" in fields[2]:
                self.pactl("unload-module", fields[0])

    def remove_all_added(self) -> None:
        extra = self._extra()
        for name in extra.read_text().split() if extra.exists() else []:
            with contextlib.suppress(VirtualSoundError):
                self.remove_device(name)

    def loop_speaker_into_mic(self, latency_ms: int = 60, volume_pct: int = 50) -> str:
        """An acoustic echo path: what is played to the speaker comes back into the
        microphone `latency_ms` later, at `volume_pct` (PulseAudio's module-loopback).
        Returns the module id for `unload_module`."""
        module = self.pactl(
            "load-module", "module-loopback", f"source={SPEAKER}.monitor", f"sink={MIC_FEED}",
            f"latency_msec={latency_ms}", "source_dont_move=true", "sink_dont_move=true",
        ).strip()  # fmt: skip
        for block in self.pactl("list", "sink-inputs").split("Sink Input #")[1:]:
            if f"Owner Module: {module}\n" in block:
                self.pactl("set-sink-input-volume", block.split()[0], f"{volume_pct}%")
                return module
        self.unload_module(module)
        raise VirtualSoundError("module-loopback started no stream")

    def unload_module(self, module: str) -> None:
        self.pactl("unload-module", module)

    # ---------------------------------------------------------------- signals

    def play_into_mic(self, samples: np.ndarray, rate: int = RATE) -> subprocess.Popen:
        """Start playing int16 mono `samples` into the virtual microphone."""
        return self.play_into(MIC_FEED, samples, rate)

    def play_into_mic_heard(
        self, samples: np.ndarray, rate: int = RATE, timeout: float = 3.0
    ) -> subprocess.Popen:
        """play_into_mic, returning once the virtual microphone carries the sound (or
        after `timeout`: the test's own check then says it was not heard). A null sink
        starts playing a new stream 0.3-2 s late (it wakes on its longest timer), so a
        short check started at once can hear nothing at all."""
        proc = self.play_into_mic(samples, rate)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if np.abs(self.record(MIC, 0.2).astype(np.int32)).max() > 300:
                break
        return proc

    def play_into(self, sink: str, samples: np.ndarray, rate: int) -> subprocess.Popen:
        """Start playing into `sink`; returns at once (pacat reads a file, not our pipe)."""
        data = tempfile.NamedTemporaryFile(dir=self.root, suffix=".raw")  # noqa: SIM115
        data.write(samples.astype("<i2").tobytes())
        data.flush()
        data.seek(0)
        proc = subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={sink}",
                f"--rate={rate}",
                "--channels=1",
                "--format=s16le",
                "--latency-msec=20",
                "--raw",
            ],
            stdin=data,
            env={**os.environ, **self.env},
        )
        data.close()  # pacat has its own descriptor; the name goes now
        return proc

    def record(self, source: str, seconds: float, rate: int = 16000) -> np.ndarray:
        """Record `seconds` from a pulse source (e.g. `softphone_speaker.monitor`)."""
        proc = subprocess.Popen(
            [
                "parec",
                f"--device={source}",
                f"--rate={rate}",
                "--channels=1",
                "--format=s16le",
                "--latency-msec=20",
                "--raw",
            ],
            stdout=subprocess.PIPE,
            env={**os.environ, **self.env},
        )
        want = int(seconds * rate) * 2
        data = b""
        assert proc.stdout is not None
        try:
            while len(data) < want:
                chunk = proc.stdout.read(min(65536, want - len(data)))
                if not chunk:
                    break
                data += chunk
        finally:
            proc.kill()
            proc.wait(5)
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int16)

    def record_speaker(self, seconds: float, rate: int = 16000) -> np.ndarray:
        return self.record(f"{SPEAKER}.monitor", seconds, rate)


def tone(freq: float, seconds: float, rate: int = RATE, level: float = 0.4) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
