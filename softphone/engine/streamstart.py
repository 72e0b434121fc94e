"""A call's audio stream starts at its jitter buffer's own latency, not 40-60 ms late.

Two ways a stream started with a backlog its buffer never needed, seen in 5 of 18
lossless bench calls (bench/quality.py, receiving, G.722 and PCMU):
- pjsua starts a stream when the SDP is negotiated; the engine connects it to the
  bridge (devices, recorder, player) later, in `onCallMediaState`, and pjmedia's
  bridge reads a port only once something listens to it: the packets of that gap
  wait in the buffer (4 frames of 10 ms seen);
- the first packets can come in a burst (sender or network; 40-60 ms seen in the
  first 30 ms after the connection, the buffer steady at 0-20 ms otherwise).
pjmedia's adaptive buffer then takes the excess back by "progressive discard",
one 10 ms frame a second or so, and each frame it drops also turns the next one
into concealment: those calls scored 0.5-0.6 PESQ below the same speech in the
other direction (a 20 ms slip in two steps, early in the speech).

So a new stream's buffer is emptied when it is first connected, and for the next
WATCH_S a backlog that stands (the buffer never drains below STANDING_MS for
SPAN_S) is dropped at once, once: `pjmedia_stream_pause` on the decoder resets the
buffer, `pjmedia_stream_resume` goes on with what arrives. At a call's start the
far end is rarely talking yet; a drop there is one short gap, not two slips per
second of speech. Only streams pjsua has just made (`onStreamCreated`) and only
when their media is active: a stream pjsua itself paused (hold) is never resumed.

Checked, never assumed: the functions in pjsua2's extension and the layout of
pjmedia_jb_state (read beside pjsua2's own copy, field by field). Anything missing:
the stream is left as pjsua made it, the reason logged once.
SOFTPHONE_STREAM_START=0 turns it off (comparisons). Engine thread only.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pjsua2 as pj

from softphone.engine.pjnative import native_function

log = logging.getLogger(__name__)

ENABLED = os.environ.get("SOFTPHONE_STREAM_START", "1") != "0"
PJMEDIA_DIR_DECODING = 2


class _JbState(ctypes.Structure):
    """pjmedia 2.15's pjmedia_jb_state (pjmedia/jbuf.h): fifteen unsigned."""

    _fields_ = tuple(
        (name, ctypes.c_uint)
        for name in (
            "frame_size", "min_prefetch", "max_prefetch", "max_count", "burst", "prefetch",
            "size", "avg_delay", "min_delay", "max_delay", "dev_delay", "avg_burst", "lost",
            "discard", "empty",
        )
    )  # fmt: skip


# pjsua2's JbufState (a copy it makes) beside ours: every field but max_count
_SEEN_AS = {
    "frame_size": "frameSize", "min_prefetch": "minPrefetch", "max_prefetch": "maxPrefetch",
    "burst": "burst", "prefetch": "prefetch", "size": "size", "avg_delay": "avgDelayMsec",
    "min_delay": "minDelayMsec", "max_delay": "maxDelayMsec", "dev_delay": "devDelayMsec",
    "avg_burst": "avgBurst", "lost": "lost", "discard": "discard", "empty": "empty",
}  # fmt: skip


class Unavailable(RuntimeError):
    pass


class _Api:
    def __init__(self) -> None:
        vp, st = ctypes.c_void_p, ctypes.c_int
        try:
            self.pause = native_function("pjmedia_stream_pause", [vp, ctypes.c_int], st)
            self.resume = native_function("pjmedia_stream_resume", [vp, ctypes.c_int], st)
            self.jb_state = native_function(
                "pjmedia_stream_get_stat_jbuf", [vp, ctypes.POINTER(_JbState)], st
            )
        except (OSError, AttributeError) as e:
            raise Unavailable(f"pjsua2's build lacks a pjmedia function: {e}") from None


@functools.cache
def _api() -> _Api:
    return _Api()


@functools.cache
def _say_once(reason: str) -> None:
    log.info("streams join the bridge with what their jitter buffer holds: %s", reason)


# How the start is watched: for WATCH_S after the connection the engine samples the
# buffer each turn; a backlog of at least STANDING_MS in every sample of the last
# SPAN_S (MIN_SAMPLES or more) is a burst that arrived at once, not jitter: a
# steady 20 ms stream drains to 0-10 ms between two packets.
WATCH_S = 0.5
SPAN_S = 0.06
MIN_SAMPLES = 4
STANDING_MS = 30
POLL_MS = 10


@dataclass
class _Watch:
    address: int
    frame_ms: int
    until: float
    samples: list[tuple[float, int]] = field(default_factory=list)  # (when, ms held)

    def standing(self, now: float, held_ms: int) -> bool:
        """Whether the buffer has held a backlog through the whole recent span."""
        self.samples = [(t, ms) for t, ms in self.samples if now - t <= SPAN_S]
        self.samples.append((now, held_ms))
        span = now - self.samples[0][0]
        return (
            len(self.samples) >= MIN_SAMPLES
            and span >= SPAN_S * 0.75
            and min(ms for _, ms in self.samples) >= STANDING_MS
        )


class StreamStarts:
    """The engine's pjsua audio streams at their start, by (call, stream index)."""

    def __init__(self, enabled: bool = ENABLED) -> None:
        self.enabled = enabled
        self._streams: dict[tuple[str, int], int] = {}  # -> the pjmedia_stream's address
        self._fresh: set[tuple[str, int]] = set()  # made, not yet connected
        self._watched: dict[tuple[str, int], _Watch] = {}
        self.flushed_frames = 0  # frames dropped at starts, for tests and benchmarks
        self.restarts = 0  # bursts dropped while watching

    def on_stream_created(self, call_id: str, stream_idx: int, stream) -> None:
        """pjsua made a stream (`stream`: the SWIG pointer of OnStreamCreatedParam)."""
        address = int(stream) if stream is not None else 0
        if address:
            self._streams[(call_id, stream_idx)] = address
            self._fresh.add((call_id, stream_idx))

    def on_stream_destroyed(self, call_id: str, stream_idx: int) -> None:
        self._streams.pop((call_id, stream_idx), None)
        self._fresh.discard((call_id, stream_idx))
        self._watched.pop((call_id, stream_idx), None)

    def stream_address(self, call_id: str, stream_idx: int) -> int | None:
        """The live pjmedia_stream of (call, index), for probes and tests."""
        return self._streams.get((call_id, stream_idx))

    def connected(
        self,
        call_id: str,
        stream_idx: int,
        seen: Callable[[], pj.JbufState],
        frame_ms: int,
        now: float,
    ) -> int | None:
        """The stream now has listeners: empty its jitter buffer if it is new, and watch
        its start. `seen` reads pjsua2's copy of its state (Call.getStreamStat), to
        check our layout against; `frame_ms`: the codec's frame (a buffer slot). The
        frames it held, or None when nothing was done."""
        key = (call_id, stream_idx)
        if key not in self._fresh or not self.enabled:
            return None
        self._fresh.discard(key)
        address = self._streams[key]
        try:
            api = _api()
            before = _read_state(api, address, seen)
        except Unavailable as e:
            _say_once(str(e))
            return None
        if not _restart(api, address):
            return None
        self.flushed_frames += before.size
        self._watched[key] = _Watch(address, max(1, frame_ms), now + WATCH_S)
        log.debug("call %s stream %d joined the bridge: %d frame(s) of backlog dropped",
                  call_id, stream_idx, before.size)  # fmt: skip
        return before.size

    def poll_ms(self) -> int | None:
        """How long the engine may wait in pjsip while a start is watched."""
        return POLL_MS if self._watched else None

    def tick(self, now: float) -> None:
        """Engine turn: a burst held since the start is dropped, once per stream."""
        if not self._watched:
            return
        api = _api()
        for key, watch in list(self._watched.items()):
            if now > watch.until:
                del self._watched[key]
                continue
            state = _JbState()
            if api.jb_state(watch.address, ctypes.byref(state)) != 0:
                del self._watched[key]
                continue
            if watch.standing(now, state.size * watch.frame_ms) and _restart(api, watch.address):
                del self._watched[key]
                self.flushed_frames += state.size
                self.restarts += 1
                log.debug("call %s stream %d: a %d ms burst at its start dropped",
                          key[0], key[1], state.size * watch.frame_ms)  # fmt: skip


def _restart(api: _Api, address: int) -> bool:
    """Empty the stream's jitter buffer: pjmedia_stream_pause resets it, resume goes on."""
    if api.pause(address, PJMEDIA_DIR_DECODING) != 0:
        _say_once("pjmedia_stream_pause failed")
        return False
    api.resume(address, PJMEDIA_DIR_DECODING)
    return True


def _read_state(api: _Api, address: int, seen: Callable[[], pj.JbufState]) -> _JbState:
    """Our read of the stream's state, if it matches pjsua2's field by field (read again
    when a packet moved the counters between the two reads)."""
    for _ in range(3):
        state = _JbState()
        if api.jb_state(address, ctypes.byref(state)) != 0:
            raise Unavailable("pjmedia_stream_get_stat_jbuf failed")
        theirs = seen()
        ours = {f: getattr(state, f) for f in _SEEN_AS}
        if ours == {f: getattr(theirs, attr) for f, attr in _SEEN_AS.items()}:
            return state
    raise Unavailable(f"pjmedia_jb_state is not laid out as declared: {ours}")


def empty_jitter_buffer(stream_address: int) -> bool:
    """Empty a live stream's jitter buffer now (engine thread; tests, probes)."""
    return _restart(_api(), stream_address)


def jitter_state(stream_address: int) -> _JbState:
    """pjmedia's jitter-buffer state of a live stream (engine thread; tests, probes)."""
    state = _JbState()
    if _api().jb_state(stream_address, ctypes.byref(state)) != 0:
        raise Unavailable("pjmedia_stream_get_stat_jbuf failed")
    return state
