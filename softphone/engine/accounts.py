"""Accounts and SIP transports: creation, registration, TLS verification results.

Engine thread only. pjsua reuses account ids, so an Account that Python
drops late can delete a newer account with the same id: every PjAccount is
held here until `shutdown()` was called on it *and* the engine loop has
turned once, then released on this thread.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pjsua2 as pj

from softphone.config.profile import SipProfile, TlsSettings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.pjconfig import (
    account_config,
    loopback_account_config,
    plain_transport_config,
    tls_transport_config,
)
from softphone.engine.pjobjects import PjAccount
from softphone.engine.sdp import native_dtls_offered
from softphone.engine.verification import tls_version_name, verify_status_kinds

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity
    from softphone.engine.engine import Engine

log = logging.getLogger(__name__)

# The registration watchdog (`Accounts.tick`). pjsua can go silent about a
# registration: when the registrar's 200 shows another address than the Contact
# (behind NAT, or a proxy), pjsua rewrites the Contact and registers again from
# inside that 200's callback, without reporting the 200; if that second REGISTER
# cannot be sent ("Object is busy", PJSIP_EBUSY, seen behind a proxy now and then:
# the first REGISTER's transaction is still open inside its own callback) pjsua
# reports nothing until pjsip's own refresh, scheduled before that callback, is
# answered, minutes later (the registration's expiry). So a registration with no
# outcome after
# RETRY_AFTER_S is sent again (now with the rewritten Contact; a REGISTER still
# legitimately in flight makes pjsua refuse it as busy, harmlessly), every
# RETRY_AFTER_S, and after GIVE_UP_S (beyond pjsip's 32 s transaction timeout,
# which pjsua would have reported as a 408) it is reported as failed.
RETRY_AFTER_S = 5.0
GIVE_UP_S = 40.0

_TRANSPORT_TYPE = {
    "tls": pj.PJSIP_TRANSPORT_TLS,
    "tcp": pj.PJSIP_TRANSPORT_TCP,
    "udp": pj.PJSIP_TRANSPORT_UDP,
}


@dataclass(eq=False)
class AccountEntry:
    account_id: str
    profile: SipProfile
    username: str
    pj: PjAccount
    transport_id: int
    keyings: tuple[str, ...]
    echo: bool = False
    auto_answer: bool = False
    state: ev.RegistrationState = ev.RegistrationState.UNREGISTERED
    registering_since: float | None = None  # monotonic, while REGISTERING (the watchdog)
    retried_at: float = 0.0
    server_key: str = ""
    e2e_identity: DtlsIdentity | None = None  # long-term end-to-end certificate, if stored


@dataclass
class _TlsSeen:
    signalling: ev.SignallingSecurity | None = None
    problem: ev.CertificateProblem | None = None
    at: float = field(default_factory=time.monotonic)


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._accounts: dict[str, AccountEntry] = {}
        self._retired: list[PjAccount] = []
        self._transports: dict[tuple, int] = {}
        self._tls: dict[str, _TlsSeen] = {}
        self.dtls_srtp_available: bool | None = None  # learnt from the first DTLS offer
        # The embedded echo peer, once started: its TLS port, its certificate PEM and
        # the caller-side transport that trusts it (reused: transports are few).
        self.loopback_peer: tuple[int, str, int] | None = None
        self._stun_servers: tuple[str, ...] = ()  # given to pjsua, every profile's

    def get(self, account_id: str) -> AccountEntry:
        try:
            return self._accounts[account_id]
        except KeyError:
            raise LookupError(f"no account {account_id}") from None

    def count(self) -> int:
        return len(self._accounts) + len(self._retired)

    # ----------------------------------------------------------- transports

    def transport_for(self, profile: SipProfile) -> int:
        key = (profile.transport, _tls_key(profile.tls) if profile.uses_tls else None)
        if key not in self._transports:
            ep = self._engine.endpoint
            tc = tls_transport_config(profile.tls) if profile.uses_tls else plain_transport_config()
            self._transports[key] = ep.transportCreate(_TRANSPORT_TYPE[profile.transport], tc)
        return self._transports[key]

    def create_listener(self, tc: pj.TransportConfig, kind: str = "tls") -> int:
        """A transport with its own port (the loopback peer's)."""
        return self._engine.endpoint.transportCreate(_TRANSPORT_TYPE[kind], tc)

    def transport_port(self, transport_id: int) -> str:
        return self._engine.endpoint.transportGetInfo(transport_id).localName.rpartition(":")[2]

    def ids(self) -> list[str]:
        return list(self._accounts)

    # ------------------------------------------------------------- accounts

    def add(self, c: cmd.AddAccount) -> AccountEntry:
        if c.account_id in self._accounts:
            raise ValueError(f"account {c.account_id} exists")
        if c.profile.nat.turn_server:
            # pjsua would try the relay without a password (none has a place in the
            # secret store yet) and every call's media would then fail, far from why
            raise ValueError(
                "TURN relaying (nat.turn_server) is not supported yet: remove it from "
                "the profile to use this account without a relay"
            )
        keyings = self._usable_keyings(c.profile)
        transport_id = self.transport_for(c.profile)
        self._use_stun_servers(c.profile.nat.stun_servers)
        ac = account_config(c.profile, c.username, c.password, transport_id, keyings, c.register)
        acc = PjAccount(c.account_id, self._on_reg_state, self._on_incoming)
        entry = AccountEntry(c.account_id, c.profile, c.username, acc, transport_id, keyings)
        entry.server_key = f"{c.profile.server}:{c.profile.port}"
        entry.e2e_identity = c.e2e_identity
        self._accounts[c.account_id] = entry
        if c.register:
            self._registering(entry)
        try:
            acc.create(ac, True)  # sends the REGISTER
        finally:
            # Said after create(), not before: the event wakes a listener's thread,
            # which took the GIL while pjsua built the REGISTER (its first send came
            # ~50 us later). Not said if pjsua already reported an outcome in create().
            if c.register and entry.state is ev.RegistrationState.REGISTERING:
                self._emit_reg(entry, 0, "registering")
        return entry

    def _use_stun_servers(self, servers: tuple[str, ...]) -> None:
        """pjsua's STUN servers are the endpoint's, not an account's: every profile's,
        in the order they came (pjsua uses the first that answers). Resolved and tried
        in the background; a call's media waits for the outcome, and a server that does
        not answer is skipped (`stunIgnoreFailure`, pjsua's default)."""
        wanted = self._stun_servers + tuple(s for s in servers if s not in self._stun_servers)
        if wanted == self._stun_servers:
            return
        self._engine.endpoint.natUpdateStunServers(pj.StringVector(list(wanted)), False)
        self._stun_servers = wanted

    def add_local(
        self,
        account_id: str,
        profile: SipProfile,
        aor: str,
        transport_id: int,
        *,
        echo: bool = False,
        auto_answer: bool = False,
        media_address: str = "",
    ) -> AccountEntry:
        """An account without registrar (loopback peer and its caller)."""
        keyings = self._usable_keyings(profile)
        ac = loopback_account_config(aor, transport_id, profile.media.srtp, keyings)
        if media_address:
            ac.mediaConfig.transportConfig.boundAddress = media_address
        # pjsua's per-account RTP port search starts at 4000 for every account
        # and logs each collision as an error; let the OS pick instead.
        ac.mediaConfig.transportConfig.port = 0
        acc = PjAccount(account_id, self._on_reg_state, self._on_incoming)
        entry = AccountEntry(
            account_id, profile, aor, acc, transport_id, keyings, echo, auto_answer
        )
        self._accounts[account_id] = entry
        acc.create(ac, False)
        return entry

    def register(self, account_id: str, renew: bool) -> None:
        entry = self.get(account_id)
        if renew:
            self._registering(entry)
            self._emit_reg(entry, 0, "registering")
        entry.pj.setRegistration(renew)

    def remove(self, account_id: str) -> None:
        entry = self._accounts.pop(account_id)
        entry.pj.shutdown()
        self._retired.append(entry.pj)

    def reap(self, final: bool = False) -> None:
        """Drop retired accounts — only when the engine is torn down (`final`).

        pjsua reuses account ids, and a pjsua2 Account's destructor deletes "its" id if
        that id is valid: once reused, the id belongs to a newer account, which the old
        object would silently delete (seen: a second embedded test call failed with
        "account is not valid"). Anything may still hold the old object (a finished
        call's entry does), so retired accounts live until every account is gone.
        """
        if final:
            self._retired.clear()

    def shutdown(self) -> None:
        for account_id in list(self._accounts):
            self.remove(account_id)

    def remove_transports(self) -> None:
        self._transports.clear()

    # ------------------------------------------------------------- security

    def _usable_keyings(self, profile: SipProfile) -> tuple[str, ...]:
        keyings = profile.media.keying
        if profile.media.srtp == "disabled":
            return ()
        if self.dtls_srtp_available is False and "dtls" in keyings:
            keyings = tuple(k for k in keyings if k != "dtls")
            if not keyings and not profile.media.allows_plaintext:
                raise ValueError(
                    "profile asks for DTLS-SRTP keying only, and this pjsua2 build has no "
                    'DTLS-SRTP (it would offer plain RTP): use keying = ["sdes"]'
                )
        return keyings

    def check_media_capability(self, entry: AccountEntry) -> None:
        if self.dtls_srtp_available is False and entry.keyings == ("dtls",):
            raise ValueError(
                "this pjsua2 build has no DTLS-SRTP; the account's only keying is DTLS, "
                "so no encrypted call is possible"
            )

    def note_dtls_offer(self, entry: AccountEntry, sdp: str) -> None:
        """An offer pjsua built for an account asking for DTLS keying: learn from what
        is really in it whether this pjsua2 has DTLS-SRTP (`sdp.native_dtls_offered`),
        and say so once (`EngineDtlsSrtpWasDetected`). Never assumed from the version."""
        if "dtls" not in entry.keyings:
            return
        available, detail = native_dtls_offered(sdp)
        if available != self.dtls_srtp_available:
            self.dtls_srtp_available = available
            self._engine.emit(ev.EngineDtlsSrtpWasDetected(available, detail))

    def note_missing_keying(self, entry: AccountEntry) -> None:
        if "dtls" in entry.keyings:
            self.dtls_srtp_available = False

    def on_transport_state(self, prm: pj.OnTransportStateParam) -> None:
        info = prm.tlsInfo
        if not info.remoteAddr:
            return
        seen = self._tls.setdefault(info.remoteAddr, _TlsSeen())
        seen.at = time.monotonic()
        cert = info.remoteCertInfo
        # pjsip reports CONNECTED with established=True and *then* drops the
        # connection when verification failed: check verifyStatus first.
        if info.verifyStatus:
            seen.problem = _certificate_problem(info)
            seen.signalling = None
            self._engine.emit(ev.TransportDidFailVerification(seen.problem))
        elif info.established:
            seen.signalling = ev.SignallingSecurity(
                "tls",
                tls_version_name(info.protocol, info.cipherName),
                info.cipherName,
                cert.subjectCn,
                _fingerprint(cert.raw),
            )
            seen.problem = None

    def signalling_for(self, entry: AccountEntry) -> ev.SignallingSecurity:
        if not entry.profile.uses_tls:
            return ev.SignallingSecurity(entry.profile.transport)
        seen = self._tls.get(entry.server_key)
        if seen and seen.signalling:
            return seen.signalling
        return ev.SignallingSecurity("tls")

    # ------------------------------------------------------------ callbacks

    def _registering(self, entry: AccountEntry) -> None:
        entry.state = ev.RegistrationState.REGISTERING
        entry.registering_since = entry.retried_at = time.monotonic()

    def tick(self, now: float | None = None) -> None:
        """The registration watchdog (see RETRY_AFTER_S). Engine loop, every turn."""
        now = time.monotonic() if now is None else now
        for entry in self._accounts.values():
            since = entry.registering_since
            if since is None or entry.state is not ev.RegistrationState.REGISTERING:
                entry.registering_since = None
                continue
            if now - since >= GIVE_UP_S:
                entry.registering_since = None
                entry.state = ev.RegistrationState.FAILED
                reason = f"the registrar did not answer within {GIVE_UP_S:.0f} s"
                log.warning("account %s: %s", entry.account_id, reason)
                self._emit_reg(entry, 408, reason, failure=ev.RegistrationFailure.UNREACHABLE)
            elif now - entry.retried_at >= RETRY_AFTER_S:
                entry.retried_at = now
                self._send_again(entry, now - since)

    def _send_again(self, entry: AccountEntry, waited: float) -> None:
        try:
            entry.pj.setRegistration(True)
        except pj.Error as e:  # busy: a REGISTER is in flight, its outcome will come
            log.debug("account %s: REGISTER not sent again: %s", entry.account_id, e.reason)
            return
        log.warning(
            "account %s: no registration outcome from pjsua after %.0f s: REGISTER sent again",
            entry.account_id,
            waited,
        )

    def _on_reg_state(self, account_id: str, prm: pj.OnRegStateParam) -> None:
        entry = self._accounts.get(account_id)
        if entry is None:
            return
        entry.registering_since = None
        code, reason = prm.code, prm.reason
        problem, failure = None, None
        if 200 <= code < 300:
            entry.state = (
                ev.RegistrationState.REGISTERED
                if prm.expiration > 0
                else ev.RegistrationState.UNREGISTERED
            )
        else:
            entry.state = ev.RegistrationState.FAILED
            problem = self._recent_problem(entry)
            failure = _failure(code, reason, problem)
            reason = _failure_reason(code, reason, problem)
        self._emit_reg(entry, code, reason, prm.expiration, problem, failure, prm.reason)

    def _on_incoming(self, account_id: str, prm: pj.OnIncomingCallParam) -> None:
        entry = self._accounts.get(account_id)
        if entry is not None:
            self._engine.calls.incoming(entry, prm)

    def _recent_problem(self, entry: AccountEntry) -> ev.CertificateProblem | None:
        seen = self._tls.get(entry.server_key)
        if seen and seen.problem and time.monotonic() - seen.at < 60:
            return seen.problem
        return None

    def _emit_reg(
        self,
        entry: AccountEntry,
        code: int,
        reason: str,
        expires: int = 0,
        problem: ev.CertificateProblem | None = None,
        failure: ev.RegistrationFailure | None = None,
        sip_reason: str = "",
    ) -> None:
        signalling = (
            self.signalling_for(entry) if entry.state == ev.RegistrationState.REGISTERED else None
        )
        self._engine.emit(
            ev.AccountRegistrationDidChange(
                entry.account_id,
                entry.state,
                code,
                reason,
                expires,
                problem,
                signalling,
                failure=failure,
                sip_reason=sip_reason,
            )
        )


def _tls_key(tls: TlsSettings) -> tuple:
    return (tls.ca_file, tls.verify_server, tls.min_version, tls.client_cert, tls.client_key)


def _fingerprint(pem: str) -> str:
    if not pem:
        return ""
    from softphone.security.certificates import info_from_pem

    try:
        return info_from_pem(pem).sha256
    except ValueError:
        return ""


def _certificate_problem(info: pj.TlsInfo) -> ev.CertificateProblem:
    cert = info.remoteCertInfo
    self_signed = bool(cert.subjectInfo) and cert.subjectInfo == cert.issuerInfo
    host, _, port = info.remoteAddr.rpartition(":")
    not_after = ""
    if cert.raw:
        from softphone.security.certificates import info_from_pem

        with contextlib.suppress(ValueError):
            not_after = info_from_pem(cert.raw).not_after.isoformat()
    return ev.CertificateProblem(
        host=host,
        port=int(port) if port.isdigit() else 0,
        kinds=verify_status_kinds(info.verifyStatus, self_signed),
        details=tuple(info.verifyMsgs),
        subject=cert.subjectInfo or cert.subjectCn,
        issuer=cert.issuerInfo or cert.issuerCn,
        sha256=_fingerprint(cert.raw),
        not_after=not_after,
    )


def _failure(
    code: int, reason: str, problem: ev.CertificateProblem | None
) -> ev.RegistrationFailure:
    F = ev.RegistrationFailure
    if problem is not None:
        return F.CERTIFICATE
    if "ECERTVERIF" in reason or "certificate" in reason.lower():
        return F.TLS_VERIFICATION
    if code in (401, 403, 407):
        return F.CREDENTIALS
    if code in (408, 502, 503) or code == 0:
        return F.UNREACHABLE
    return F.SERVER


def _failure_reason(code: int, reason: str, problem: ev.CertificateProblem | None) -> str:
    failure = _failure(code, reason, problem)
    if problem is not None:
        return problem.message
    if failure is ev.RegistrationFailure.TLS_VERIFICATION:
        return f"TLS certificate verification failed ({reason})"
    if failure is ev.RegistrationFailure.CREDENTIALS:
        return f"wrong user name or password ({code} {reason})"
    if failure is ev.RegistrationFailure.UNREACHABLE:
        return f"server unreachable ({code} {reason})"
    return f"{code} {reason}"
