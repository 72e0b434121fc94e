"""Helpers for tests (importable as `helpers`): profiles on other ports, WAV reading, polling."""

from __future__ import annotations

import contextlib
import sys
import time
import wave
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import numpy as np

from softphone.engine import events as ev
from softphone.security.secret import Secret


def profile_on_port(profile, port: int, **changes):
    uri = f"sip:127.0.0.1:{port};transport=tls"
    return replace(profile, port=port, registrar=uri, outbound_proxy=uri + ";lr", **changes)


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return data, rate


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def pattern_error(rgb: np.ndarray, bands: int = 8) -> float:
    """How far a received picture is from `e2e.media.PatternSource`'s (any size): the
    largest difference, in levels, between the mean green of each horizontal band and
    the pattern's green, which runs from black at the top to full at the bottom. Its
    red and blue move with every frame; the green ramp does not, and a lossy codec
    keeps a band's mean within a few levels."""
    h = rgb.shape[0]
    expected = np.arange(h) * 255 // h
    worst = 0.0
    for rows in np.array_split(np.arange(h), bands):
        got = float(rgb[rows, :, 1].mean())
        worst = max(worst, abs(got - float(expected[rows].mean())))
    return worst


class BaresipEvents:
    """Listens to a baresip peer's ctrl_tcp events (JSON in netstrings) on a thread."""

    PORTS: ClassVar[dict[str, int]] = {"alice": 4441, "bob": 4442, "carol": 4443}

    def __init__(self, user: str) -> None:
        import json
        import socket
        import threading

        self.events: list[dict] = []
        self._json = json
        self._sock = socket.create_connection(("127.0.0.1", self.PORTS[user]), timeout=5)
        self._sock.settimeout(0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b":" in buf:
                length, _, rest = buf.partition(b":")
                if not length.isdigit() or len(rest) < int(length) + 1:
                    break
                body, buf = rest[: int(length)], rest[int(length) + 1 :]
                with contextlib.suppress(ValueError):
                    self.events.append(self._json.loads(body))

    def of_type(self, kind: str) -> list[dict]:
        return [e for e in self.events if e.get("type") == kind]

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)


class MemoryStore:
    """An in-memory SecretStore: never the developer's keyring."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], str] = {}

    def get(self, service: str, name: str) -> Secret | None:
        value = self.values.get((service, name))
        return None if value is None else Secret(value)

    def set(self, service: str, name: str, value: str | Secret) -> None:
        self.values[(service, name)] = value if isinstance(value, str) else value.reveal()

    def delete(self, service: str, name: str) -> bool:
        return self.values.pop((service, name), None) is not None


class SipDump:
    """What Kamailio relayed since this object was made (sipdump files grow in place)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sizes = {p: p.stat().st_size for p in folder.glob("*.data")}

    def new_text(self) -> str:
        text = []
        for path in sorted(self.folder.glob("*.data")):
            with path.open("rb") as f:
                f.seek(self.sizes.get(path, 0))
                text.append(f.read().decode(errors="replace"))
        return "".join(text)

    def invites_to(self, user: str) -> list[str]:
        return [
            line for line in self.new_text().splitlines() if line.startswith(f"INVITE sip:{user}@")
        ]


@contextlib.contextmanager
def running_bridge():
    """A real engine behind the desktop app's bridge: (engine, bridge), stopped in the
    order the app stops them (the bridge stops listening before the engine stops)."""
    from softphone.engine import Engine
    from softphone.ui.bridge import EngineBridge

    engine = Engine()
    bridge = EngineBridge(engine)
    engine.start()
    try:
        yield engine, bridge
    finally:
        bridge.close()
        engine.stop()


# A laptop with a headset plugged in, as the engine lists it (UI tests).
DEVICES = ev.AudioDevicesDidChange(
    inputs=("Built-in microphone (ALSA)", "Headset (ALSA)"),
    outputs=("Speakers (ALSA)", "Headset (ALSA)"),
    input_names=("Built-in microphone", "Headset"),
    output_names=("Speakers", "Headset"),
    default_input="Built-in microphone",
    default_output="Speakers",
)


def device_switch(role, name, reason, fallback=False) -> ev.AudioDeviceDidSwitch:
    return ev.AudioDeviceDidSwitch(role, name, "ALSA", 48000, 20.0, reason, fallback)


@contextlib.contextmanager
def bench_module(name: str) -> Iterator[ModuleType]:
    """bench/<name>.py (a script, not a package) imported as bench_<name>, for as long
    as the block lasts."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]
