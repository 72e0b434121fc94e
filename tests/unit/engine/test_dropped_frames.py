"""Errors handed across threads carry no frames: a traceback keeps its frames' locals
(pjsua2 objects among them) alive, and a future kept by one of those frames makes a
reference cycle only the garbage collector frees, on any thread."""

from __future__ import annotations

import concurrent.futures
import gc
import weakref
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from softphone.engine.e2e_calls import E2eCalls
from softphone.engine.engine import Engine
from softphone.engine.pjobjects import drop_frames


class Local:
    """Stands for a pjsua2 object in a frame's locals."""


@pytest.fixture
def no_collection() -> Iterator[None]:
    """Only reference counts free anything: what a cycle holds stays alive."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_drop_frames_keeps_the_text_and_lets_go_of_every_chained_frame(no_collection) -> None:
    def inner() -> None:
        kept = Local()
        alive.append(weakref.ref(kept))
        raise KeyError("first")

    alive: list[weakref.ref] = []
    try:
        try:
            inner()
        except KeyError:
            raise LookupError("second")  # noqa: B904  # chained: its frames too
    except LookupError as e:
        error = e
    text = drop_frames(error)
    assert "KeyError: 'first'" in text and "in inner" in text and "LookupError" in text
    assert error.__traceback__ is None and error.__context__.__traceback__ is None
    assert alive[0]() is None


def test_a_function_failing_on_the_engine_thread_hands_back_no_frames(no_collection) -> None:
    engine = Engine()  # not started: _run_function is what the engine thread calls
    alive: list[weakref.ref] = []

    def fails() -> None:
        prm = Local()
        alive.append(weakref.ref(prm))
        raise LookupError("on purpose")

    future: concurrent.futures.Future = concurrent.futures.Future()
    engine._run_function(fails, future)
    error = future.exception(0)
    assert isinstance(error, LookupError) and error.__traceback__ is None
    assert any("in fails" in note for note in error.__notes__), error.__notes__
    assert alive[0]() is None  # freed here and now, not by some later collection


def test_a_failed_media_step_ends_the_call_without_taking_in_the_engine_frame() -> None:
    failed: list[str] = []
    entry = SimpleNamespace(ended=False, e2e=SimpleNamespace(state=None))
    calls = SimpleNamespace(
        find=lambda _id: entry, fail_security=lambda _e, reason, _cause: failed.append(reason)
    )
    e2e = E2eCalls(SimpleNamespace(), calls)
    future: concurrent.futures.Future = concurrent.futures.Future()
    error = OSError("no route")
    future.set_exception(error)
    e2e._after("c1", future, lambda _result: failed.append("done"))
    assert failed == ["end-to-end media could not be set up: OSError: no route"]
    assert error.__traceback__ is None  # result() would have added _after's frame
