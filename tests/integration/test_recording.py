"""A call recording is a complete WAV file as soon as the call has ended, while the
engine goes on (the header, with the length, used to be written at engine stop)."""

from __future__ import annotations

import wave

import numpy as np

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.tone import analyse_tone
from softphone.tasks.session import EngineSession


def test_a_recording_is_whole_right_after_the_call_ends(tmp_path):
    path = tmp_path / "call.wav"
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        s.submit(cmd.StartLoopback("caller"))
        uri = s.wait_for(ev.LoopbackDidStart).uri
        call_id = s.new_id("rec")
        tone = cmd.AudioSource(tone_hz=(700,))
        s.submit(cmd.MakeCall(call_id, "caller", uri, source=tone, record=path))
        media = s.wait_for((ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id)
        assert isinstance(media, ev.CallMediaDidChange), media
        s.drain(1.5)
        s.submit(cmd.Hangup(call_id))
        s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
        s.drain(0.5)
        with wave.open(str(path)) as w:  # the engine still runs
            rate, frames = w.getframerate(), w.getnframes()
            samples = w.readframes(frames)
        assert frames >= rate, f"{frames} frames at {rate} Hz"

        heard = analyse_tone(np.frombuffer(samples, dtype=np.int16), rate, 700)
        assert heard.detected, heard  # the echo peer sent our tone back
