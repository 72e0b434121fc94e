"""The watch behind tests/integration/test_pjsua2_garbage.py finds what it is for: a
pjsua2 object in a reference cycle (and who holds it), or freed off the engine thread."""

from __future__ import annotations

import concurrent.futures
import gc
import threading
from collections.abc import Callable, Iterator

import pjsua2 as pj
import pytest
from pjsua2_watch import Pjsua2Watch


@pytest.fixture
def watch() -> Iterator[Pjsua2Watch]:
    w = Pjsua2Watch()
    w.install()
    try:
        yield w
    finally:
        w.release()
        w.uninstall()


def on_thread(name: str, fn: Callable[[], object]) -> None:
    t = threading.Thread(target=fn, name=name)
    t.start()
    t.join()


def test_a_pjsua2_object_in_a_cycle_is_found_with_its_holders(watch) -> None:
    def make_cycle() -> None:
        owner = {"names": pj.StringVector()}
        owner["self"] = owner

    on_thread("engine", make_cycle)
    on_thread("e2e-media", gc.collect)
    [finding] = watch.findings
    assert finding.thread == "e2e-media" and finding.objects == ["StringVector"]
    assert "[key 'names']" in "\n".join(finding.chain), finding.chain
    [death] = watch.wrong_thread_deaths()
    assert death.died_on == "e2e-media" and death.in_collection
    assert "StringVector" in watch.report()


def test_a_stored_exception_keeping_a_frame_with_a_pjsua2_local_is_found(watch) -> None:
    def fails() -> None:
        prm = pj.StringVector()  # noqa: F841  # the frame's local the traceback keeps
        raise ValueError("boom")

    def run_and_store() -> None:
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            fails()
        except ValueError as e:
            future.set_exception(e)  # future -> e -> traceback -> this frame -> future

    on_thread("engine", run_and_store)
    on_thread("e2e-media", gc.collect)
    [finding] = watch.findings
    chain = "\n".join(finding.chain)
    assert "[local 'prm']" in chain and "frame" in chain, chain


def test_the_last_reference_dropped_on_another_thread_is_reported(watch) -> None:
    box: list[object] = []
    on_thread("engine", lambda: box.append(pj.StringVector()))
    on_thread("clock", box.clear)
    [death] = watch.wrong_thread_deaths()
    assert (death.created_on, death.died_on, death.in_collection) == ("engine", "clock", False)
    assert not watch.findings


def test_objects_made_and_freed_on_the_engine_thread_pass(watch) -> None:
    def use() -> None:
        names = pj.StringVector()
        names.append("a")
        assert names.size() == 1

    on_thread("engine", use)
    on_thread("e2e-media", gc.collect)
    assert ("StringVector", "engine") in watch.created
    assert not watch.findings and not watch.wrong_thread_deaths(), watch.report()
