"""The account status line names why registration failed."""

from __future__ import annotations

from softphone.engine.events import (
    AccountRegistrationDidChange,
    CertificateProblem,
    RegistrationState,
    SignallingSecurity,
)
from softphone.ui.status_text import Severity, registration_status, setup_problem

AOR = "alice@example.com"


def _reg(state: RegistrationState, reason: str = "", **kw) -> AccountRegistrationDidChange:
    return AccountRegistrationDidChange("acc", state, kw.pop("code", 200), reason, **kw)


def test_status_registered_shows_tls() -> None:
    s = registration_status(
        AOR, _reg(RegistrationState.REGISTERED, signalling=SignallingSecurity("tls", "TLSv1.2"))
    )
    assert s.severity is Severity.OK and s.text == "Registered as alice@example.com — TLS 1.2"
    assert not s.can_retry


def test_status_expired_certificate_says_so_with_the_date() -> None:
    problem = CertificateProblem(
        "pbx.example.com", 5061, ("expired",), (), "CN=pbx", "CN=ca", "AA:BB", "2020-02-01T00:00:00"
    )
    s = registration_status(
        AOR, _reg(RegistrationState.FAILED, problem.message, code=503, certificate=problem)
    )
    assert s.severity is Severity.ERROR and s.can_retry
    assert s.text == "Not registered: server certificate expired on 2020-02-01"
    assert "SHA-256 AA:BB" in s.detail


def test_status_wrong_password_and_unreachable_use_the_engine_reason() -> None:
    for reason in ("wrong user name or password (401 Unauthorized)", "server unreachable (408)"):
        s = registration_status(AOR, _reg(RegistrationState.FAILED, reason, code=401))
        assert s.text == f"Not registered: {reason}" and s.can_retry


def test_status_connecting_and_setup_problem() -> None:
    assert registration_status(AOR, _reg(RegistrationState.REGISTERING)).severity is Severity.BUSY
    s = setup_problem("no password stored for alice@example.com")
    assert s.severity is Severity.ERROR and s.can_retry and "no password" in s.text
