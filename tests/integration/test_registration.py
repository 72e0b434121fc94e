"""Registration through the real Kamailio test bed: success, and each failure with its reason."""

from __future__ import annotations

import subprocess
import time

import pytest
from helpers import profile_on_port

from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register

pytestmark = pytest.mark.integration


def _openssl_sha256(cert_file: str) -> str:
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert_file],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().split("=", 1)[1].upper()


def test_registration_over_verified_tls(session, testbed_profile, testbed):
    report = add_and_register(session, testbed_profile, "alice", Secret("alice-secret"))
    assert report.ok and report.code == 200
    assert report.tls_version == "TLSv1.2"
    assert report.server_certificate_sha256 == _openssl_sha256(testbed.env["TLS_SERVER_CERT"])


@pytest.mark.parametrize(
    ("port_key", "kind", "cert_key"),
    [
        ("SIP_TLS_EXPIRED_PORT", "expired", "TLS_EXPIRED_CERT"),
        ("SIP_TLS_WRONGHOST_PORT", "hostname_mismatch", "TLS_WRONGHOST_CERT"),
        ("SIP_TLS_UNKNOWNCA_PORT", "self_signed", "TLS_SELFSIGNED_CERT"),
    ],
)
def test_bad_certificate_refused_with_reason(
    session, testbed_profile, testbed, port_key, kind, cert_key
):
    profile = profile_on_port(testbed_profile, int(testbed.env[port_key]))
    report = add_and_register(session, profile, "alice", Secret("alice-secret"))
    assert not report.ok
    problem = report.certificate_problem
    assert problem is not None, report.reason
    assert kind in problem["kinds"]
    assert problem["sha256"] == _openssl_sha256(testbed.env[cert_key])
    assert problem["subject"] and problem["sha256"] in report.reason


def test_wrong_password_is_named(session, testbed_profile, testbed):
    report = add_and_register(session, testbed_profile, "alice", Secret("not-the-password"))
    assert not report.ok
    assert report.code in (401, 403)
    assert "wrong user name or password" in report.reason
    assert "not-the-password" not in report.reason


def test_server_down_is_named(session, testbed_profile, testbed):
    report = add_and_register(
        session, profile_on_port(testbed_profile, 5099), "alice", Secret("x-secret")
    )
    assert not report.ok
    assert "unreachable" in report.reason


def test_unregister_and_register_again(alice):
    from softphone.engine import commands as cmd
    from softphone.engine import events as ev

    alice.submit(cmd.Unregister("acc"))
    gone = alice.wait_for(
        ev.AccountRegistrationDidChange, lambda e: e.state == ev.RegistrationState.UNREGISTERED
    )
    assert gone.code == 200
    alice.submit(cmd.Register("acc"))
    back = alice.wait_for(
        ev.AccountRegistrationDidChange, lambda e: e.state == ev.RegistrationState.REGISTERED
    )
    assert back.expires > 0


def test_end_to_end_warm_up_waits_for_the_registration(
    session, testbed_profile, testbed, monkeypatch
):
    """Making the account's end-to-end identity and importing aiortc hold the GIL: done
    while the REGISTER is out, they delayed the engine's answer to the challenge (up to
    60 ms). They must start only once the registration has its outcome."""
    from softphone.e2e import identity

    made_at: list[float] = []
    real = identity.generate_identity

    def recording(*args, **kwargs):
        made_at.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(identity, "generate_identity", recording)
    assert testbed_profile.media.end_to_end != "off"
    report = add_and_register(session, testbed_profile, "alice", Secret("alice-secret"))
    assert report.ok, report
    registered = session.history[-1]
    assert isinstance(registered, ev.AccountRegistrationDidChange)
    session.drain(0.5)
    assert len(made_at) == 1, "the warm-up made no identity after the registration"
    assert made_at[0] >= registered.at


def test_registering_is_said_once_the_register_is_out(session, testbed_profile, testbed):
    """REGISTERING wakes listeners' threads; said before pjsua had the account, it let
    the waiting thread take the GIL while pjsua built and sent the first REGISTER."""
    accounts = session.engine.accounts
    pjsua_had_it: list[bool] = []

    def on_event(e: ev.Event) -> None:  # engine thread, inside emit()
        if (
            isinstance(e, ev.AccountRegistrationDidChange)
            and e.state == ev.RegistrationState.REGISTERING
        ):
            pjsua_had_it.append(accounts.get(e.account_id).pj.isValid())

    session.engine.subscribe(on_event)
    report = add_and_register(session, testbed_profile, "alice", Secret("alice-secret"))
    assert report.ok, report
    assert pjsua_had_it == [True]
    states = [e.state for e in session.seen(ev.AccountRegistrationDidChange)]
    assert states == [ev.RegistrationState.REGISTERING, ev.RegistrationState.REGISTERED]
