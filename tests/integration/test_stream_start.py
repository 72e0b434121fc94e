"""A call's stream starts at its jitter buffer's own latency (engine/streamstart.py).

Our real engine calls a baresip started here (G.722, TLS, SDES-SRTP) and records
what it receives; pjmedia's real jitter buffer is read through our declared
layout (checked against pjsua2's copy on every read that acts). Made to happen:
the engine thread busy for 60 ms before it connects the stream (packets wait in
the buffer: nothing reads it yet), and the bridge not reading the stream just
after the connection (the buffer then holds a backlog that stands, as after a
burst). What these calls do to PESQ is measured by bench/quality.py, not here.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import direct_baresip as peer
import numpy as np
import pytest

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine import streamstart
from softphone.engine.calls import Calls
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration

STALL_S = 0.06  # 3 packets of 20 ms: 6 frames of 10 ms in pjmedia's G.722 buffer


@pytest.fixture
def baresip_g722(tmp_path: Path):
    rate = 16000
    t = np.arange(12 * rate) / rate
    with wave.open(str(tmp_path / "theirs.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((0.25 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2").tobytes())
    with peer.local_peer(tmp_path, "G722", tmp_path / "theirs.wav") as got:
        yield got


def held_ms(s: EngineSession, call_id: str, seconds: float = 0.3) -> list[int]:
    """The buffer's content (ms) sampled every 10 ms (engine thread reads)."""

    def read() -> int:
        address = s.engine.stream_starts.stream_address(call_id, 0)
        return streamstart.jitter_state(address).size * 10

    out = []
    for _ in range(int(seconds / 0.01)):
        out.append(s.engine.run(read).result(5))
        time.sleep(0.01)
    return out


def call(s: EngineSession, uri: str, peer_cert: Path, record: Path) -> str:
    s.wait_for(ev.EngineDidStart)
    peer.add_direct_account(s, "j", "G722", ip="127.0.0.1", peer_ip="127.0.0.1",
                            peer_cert=peer_cert)  # fmt: skip
    call_id = s.new_id("j")
    s.submit(cmd.MakeCall(call_id, "j", uri, record=record))
    media = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=20
    )
    assert isinstance(media, ev.CallMediaDidChange), media
    assert media.codec.upper().startswith("G722") and media.media.encrypted, media
    return call_id


def hang_up(s: EngineSession, call_id: str) -> None:
    s.submit(cmd.Hangup(call_id))
    s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)


def test_packets_waiting_before_the_connection_are_dropped(baresip_g722, tmp_path, monkeypatch):
    uri, _folder, peer_cert = baresip_g722
    connect = Calls._connect_media

    def busy_then_connect(self, entry, aud):
        time.sleep(STALL_S)  # the engine thread busy while the stream receives
        connect(self, entry, aud)

    monkeypatch.setattr(Calls, "_connect_media", busy_then_connect)
    with EngineSession() as s:
        call_id = call(s, uri, peer_cert, tmp_path / "got.wav")
        time.sleep(0.5)
        held = held_ms(s, call_id)
        flushed = s.engine.stream_starts.flushed_frames
        hang_up(s, call_id)
    report = f"held {held} ms, {flushed} frames dropped at the start"
    # pjsua2's JbufState matched our read of pjmedia_jb_state, or nothing is dropped
    assert flushed >= STALL_S * 1000 / 10 - 2, report  # 10 ms frames that waited
    assert max(held) <= 40, report  # one packet, two at the read's phase


def test_a_backlog_standing_after_the_connection_is_dropped_once(
    baresip_g722, tmp_path, monkeypatch
):
    """The bridge stops reading the stream just after its connection, as if packets
    had come in a burst: the watch sees the real buffer hold 30 ms and more for
    60 ms and empties it, once; later backlogs are pjmedia's to handle."""
    uri, _folder, peer_cert = baresip_g722
    start = Calls._start_stream
    stalled = {}

    def start_then_stall(self, entry, si):
        start(self, entry, si)
        stalled["aud"] = aud = entry.pj.getAudioMedia(entry.audio_index)
        stalled["recorder"] = entry.recorder
        aud.stopTransmit(entry.recorder)  # nothing reads the stream now

    monkeypatch.setattr(Calls, "_start_stream", start_then_stall)
    with EngineSession() as s:
        call_id = call(s, uri, peer_cert, tmp_path / "got.wav")
        time.sleep(streamstart.WATCH_S + 0.1)  # the engine turns every 10 ms meanwhile
        starts = s.engine.stream_starts
        restarts, flushed = starts.restarts, starts.flushed_frames
        piled = held_ms(s, call_id, 0.05)  # still unread: it piles up again

        def empty_now() -> tuple[int, int]:
            address = starts.stream_address(call_id, 0)
            before = streamstart.jitter_state(address).size
            assert streamstart.empty_jitter_buffer(address)
            return before, streamstart.jitter_state(address).size

        emptied = s.engine.run(empty_now).result(5)
        s.engine.run(lambda: stalled["aud"].startTransmit(stalled["recorder"])).result(5)
        hang_up(s, call_id)
    report = (
        f"{restarts} restarts, {flushed} frames dropped, then {piled} ms piled up; "
        f"emptied by hand: {emptied[0]} -> {emptied[1]} frames"
    )
    assert restarts == 1, report
    held_at_restart = flushed * 10
    assert streamstart.STANDING_MS <= held_at_restart <= 200, report
    assert min(piled) > held_at_restart, "a second burst in the same start was dropped"
    # pausing the decoder does reset pjmedia 2.15's buffer (what all of this relies on)
    assert emptied[0] >= 6 and emptied[1] <= 2, report


def test_an_unknown_discard_algorithm_is_refused_with_a_warning(monkeypatch, caplog):
    """SOFTPHONE_JB_DISCARD is for experiments: a typo must not stop the engine."""
    monkeypatch.setenv("SOFTPHONE_JB_DISCARD", "progresive")
    with caplog.at_level("WARNING", logger="softphone.engine.engine"), EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
    assert any("SOFTPHONE_JB_DISCARD=progresive" in r.getMessage() for r in caplog.records)
