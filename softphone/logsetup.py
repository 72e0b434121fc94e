"""Logging for the whole program: one place, the redaction filter on every handler.

Main thread, at start-up.
"""

from __future__ import annotations

import logging
import sys

from softphone.security import redaction


def configure(verbosity: int = 0, stream=sys.stderr) -> None:
    """0: warnings; 1: info (pjsip level 3); 2+: debug and SIP messages (pjsip level 5)."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    redaction.install(root)


def pjsip_level(verbosity: int) -> int:
    return {0: 2, 1: 3}.get(verbosity, 5)
