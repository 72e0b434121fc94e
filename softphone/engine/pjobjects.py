"""Thin pjsua2 subclasses: each forwards its callbacks to the engine by id.

Created, called back and destroyed on the engine thread (threadCnt = 0,
mainThreadOnly), except `PjLogWriter.write` and the frame callbacks of
`PjAnalyzerPort`, `PjBridgePort` and `PjE2ePort`, which pjmedia calls from its clock
thread: those only copy.
No logic lives here; `engine.py` and `calls.py` decide.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
import threading
import time
import traceback
from collections.abc import Callable
from typing import ClassVar, Protocol

import numpy as np
import pjsua2 as pj

from softphone.engine.pjframes import (
    FAST_PATH,
    data_address,
    frame_audio,
    keep_thread_state,
)

log = logging.getLogger(__name__)


def drop_frames(error: BaseException) -> str:
    """The error's traceback as text; its frames, and those of the errors it chains
    (`__context__`, `__cause__`), let go of.

    A traceback keeps its frames and their locals (pjsua2 objects among them) alive.
    Handed to another thread (a future's exception) or kept in a log record, they die
    there, or after libDestroy(), and that can crash the process. Kept by a frame it
    holds (a future that is a local of a frame in the traceback of its own exception)
    they form a reference cycle that only the garbage collector frees, on whichever
    thread is allocating then. Call it on the engine thread.
    """
    text = "".join(traceback.format_exception(error))
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return text


def log_failure(what: str, error: BaseException) -> None:
    """Log an unexpected error as text only (see `drop_frames`: never exc_info)."""
    log.error("%s failed: %s", what, drop_frames(error))


def _guarded(method: Callable) -> Callable:
    """An exception must never travel from a pjsua2 callback back into pjsip's C code:
    SWIG re-raises it out of libHandleEvents() later, far from its cause."""

    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except Exception as e:
            log_failure(f"{type(self).__name__}.{method.__name__}", e)
            return None

    return wrapper


class CallHandler(Protocol):
    def on_call_state(self, call_id: str) -> None: ...
    def on_call_media_state(self, call_id: str) -> None: ...
    def on_call_sdp_created(self, call_id: str, prm: pj.OnCallSdpCreatedParam) -> None: ...
    def on_call_rx_offer(self, call_id: str, prm: pj.OnCallRxOfferParam) -> None: ...
    def on_call_dtmf(self, call_id: str, digit: str, method: int) -> None: ...
    def on_call_transfer_request(
        self, call_id: str, prm: pj.OnCallTransferRequestParam
    ) -> None: ...
    def on_call_transfer_status(self, call_id: str, prm: pj.OnCallTransferStatusParam) -> None: ...
    def on_call_redirected(self, call_id: str, target: str) -> int: ...
    def on_call_replace_request(self, call_id: str, prm: pj.OnCallReplaceRequestParam) -> None: ...
    def on_call_replaced(self, call_id: str, prm: pj.OnCallReplacedParam) -> None: ...
    def on_call_tsx_state(self, call_id: str, prm: pj.OnCallTsxStateParam) -> None: ...
    def on_instant_message(self, call_id: str, prm: pj.OnInstantMessageParam) -> None: ...
    def on_stream_created(self, call_id: str, prm: pj.OnStreamCreatedParam) -> None: ...
    def on_stream_destroyed(self, call_id: str, stream_idx: int) -> None: ...


class PjEndpoint(pj.Endpoint):
    def __init__(
        self,
        on_transport_state: Callable[[pj.OnTransportStateParam], None],
        on_rejected_call: Callable[[pj.OnRejectedIncomingCallParam], None],
    ) -> None:
        super().__init__()
        self._on_transport_state = on_transport_state
        self._on_rejected_call = on_rejected_call

    @_guarded
    def onTransportState(self, prm: pj.OnTransportStateParam) -> None:
        self._on_transport_state(prm)

    @_guarded
    def onRejectedIncomingCall(self, prm: pj.OnRejectedIncomingCallParam) -> None:
        self._on_rejected_call(prm)


class PjAccount(pj.Account):
    def __init__(
        self,
        account_id: str,
        on_reg_state: Callable[[str, pj.OnRegStateParam], None],
        on_incoming: Callable[[str, pj.OnIncomingCallParam], None],
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self._on_reg_state = on_reg_state
        self._on_incoming = on_incoming

    @_guarded
    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        self._on_reg_state(self.account_id, prm)

    @_guarded
    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        self._on_incoming(self.account_id, prm)


class PjCall(pj.Call):
    def __init__(
        self, account: pj.Account, call_id: str, handler: CallHandler, pj_call_id: int = -1
    ) -> None:
        if pj_call_id == -1:
            super().__init__(account)
        else:
            super().__init__(account, pj_call_id)
        self.call_id = call_id
        self._h = handler

    @_guarded
    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        self._h.on_call_state(self.call_id)

    @_guarded
    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        self._h.on_call_media_state(self.call_id)

    @_guarded
    def onCallSdpCreated(self, prm: pj.OnCallSdpCreatedParam) -> None:
        self._h.on_call_sdp_created(self.call_id, prm)

    @_guarded
    def onCallRxOffer(self, prm: pj.OnCallRxOfferParam) -> None:
        self._h.on_call_rx_offer(self.call_id, prm)

    @_guarded
    def onDtmfEvent(self, prm: pj.OnDtmfEventParam) -> None:
        # onDtmfEvent reports the end of each digit once (flags bit 0 = end);
        # onDtmfDigit would report it too: use one of them only.
        if prm.flags & 1:
            self._h.on_call_dtmf(self.call_id, prm.digit, prm.method)

    @_guarded
    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:
        self._h.on_call_transfer_request(self.call_id, prm)

    @_guarded
    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        self._h.on_call_transfer_status(self.call_id, prm)

    def onCallRedirected(self, prm: pj.OnCallRedirectedParam) -> int:
        try:
            return self._h.on_call_redirected(self.call_id, prm.targetUri)
        except Exception as e:  # pjsip needs an answer: refuse to follow
            log_failure("onCallRedirected", e)
            return pj.PJSIP_REDIRECT_REJECT

    @_guarded
    def onCallReplaceRequest(self, prm: pj.OnCallReplaceRequestParam) -> None:
        self._h.on_call_replace_request(self.call_id, prm)

    @_guarded
    def onCallReplaced(self, prm: pj.OnCallReplacedParam) -> None:
        self._h.on_call_replaced(self.call_id, prm)

    @_guarded
    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:
        self._h.on_call_tsx_state(self.call_id, prm)

    @_guarded
    def onInstantMessage(self, prm: pj.OnInstantMessageParam) -> None:
        self._h.on_instant_message(self.call_id, prm)

    @_guarded
    def onStreamCreated(self, prm: pj.OnStreamCreatedParam) -> None:
        self._h.on_stream_created(self.call_id, prm)

    @_guarded
    def onStreamDestroyed(self, prm: pj.OnStreamDestroyedParam) -> None:
        self._h.on_stream_destroyed(self.call_id, prm.streamIdx)


class PjLogWriter(pj.LogWriter):
    """pjsip's log into Python logging (whose handlers carry the redaction filter)."""

    _LEVELS: ClassVar[dict[int, int]] = {
        0: logging.CRITICAL,
        1: logging.ERROR,
        2: logging.WARNING,
        3: logging.INFO,
    }

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__()
        self._log = logger

    # An end-to-end call is made with one extra pjsua audio slot per X-E2E line (see
    # e2e_calls); pjsua then fails, as intended, to start SRTP on a transport it does
    # not know, and says so at error level for every call. Expected: logged as debug.
    _EXPECTED = ("PJMEDIA_SRTP_ESDPINTRANSPORT",)
    # With video, one of those extra audio slots carries our m=video line (wire.merge).
    # pjsua finds a video line where its slot is audio: pjmedia_stream_info_from_sdp()
    # refuses it (PJMEDIA_EINVALIMEDIATYPE, in pjsua_media.c's apply_med_update), and
    # pjsua_media_channel_update() closes its own unused transport for that slot, marks
    # the slot's media as failed and carries on with the other lines: two error lines
    # per SDP negotiation (the call, each re-INVITE), and nothing lost (aiortc owns the
    # line; pjsua's media state of these calls is ignored, e2e_calls.owns_media_state).
    # Only an extra slot (index 1 and up) can hold a merged line, and pjsua gives every
    # line a peer adds a slot of the line's own type: the same mismatch on slot 0,
    # pjsua's own line, stays an error.
    _EXTRA_SLOT_TYPE = re.compile(r"(?:media |call\d+:)(\d+)\b.*PJMEDIA_EINVALIMEDIATYPE")

    def write(self, entry: pj.LogEntry) -> None:
        level = self._LEVELS.get(entry.level, logging.DEBUG)
        if level >= logging.ERROR and self._expected(entry.msg):
            level = logging.DEBUG
        if self._log.isEnabledFor(level):
            self._log.log(level, "%s", entry.msg.rstrip())

    def _expected(self, msg: str) -> bool:
        if any(tag in msg for tag in self._EXPECTED):
            return True
        mismatch = self._EXTRA_SLOT_TYPE.search(msg)
        return mismatch is not None and int(mismatch.group(1)) > 0


class PjAnalyzerPort(pj.AudioMediaPort):
    """Receives a call's decoded audio and measures tone energy and first sound.

    Runs on pjmedia's clock thread: it writes into a preallocated ring and
    counters only; analysis happens later on the engine thread.
    """

    def __init__(self, clock_rate: int, seconds: float = 8.0) -> None:
        super().__init__()
        self.clock_rate = clock_rate
        self._ring = np.zeros(int(clock_rate * seconds), dtype=np.int16)
        self._pos = 0
        self._filled = 0
        self._lock = threading.Lock()
        self.frames = 0
        self.first_sound_at: float | None = None

    def create(self, name: str = "analyzer") -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, self.clock_rate, 1, 20000, 16)
        self.createPort(name, fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        keep_thread_state()
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE  # it only listens

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        keep_thread_state()
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or frame.size == 0:
            return
        samples = _samples(frame.buf)
        self.frames += 1
        if self.first_sound_at is None and int(np.abs(samples).max(initial=0)) > 300:
            self.first_sound_at = time.monotonic()
        with self._lock:
            n = len(samples)
            end = self._pos + n
            if end <= len(self._ring):
                self._ring[self._pos : end] = samples
            else:
                cut = len(self._ring) - self._pos
                self._ring[self._pos :] = samples[:cut]
                self._ring[: n - cut] = samples[cut:]
            self._pos = end % len(self._ring)
            self._filled = min(self._filled + n, len(self._ring))

    def recent(self, seconds: float) -> np.ndarray:
        """The last `seconds` of received audio (engine thread)."""
        with self._lock:
            n = min(int(self.clock_rate * seconds), self._filled)
            idx = (np.arange(self._pos - n, self._pos)) % len(self._ring)
            return self._ring[idx].copy()


def destroy_media_port(port: pj.AudioMedia) -> None:
    """Free a conference-bridge port's C++ object now, while its Python object is
    alive. Engine thread; call it instead of dropping the last reference.

    Dropped, a Python port (`PjAnalyzerPort`, `PjBridgePort`, `PjE2ePort`) is
    deallocated first and its C++ object deleted from inside that deallocation, with
    the GIL given up (SWIG does so around every C++ call). pjmedia's clock thread calls
    every port of the bridge every 20 ms, connected or not (a heartbeat frame), and
    may at that moment be inside the port's callback, waiting for the GIL: pjsua2's
    destructor waits for it on the port's lock, and the callback then runs Python on
    an object whose reference count is already 0. Its bound method takes the count to
    1 and back to 0, and the object is deallocated a second time: heap corruption,
    which crashes the process later in unrelated code (reproduced: the callback on a
    dying port, then a segfault, within a few hundred ports).

    Deleted here, the C++ object goes first: the destructor takes the port out of
    the bridge and waits for a callback in flight, which runs on a live object; no
    callback comes after it (pjsua2 clears the port's link to the object under that
    lock). SWIG then marks the proxy as not owning anything, so its own end later
    frees only Python memory. Idempotent. Nothing may call the port afterwards.
    """
    if port.thisown:
        type(port).__swig_destroy__(port)


def _samples(buf: pj.ByteVector) -> np.ndarray:
    if FAST_PATH:
        address, size = data_address(buf)
        return np.ctypeslib.as_array((ctypes.c_int16 * (size // 2)).from_address(address)).copy()
    return np.frombuffer(bytes(buf), dtype=np.int16)


class FrameSink(Protocol):
    """The pjmedia side of the audio bridge (`softphone.media.bridge.AudioBridge`)."""

    def frame_requested(self, address: int, count: int) -> None: ...
    def frame_received(self, address: int, count: int) -> None: ...


class PjBridgePort(pj.AudioMediaPort):
    """The conference-bridge port of the sound devices: what it is asked for comes
    from the microphone, what it receives goes to the speaker.

    Frame callbacks run on pjmedia's clock thread: they resize the frame's
    vector (allocation-free once it has grown to a frame) and hand its raw
    address to the bridge, which memmoves. No logging: a failure is counted in
    `errors` and reported later by the engine thread.
    """

    def __init__(self, sink: FrameSink, clock_rate: int, frame_ms: int = 20) -> None:
        super().__init__()
        self.sink = sink
        self.clock_rate = clock_rate
        self.frame_ms = frame_ms
        self.errors = 0
        self.last_error = ""
        self._scratch = np.zeros(clock_rate * frame_ms // 1000 * 4, dtype=np.int16)

    def create(self, name: str = "sound-devices") -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, self.clock_rate, 1, self.frame_ms * 1000, 16)
        self.createPort(name, fmt)

    def connect(self, aud: pj.AudioMedia) -> None:
        """Both ways between the devices and a call's audio."""
        self.startTransmit(aud)
        aud.startTransmit(self)

    def disconnect(self, aud: pj.AudioMedia) -> None:
        for a, b in ((self, aud), (aud, self)):
            try:
                a.stopTransmit(b)
            except pj.Error as e:  # the call's media is already gone
                log.debug("stopTransmit: %s", e.reason)

    def release(self) -> None:
        destroy_media_port(self)  # never by dropping it: see destroy_media_port

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        keep_thread_state()
        try:
            size = frame.size
            count = size // 2
            if FAST_PATH:
                buf = frame.buf
                buf.resize(size)
                address, _ = data_address(buf)
                self.sink.frame_requested(address, count)
            else:
                out = self._scratch[:count]
                self.sink.frame_requested(out.ctypes.data, count)
                frame.buf = pj.ByteVector(out.tobytes())
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        except Exception as e:  # never into pjmedia's C code; never logged from here
            self.errors += 1
            self.last_error = f"{type(e).__name__}: {e}"
            frame.type = pj.PJMEDIA_FRAME_TYPE_NONE

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        keep_thread_state()
        try:
            count = frame.size // 2
            if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or count == 0:
                self.sink.frame_received(0, self.clock_rate * self.frame_ms // 1000)
            elif FAST_PATH:
                address, size = data_address(frame.buf)
                self.sink.frame_received(address, min(count, size // 2))
            else:
                data = np.frombuffer(bytes(frame.buf), dtype=np.int16)
                self.sink.frame_received(data.ctypes.data, len(data))
        except Exception as e:
            self.errors += 1
            self.last_error = f"{type(e).__name__}: {e}"


class PjE2ePort(pj.AudioMediaPort):
    """An end-to-end call's audio inside pjmedia's conference bridge.

    The bridge connects it like any call's audio (sources, recorder, analyzer,
    conference, the sound-device bridge). Frame callbacks run on pjmedia's clock
    thread and only move bytes to and from the call's `AudioBridge` queues.
    """

    def __init__(self, bridge) -> None:  # softphone.e2e.bridge.AudioBridge
        super().__init__()
        self._bridge = bridge

    def create(self, name: str) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, self._bridge.clock_rate, 1, 20000, 16)
        self.createPort(name, fmt)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        # what the peer said, for the bridge to play
        keep_thread_state()
        data = self._bridge.take_remote()
        if data is None:
            frame.type = pj.PJMEDIA_FRAME_TYPE_NONE
            return
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        size = len(data)
        if FAST_PATH:
            # Into the frame's own vector: no pjsua2 object is made (or freed) on this
            # thread, which is not the engine's (see ARCHITECTURE, lifetimes).
            buf = frame.buf
            buf.resize(size)
            address, _ = data_address(buf)
            ctypes.memmove(address, data, size)
        else:
            frame.buf = pj.ByteVector(data)
        frame.size = size

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        # what the bridge mixed for the peer (nothing: silence); with end-to-end Opus
        # the session encodes and sends it from here (AudioBridge.direct)
        keep_thread_state()
        self._bridge.put_local(frame_audio(frame))
