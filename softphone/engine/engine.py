"""The engine: one thread that owns pjsua2; commands in, events out.

`Engine` methods other than the `_`-prefixed ones are safe from any thread.
Everything pjsua2 runs on the engine thread: it calls libCreate() itself
with threadCnt = 0 and mainThreadOnly, so pjsip calls Python back only on it,
and drains the command queue between libHandleEvents() turns.

Shutdown order matters (a Call alive after libDestroy() aborts the process):
hang up, let pjsip finish, Account.shutdown(), drop every pjsua2 object,
collect the garbage (not a GUI toolkit's), then libDestroy(), all on this thread.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import itertools
import logging
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pjsua2 as pj

from softphone import long_lived
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.accounts import Accounts
from softphone.engine.audio import AudioRouter
from softphone.engine.calls import CLOCK_RATE, Calls
from softphone.engine.codecs import CodecOrder, match_g722_level_to_spandsp
from softphone.engine.conferenceclock import ConferenceClock
from softphone.engine.gate import CallGate, CallPolicy
from softphone.engine.loopback import start_loopback
from softphone.engine.narrowband import NarrowbandPorts
from softphone.engine.pjconfig import JB_DISCARD, set_jb_discard
from softphone.engine.pjobjects import PjEndpoint, PjLogWriter, drop_frames, log_failure
from softphone.engine.streamstart import StreamStarts
from softphone.media.video_slot import VideoSlot, VideoSlots
from softphone.policy.signalling import TransferPolicy

log = logging.getLogger(__name__)

JB_DISCARD_DEFAULT = "progressive"  # pjsua's; SOFTPHONE_JB_DISCARD for experiments
pjsip_log = logging.getLogger("softphone.pjsip")

Listener = Callable[[ev.Event], None]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """pjlib prints its start-up lines to fd 1 before our log writer can be set."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _pjsip_level() -> int:
    """pjsip's verbosity follows Python logging: DEBUG shows SIP messages (level 5)."""
    level = pjsip_log.getEffectiveLevel()
    return 5 if level <= logging.DEBUG else 3 if level <= logging.INFO else 2


class _Waker:
    """Wakes the engine thread out of libHandleEvents() when a command arrives.

    pjsua2 offers no way to interrupt its poll from another thread. A SIP UDP
    transport on 127.0.0.1 is one more socket in pjsip's ioqueue: a 1-byte
    datagram to it ends the poll, and pjsip drops datagrams of 32 bytes or
    less without parsing them (sip_transport_udp.c, MIN_SIZE). Calls arriving
    on it are refused like any call on a transport its account does not use.
    """

    def __init__(self) -> None:
        self._addr: tuple[str, int] | None = None
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def attach(self, ep: pj.Endpoint) -> None:
        tc = pj.TransportConfig()
        tc.boundAddress = "127.0.0.1"
        tc.port = 0
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
        port = int(ep.transportGetInfo(tid).localName.rpartition(":")[2])
        self._addr = ("127.0.0.1", port)

    def wake(self) -> None:
        if self._addr is not None:
            with contextlib.suppress(OSError):
                self._sock.sendto(b"\0", self._addr)


# pjsua2 objects still referenced at libDestroy() would crash the process when
# freed later (by whichever thread's garbage collection reaches them). Any found
# are kept here for the life of the process, and reported as the bug they are.
_STRAGGLERS: list[object] = []
_OWNED_TYPES = (pj.Call, pj.Account, pj.AudioMediaPort, pj.ToneGenerator)
_OWNED_TYPES += (pj.AudioMediaPlayer, pj.AudioMediaRecorder)


def _collect_on_this_thread() -> None:
    """gc.collect() on the engine thread, so pjsua2 objects in reference cycles are
    destroyed here, before libDestroy() - but never another toolkit's objects.

    A full collection frees every cycle in the process. A Qt (shiboken) wrapper freed off
    the GUI thread has its deletion deferred to the GUI thread, and that has crashed the
    desktop app when a closed window's cycle was collected here. Such objects found in
    the garbage are kept (with what they reach) in `_FOREIGN_GARBAGE`: a few closed
    windows held until exit, at engine shutdown only.
    """
    long_lived.thaw()  # pjsua2 objects frozen at start-up must be found too
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
    finally:
        gc.set_debug(0)
    garbage = list(gc.garbage)
    gc.garbage.clear()
    _FOREIGN_GARBAGE.extend(o for o in garbage if _is_shiboken(o))
    del garbage
    gc.collect()  # the rest, now unreachable again, is freed here


def _is_shiboken(obj: object) -> bool:
    return any(c.__module__ == "Shiboken" for c in type(obj).__mro__)


_FOREIGN_GARBAGE: list[object] = []


def _keep_stragglers_alive() -> None:
    # (a proxy that owns nothing any more, a port after destroy_media_port, frees
    # only Python memory when it goes: not a straggler)
    alive = [o for o in gc.get_objects() if isinstance(o, _OWNED_TYPES) and o.thisown]
    alive = [o for o in alive if not any(o is s for s in _STRAGGLERS)]
    if alive:
        _STRAGGLERS.extend(alive)
        names = sorted({type(o).__name__ for o in alive})
        log.error("pjsua2 objects outlive the engine (kept alive to avoid a crash): %s", names)


class EngineError(RuntimeError):
    pass


class _Stop(cmd.Command):
    pass


class Engine:
    def __init__(
        self,
        *,
        pjsip_log_level: int | None = None,
        policy: CallPolicy | None = None,
        transfer_policy: TransferPolicy | None = None,
        user_agent: str = "softphone",
        video_source: Callable[[], Any] | None = None,
    ) -> None:
        policy = policy or CallPolicy()
        if transfer_policy is not None:
            policy = replace(policy, transfers=transfer_policy)
        self.gate = CallGate(policy)
        self._log_level = pjsip_log_level if pjsip_log_level is not None else _pjsip_level()
        self._user_agent = user_agent
        # Makes the outgoing video of an end-to-end call (a `softphone.e2e.media.FrameSource`:
        # the devices' camera); None: a moving test pattern.
        self.video_source = video_source
        # The other side's video of each end-to-end call with video, by call id: pixels
        # stay out of the event stream (see media.video_slot).
        self.video_slots = VideoSlots()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._running = False
        self.endpoint: PjEndpoint | None = None
        self.conference_clock = ConferenceClock()  # replaced, and started, with the endpoint
        self.narrowband = NarrowbandPorts(CLOCK_RATE)
        self.stream_starts = StreamStarts()
        self.accounts: Accounts | None = None
        self.calls: Calls | None = None
        self.audio: AudioRouter | None = None
        self._log_writer: PjLogWriter | None = None
        self._waker = _Waker()
        self._handler_table: dict[type, Callable[[Any], None]] = {}

    # ----------------------------------------------------- any thread

    def start(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            raise EngineError("engine already started")
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise EngineError("engine did not start in time")
        if self._start_error is not None:
            raise EngineError(f"engine failed to start: {self._start_error}")

    def stop(self, timeout: float = 15.0) -> None:
        if self._thread is None:
            return
        self._queue.put(_Stop())
        self._waker.wake()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise EngineError("engine did not stop in time")
        self._thread = None

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def submit(self, command: cmd.Command) -> None:
        if self._thread is None:
            raise EngineError("engine is not running")
        self._queue.put(command)
        self._waker.wake()

    def run(self, fn: Callable[[], Any]) -> concurrent.futures.Future:
        """Run `fn` on the engine thread (diagnostics and tests); its result comes back."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put((fn, future))
        self._waker.wake()
        return future

    def post(self, fn: Callable[[], Any]) -> None:
        """Run `fn` on the engine thread soon, without waiting (any thread; how the
        end-to-end media loop reports back). A failure is logged, never raised."""
        self._queue.put((fn, None))
        self._waker.wake()

    def subscribe(self, listener: Listener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def remote_video(self, call_id: str) -> VideoSlot | None:
        """The other side's video of `call_id` (newest frame wins), or None: the call
        has no end-to-end session with video yet, or has ended. Any thread; the slot
        says `released` once the call ends, and the caller should then let go of it."""
        return self.video_slots.get(call_id)

    def set_policy(self, policy: CallPolicy) -> None:
        """New rules for every later decision (settings changed); any thread."""
        self.gate = CallGate(policy)

    def wake(self) -> None:
        """Make the engine thread look at its work now (any thread)."""
        self._waker.wake()

    def new_id(self, prefix: str = "c") -> str:
        with self._ids_lock:
            return f"{prefix}{next(self._ids)}"

    def emit(self, event: ev.Event) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception as e:  # a listener must not take the engine down
                log_failure(f"event listener on {type(event).__name__}", e)

    # --------------------------------------------------- engine thread

    def _run(self) -> None:
        try:
            self._create_endpoint()
        except BaseException as e:  # reported to start()
            self._start_error = e
            self._started.set()
            return
        self._running = True
        long_lived.freeze()  # pjsua2's wrappers and all imported so far (see long_lived)
        self._started.set()
        self.emit(ev.EngineDidStart(self.endpoint.libVersion().full, self._capabilities()))
        try:
            self._loop()
        finally:
            self._destroy_endpoint()
            self.emit(ev.EngineDidStop())

    def _create_endpoint(self) -> None:
        ep = PjEndpoint(self._on_transport_state, self._on_rejected_call)
        with _quiet_stdout():
            ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = self._user_agent
        cfg.uaConfig.maxCalls = 8
        self._log_writer = PjLogWriter(pjsip_log)
        cfg.logConfig.writer = self._log_writer
        cfg.logConfig.level = self._log_level
        cfg.logConfig.consoleLevel = self._log_level
        cfg.logConfig.msgLogging = self._log_level >= 4
        cfg.medConfig.clockRate = CLOCK_RATE
        cfg.medConfig.sndClockRate = CLOCK_RATE
        cfg.medConfig.noVad = True  # the peer should hear our silence as silence, not gaps
        discard = os.environ.get("SOFTPHONE_JB_DISCARD", JB_DISCARD_DEFAULT)
        if discard not in JB_DISCARD:
            log.warning("SOFTPHONE_JB_DISCARD=%s: not one of %s; %s kept",
                        discard, "/".join(JB_DISCARD), JB_DISCARD_DEFAULT)  # fmt: skip
            discard = JB_DISCARD_DEFAULT
        if not set_jb_discard(cfg.medConfig, JB_DISCARD[discard]):
            log.warning("jitter buffer: pjsua's own discard algorithm (%s not taken)", discard)
        ep.libInit(cfg)
        # The Linux wheel has no sound-device backend: the conference's clock is ours,
        # driven by the microphone (engine/conferenceclock.py), else the null device's.
        clock = self.conference_clock = ConferenceClock()
        why = clock.unavailable()
        if why is not None:
            log.info("conference clock: pjsua's null device (%s)", why)
            ep.audDevManager().setNullDev()
        ep.libStart()
        if why is None:
            try:
                clock.start(CLOCK_RATE // 50, CLOCK_RATE)
            except (RuntimeError, OSError) as e:
                log.warning("conference clock: pjsua's null device (%s)", e)
                ep.audDevManager().setNullDev()
        match_g722_level_to_spandsp()
        self._waker.attach(ep)
        self.endpoint = ep
        self.codecs = CodecOrder(ep)
        self.accounts = Accounts(self)
        self.calls = Calls(self, self.accounts)
        self.audio = AudioRouter(self, CLOCK_RATE)
        self._handler_table = self._handlers()

    def _capabilities(self) -> tuple[str, ...]:
        caps = ["sip-tls", "srtp-sdes"]
        if self.accounts.dtls_srtp_available:
            caps.append("srtp-dtls")
        return tuple(caps)

    def _loop(self) -> None:
        while self._running:
            self._drain_commands()
            if not self._running:
                break
            try:
                # Commands wake the poll (see _Waker), so waiting long costs no latency.
                self.endpoint.libHandleEvents(self._poll_ms())
                self.calls.tick()
                self.audio.tick()
                self.accounts.tick()
            except Exception as e:  # one bad turn must not end every call
                log_failure("engine loop turn", e)

    def _poll_ms(self) -> int:
        waits = (self.audio.poll_ms(), self.calls.poll_ms(), self.stream_starts.poll_ms())
        return min(w for w in waits if w is not None)

    def _drain_commands(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Stop):
                self._running = False
                return
            if isinstance(item, tuple):
                self._run_function(*item)
            else:
                self._execute(item)

    def _run_function(
        self, fn: Callable[[], Any], future: concurrent.futures.Future | None
    ) -> None:
        try:
            result = fn()
        except Exception as e:
            if future is None:
                log_failure("posted function", e)
            else:
                # Without its frames: with them, the future (a local of this frame and of
                # _drain_commands') and its exception were a reference cycle holding fn's
                # locals - pjsua2 objects - for a collection on any thread to free (seen
                # by tests/integration/test_pjsua2_garbage.py). The text stays, as a note.
                e.add_note(f"on the engine thread:\n{drop_frames(e)}")
                future.set_exception(e)
            return
        if future is not None:
            future.set_result(result)

    def _execute(self, command: cmd.Command) -> None:
        handler = self._handler_table.get(type(command))
        try:
            if handler is None:
                raise EngineError(f"unknown command {type(command).__name__}")
            handler(command)
        except (pj.Error, LookupError, ValueError, EngineError, OSError) as e:
            reason = e.reason if isinstance(e, pj.Error) else str(e)
            log.warning("%s failed: %s", type(command).__name__, reason)
            self._command_failed(command, reason)
        except Exception as e:  # a bug: report it, keep every other call alive
            log_failure(type(command).__name__, e)
            self._command_failed(command, f"internal error: {type(e).__name__}: {e}")

    def _command_failed(self, command: cmd.Command, reason: str) -> None:
        self.emit(
            ev.CommandDidFail(
                type(command).__name__,
                reason,
                call_id=getattr(command, "call_id", None),
                account_id=getattr(command, "account_id", None),
            )
        )

    def _handlers(self) -> dict[type, Callable[[Any], None]]:
        c, a = self.calls, self.accounts
        assert self.audio is not None
        return {
            cmd.AddAccount: lambda x: c.warm_up(a.add(x)),
            cmd.RemoveAccount: lambda x: a.remove(x.account_id),
            cmd.Register: lambda x: a.register(x.account_id, True),
            cmd.Unregister: lambda x: a.register(x.account_id, False),
            cmd.MakeCall: c.make_call,
            cmd.Answer: c.answer,
            cmd.Reject: c.reject,
            cmd.Hangup: c.hangup,
            cmd.HangupAll: lambda _x: c.hangup_all(),
            cmd.Hold: c.hold,
            cmd.Resume: c.resume,
            cmd.SetMute: c.set_mute,
            cmd.SendDtmf: c.send_dtmf,
            cmd.TransferBlind: c.transfer_blind,
            cmd.TransferAttended: c.transfer_attended,
            cmd.Conference: c.conference,
            cmd.DecideRedirect: c.decide_redirect,
            cmd.RequestStats: c.request_stats,
            cmd.ConfirmSas: c.confirm_sas,
            cmd.SetVideo: c.set_video,
            cmd.AnalyzeAudio: c.analyze_audio,
            cmd.StartLoopback: lambda x: self.emit(start_loopback(a, x)),
            cmd.SetAudioDevices: self.audio.set_devices,
            cmd.ListAudioDevices: self.audio.list_devices,
            cmd.RequestAudioStats: self.audio.request_stats,
        }

    def _on_transport_state(self, prm: pj.OnTransportStateParam) -> None:
        if self.accounts is not None:
            self.accounts.on_transport_state(prm)

    def _on_rejected_call(self, prm: pj.OnRejectedIncomingCallParam) -> None:
        # pjsua answers some INVITEs itself before any account sees them; a
        # plain-RTP offer to an SRTP-mandatory account is one (488).
        reason = prm.reason
        if prm.statusCode in (406, 488):
            reason = (
                "caller's offer lacks the encryption this account requires: unencrypted "
                f"media, or SRTP keys over a hop that is not TLS ({prm.statusCode} {reason})"
            )
        self.emit(ev.IncomingCallWasRefused(prm.remoteInfo, prm.statusCode, reason))

    def _destroy_endpoint(self) -> None:
        ep = self.endpoint
        if ep is None:
            return
        try:
            self.audio.shutdown()
            self.calls.shutdown()
            self._pump_until(lambda: not self.calls.entries(), 3.0)
            self.accounts.shutdown()
            self._pump_until(lambda: False, 0.2)  # let un-REGISTER go out
            # calls are gone and the bridge has run ~10 ticks since: ports can go
            self.calls.shutdown_media()
            self.calls.reap(port_grace_s=0.0)
            self.audio.release_port()
            self.accounts.reap(final=True)
            self.accounts.remove_transports()
        finally:
            self._handler_table = {}  # its bound methods hold the registries
            self.video_slots.release_all()
            self.calls = None
            self.audio = None
            self.accounts = None
            self.codecs = None
            _collect_on_this_thread()
            _keep_stragglers_alive()
            self.conference_clock.stop()  # its thread clocks what libDestroy frees
            ep.libDestroy()
            self.narrowband.reap()  # the bridge destroyed what it still held
            _free_native_ports()
            self.endpoint = None
            self._log_writer = None

    def _pump_until(self, done: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not done():
            self.endpoint.libHandleEvents(10)
            self.calls.tick()


def _free_native_ports() -> None:
    """The C bridge ports pjmedia destroyed with the endpoint, freed (only if any
    was ever made: the module is not imported otherwise)."""
    nativeport = sys.modules.get("softphone.engine.nativeport")
    if nativeport is not None:
        nativeport.reap()
