"""The calling engine: the only package that imports pjsua2.

Public surface: `Engine`, the command dataclasses in `commands`, the event
dataclasses in `events`. Everything else in here runs on the engine thread.

`Engine` and `EngineError` are imported on first use, not with the package: the
desktop app reads `commands` and `events` before its first window and imports the
engine itself (pjsua2, numpy, ...) only after that window is shown.
"""

from typing import TYPE_CHECKING

from softphone.engine import commands, events

if TYPE_CHECKING:
    from softphone.engine.engine import Engine, EngineError

__all__ = ["Engine", "EngineError", "commands", "events"]


def __getattr__(name: str):
    if name in ("Engine", "EngineError"):
        from softphone.engine import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
