"""libopus through ctypes (softphone.e2e.opus): a tone survives the round trip at the
bridge's rate, one packet per 20 ms frame, and what it refuses it says."""

from __future__ import annotations

import numpy as np
import pytest

from softphone.e2e import opus
from softphone.engine.tone import analyse_tone

pytestmark = pytest.mark.skipif(not opus.available(), reason="no libopus for ctypes")


@pytest.mark.parametrize("rate", [16000, 48000])
def test_a_tone_survives_encode_and_decode_at_the_bridge_rate(rate: int) -> None:
    encoder, decoder = opus.Encoder(rate), opus.Decoder(rate)
    n = rate // 50
    t = np.arange(n * 50) / rate
    pcm = (8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16)
    out = []
    for start in range(0, len(pcm), n):
        packet = encoder.encode(pcm[start : start + n].tobytes())
        assert 0 < len(packet) <= 32000 // 8 // 50 * 2  # about 32 kbit/s
        frame = decoder.decode(packet)
        assert len(frame) == 2 * n  # one packet, one frame at the same rate
        out.append(frame)
    heard = np.frombuffer(b"".join(out[-25:]), dtype=np.int16)
    report = analyse_tone(heard, rate, 600)
    assert report.detected and report.snr_db > 20, report


def test_refusals_are_errors_not_crashes() -> None:
    with pytest.raises(opus.OpusError):
        opus.Encoder(44100)
    with pytest.raises(opus.OpusError):
        opus.Decoder(11025)
    decoder = opus.Decoder(16000)
    with pytest.raises(opus.OpusError):
        decoder.decode(b"\xff" * 3)  # not an Opus packet
    encoder = opus.Encoder(16000)
    encoder.close()
    encoder.close()  # twice is fine
    with pytest.raises(opus.OpusError):
        encoder.encode(bytes(640))  # closed: an error, never a call with no state


def test_concealment_carries_the_voice_on_where_a_packet_is_missing() -> None:
    """A lost packet: libopus's concealment goes on with the tone where silence would
    have been, at the frame's length, then fades over consecutive losses."""
    encoder, decoder = opus.Encoder(16000), opus.Decoder(16000)
    t = np.arange(320 * 30) / 16000
    pcm = (8000 * np.sin(2 * np.pi * 600 * t)).astype(np.int16)
    for start in range(0, len(pcm), 320):
        decoder.decode(encoder.encode(pcm[start : start + 320].tobytes()))
    first = np.frombuffer(decoder.conceal(320), dtype=np.int16)
    assert len(first) == 320
    spectrum = np.abs(np.fft.rfft(first, 16000))  # 1 Hz bins
    assert abs(int(np.argmax(spectrum)) - 600) < 25  # the tone, not a gap
    assert np.sqrt(np.mean(first.astype(float) ** 2)) > 2000
    later = [np.frombuffer(decoder.conceal(320), dtype=np.int16) for _ in range(10)]
    assert np.abs(later[-1]).max() < np.abs(first).max()  # fading, not a drone
