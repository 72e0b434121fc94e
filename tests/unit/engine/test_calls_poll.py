"""How long the engine loop may wait in pjsip, by the calls it has (no pjsua2 needed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from softphone.engine.calls import Calls
from softphone.engine.e2e_state import E2eState


def _calls(*entries: SimpleNamespace) -> Calls:
    calls = Calls.__new__(Calls)  # only the call table: poll_ms reads nothing else
    calls._calls = {str(i): e for i, e in enumerate(entries)}
    return calls


def _entry(*, first_rtp=None, ended=False, e2e_state=None) -> SimpleNamespace:
    e2e = None if e2e_state is None else SimpleNamespace(state=e2e_state)
    return SimpleNamespace(first_rtp=first_rtp, ended=ended, e2e=e2e)


def test_calls_poll_idle_engine_waits_long() -> None:
    assert _calls().poll_ms() == 200


def test_calls_poll_sdes_call_waiting_for_rtp_is_polled_fast() -> None:
    assert _calls(_entry()).poll_ms() == 2


def test_calls_poll_fallback_to_sdes_is_polled_fast() -> None:
    """An end-to-end call the peer answered with SDES: pjmedia carries it, and its first
    RTP packet is found by polling (it was timed up to 20 ms late)."""
    assert _calls(_entry(e2e_state=E2eState.SDES)).poll_ms() == 2


@pytest.mark.parametrize("state", [s for s in E2eState if s is not E2eState.SDES])
def test_calls_poll_end_to_end_session_is_not_polled(state: E2eState) -> None:
    assert _calls(_entry(e2e_state=state)).poll_ms() == 200


def test_calls_poll_call_with_media_or_ended_is_not_polled() -> None:
    assert _calls(_entry(first_rtp=1.0), _entry(ended=True)).poll_ms() == 200
