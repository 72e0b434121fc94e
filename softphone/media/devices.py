"""Sound devices as PortAudio sees them, chosen by name, and a watcher for hot-plug.

Any thread, but PortAudio calls (`list_devices`) go through the one thread that
owns this process's streams (the engine thread). PortAudio only sees devices
that existed when it was initialised, and re-initialising it closes every open
stream; so the watcher asks a child process (`python -m softphone.media.probe
--watch`), which re-initialises its own PortAudio every second and prints the
list when it changes. A call's streams are never touched just to look.

Choices are stored by device name, never by index (indices change whenever a
device comes or goes). `None` means "follow the system default".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace


class AudioUnavailable(RuntimeError):
    """No PortAudio here (library missing) or it failed to start."""


@dataclass(frozen=True)
class AudioDevice:
    name: str
    hostapi: str
    max_inputs: int
    max_outputs: int
    default_rate: int
    default_input: bool = False
    default_output: bool = False
    # the sound server's own name for a PulseAudio sink or source (media/pulse_devices.py)
    target: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.hostapi})"

    @property
    def key(self) -> str:
        """What settings keep for this device: its name, and for a sound server's device
        also the server's own name, which stays when the desktop's language (and with it
        the description that is the name) changes."""
        if self.target is None or self.name.endswith(f" [{self.target}]"):
            return self.name
        return f"{self.name} [{self.target}]"


@dataclass(frozen=True)
class DeviceList:
    devices: tuple[AudioDevice, ...] = ()
    error: str | None = None

    @property
    def inputs(self) -> tuple[AudioDevice, ...]:
        return tuple(d for d in self.devices if d.max_inputs > 0)

    @property
    def outputs(self) -> tuple[AudioDevice, ...]:
        return tuple(d for d in self.devices if d.max_outputs > 0)

    def names(self, kind: str) -> set[str]:
        return {d.name for d in (self.inputs if kind == "input" else self.outputs)}

    def default(self, kind: str) -> AudioDevice | None:
        for d in self.devices:
            if (d.default_input if kind == "input" else d.default_output) and (
                d.max_inputs if kind == "input" else d.max_outputs
            ):
                return d
        return None

    def find(self, name: str | None, kind: str) -> AudioDevice | None:
        """The device a choice `name` means (None: the system default) that can do `kind`:
        by name, then by label, then a sound server's device by `choice_matches` (its
        key, or the same device under another description). Never by a bare server
        name: the virtual devices of the tests share it with ALSA PCMs, and a process's
        PortAudio list can be older than the server's, so it would find the server's
        device under the PCM's name."""
        if name is None:
            return self.default(kind)
        pool = self.inputs if kind == "input" else self.outputs
        for matches in (
            lambda d: d.name == name,
            lambda d: d.label == name,
            lambda d: d.target is not None and choice_matches(name, d.key),
        ):
            found = [d for d in pool if matches(d)]
            if found:
                return found[0]
        return None

    def chosen(self, device: AudioDevice, name: str | None, kind: str) -> bool:
        """Whether a kept choice `name` means `device` (None, the default, means none)."""
        return name is not None and self.find(name, kind) == device

    def to_json(self) -> dict:
        return {"devices": [asdict(d) for d in self.devices], "error": self.error}

    @classmethod
    def from_json(cls, doc: dict) -> DeviceList:
        return cls(tuple(AudioDevice(**d) for d in doc.get("devices", ())), doc.get("error"))


def choice_matches(choice: str | None, key: str) -> bool:
    """Whether a kept choice means the device whose key (`AudioDevice.key`) is `key`: the
    same key; the same server device kept by its description alone (as settings were
    before keys); or its key under another description (the desktop's language changed:
    "Kopfhörer [alsa_output.usb-…]" is "Headphones [alsa_output.usb-…]")."""
    if choice is None:
        return False
    if choice == key:
        return True
    if not key.endswith("]") or " [" not in key:
        return False
    base, _, target = key[:-1].rpartition(" [")
    return choice == base or choice.endswith(f" [{target}]")


def sounddevice_module():
    """sounddevice, or AudioUnavailable saying why (not installed, no PortAudio library)."""
    try:
        import sounddevice
    except ImportError as e:
        raise AudioUnavailable(f"sound devices unavailable: {e}") from None
    except OSError as e:  # the PortAudio shared library is missing
        raise AudioUnavailable(f"PortAudio library not found: {e}") from None
    return sounddevice


def list_devices() -> DeviceList:
    """What this process's PortAudio knows now (initialised once; see `reinitialize`),
    then the sound server's own sinks and sources (Linux, media/pulse_devices.py)."""
    listed = _portaudio_devices()
    taken = {d.name for d in listed.devices}
    server = [
        replace(d, name=f"{d.name} [{d.target}]") if d.name in taken else d
        for d in server_audio_devices()
    ]
    return DeviceList(tuple(_prefer_first_hostapi([*listed.devices, *server])), listed.error)


def _portaudio_devices() -> DeviceList:
    try:
        sd = sounddevice_module()
        raw = sd.query_devices()
        apis = sd.query_hostapis()
    except (AudioUnavailable, OSError) as e:
        return DeviceList((), str(e))
    except Exception as e:  # PortAudioError
        return DeviceList((), f"PortAudio: {e}")
    devices = []
    for api in apis:
        for index in api["devices"]:
            d = raw[index]
            devices.append(
                AudioDevice(
                    name=d["name"],
                    hostapi=api["name"],
                    max_inputs=int(d["max_input_channels"]),
                    max_outputs=int(d["max_output_channels"]),
                    default_rate=int(d["default_samplerate"]),
                    default_input=index == api["default_input_device"],
                    default_output=index == api["default_output_device"],
                )
            )
    return DeviceList(tuple(devices))


def _prefer_first_hostapi(devices: list[AudioDevice]) -> list[AudioDevice]:
    """A system default exists once per host API; keep it only on the first that has one
    (PortAudio's own default host API comes first: ALSA, WASAPI/MME, Core Audio)."""
    seen_in = seen_out = False
    out = []
    for d in devices:
        di = d.default_input and not seen_in
        do = d.default_output and not seen_out
        seen_in |= di
        seen_out |= do
        out.append(AudioDevice(**{**asdict(d), "default_input": di, "default_output": do}))
    return out


def server_audio_devices() -> list[AudioDevice]:
    """The PulseAudio (or PipeWire) server's sinks and sources, where streams can be opened
    on them (media/pulse.py's ENABLED); none when there is no server."""
    from softphone.media import pulse, pulse_devices

    if not pulse.ENABLED:
        return []
    try:
        found = pulse_devices.server_devices()
    except pulse_devices.PulseListError:
        return []
    names = pulse_devices.unique_names(found)
    return [
        AudioDevice(
            name=name,
            hostapi=pulse_devices.HOSTAPI,
            max_inputs=d.channels if d.kind == "input" else 0,
            max_outputs=d.channels if d.kind == "output" else 0,
            default_rate=d.rate,
            default_input=d.default and d.kind == "input",
            default_output=d.default and d.kind == "output",
            target=d.name,
        )
        for d, name in zip(found, names, strict=True)
    ]


def callback_stream(device: AudioDevice, kind: str, rate: int, channels: int, callback,
                    latency: float | None = None):  # fmt: skip
    """A stream calling `callback` as sounddevice does, for what is not a call (the
    ringer, the checks): PortAudio's, or for a sound server's own sink or source
    (which PortAudio cannot open) libpulse's simple API (media/pulse_simple.py)."""
    if device.target is not None:
        from softphone.media.pulse_simple import PulseCallbackStream

        return PulseCallbackStream(kind, device.target, rate, channels, callback,
                                   latency=latency if latency is not None else 0.1)  # fmt: skip
    sd = sounddevice_module()
    cls = sd.InputStream if kind == "input" else sd.OutputStream
    extra = {} if latency is None else {"latency": latency}
    return cls(device=device_index(device), samplerate=rate, channels=channels,
               dtype="float32", callback=callback, **extra)  # fmt: skip


def device_index(device: AudioDevice) -> int:
    """This process's PortAudio index for `device` (by name and host API)."""
    sd = sounddevice_module()
    apis = sd.query_hostapis()
    for api in apis:
        if api["name"] != device.hostapi:
            continue
        for index in api["devices"]:
            if sd.query_devices(index)["name"] == device.name:
                return index
    raise LookupError(f"audio device {device.label} is not known to PortAudio here")


def reinitialize() -> None:
    """Re-read the devices. Closes every stream of this process: callers close theirs first."""
    sd = sounddevice_module()
    sd._terminate()
    sd._initialize()


class DeviceWatcher:
    """Runs the probe child process and calls `on_change(DeviceList)` from its reader thread."""

    def __init__(self, on_change: Callable[[DeviceList], None], interval: float = 1.0) -> None:
        self._on_change = on_change
        self._interval = interval
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self.latest: DeviceList | None = None

    def start(self) -> None:
        if self._proc is not None:
            return
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "softphone.media.probe", "--watch", str(self._interval)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": _package_root()},
        )
        self._thread = threading.Thread(target=self._read, name="audio-device-watcher", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        for line in proc.stdout:
            try:
                devices = DeviceList.from_json(json.loads(line))
            except (ValueError, TypeError):
                continue
            self.latest = devices
            self._on_change(devices)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # the child exits when its stdin closes
            proc.wait(3)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(3)
        if self._thread is not None:
            self._thread.join(3)


def _package_root() -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    existing = os.environ.get("PYTHONPATH")
    return root if not existing else f"{root}{os.pathsep}{existing}"
