"""`softphone register`: add an account from a profile and report how registration went.

Caller's thread, over an EngineSession.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from softphone.config.profile import SipProfile
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.tasks.session import EngineSession

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity


@dataclass
class RegistrationReport:
    ok: bool
    account: str
    state: str
    code: int
    reason: str
    expires: int
    elapsed_ms: float
    tls_version: str | None = None
    tls_cipher: str | None = None
    server_certificate_sha256: str | None = None
    certificate_problem: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def add_and_register(
    s: EngineSession,
    profile: SipProfile,
    username: str,
    password: Secret | None,
    account_id: str = "acc",
    timeout: float = 15.0,
    e2e_identity: DtlsIdentity | None = None,
) -> RegistrationReport:
    """Add the account and wait for the first final registration outcome."""
    s.submit(cmd.AddAccount(account_id, profile, username, password, e2e_identity=e2e_identity))
    first = s.wait_for(
        (ev.AccountRegistrationDidChange, ev.CommandDidFail),
        lambda e: e.account_id == account_id,
        timeout=timeout,
    )
    final = first
    if isinstance(first, ev.AccountRegistrationDidChange) and (
        first.state == ev.RegistrationState.REGISTERING
    ):
        final = s.wait_for(
            (ev.AccountRegistrationDidChange, ev.CommandDidFail),
            lambda e: (
                e.account_id == account_id
                and getattr(e, "state", None) != ev.RegistrationState.REGISTERING
            ),
            timeout=timeout,
        )
    if isinstance(final, ev.CommandDidFail):
        return RegistrationReport(False, profile.aor(username), "failed", 0, final.error, 0, 0.0)
    return _report(profile.aor(username), first, final)


def _report(
    aor: str, first: ev.AccountRegistrationDidChange, e: ev.AccountRegistrationDidChange
) -> RegistrationReport:
    sig = e.signalling
    return RegistrationReport(
        ok=e.state == ev.RegistrationState.REGISTERED,
        account=aor,
        state=str(e.state),
        code=e.code,
        reason=e.reason,
        expires=e.expires,
        elapsed_ms=round((e.at - first.at) * 1000, 1),
        tls_version=sig.tls_version if sig else None,
        tls_cipher=sig.cipher if sig else None,
        server_certificate_sha256=sig.peer_sha256 if sig else None,
        certificate_problem=asdict(e.certificate) if e.certificate else None,
    )


def run_register(
    profile: SipProfile, username: str, password: Secret | None, timeout: float = 15.0
) -> RegistrationReport:
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        report = add_and_register(s, profile, username, password, timeout=timeout)
        if report.ok:
            s.submit(cmd.Unregister("acc"))
            s.drain(0.3)
        return report
