"""Sound devices in calls: one bridge port, the device streams behind it, and which
calls are connected to it.

Engine thread, like everything pjsua2 (the port's frame callbacks run on
pjmedia's clock thread, the streams' callbacks on PortAudio's: see
`media/bridge.py`). Device names come from settings; `None` follows the system
default. What happens when a device goes away:

* the watcher (a child process, `media/devices.py`) reports the new list within
  about a second, or the stream itself stops calling back;
* the stream on that device is closed and reopened on the system default, the
  call goes on (`AudioDeviceDidSwitch` says why), and the choice stays in
  settings, so the device is used again when it comes back.

PortAudio is re-initialised in this process only when a stream must open on a
device it does not know yet (one plugged in since it started); the streams that
are open are closed first and reopened right after, a gap of a few
milliseconds that the bridge fills with silence. Calls that do not use devices
are never touched.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.media.streams import NOT_STARTED

if TYPE_CHECKING:
    import pjsua2 as pj

    from softphone.engine.engine import Engine
    from softphone.engine.nativeport import NativeBridgePort
    from softphone.engine.pjobjects import PjBridgePort
    from softphone.media.audioproc import AudioProcess, LocalStreams
    from softphone.media.devices import AudioDevice, DeviceList, DeviceWatcher

log = logging.getLogger(__name__)

ROLES = ("microphone", "speaker")
_KIND = {"microphone": "input", "speaker": "output", "ringer": "output"}
RESTART_WINDOW_S = 10.0
MAX_RESTARTS = 5  # in RESTART_WINDOW_S; then the device counts as failed


@dataclass
class _Choice:
    microphone: str | None = None
    speaker: str | None = None
    ringer: str | None = None
    processing: dict[str, bool] = field(
        default_factory=lambda: dict.fromkeys(
            ("echo_cancellation", "noise_suppression", "auto_gain"), True
        )
    )


class AudioRouter:
    def __init__(self, engine: Engine, clock_rate: int) -> None:
        self._engine = engine
        self._clock_rate = clock_rate
        self.choice = _Choice()
        self.port: NativeBridgePort | PjBridgePort | None = None
        # the device streams and the bridge's device half: in the audio process
        # (media/audioproc.py), or in this one with SOFTPHONE_AUDIO_PROCESS=0
        self.streams: AudioProcess | LocalStreams | None = None
        self.watcher: DeviceWatcher | None = None
        self._connected: dict[str, pj.AudioMedia] = {}  # call id -> its audio media
        self._pending_list: DeviceList | None = None
        self._known: DeviceList | None = None  # this process's PortAudio view
        self._reported_errors = 0
        self._processor_error: str | None = None
        self._restarts: dict[str, list[float]] = {}  # role -> when its stream was restarted
        self.configured = False  # SetAudioDevices seen
        self.ringer = None  # media.ringer.Ringer, made on first ring
        self._ringing: set[str] = set()

    # ------------------------------------------------------------ commands

    def set_devices(self, c: cmd.SetAudioDevices) -> None:
        old = self.choice
        self.choice = _Choice(c.microphone, c.speaker, c.ringer, c.processing)
        self.configured = True
        self._ensure_watcher()
        self._ensure_streams()  # the audio process starts now, not when a call needs it
        if self.streams is not None and self._connected:
            if old.microphone != c.microphone:
                self._open("microphone", "switched by the user")
            if old.speaker != c.speaker:
                self._open("speaker", "switched by the user")
        # Between calls too: the bridge outlives the call that created it, and kept
        # the first call's choice (echo cancellation switched on in settings while idle
        # stayed off for every later call).
        if old.processing != c.processing:
            self._apply_processing()
        self._emit_list(self._known or self._probe())

    # ------------------------------------------------------------- ringer

    def ring(self, call_id: str) -> None:
        """An incoming call rings: play the cadence on the ringer device. Only once the
        devices have been configured (`SetAudioDevices`): a headless engine stays silent."""
        if not self.configured:
            return
        self._ringing.add(call_id)
        if self.ringer is not None and self.ringer.ringing:
            return
        from softphone.media.ringer import Ringer

        # the watcher's list, or, before its first, this process's PortAudio re-read
        # when that closes nothing (a ringer chosen a moment ago is then known)
        device, note = self._resolve("ringer", self._fresh_list())
        if device is None:
            self._engine.emit(ev.AudioDeviceDidFail("ringer", self.choice.ringer, "no device"))
            return
        self.ringer = self.ringer or Ringer()
        try:
            try:
                self.ringer.start(device)
            except LookupError:
                # plugged in after PortAudio started here; re-reading the devices
                # would close a call's streams, so then ring on the default instead
                if self._connected:
                    device = (self._known or self._probe()).default("output")
                    note = "the ringer is new: ringing on the system default"
                    if device is None:
                        raise
                else:
                    self._reinitialize_here()
                    self._probe()
                self.ringer.start(device)
        except (OSError, LookupError) as e:
            log.warning("ringer: %s", e)
            self._engine.emit(ev.AudioDeviceDidFail("ringer", device.name, str(e)))
            return
        self._engine.emit(
            ev.AudioDeviceDidSwitch(
                "ringer", device.name, device.hostapi, device.default_rate, 100.0,
                f"call {call_id} is ringing" + (f"; {note}" if note else ""), fallback=bool(note),
            )
        )  # fmt: skip

    def stop_ring(self, call_id: str) -> None:
        self._ringing.discard(call_id)
        if not self._ringing and self.ringer is not None:
            self.ringer.stop()

    def request_stats(self, _c: cmd.RequestAudioStats) -> None:
        if self.port is None:
            raise LookupError("sound devices are not in use")
        self._engine.emit(ev.AudioBridgeStatsDidUpdate(self.streams.stats(), self._port_errors()))

    def list_devices(self, _c: cmd.ListAudioDevices) -> None:
        self._emit_list(self._fresh_list())

    def _fresh_list(self) -> DeviceList:
        """The devices as they are now. This process's PortAudio sees only what was
        there when it started: the watcher's newest list if it has one, else
        PortAudio re-read when that closes nothing here (no call on the devices, no
        ring), else what this PortAudio sees."""
        if self.watcher is not None and self.watcher.latest is not None:
            return self.watcher.latest
        ringing = self.ringer is not None and self.ringer.ringing
        if not self._connected and not ringing:
            self._reinitialize_here()
        return self._probe()

    def _reinitialize_here(self) -> None:
        """Re-read this process's PortAudio (engine thread). That frees every stream of
        this process, the ringer's too: a ringer that rings is stopped first and started
        again after, on the same device, so no stream PortAudio freed is touched again
        (Ringer.stop() on it would abort and close freed memory)."""
        from softphone.media.devices import reinitialize

        ringer = self.ringer
        device = ringer.device if ringer is not None and ringer.ringing else None
        if device is not None:
            ringer.stop()
        reinitialize()
        if device is None:
            return
        try:
            ringer.start(device)
        except (OSError, LookupError) as e:
            log.warning("ringer: %s", e)
            self._engine.emit(ev.AudioDeviceDidFail("ringer", device.name, str(e)))

    # ---------------------------------------------------------- from calls

    def connect(self, call_id: str, aud: pj.AudioMedia) -> None:
        """Put a call's audio on the devices (its media just became active)."""
        self._ensure_port()
        if call_id in self._connected:
            self._disconnect_media(self._connected[call_id])
        self.port.connect(aud)
        self._connected[call_id] = aud
        if self.streams.input is None:
            self._open("microphone", "call started")
        if self.streams.output is None:
            self._open("speaker", "call started")

    def disconnect(self, call_id: str) -> None:
        aud = self._connected.pop(call_id, None)
        if aud is not None:
            self._disconnect_media(aud)
        if not self._connected and self.streams is not None:
            self.streams.close()

    def _disconnect_media(self, aud: pj.AudioMedia) -> None:
        self.port.disconnect(aud)

    # ------------------------------------------------------------ per turn

    def tick(self) -> None:
        pending, self._pending_list = self._pending_list, None
        if pending is not None:
            self._on_list(pending)
        if self.streams is None or not self._connected:
            return
        for role in ROLES:
            if role == "microphone":
                problem, current = self.streams.input_problem(), self.streams.input
            else:
                problem, current = self.streams.output_problem(), self.streams.output
            if problem is None or current is None:
                continue
            # A stream that stalls on a device that is still there gets a fresh
            # stream on the same device (the ALSA pulse plugin, for one, can stop
            # calling back after an xrun, or never start); only a device that is
            # gone, or one that keeps failing, sends the call to the default.
            now = time.monotonic()
            recent = [t for t in self._restarts.get(role, []) if now - t < RESTART_WINDOW_S]
            self._restarts[role] = [*recent, now]
            present = self.watcher is None or self.watcher.latest is None
            if not present:
                present = current.device.name in self.watcher.latest.names(_KIND[role])
            if present and len(recent) < MAX_RESTARTS:
                if problem == NOT_STARTED:
                    log.info("%s %s: %s, reopening", role, current.device.label, problem)
                else:
                    log.warning("%s %s: %s, reopening", role, current.device.label, problem)
                self._open(role, problem, quiet=problem == NOT_STARTED, same=True)
            else:
                log.warning("%s %s: %s", role, current.device.label, problem)
                self._open(role, problem, avoid_current=True)
        if self.port is not None and self.port.errors != self._reported_errors:
            self._reported_errors = self.port.errors
            log.error(
                "sound device port failed %d times: %s", self.port.errors, self.port.last_error
            )

    def poll_ms(self) -> int | None:
        return 200 if self._connected else None

    def shutdown(self) -> None:
        if self.ringer is not None:
            self.ringer.stop()
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        for call_id in list(self._connected):
            self.disconnect(call_id)
        if self.streams is not None:
            self.streams.stop()
            self.streams = None

    def release_port(self) -> None:
        """Destroy the port (its callbacks stop) once nothing is connected to it."""
        port, self.port = self.port, None
        if port is not None:
            port.release()

    # ------------------------------------------------------------ helpers

    def _ensure_port(self) -> None:
        if self.port is not None:
            return
        self._ensure_streams()
        self.port = make_bridge_port(self.streams, self._clock_rate)
        self._ensure_watcher()

    @property
    def native(self) -> bool:
        """Whether the devices' port runs in C (`engine/nativeport.py`)."""
        from softphone.engine.nativeport import NativeBridgePort

        return isinstance(self.port, NativeBridgePort)

    def _ensure_streams(self) -> None:
        if self.streams is not None:
            return
        from softphone.media.audioproc import AudioProcess, LocalStreams, use_audio_process
        from softphone.media.bridge import C_PORT_PLAYBACK_MARGIN_S, PLAYBACK_MARGIN_S

        frame = self._clock_rate // 50
        # the speaker's margin covers pjmedia's frames coming late: by the engine's GIL
        # with the Python port, by the scheduler only with the C port
        margin = C_PORT_PLAYBACK_MARGIN_S if c_port_wanted() else PLAYBACK_MARGIN_S
        # the microphone's frames drive the conference's clock (engine/conferenceclock.py)
        drive = self._engine.conference_clock.drive_fd
        if use_audio_process():
            self.streams = AudioProcess(self._clock_rate, frame, margin, drive)
            self.streams.start()
        else:
            self.streams = LocalStreams(
                self._clock_rate, frame, playback_margin_s=margin, drive_fd=drive
            )
        self._apply_processing()

    def _apply_processing(self) -> None:
        if self.streams is None:
            return
        from softphone.media.streams import StreamError

        try:
            error = self.streams.set_processing(dict(self.choice.processing))
        except StreamError as e:  # the audio process is gone: applied when it restarts
            log.warning("audio processing: %s", e)
            return
        if error is None:
            self._processor_error = None
        elif self._processor_error != error:
            self._processor_error = error
            log.warning("%s", error)
            self._engine.emit(ev.AudioProcessingDidFail(error))

    def _ensure_watcher(self) -> None:
        if self.watcher is not None:
            return
        from softphone.media.devices import DeviceWatcher

        self.watcher = DeviceWatcher(self._watched)
        self.watcher.start()

    def _watched(self, devices: DeviceList) -> None:
        """Watcher thread: hand the list to the engine thread."""
        self._pending_list = devices
        self._engine.wake()

    def _probe(self) -> DeviceList:
        from softphone.media.devices import list_devices

        self._known = list_devices()
        return self._known

    def _on_list(self, fresh: DeviceList) -> None:
        self._emit_list(fresh)
        if self.streams is None or not self._connected:
            return
        for role, open_stream in (
            ("microphone", self.streams.input),
            ("speaker", self.streams.output),
        ):
            wanted = getattr(self.choice, role)
            kind = _KIND[role]
            if open_stream is None:
                continue
            if open_stream.device.name not in fresh.names(kind):
                self._open(role, f"{open_stream.device.name} was removed", fresh=fresh)
                continue
            # the choice may name a device by its label (find)
            back = fresh.find(wanted, kind) if wanted is not None else None
            if back is not None and back.name != open_stream.device.name:
                self._open(role, f"{wanted} is back", fresh=fresh)

    def _resolve(self, role: str, fresh: DeviceList | None) -> tuple[AudioDevice | None, str]:
        """The device to open for `role`: the chosen one if present, else the default."""
        kind = _KIND[role]
        wanted = getattr(self.choice, role)
        # the watcher's list, when there is one, is the truth about what is present;
        # this process's PortAudio may still list a device that was unplugged
        lists = [fresh] if fresh is not None else [self._known or self._probe()]
        for devices in lists:
            if wanted is not None and devices.find(wanted, kind) is not None:
                return devices.find(wanted, kind), ""
        note = f"{wanted} is not available: using the system default" if wanted else ""
        for devices in lists:
            if devices.default(kind) is not None:
                return devices.default(kind), note
        return None, note

    def _open(
        self,
        role: str,
        why: str,
        *,
        fresh: DeviceList | None = None,
        avoid_current: bool = False,
        quiet: bool = False,
        same: bool = False,
    ) -> None:
        from softphone.media.streams import StreamError

        current = self.streams.input if role == "microphone" else self.streams.output
        if fresh is None and self.watcher is not None:
            fresh = self.watcher.latest  # newer than this process's PortAudio view
        device, note = self._resolve(role, fresh)
        if same and current is not None:
            device, note = current.device, ""
        stopped = avoid_current and current is not None and device is not None
        if stopped and device.name == current.device.name:
            # the chosen device itself keeps failing: fall back to the default
            default = (fresh or self._known or self._probe()).default(_KIND[role])
            device, note = default, f"{current.device.name} failed: using the system default"
        if device is None:
            self._close_role(role)
            self._engine.emit(ev.AudioDeviceDidFail(role, getattr(self.choice, role), why))
            return
        opener = self.streams.open_input if role == "microphone" else self.streams.open_output
        try:
            try:
                info = opener(device)
            except LookupError:
                # plugged in after PortAudio started here: re-read the devices
                # (closes every stream of this process; reopen the other one)
                other = self.streams.output if role == "microphone" else self.streams.input
                self.streams.reinitialize()  # closes the streams there
                self._reinitialize_here()
                self._probe()
                if other is not None:
                    reopen = (
                        self.streams.open_output
                        if role == "microphone"
                        else self.streams.open_input
                    )
                    reopen(other.device)
                info = opener(device)
        except (StreamError, LookupError, OSError) as e:
            fallback = (self._known or self._probe()).default(_KIND[role])
            if fallback is not None and fallback.name != device.name:
                try:
                    info = opener(fallback)
                    note = f"{device.name} failed to open ({e}): using the system default"
                except (StreamError, LookupError, OSError) as e2:
                    self._engine.emit(ev.AudioDeviceDidFail(role, device.name, str(e2)))
                    return
            else:
                self._engine.emit(ev.AudioDeviceDidFail(role, device.name, str(e)))
                return
        reason = f"{why}; {note}" if note else why
        if quiet:  # the same device again, after a start that did not happen
            return
        label, via = info.device.label, info.via
        log.info("%s: %s at %d Hz via %s (%s)", role, label, info.rate, via, reason)
        self._engine.emit(
            ev.AudioDeviceDidSwitch(
                role,
                info.device.name,
                info.device.hostapi,
                info.rate,
                round(info.latency_s * 1000, 1),
                reason,
                fallback=bool(note),
            )
        )

    def _close_role(self, role: str) -> None:
        if role == "microphone":
            self.streams.close_input()
        else:
            self.streams.close_output()

    def _emit_list(self, devices: DeviceList) -> None:
        default_in, default_out = devices.default("input"), devices.default("output")
        self._engine.emit(
            ev.AudioDevicesDidChange(
                inputs=tuple(d.label for d in devices.inputs),
                outputs=tuple(d.label for d in devices.outputs),
                # what settings keep (media/devices.py's AudioDevice.key)
                input_names=tuple(d.key for d in devices.inputs),
                output_names=tuple(d.key for d in devices.outputs),
                default_input=default_in.key if default_in else None,
                default_output=default_out.key if default_out else None,
                error=devices.error,
            )
        )

    def _port_errors(self) -> int:
        return self.port.errors if self.port is not None else 0


def make_bridge_port(
    streams: AudioProcess | LocalStreams, clock_rate: int
) -> NativeBridgePort | PjBridgePort:
    """The devices' conference-bridge port: in C when this build allows it, in Python
    otherwise (or with SOFTPHONE_NATIVE_PORT=0, for comparisons). Engine thread."""
    from softphone.engine import nativeport
    from softphone.engine.pjobjects import PjBridgePort

    why = c_port_unwanted()
    if why is None:
        port = nativeport.NativeBridgePort(streams.state, clock_rate)
        try:
            port.create()
            return port
        except nativeport.NativePortUnavailable as e:
            why = str(e)
    _note_python_port(why)
    port = PjBridgePort(streams.pjmedia, clock_rate)
    port.create()
    return port


def c_port_unwanted() -> str | None:
    """None when the devices' port will be the C one, else why not. Engine thread."""
    if os.environ.get("SOFTPHONE_NATIVE_PORT", "1") == "0":
        return "SOFTPHONE_NATIVE_PORT=0"
    from softphone.engine import nativeport

    return nativeport.available()


def c_port_wanted() -> bool:
    return c_port_unwanted() is None


@cache
def _note_python_port(why: str) -> None:
    log.info("sound devices through the Python port: %s", why)
