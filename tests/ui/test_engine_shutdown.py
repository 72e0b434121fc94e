"""The engine's shutdown collects pjsua2 garbage on its own thread, never the GUI's."""

from __future__ import annotations

import gc
import threading

import shiboken6
from PySide6.QtWidgets import QWidget

from softphone.engine import Engine
from softphone.engine import engine as engine_module
from softphone.engine import events as ev


def test_engine_stop_leaves_a_closed_window_in_a_cycle_to_the_gui_thread(qtbot) -> None:
    """A closed window in a reference cycle used to be freed by the engine thread's
    gc.collect() at shutdown; Qt then crashed the app deleting it off the GUI thread."""

    class Window(QWidget):
        pass

    engine = Engine()
    started = threading.Event()
    engine.subscribe(lambda e: started.set() if isinstance(e, ev.EngineDidStart) else None)
    engine.start()
    assert started.wait(10)
    gc.disable()  # only the engine's own collection may find it
    try:
        window = Window()
        window.cycle = window  # type: ignore[attr-defined]
        wid = id(window)  # (gc clears weak references even to what it then keeps)
        del window
        engine.stop()
        kept = [o for o in engine_module._FOREIGN_GARBAGE if id(o) == wid]
        assert kept and shiboken6.isValid(kept[0])  # not freed on the engine thread
    finally:
        gc.enable()
