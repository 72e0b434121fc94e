"""EngineBridge: engine-thread events and background results arrive on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Slot

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui.bridge import EngineBridge, JobResult


class Recorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, object, bool]] = []

    @Slot(object)
    def on_item(self, item: object) -> None:
        on_gui = threading.current_thread() is threading.main_thread()
        self.items.append((type(item).__name__, item, on_gui))

    def done(self, result: JobResult) -> None:
        self.on_item(result)


def test_bridge_events_from_the_engine_thread_reach_typed_signals_in_order(
    qtbot, bridge: EngineBridge, fake_engine
) -> None:
    typed, every = Recorder(), Recorder()
    bridge.callEnded.connect(typed.on_item)
    bridge.callMediaChanged.connect(typed.on_item)
    bridge.eventArrived.connect(every.on_item)
    media = ev.MediaSecurity(True, "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "sdes")
    events = [
        ev.CallDidStart("c1", "acc", "sip:a@b", ev.Direction.OUTGOING),
        ev.CallMediaDidChange("c1", media, "PCMU", 8000, False, False),
        ev.CallDidEnd("c1", 200, "Normal", 3.0),
    ]
    fake_engine.emit(*events)
    assert typed.items == []  # queued: nothing runs inside the engine's callback
    qtbot.waitUntil(lambda: len(every.items) == 3)
    assert [i[1] for i in every.items] == events
    assert [i[0] for i in typed.items] == ["CallMediaDidChange", "CallDidEnd"]
    assert all(on_gui for _n, _i, on_gui in typed.items + every.items)


def test_bridge_background_job_result_and_error_come_back_on_the_gui_thread(
    qtbot, bridge: EngineBridge
) -> None:
    rec = Recorder()
    worker: list[str] = []

    def job() -> int:
        worker.append(threading.current_thread().name)
        return 42

    def failing() -> None:
        raise OSError("disk full")

    bridge.run_in_background(job, rec.done)
    bridge.run_in_background(failing, rec.done)
    qtbot.waitUntil(lambda: len(rec.items) == 2)
    results = {r.ok: r for _n, r, _g in rec.items}
    assert results[True].value == 42
    assert isinstance(results[False].error, OSError)
    assert all(on_gui for *_x, on_gui in rec.items)
    assert worker and worker[0].startswith("ui-io")


def test_bridge_submit_passes_commands_and_close_stops_delivery(
    qtbot, bridge: EngineBridge, fake_engine
) -> None:
    bridge.submit(cmd.Hangup("c1"))
    assert fake_engine.submitted == [cmd.Hangup("c1")]
    rec = Recorder()
    bridge.eventArrived.connect(rec.on_item)
    bridge.close()
    fake_engine.emit(ev.EngineDidStop())
    qtbot.wait(50)
    assert rec.items == []


def test_bridge_after_close_runs_no_background_job(qtbot, bridge: EngineBridge) -> None:
    ran: list[int] = []
    bridge.close()
    bridge.run_in_background(lambda: ran.append(1))
    qtbot.wait(50)
    assert ran == []


def test_bridge_a_window_gone_while_its_job_runs_is_not_kept_alive_by_the_worker(
    qtbot, bridge: EngineBridge
) -> None:
    """The worker thread must not hold the last reference to a widget: Python would
    delete it there, off the GUI thread (a crash in Qt)."""
    import gc
    import weakref

    from PySide6.QtWidgets import QWidget

    class Window(QWidget):
        def done(self, result: JobResult) -> None:
            raise AssertionError("a window that went away got a result")

    started, release = threading.Event(), threading.Event()

    def job() -> int:
        started.set()
        release.wait(5)
        return 1

    window = Window()
    gone = weakref.ref(window)
    bridge.run_in_background(job, window.done)
    assert started.wait(5)
    del window
    gc.collect()
    assert gone() is None  # deleted here, on the GUI thread
    release.set()
    keeper = Recorder()
    bridge.run_in_background(lambda: 2, keeper.done)  # the pool is still working
    qtbot.waitUntil(lambda: len(keeper.items) == 1)
    assert keeper.items[0][1].value == 2


def test_bridge_a_job_holding_a_window_lets_go_of_it_on_the_gui_thread(
    qtbot, bridge: EngineBridge
) -> None:
    """Jobs are often closures over a window (and results partials of its methods):
    when the job ends, the last reference must be dropped on the GUI thread, never on
    the worker (shiboken's deferred deletion then crashed the process)."""
    import functools

    from PySide6.QtWidgets import QWidget

    deleted_on: list[threading.Thread] = []

    class Window(QWidget):
        def __del__(self) -> None:
            deleted_on.append(threading.current_thread())

        def done(self, result: JobResult, tag: str) -> None:
            pass

    started, release = threading.Event(), threading.Event()

    def make_job(window: Window):
        def job() -> int:
            started.set()
            release.wait(5)
            return id(window)

        return job

    for done in ("partial", None):  # a result method, and fire-and-forget (feed.stop)
        deleted_on.clear()
        started.clear()
        release.clear()
        window = Window()
        result = functools.partial(window.done, tag="x") if done else None
        bridge.run_in_background(make_job(window), result)
        del window, result
        assert started.wait(5)
        release.set()
        qtbot.waitUntil(lambda: bool(deleted_on), timeout=5000)
        assert deleted_on == [threading.main_thread()], done
