"""8 kHz calls go through our resampler (engine/narrowband.py), both ways.

Our real engine calls a baresip started here (PCMU only, TLS, SDES-SRTP). Each side
sends tones: 1 kHz, then 3.4 kHz (the top of the telephone band), and ours also
4.6 kHz, which above 4 kHz must not fold back to 3.4 kHz. The call's port in the
bridge must be ours (16 kHz, called every frame, every frame converted) and be
freed after the call. Measured here: 3.4 kHz -0.23 dB sent and -0.18 dB received,
4.6 kHz folded back at -64 dB, the 4.6 kHz image of what we received at -74 dB;
pjmedia's own resampling (SOFTPHONE_NARROWBAND=0): -0.52 and -0.42 dB, -90 and
-86 dB (a longer filter: more rejection, more delay, a lower band edge).
"""

from __future__ import annotations

import wave
from pathlib import Path

import direct_baresip as peer
import numpy as np
import pytest
from helpers import read_wav_mono, wait_until

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration

LEAD_IN_S = 0.3
SEGMENT_S = 1.0
AMPLITUDE = 0.25  # -12 dBFS
OURS = (1000, 3400, 4600)  # what we send, 16 kHz
THEIRS = (1000, 3400)  # what baresip sends, 8 kHz


def write_tones(path: Path, rate: int, freqs: tuple[int, ...], tail_s: float = 0.0) -> None:
    """Silence, the tones one after the other, silence (baresip hangs up when its
    file ends: its file lasts the call)."""
    t = np.arange(int(SEGMENT_S * rate)) / rate
    parts = [np.zeros(int(LEAD_IN_S * rate))]
    parts += [AMPLITUDE * np.sin(2 * np.pi * f * t) for f in freqs]
    parts.append(np.zeros(int(tail_s * rate)))
    samples = np.concatenate(parts)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((samples * 32767).astype("<i2").tobytes())


def segment_levels(path: Path, freqs: tuple[int, ...], probe: dict[int, int]) -> dict:
    """{(segment tone, measured frequency): amplitude} for the `probe` frequencies of
    each segment, measured over its middle 0.6 s, found from where the first tone starts."""
    samples, rate = read_wav_mono(path)
    x = samples.astype(np.float64) / 32767
    frame = rate // 100
    n = len(x) // frame
    rms = np.sqrt((x[: n * frame].reshape(n, frame) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > AMPLITUDE / np.sqrt(2) / 4)
    assert loud.size, f"no tone in {path.name}"
    start = int(loud[0]) * frame
    levels = {}
    for i, f in enumerate(freqs):
        a = start + int((i * SEGMENT_S + 0.2) * rate)
        seg = x[a : a + int(0.6 * rate)]
        assert len(seg) == int(0.6 * rate), f"{path.name} ends in the {f} Hz segment"
        w = np.hanning(len(seg))
        spectrum = np.abs(np.fft.rfft(seg * w)) * 2 / w.sum()
        bins = np.fft.rfftfreq(len(seg), 1 / rate)
        for g in {f, probe.get(f, f)} & set(range(rate // 2)):
            levels[(f, g)] = float(spectrum[np.abs(bins - g) <= 20].max())
    return levels


def db(a: float, b: float) -> float:
    return 20 * np.log10(max(a, 1e-9) / b)


@pytest.fixture
def baresip_pcmu(tmp_path: Path):
    write_tones(tmp_path / "theirs.wav", 8000, THEIRS, tail_s=10.0)
    with peer.local_peer(tmp_path, "PCMU", tmp_path / "theirs.wav") as got:
        yield got


def test_pcmu_call_keeps_the_band_edge_and_folds_nothing_back(baresip_pcmu, tmp_path):
    uri, folder, peer_cert = baresip_pcmu
    write_tones(tmp_path / "ours.wav", 16000, OURS)
    received = tmp_path / "received.wav"
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        peer.add_direct_account(
            s, "n", "PCMU", ip="127.0.0.1", peer_ip="127.0.0.1", peer_cert=peer_cert
        )
        call_id = s.new_id("n")
        source = cmd.AudioSource(wav=tmp_path / "ours.wav", loop=False)
        s.submit(cmd.MakeCall(call_id, "n", uri, source=source, record=received))
        media = s.wait_for(
            (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=20
        )
        assert isinstance(media, ev.CallMediaDidChange), media
        assert media.codec.upper().startswith("PCMU") and media.media.encrypted, media
        s.drain(LEAD_IN_S + len(OURS) * SEGMENT_S + 0.7)
        bridge_rate, counters = s.engine.run(lambda: _our_port(s, call_id)).result(5)
        s.submit(cmd.Hangup(call_id))
        s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)
        # pjmedia lets go of the port on its clock; then it is freed
        assert wait_until(lambda: s.engine.run(s.engine.narrowband.reap).result(5) == 0, 5)
        assert s.engine.run(lambda: s.engine.narrowband.port(call_id)).result(5) is None

    assert bridge_rate == 16000, "the call's bridge port is pjsua's 8 kHz stream port"
    assert counters["gets"] > 0 and counters["puts"] > 0 and counters["mismatched"] == 0
    sent = segment_levels(peer.recording(folder), OURS, {4600: 3400})
    got = segment_levels(received, THEIRS, {3400: 4600})
    report = (
        f"sent: 3.4 kHz {db(sent[3400, 3400], sent[1000, 1000]):+.2f} dB, "
        f"4.6 kHz folded to 3.4 kHz {db(sent[4600, 3400], sent[1000, 1000]):+.1f} dB; "
        f"received: 3.4 kHz {db(got[3400, 3400], got[1000, 1000]):+.2f} dB, "
        f"its image at 4.6 kHz {db(got[3400, 4600], got[3400, 3400]):+.1f} dB"
    )
    assert abs(db(sent[3400, 3400], sent[1000, 1000])) < 0.4, report
    assert db(sent[4600, 3400], sent[1000, 1000]) < -60, report
    assert abs(db(got[3400, 3400], got[1000, 1000])) < 0.4, report
    assert db(got[3400, 4600], got[3400, 3400]) < -60, report


def _our_port(s: EngineSession, call_id: str) -> tuple[int, dict]:
    """The call's bridge port's clock rate and our port's counters (engine thread)."""
    entry = s.engine.calls.get(call_id)
    rate = entry.pj.getAudioMedia(entry.audio_index).getPortInfo().format.clockRate
    port = s.engine.narrowband.port(call_id)
    return rate, (port.counters() if port else {"gets": 0, "puts": 0, "mismatched": 0})


def test_pcmu_codes_a_negative_sample_as_the_mirror_of_its_positive(baresip_pcmu, tmp_path):
    """pjmedia's G.711 encoder, left alone, codes a negative sample as if it were up to 3
    larger than its positive twin (narrowband.c, `g711_even`). We send quiet speech-band
    noise, then the same noise negated; baresip (rem's G.711, symmetric) must hear the
    second as the exact negative of the first. Without the correction 20 % of the
    samples differ; with it, none."""
    uri, folder, peer_cert = baresip_pcmu
    rate, n = 16000, 8000  # 0.5 s of noise
    rng = np.random.default_rng(7)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[np.fft.rfftfreq(n, 1 / rate) > 3300] = 0  # inside the telephone band
    noise = np.fft.irfft(spectrum, n)
    noise = np.round(noise / np.abs(noise).max() * 1500).astype(np.int16)  # about -30 dBFS
    gap = np.zeros(int(0.3 * rate), np.int16)
    ours = tmp_path / "mirror.wav"
    with wave.open(str(ours), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.concatenate([gap, noise, gap, -noise, gap]).astype("<i2").tobytes())
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        peer.add_direct_account(
            s, "n", "PCMU", ip="127.0.0.1", peer_ip="127.0.0.1", peer_cert=peer_cert
        )
        call_id = s.new_id("n")
        source = cmd.AudioSource(wav=ours, loop=False)
        s.submit(cmd.MakeCall(call_id, "n", uri, source=source))
        media = s.wait_for(
            (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=20
        )
        assert isinstance(media, ev.CallMediaDidChange), media
        assert media.codec.upper().startswith("PCMU"), media
        s.drain(2.0)
        s.submit(cmd.Hangup(call_id))
        s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)

    heard, heard_rate = read_wav_mono(peer.recording(folder))
    assert heard_rate == 8000
    heard = heard.astype(np.int64)
    first, second = _find(heard, noise[::2]), _find(heard, -noise[::2])
    assert second - first >= len(noise) // 2, (first, second)
    a = heard[first : first + len(noise) // 2]
    b = heard[second : second + len(noise) // 2]
    assert np.abs(a).max() > 300, "the noise did not arrive"
    # bar the smallest samples: pjmedia has one code for zero (+0), rem decodes it as 2
    differ = float(np.mean((a != -b) & (np.abs(a) + np.abs(b) > 4)))
    assert differ == 0.0, f"{differ:.1%} of the negated noise's samples are not mirror images"


def _find(heard: np.ndarray, pattern: np.ndarray) -> int:
    """Where `pattern` (roughly) starts in `heard`: the peak of their cross-correlation."""
    n = 1 << int(np.ceil(np.log2(len(heard) + len(pattern))))
    xc = np.fft.irfft(np.fft.rfft(heard, n) * np.conj(np.fft.rfft(pattern.astype(float), n)), n)
    return int(np.argmax(xc[: len(heard)]))
