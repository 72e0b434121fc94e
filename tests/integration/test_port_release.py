"""A port with Python callbacks is destroyed without pjmedia's clock thread
ever calling into it while it is being deallocated.

The race is forced in a child process (`port_release_child.py`): before the fix, the
clock thread ran the callback on a port whose reference count was already 0, the port
was deallocated twice and the heap was corrupted (a segfault or abort of the child,
here within the first rounds; in the test suite, a crash minutes later anywhere).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("port_release_child.py")
REPO = Path(__file__).resolve().parents[2]
ROUNDS = 20


@pytest.mark.parametrize("way", ["parked", "devices"])
def test_ports_are_destroyed_without_a_callback_on_a_dying_port(way: str) -> None:
    """`parked`: a call's port, reaped after its grace; `devices`: the sound devices'
    port, released at shutdown. Each in its own process: the first that races
    corrupts the heap."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", str(CHILD), way, str(ROUNDS)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, f"the child died (rc {proc.returncode}):\n{tail}"
    assert f"rounds={ROUNDS} dying_callbacks=0" in proc.stdout, tail
    assert "outlive the engine" not in proc.stderr, tail  # destroyed: nothing left over
