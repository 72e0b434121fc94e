"""The optional one-question evaluation after a call (seed 000: "a short, formal
evaluation of the call for ongoing process improvement"). Pure, any thread, except
`store_rating`, which runs on a worker thread.

The answer is stored as the note of the call's history row, encrypted like the rest
of the row, and shown with the call in the history. Nothing is stored when history
is not kept.
"""

from __future__ import annotations

import re

from softphone.history.recorder import HistoryRecorder
from softphone.storage.database import CallRecord, LocalDatabase
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate

QUESTION = QT_TRANSLATE_NOOP("CallEvaluation", "How was the call quality?")
# The English words are also stored in the history note (`rating_note`): data, never
# translated; the UI shows them through `score_words`.
SCORES = {
    1: QT_TRANSLATE_NOOP("CallEvaluation", "very poor"),
    2: QT_TRANSLATE_NOOP("CallEvaluation", "poor"),
    3: QT_TRANSLATE_NOOP("CallEvaluation", "fair"),
    4: QT_TRANSLATE_NOOP("CallEvaluation", "good"),
    5: QT_TRANSLATE_NOOP("CallEvaluation", "excellent"),
}
_NOTE = re.compile(r"^call quality: ([1-5])/5")


def rating_note(score: int) -> str:
    if score not in SCORES:
        raise ValueError(f"a rating is 1 to 5, not {score}")
    return f"call quality: {score}/5 ({SCORES[score]})"


def question() -> str:
    return translate("CallEvaluation", QUESTION)


def score_words(score: int) -> str:
    """A score's words in the UI's language."""
    return translate("CallEvaluation", SCORES[score])


def rating_of(note: str | None) -> int | None:
    """The score in a note written by `rating_note`, else None."""
    match = _NOTE.match(note or "")
    return int(match.group(1)) if match else None


def store_rating(
    recorder: HistoryRecorder, db: LocalDatabase, call_id: str, score: int
) -> CallRecord | None:
    """Worker thread: the rating onto the history row of engine call `call_id`; None
    when the call left no row (history off)."""
    note = rating_note(score)
    recorder.flush()
    row = recorder.row_id_for(call_id)
    return None if row is None else db.set_call_note(row, note)
