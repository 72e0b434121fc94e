"""Echo cancellation cancels echo, in a real call through the real (virtual) sound card.

The call is the embedded encrypted test call (TLS + SDES-SRTP through the engine's own
echo peer, as `softphone test-call --devices`), with the peer's leg turned into a far-end
talker: instead of echoing, it plays far-end speech and records what reaches it (what we
send). Our side uses the virtual microphone and speaker; an acoustic echo path
(PulseAudio's module-loopback, speaker monitor -> microphone, 60 ms and -9 dB) brings
what the speaker plays back into the microphone, as a laptop's speaker does into its
microphone. Later the near-end talker speaks too (another voice played into the
microphone): double talk. The same call is made with echo cancellation off and on (noise
suppression and automatic gain off both times, so only the canceller differs):

* echo return loss enhancement (ERLE): the power of what we send while only the far end
  talks, AEC off over AEC on;
* near-end speech during double talk: its level in what we send (least-squares gain of
  the near-end signal over 100 ms segments, each aligned by cross-correlation), AEC on
  relative to off.

No SIP test bed: the far end is inside this process, so the test needs only PulseAudio
(and espeak-ng and sox for the speech). On a machine so busy that the bridge counts
underruns in the AEC call (more than MAX_GAPS), the microphone's own gaps move the echo
against its reference; that call is made again (at most MAX_ATTEMPTS in all) and the
last one is measured.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pjsua2 as pj
import pytest
from helpers import read_wav_mono
from virtual_sound import MIC, SPEAKER

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration
REQUIRED = "1" in (
    os.environ.get("SOFTPHONE_REQUIRE_TESTBED"),
    os.environ.get("SOFTPHONE_REQUIRE_AUDIO"),
)

FAR_TEXT = (
    "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well. These days a chicken leg is a rare dish. "
    "Rice is often served in round bowls."
)
NEAR_TEXT = "The juice of lemons makes fine punch."
NEAR_AT_S = 9.0  # the near end starts talking this long after the far end's WAV starts
RATE = 16000  # the engine's call clock: the far end's recording
ERLE_MIN_DB = 15.0
MAX_GAPS = 4  # bridge underruns in the AEC call above which the machine starved it
MAX_ATTEMPTS = 3
NEAR_KEPT_MIN_DB = -10.0


def speech(folder: Path, name: str, text: str, voice: str, gain_db: float) -> Path:
    raw, out = folder / f"{name}-raw.wav", folder / f"{name}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out),
                    "norm", str(gain_db), "pad", "1.0", "1.0"], check=True)  # fmt: skip
    return out


def lagged(reference: np.ndarray, signal: np.ndarray) -> int:
    """Where `reference` starts inside `signal` (cross-correlation)."""
    n = 1 << int(np.ceil(np.log2(len(reference) + len(signal))))
    xc = np.fft.irfft(np.fft.rfft(signal, n) * np.conj(np.fft.rfft(reference, n)), n)
    return int(np.argmax(xc[: len(signal)]))


def near_gain(sent: np.ndarray, near: np.ndarray, at: int) -> float:
    """How loud `near` (starting at `at`) is inside `sent`: the median over its 100 ms
    segments with speech of the least-squares gain, each segment aligned on its own
    (±10 ms: the bridge's drift control stretches time by up to 0.5 %)."""
    seg, reach = RATE // 10, RATE // 100
    loud = power_db(near) - 10
    gains = []
    for i in range(0, len(near) - seg, seg):
        n = near[i : i + seg]
        if power_db(n) < loud:
            continue
        best = (-2.0, 0.0)
        for lag in range(-reach, reach + 1, 2):
            j = at + i + lag
            y = sent[j : j + seg] if j >= 0 else np.zeros(0)
            if len(y) < seg:
                continue
            corr = np.dot(y, n) / (np.linalg.norm(y) * np.linalg.norm(n) + 1e-9)
            if corr > best[0]:
                best = (corr, float(np.dot(y, n) / np.dot(n, n)))
        gains.append(best[1])
    return float(np.median(gains))


def starved(before, after) -> int:
    """Underruns the bridge counted between two stats (its counters run across calls)."""
    return (after.capture_underruns - before.capture_underruns) + (
        after.playback_underruns - before.playback_underruns
    )


def power_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-9))


def far_end(s, peer_call: str, wav: Path, record: Path, keep: list) -> None:
    """The echo peer's leg stops echoing, plays `wav` and records what it receives
    (engine thread; the objects stay in `keep` until the bridge has let go of them)."""
    entry = s.engine.calls.get(peer_call)
    aud = entry.pj.getAudioMedia(entry.audio_index)
    aud.stopTransmit(aud)
    player = pj.AudioMediaPlayer()
    player.createPlayer(str(wav), pj.PJMEDIA_FILE_NO_LOOP)
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(str(record))
    player.startTransmit(aud)
    aud.startTransmit(recorder)
    keep += [player, recorder]


def one_call(s, uri: str, virtual_sound, far: Path, near: np.ndarray, aec: bool, out: Path):
    s.submit(cmd.SetAudioDevices(MIC, SPEAKER, echo_cancellation=aec, noise_suppression=False,
                                 auto_gain=False))  # fmt: skip
    call_id = s.new_id("aec")
    s.submit(cmd.MakeCall(call_id, "caller", uri, devices=True))
    mine = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=10
    )
    assert isinstance(mine, ev.CallMediaDidChange) and mine.media.encrypted, mine
    peer = s.wait_for(ev.CallMediaDidChange, lambda e: e.call_id != call_id).call_id
    keep: list = []
    s.engine.run(lambda: far_end(s, peer, far, out, keep)).result(5)
    s.drain(NEAR_AT_S)
    player = virtual_sound.play_into_mic(near, RATE)
    far_seconds = len(read_wav_mono(far)[0]) / RATE
    s.drain(far_seconds - NEAR_AT_S + 0.5)
    s.submit(cmd.RequestAudioStats())
    stats = s.wait_for(ev.AudioBridgeStatsDidUpdate).stats
    player.wait(10)
    s.submit(cmd.Hangup(call_id))
    s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    time.sleep(1.0)  # pjmedia's bridge lets go of the ports on its clock thread
    s.engine.run(keep.clear).result(5)
    assert stats.processing == aec, stats
    return stats


@pytest.mark.timeout(180)
def test_echo_cancellation_removes_echo_and_keeps_double_talk(virtual_sound, tmp_path):
    missing = [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]
    try:
        import pywebrtc_audio  # noqa: F401
    except ImportError:
        missing.append("pywebrtc-audio (pip install -e '.[audio]')")
    if missing:
        message = (
            f"echo cancellation test needs {', '.join(missing)} (apt-get install espeak-ng sox)"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    far = speech(tmp_path, "far", FAR_TEXT, "en-us", -6)
    near_wav = speech(tmp_path, "near", NEAR_TEXT, "en-us+f3", -6)
    near, _ = read_wav_mono(near_wav)
    off_wav = tmp_path / "sent-off.wav"
    on_wavs = []
    loop = virtual_sound.loop_speaker_into_mic(latency_ms=60, volume_pct=71)
    try:
        # the recorders' WAV headers are complete once the engine has stopped
        with EngineSession() as session:
            session.wait_for(ev.EngineDidStart)
            session.submit(cmd.StartLoopback("caller"))
            uri = session.wait_for(ev.LoopbackDidStart).uri
            before = one_call(session, uri, virtual_sound, far, near, False, off_wav)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                on_wavs.append(tmp_path / f"sent-on-{attempt}.wav")
                stats = one_call(session, uri, virtual_sound, far, near, True, on_wavs[-1])
                gaps = starved(before, stats)
                before = stats
                if gaps <= MAX_GAPS:
                    break
                print(f"\nAEC call {attempt}: {gaps} bridge underruns (starved), calling again")
    finally:
        virtual_sound.unload_module(loop)
    got = {}
    for aec, path in ((False, off_wav), (True, on_wavs[-1])):
        samples, rate = read_wav_mono(path)
        assert rate == RATE and len(samples) > 10 * RATE, (path, rate, len(samples))
        got[aec] = samples.astype(np.float64)

    near_ref = near[RATE:-RATE].astype(np.float64)  # without the padding
    measured = {}
    for aec, sent in got.items():
        at = lagged(near_ref, sent)
        # the far end alone: from 1 s after its speech starts (its WAV starts with 1 s of
        # silence) until 0.2 s before the near end starts
        echo_only = sent[2 * RATE : at - RATE // 5]
        assert len(echo_only) > 4 * RATE, (aec, at)
        measured[aec] = (power_db(echo_only), near_gain(sent, near_ref, at), len(echo_only) / RATE)
    (off_db, off_gain, secs), (on_db, on_gain, _) = measured[False], measured[True]
    erle = off_db - on_db
    kept = float(20 * np.log10(max(on_gain, 1e-6) / max(off_gain, 1e-6)))
    print(
        f"\necho only ({secs:.1f} s): AEC off {off_db:.1f} dB, on {on_db:.1f} dB: ERLE "
        f"{erle:.1f} dB (threshold {ERLE_MIN_DB}); near end in double talk: gain off "
        f"{off_gain:.2f}, on {on_gain:.2f}: {kept:+.1f} dB (threshold {NEAR_KEPT_MIN_DB}); "
        f"AEC call {len(on_wavs)}, underruns {gaps}"
    )
    assert off_gain > 0.5, "without echo cancellation the near end must come through"
    assert erle >= ERLE_MIN_DB, measured
    assert kept >= NEAR_KEPT_MIN_DB, measured
