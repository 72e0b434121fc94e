"""The calling engine: the only package that imports pjsua2.

Public surface: `Engine`, the command dataclasses in `commands`, the event
dataclasses in `events`. Everything else in here runs on the engine thread.
"""

from softphone.engine import commands, events
from softphone.engine.engine import Engine, EngineError

__all__ = ["Engine", "EngineError", "commands", "events"]
