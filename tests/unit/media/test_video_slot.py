"""The remote video slot: newest frame wins, one frame held, readers and a producer on
different threads, converting only when someone watches, released with the call."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

from softphone.media.video_slot import READER_GRACE_S, VideoSlot, VideoSlots


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def frame(value: int, w: int = 8, h: int = 6) -> np.ndarray:
    return np.full((h, w, 3), value % 256, dtype=np.uint8)


def test_video_slot_newest_frame_wins():
    slot = VideoSlot()
    assert slot.newest() is None and slot.last_arrival() is None
    for v in (10, 20, 30):
        slot.put(frame(v))
    got = slot.newest()
    assert got.seq == 3 and int(got.rgb[0, 0, 0]) == 30
    assert (got.width, got.height) == (8, 6)
    assert slot.newest(after=got.seq) is None  # nothing newer: cheap None
    slot.put(frame(40))
    assert slot.newest(after=got.seq).seq == 4
    assert slot.stats().put == 4 and slot.stats().replaced == 2  # 10 and 20 never read


def test_video_slot_holds_one_frame_however_many_are_put():
    slot = VideoSlot()
    refs = []
    for v in range(50):
        rgb = frame(v, 64, 48)
        refs.append(weakref.ref(rgb))
        slot.put(rgb)
        del rgb
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert len(alive) == 1 and alive[0]() is slot.newest().rgb


def test_video_slot_frames_are_read_only_and_must_be_rgb():
    slot = VideoSlot()
    slot.put(frame(1))
    with pytest.raises(ValueError):
        slot.newest().rgb[0, 0, 0] = 5
    with pytest.raises(ValueError):
        slot.put(np.zeros((6, 8), dtype=np.uint8))
    with pytest.raises(ValueError):
        slot.put(np.zeros((6, 8, 3), dtype=np.float32))


def test_video_slot_wants_frames_only_while_watched_and_at_display_rate():
    clock = Clock()
    slot = VideoSlot(max_fps=20, clock=clock)
    assert not slot.due()  # nobody has looked: the producer converts nothing
    slot.newest()
    assert slot.due()
    slot.put(frame(1))
    clock.now += 0.01
    assert not slot.due()  # 10 ms after the last: faster than 20 a second
    clock.now += 0.05
    assert slot.due()
    clock.now += READER_GRACE_S + 0.1
    assert not slot.due()  # the reader went away
    slot.newest()
    assert slot.due()


def test_video_slot_release_drops_the_frame_and_ignores_later_frames():
    slot = VideoSlot()
    slot.newest()
    slot.put(frame(1))
    slot.release()
    assert slot.released and slot.newest() is None and not slot.due()
    slot.put(frame(2))
    assert slot.newest() is None


def test_video_slot_one_producer_and_readers_on_other_threads():
    slot = VideoSlot()
    n = 3000
    problems: list[str] = []
    done = threading.Event()

    def produce() -> None:
        for i in range(1, n + 1):
            slot.put(np.full((4, 4, 3), i % 256, dtype=np.uint8))
        done.set()

    def read() -> None:
        last = 0
        seen = 0
        while not done.is_set() or last < n:
            got = slot.newest(after=last)
            if got is None:
                continue
            seen += 1
            if got.seq <= last:
                problems.append(f"went back from {last} to {got.seq}")
            if not (got.rgb == got.seq % 256).all():  # the pixels are the frame's own
                problems.append(f"frame {got.seq} has another frame's pixels")
            last = got.seq
        if seen == 0:
            problems.append("a reader saw nothing")

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    producer = threading.Thread(target=produce)
    producer.start()
    producer.join(30)
    for t in readers:
        t.join(30)
    assert not problems, problems[:5]
    assert slot.newest().seq == n


def test_video_slots_by_call_released_when_the_call_ends():
    slots = VideoSlots()
    a = slots.open("c1")
    assert slots.open("c1") is a and slots.get("c1") is a and slots.get("c2") is None
    b = slots.open("c2")
    slots.release("c1")
    assert a.released and slots.get("c1") is None and not b.released and len(slots) == 1
    slots.release("c1")  # twice: nothing
    slots.release_all()
    assert b.released and len(slots) == 0
