"""When a stream's start counts as a standing backlog (engine/streamstart.py)."""

from __future__ import annotations

from softphone.engine import streamstart
from softphone.engine.streamstart import STANDING_MS, _Watch


def feed(watch: _Watch, held_ms: list[int], step_s: float = 0.01) -> list[bool]:
    return [watch.standing(i * step_s, ms) for i, ms in enumerate(held_ms)]


def test_a_steady_stream_never_stands():
    # 20 ms packets into a buffer read every 20 ms: it drains to 0-10 ms each time
    assert not any(feed(_Watch(0, 10, 1.0), [0, 20, 0, 20, 10, 20] * 10))


def test_a_burst_that_stays_is_seen_once_the_span_is_covered():
    seen = feed(_Watch(0, 10, 1.0), [40, 60, 40, 60, 40, 60, 40, 60])
    assert not any(seen[:4]), "before SPAN_S of samples nothing is decided"
    assert seen[6] and seen[7]


def test_a_spike_that_drains_is_left_alone():
    # a late packet then two at once: one sample high, the buffer drains again
    assert not any(feed(_Watch(0, 10, 1.0), [0, 20, 60, 40, 20, 0, 20, 0, 20, 0]))


def test_one_low_sample_in_the_span_is_enough_to_wait():
    held = [40, 60, 40, 60, STANDING_MS - 10, 60, 40]
    assert not any(feed(_Watch(0, 10, 1.0), held))


def test_too_few_samples_over_the_span_decide_nothing():
    # the engine turned late: two samples 60 ms apart are not a span
    assert not any(feed(_Watch(0, 10, 1.0), [60, 60], step_s=0.06))


def test_unknown_or_disabled_streams_are_not_touched():
    starts = streamstart.StreamStarts(enabled=False)
    starts._streams[("c", 0)] = 1  # never dereferenced: disabled
    starts._fresh.add(("c", 0))
    assert starts.connected("c", 0, lambda: None, 10, 0.0) is None
    assert streamstart.StreamStarts().connected("nobody", 0, lambda: None, 10, 0.0) is None
    assert starts.poll_ms() is None


def test_the_discard_algorithm_takes_on_pjsua2s_opaque_field():
    """pjsua2 wraps MediaConfig.jbDiscardAlgo as an opaque pointer: written through
    ctypes and read back (engine/pjconfig.set_jb_discard; SOFTPHONE_JB_DISCARD)."""
    import ctypes

    import pjsua2 as pj

    from softphone.engine.pjconfig import JB_DISCARD, set_jb_discard

    med = pj.EpConfig().medConfig
    for name, value in JB_DISCARD.items():
        assert set_jb_discard(med, value), name
        copy = med.jbDiscardAlgo
        copy.disown()
        assert ctypes.c_int.from_address(int(copy)).value == value
