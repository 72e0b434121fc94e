"""Long-lived objects kept out of the garbage collector's full passes. Any thread.

A full (generation 2) collection walks every object the collector tracks. Once pjsua2,
aiortc and PySide6 are imported that is hundreds of thousands of objects: 17-25 ms per
pass, measured, on whichever thread happened to allocate - the engine thread (which then
answered a registrar's challenge late), pjmedia's clock thread waiting for the GIL (an
audio underrun) or the GUI thread (a visible stall). `gc.freeze()` moves everything alive
now - modules, classes, the endpoint - into a permanent generation those passes skip.
Objects created later are collected as before; a frozen object that later becomes
cyclic garbage waits for `thaw()`, which the engine calls before its final collection.
"""

from __future__ import annotations

import gc


def freeze() -> None:
    """Exclude every object alive now from later collections (cheap: no collection)."""
    gc.freeze()


def thaw() -> None:
    """Hand the frozen objects back to the collector (before a collection that must
    find everything, such as the engine's before libDestroy())."""
    gc.unfreeze()
