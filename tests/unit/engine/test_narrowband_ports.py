"""When the engine puts its own 16 kHz face on a call's stream (engine/narrowband.py),
and the probe of pjsua2's OnStreamCreatedParam layout, on this wheel's real struct.
The whole path through a call: tests/integration/test_narrowband.py."""

from __future__ import annotations

import ctypes
from types import SimpleNamespace

import pjsua2 as pj
import pytest

from softphone.engine import narrowband as nb


def stream_port(rate: int, channels: int = 1, fmt_id: int = nb.PJMEDIA_FORMAT_PCM):
    """A buffer shaped like the head of a pjmedia_port, as a stream would have it."""
    info = nb._PortInfo()
    info.fmt_id, info.fmt_type, info.detail_type = fmt_id, nb.PJMEDIA_TYPE_AUDIO, 1
    info.clock_rate, info.channel_count = rate, channels
    info.frame_time_usec, info.bits_per_sample = 20000, 16
    return info


def param_for(port) -> pj.OnStreamCreatedParam:
    prm = pj.OnStreamCreatedParam()
    prm.streamIdx = 2
    nb._StreamParam.from_address(int(prm.this)).port = ctypes.addressof(port)
    return prm


def test_the_declared_layout_is_pjsua2s():
    port = stream_port(8000)
    prm = param_for(port)
    raw = nb._param_struct(prm)
    assert (raw.stream_idx, raw.destroy_port) == (2, False)
    assert nb._addr(prm.pPort) == ctypes.addressof(port)  # SWIG reads what we wrote


def test_another_layout_is_refused_before_anything_is_written():
    raw = nb._StreamParam(None, 7, False, None)
    lying = SimpleNamespace(this=ctypes.addressof(raw), stream=None, streamIdx=1,
                            destroyPort=False, pPort=None)  # fmt: skip
    with pytest.raises(nb.Unavailable):
        nb._param_struct(lying)


@pytest.mark.parametrize(
    "port",
    [
        stream_port(16000),
        stream_port(48000),
        stream_port(8000, channels=2),
        stream_port(8000, fmt_id=0x31363051),
    ],
    ids=["16 kHz", "48 kHz", "stereo", "not PCM"],
)
def test_only_8_khz_mono_pcm_streams_are_taken(port):
    prm = param_for(port)
    assert nb.NarrowbandPorts(16000).on_stream_created("c1", prm) is False
    assert nb._addr(prm.pPort) == ctypes.addressof(port) and not prm.destroyPort


def test_nothing_is_taken_when_the_bridge_is_not_at_16_khz_or_it_is_turned_off():
    port = stream_port(8000)
    for ports in (nb.NarrowbandPorts(48000), nb.NarrowbandPorts(16000, enabled=False)):
        prm = param_for(port)
        assert ports.on_stream_created("c1", prm) is False
        assert nb._addr(prm.pPort) == ctypes.addressof(port)


def test_a_stream_never_seen_ending_is_a_no_op():
    ports = nb.NarrowbandPorts(16000)
    ports.on_stream_destroyed("nobody", 0)
    assert ports.reap() == 0 and ports.port("nobody") is None
