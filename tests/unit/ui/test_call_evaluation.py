"""The after-call rating: its note, read back, stored on the row of the right engine call."""

from __future__ import annotations

import pytest
from helpers import MemoryStore

from softphone.config.settings import HistorySettings
from softphone.engine import events as ev
from softphone.history.recorder import HistoryRecorder
from softphone.storage.database import LocalDatabase
from softphone.ui.call_evaluation import rating_note, rating_of, store_rating


def test_rating_note_round_trip() -> None:
    assert rating_note(4) == "call quality: 4/5 (good)"
    assert [rating_of(rating_note(n)) for n in range(1, 6)] == [1, 2, 3, 4, 5]
    assert rating_of(None) is None and rating_of("call quality: 9/5") is None
    with pytest.raises(ValueError, match="1 to 5"):
        rating_note(0)


def _call(call_id: str) -> list[ev.Event]:
    return [
        ev.CallDidStart(call_id, "acc", "sip:bob@127.0.0.1", ev.Direction.OUTGOING),
        ev.CallStateDidChange(call_id, ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallDidEnd(call_id, 200, "Normal", 30.0),
    ]


@pytest.mark.parametrize("keep", [True, False])
def test_store_rating_on_the_calls_own_row(tmp_path, keep: bool) -> None:
    with LocalDatabase.open(tmp_path / "d.db", MemoryStore()) as db:
        recorder = HistoryRecorder(db, HistorySettings(keep=keep))
        for event in _call("c1") + _call("c2"):
            recorder.on_event(event)  # not flushed: store_rating waits for the rows
        stored = store_rating(recorder, db, "c1", 2)
        recorder.close()
        if not keep:
            assert stored is None and db.list_calls() == []
            return
        rows = db.list_calls()
        assert [r.note for r in rows] == [None, "call quality: 2/5 (poor)"]  # newest first
        assert stored == rows[1]
