"""EngineBridge: the one way into the GUI thread, for engine events and background work.

GUI thread, except `_on_engine_event` and the background jobs, which say so. The
bridge is an `Engine.subscribe` listener: on the engine thread it only emits
`_delivered`, a signal connected to `_on_delivered` with a *queued* connection, so
every event reaches the GUI thread in the order the engine emitted it. There it is
re-emitted as the typed signal for its class (`callMediaChanged` for
`CallMediaDidChange`, ...) and then as `eventArrived`. Work that must stay off the GUI
thread (files, the database, scrypt) goes to `run_in_background`; its result comes
back through the same queued signal, to a bound method (never a lambda).

Commands go the other way with `submit`, which returns at once: the outcome is an
event. Nothing here blocks, and no slot runs inside a pjsua2 callback.

Handler names to grep for, in every ui module: `_on_<event>` handles an engine event
(`_on_call_did_end`), `_on_<widget>_<signal>` a Qt signal (`_on_call_button_clicked`),
`_done_<job>` a background result.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.media.video_slot import VideoSlot

log = logging.getLogger(__name__)


class EngineLike(Protocol):
    """What the bridge needs of `softphone.engine.Engine` (tests pass a fake)."""

    def submit(self, command: cmd.Command) -> None: ...

    def subscribe(self, listener: Callable[[ev.Event], None]) -> None: ...

    def unsubscribe(self, listener: Callable[[ev.Event], None]) -> None: ...

    def new_id(self, prefix: str = "c") -> str: ...

    def remote_video(self, call_id: str) -> VideoSlot | None: ...


@dataclass(frozen=True)
class JobResult:
    """What a background job returned, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class _Finished:
    token: int  # which job: the GUI thread looks it up (and lets go of it) by this
    result: JobResult


_Held = Callable[[], Callable[[JobResult], None] | None]


def _hold(done: Callable[[JobResult], None]) -> _Held:
    """A window's result method (or a partial of one) held weakly, so a window that was
    let go of while its job ran goes at once, on the GUI thread, and gets no result."""
    func = getattr(done, "func", done)
    if not isinstance(getattr(func, "__self__", None), QObject):
        return lambda: done
    method = weakref.WeakMethod(func)
    if func is done:
        return method
    args, keywords = done.args, done.keywords  # type: ignore[attr-defined]

    def partial() -> Callable[[JobResult], None] | None:
        bound = method()
        return functools.partial(bound, *args, **keywords) if bound is not None else None

    return partial


def _alive(method: Callable[..., Any]) -> bool:
    """False when the window a result method (or a partial of one) belongs to has gone."""
    owner = getattr(getattr(method, "func", method), "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class EngineBridge(QObject):
    # One signal per event class; each carries the frozen event itself.
    engineStarted = Signal(object)
    engineStopped = Signal(object)
    commandFailed = Signal(object)
    certificateRefused = Signal(object)
    registrationChanged = Signal(object)
    callStarted = Signal(object)
    callArrived = Signal(object)
    incomingCallRefused = Signal(object)
    callDialRefused = Signal(object)
    callStateChanged = Signal(object)
    callMediaChanged = Signal(object)
    callSecurityFailed = Signal(object)
    callSasReady = Signal(object)  # CallSasDidBecomeReady: show the code
    callPeerIdentityChanged = Signal(object)  # CallPeerIdentityDidChange: LOUD warning
    callVerificationChanged = Signal(object)  # CallVerificationDidChange
    callVideoArrived = Signal(object)  # CallVideoDidArrive
    callOfferRefused = Signal(object)
    callEnded = Signal(object)
    callDtmfArrived = Signal(object)
    callTransferRequested = Signal(object)
    callRedirectRequested = Signal(object)
    callTransferProgressed = Signal(object)
    callStatsUpdated = Signal(object)
    callAudioArrived = Signal(object)
    conferenceChanged = Signal(object)
    loopbackStarted = Signal(object)
    callAudioAnalyzed = Signal(object)
    audioDevicesChanged = Signal(object)
    audioDeviceSwitched = Signal(object)
    audioDeviceFailed = Signal(object)
    audioProcessingFailed = Signal(object)
    audioStatsUpdated = Signal(object)
    eventArrived = Signal(object)  # every event, after its typed signal

    _delivered = Signal(object)  # the queued hop into the GUI thread

    def __init__(self, engine: EngineLike, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._closed = False
        self._pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="ui-io")
        # Background jobs and their result methods, owned by the GUI thread: they often
        # reach a window (a bound method, a partial, a closure over `self`), and if a
        # worker thread let go of the last reference, the window would be deleted there,
        # off the GUI thread, which crashes Qt (shiboken's deferred deletion). Workers get
        # only a token; the GUI thread pops the entry when the result arrives.
        self._jobs: dict[int, tuple[Callable[[], Any], _Held | None]] = {}
        self._tokens = itertools.count()
        self._signals: dict[type, Signal] = {
            ev.EngineDidStart: self.engineStarted,
            ev.EngineDidStop: self.engineStopped,
            ev.CommandDidFail: self.commandFailed,
            ev.TransportDidFailVerification: self.certificateRefused,
            ev.AccountRegistrationDidChange: self.registrationChanged,
            ev.CallDidStart: self.callStarted,
            ev.CallDidArrive: self.callArrived,
            ev.IncomingCallWasRefused: self.incomingCallRefused,
            ev.CallDialWasRefused: self.callDialRefused,
            ev.CallStateDidChange: self.callStateChanged,
            ev.CallMediaDidChange: self.callMediaChanged,
            ev.CallSecurityDidFail: self.callSecurityFailed,
            ev.CallSasDidBecomeReady: self.callSasReady,
            ev.CallPeerIdentityDidChange: self.callPeerIdentityChanged,
            ev.CallVerificationDidChange: self.callVerificationChanged,
            ev.CallVideoDidArrive: self.callVideoArrived,
            ev.CallOfferWasRefused: self.callOfferRefused,
            ev.CallDidEnd: self.callEnded,
            ev.CallDtmfDidArrive: self.callDtmfArrived,
            ev.CallTransferWasRequested: self.callTransferRequested,
            ev.CallRedirectWasRequested: self.callRedirectRequested,
            ev.CallTransferDidProgress: self.callTransferProgressed,
            ev.CallStatsDidUpdate: self.callStatsUpdated,
            ev.CallAudioDidArrive: self.callAudioArrived,
            ev.ConferenceDidChange: self.conferenceChanged,
            ev.LoopbackDidStart: self.loopbackStarted,
            ev.CallAudioWasAnalyzed: self.callAudioAnalyzed,
            ev.AudioDevicesDidChange: self.audioDevicesChanged,
            ev.AudioDeviceDidSwitch: self.audioDeviceSwitched,
            ev.AudioDeviceDidFail: self.audioDeviceFailed,
            ev.AudioProcessingDidFail: self.audioProcessingFailed,
            ev.AudioBridgeStatsDidUpdate: self.audioStatsUpdated,
        }
        # The last device list and the device each role is on, as the engine last said:
        # a window opened later (settings, a call's device menu) starts from them.
        self.audio_devices: ev.AudioDevicesDidChange | None = None
        self.audio_in_use: dict[str, ev.AudioDeviceDidSwitch] = {}
        self._delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)
        engine.subscribe(self._on_engine_event)

    # -- GUI thread -------------------------------------------------------------------

    def submit(self, command: cmd.Command) -> None:
        self._engine.submit(command)

    def new_id(self, prefix: str = "c") -> str:
        return self._engine.new_id(prefix)

    def confirm_sas(self, call_id: str, matched: bool) -> None:
        """The users compared the short code of an end-to-end call (the buttons of
        `SasPanel`): matched marks it verified, a mismatch ends it."""
        self.submit(cmd.ConfirmSas(call_id, matched))

    def set_video(self, call_id: str, on: bool) -> None:
        """The camera of an end-to-end call with video, on or off (no renegotiation)."""
        self.submit(cmd.SetVideo(call_id, on))

    def remote_video(self, call_id: str) -> VideoSlot | None:
        """The other side's video of an end-to-end call (newest frame wins), None until
        its media is set up and after it ended. Read it from a timer on this thread;
        pixels never travel as events."""
        return self._engine.remote_video(call_id)

    def run_in_background(
        self, job: Callable[[], Any], done: Callable[[JobResult], None] | None = None
    ) -> None:
        """Run `job` on a worker thread; `done(JobResult)` is then called on this thread.
        After `close()` (shutting down) nothing runs."""
        if self._closed:
            return
        token = next(self._tokens)
        self._jobs[token] = (job, _hold(done) if done is not None else None)
        future = self._pool.submit(self._run_job, token)
        future.add_done_callback(functools.partial(self._finish, token))

    def close(self) -> None:
        """Stop listening (before the engine stops); queued deliveries are dropped."""
        if self._closed:
            return
        self._closed = True
        self._engine.unsubscribe(self._on_engine_event)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._jobs.clear()  # on this (the GUI) thread

    # -- engine thread / worker threads ---------------------------------------------

    def _on_engine_event(self, event: ev.Event) -> None:
        """Engine thread: hand the event over, nothing else."""
        if not self._closed:
            self._delivered.emit(event)

    def _run_job(self, token: int) -> Any:
        """Worker thread. The entry stays in `_jobs`, so the references dropped here are
        never the last ones."""
        return self._jobs[token][0]()

    def _finish(self, token: int, future: concurrent.futures.Future) -> None:
        """Worker thread: the job ended; deliver its result to the GUI thread."""
        if future.cancelled() or self._closed:
            return
        error = future.exception()
        result = JobResult(error=error) if error else JobResult(value=future.result())
        self._delivered.emit(_Finished(token, result))

    # -- GUI thread, from the queue ---------------------------------------------------

    @Slot(object)
    def _on_delivered(self, item: object) -> None:
        if self._closed:
            return
        if isinstance(item, _Finished):
            _job, held = self._jobs.pop(item.token, (None, None))
            done = held() if held is not None else None
            if done is not None and _alive(done):
                done(item.result)
            return
        if isinstance(item, ev.AudioDevicesDidChange):
            self.audio_devices = item
        elif isinstance(item, ev.AudioDeviceDidSwitch):
            self.audio_in_use[item.role] = item
        signal = self._signals.get(type(item))
        if signal is not None:
            signal.emit(item)
        self.eventArrived.emit(item)
