"""G.722's level against a spandsp-based peer: a tone sent either way arrives at the
level it was sent, from its first 200 ms to the end.

baresip's g722 module is spandsp's codec, as in Asterisk, FreeSWITCH and Linphone.
pjmedia's default scaling made what we received from it 6 dB loud and what it received
from us 6 dB quiet (see softphone.engine.codecs.match_g722_level_to_spandsp). Our real
engine calls a baresip started here on 127.0.0.1 (the test bed's peers offer only
PCMU/PCMA), directly over TLS with SDES-SRTP; each side plays a 1 kHz tone and records
what it receives.
"""

from __future__ import annotations

import wave
from pathlib import Path

import direct_baresip as peer
import numpy as np
import pytest
from helpers import read_wav_mono

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration

RATE = 16000
TONE_HZ = 1000
TONE_DBFS = -12.0  # loud enough to hear a level error, far from clipping at either level
LEAD_IN_S = 0.3  # silence before the tone, so its start can be found
TONE_S = 3.0
TOLERANCE_DB = 1.5
FRAME = RATE // 100  # 10 ms: ten whole periods of the tone
SENT_RMS = 10 ** (TONE_DBFS / 20) / np.sqrt(2)  # full scale 1


def write_tone(path: Path) -> None:
    """A 16 kHz mono WAV: silence, then the tone. Both sides send it."""
    t = np.arange(int(TONE_S * RATE)) / RATE
    tone = np.sqrt(2) * SENT_RMS * np.sin(2 * np.pi * TONE_HZ * t)
    samples = np.concatenate([np.zeros(int(LEAD_IN_S * RATE)), tone])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())


def tone_levels_db(path: Path) -> tuple[float, float]:
    """The received tone's level relative to the sent one (dB), in its first 200 ms and
    over the following second: the median RMS of 10 ms frames, from 20 ms after its
    start (the first frame holds only part of it, and ADPCM's step size adapts over the
    first milliseconds)."""
    samples, rate = read_wav_mono(path)
    assert rate == RATE, f"{path.name} is at {rate} Hz"
    n = len(samples) // FRAME
    frames = samples[: n * FRAME].astype(np.float64).reshape(n, FRAME) / 32767
    rms = np.sqrt((frames**2).mean(axis=1))
    loud = np.flatnonzero(rms > SENT_RMS / 4)  # 12 dB under what was sent
    assert loud.size, f"no tone in {path.name} (loudest 10 ms: {rms.max():.4f} RMS)"
    start = int(loud[0])
    first, later = rms[start + 2 : start + 20], rms[start + 20 : start + 120]
    assert later.size == 100, f"{path.name}: the tone lasted {(n - start) / 100:.2f} s"
    return tuple(20 * np.log10(np.median(w) / SENT_RMS) for w in (first, later))


@pytest.fixture
def baresip_g722(tmp_path: Path):
    """baresip on 127.0.0.1, offering G.722 only, playing tmp_path/tone.wav: its URI,
    its folder and its certificate."""
    write_tone(tmp_path / "tone.wav")
    with peer.local_peer(tmp_path, "G722", tmp_path / "tone.wav") as got:
        yield got


def test_g722_tone_keeps_its_level_both_ways_with_a_spandsp_peer(baresip_g722, tmp_path):
    uri, folder, peer_cert = baresip_g722
    received = tmp_path / "received.wav"
    with EngineSession() as session:
        session.wait_for(ev.EngineDidStart)
        call_tone(session, uri, peer_cert, tmp_path / "tone.wav", received)
    # (both recordings are whole once their calls have ended: test_recording.py)
    assert _frames(received) > 0, "we recorded nothing"
    theirs = peer.recording(folder)
    assert _frames(theirs) > 0, (folder / "baresip.log").read_text(errors="replace")[-2000:]
    levels = {
        "baresip -> softphone": tone_levels_db(received),
        "softphone -> baresip": tone_levels_db(theirs),
    }
    report = ", ".join(
        f"{k}: {a:+.1f} dB first 200 ms, {b:+.1f} dB later" for k, (a, b) in levels.items()
    )
    assert all(abs(x) <= TOLERANCE_DB for pair in levels.values() for x in pair), report


def test_g722_both_ways_with_a_spandsp_peer_keeps_all_16_bits(baresip_g722, tmp_path):
    """pjmedia's decoder alone would leave the lowest bit of every sample 0 (engine/
    g722_precision.py); ours keeps it: about half the received samples are odd, and not
    one sample was computed unlike pjmedia's decoder. What we send went through our
    16-bit encode (spandsp's bytes: tests/unit/media/test_g722_precision.py), 8000
    bytes a second of the call."""
    from softphone.engine import g722_precision

    uri, _folder, peer_cert = baresip_g722
    received = tmp_path / "received.wav"
    before, sent_before = g722_precision.mismatched(), g722_precision.encoded()
    with EngineSession() as session:
        session.wait_for(ev.EngineDidStart)
        call_tone(session, uri, peer_cert, tmp_path / "tone.wav", received)
    assert g722_precision.install(), "our G.722 decode is not in place on this machine"
    samples, _rate = read_wav_mono(received)
    heard = samples[np.abs(samples) > 100]
    assert heard.size > RATE, "the tone did not arrive"
    odd = np.count_nonzero(heard.astype(np.int64) & 1) / heard.size
    assert 0.3 < odd < 0.7, f"{odd:.1%} of the received samples are odd"
    assert g722_precision.mismatched() == before
    sent = g722_precision.encoded() - sent_before
    assert sent >= 8000 * TONE_S, f"our encode coded {sent} bytes"


def call_tone(session: EngineSession, uri: str, peer_cert: Path, wav: Path, received: Path) -> None:
    """Call `uri` offering G.722 only, send `wav`, record what comes back, hang up."""
    peer.add_direct_account(
        session, "g", "G722", ip="127.0.0.1", peer_ip="127.0.0.1", peer_cert=peer_cert
    )
    call_id = session.new_id("g")
    source = cmd.AudioSource(wav=wav, loop=False)
    session.submit(cmd.MakeCall(call_id, "g", uri, source=source, record=received))
    media = session.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=20
    )
    assert isinstance(media, ev.CallMediaDidChange), media
    assert media.codec.upper().startswith("G722") and media.media.encrypted, media
    session.drain(LEAD_IN_S + TONE_S + 0.5)
    session.submit(cmd.Hangup(call_id))
    session.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)


def _frames(path: Path | None) -> int:
    """The frames a WAV file's header counts; 0 while it is missing or not written yet."""
    if path is None or not path.exists():
        return 0
    try:
        with wave.open(str(path)) as w:
            return w.getnframes()
    except (EOFError, wave.Error):
        return 0
