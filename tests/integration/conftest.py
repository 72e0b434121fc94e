"""Engine sessions for integration tests: a real engine, registered through the test bed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration


@pytest.fixture
def session() -> Iterator[EngineSession]:
    s = EngineSession()
    with s:
        s.wait_for(ev.EngineDidStart)
        yield s


@pytest.fixture
def alice(session: EngineSession, testbed_profile, testbed) -> EngineSession:
    """An engine with account "acc" registered as alice over TLS."""
    report = add_and_register(session, testbed_profile, "alice", Secret("alice-secret"))
    assert report.ok, report
    return session


@pytest.fixture
def bridge(qtbot):
    """A real engine behind the desktop app's bridge (the UI's tests use a fake one)."""
    from helpers import running_bridge

    with running_bridge() as (_engine, b):
        yield b


@pytest.fixture(autouse=True)
def no_engine_errors(caplog):
    """An exception inside the engine is a bug even when the test's own checks pass."""
    yield
    failures = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name.startswith("softphone.engine") and r.levelname == "ERROR"
    ]
    assert not failures, "engine logged unexpected errors:\n" + "\n".join(failures)
