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
