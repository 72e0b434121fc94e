"""`softphone doctor`: find why calling does not work, in the order an IT person would.

Seed 000 "Connectivity Problems": is it the network, is the server reachable,
is traffic to it blocked, does it accept us. Steps: name resolution, TCP
reachability, TLS certificate (with the reason), registration, then what
media encryption this engine can actually do. A step whose prerequisite
failed is skipped, not reported as a second failure. Caller's thread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from softphone.config.profile import SipProfile
from softphone.diagnostics import network
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession


@dataclass
class Step:
    name: str
    status: str  # "ok", "fail", "warn", "skipped"
    detail: str
    hint: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class DoctorReport:
    profile: str
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status in ("ok", "warn") for s in self.steps)

    def to_dict(self) -> dict:
        return {"profile": self.profile, "ok": self.ok, "steps": [asdict(s) for s in self.steps]}


def run_doctor(profile: SipProfile, username: str | None, password: Secret | None) -> DoctorReport:
    report = DoctorReport(profile.name)
    target = _resolve(report, profile)
    reachable = target is not None and _reach(report, *target)
    if target is None:
        report.steps.append(Step("reachability", "skipped", "no address to try"))
    secure = reachable and _certificate(report, profile, *target)
    if not reachable:
        report.steps.append(Step("certificate", "skipped", "server not reachable"))
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        if secure and username and profile.register:
            _register(report, s, profile, username, password)
        else:
            why = "no user name given" if not username else "an earlier step failed"
            report.steps.append(Step("registration", "skipped", why))
        _media_capability(report, s)
    return report


def _resolve(report: DoctorReport, profile: SipProfile) -> tuple[str, int] | None:
    if profile.outbound_proxy or profile.server != profile.domain:
        host, port = profile.server, profile.port
        report.steps.append(Step("name resolution", "ok", f"server set in profile: {host}:{port}"))
        return _literal_or_resolved(report, host, port, profile.transport)
    result = network.resolve_sip_targets(profile.domain, profile.transport)
    if not result.targets:
        report.steps.append(
            Step(
                "name resolution",
                "fail",
                result.error or f"no address for {profile.domain}",
                "check the network and DNS (can you browse the web?), then the domain name",
                result.to_dict(),
            )
        )
        return None
    first = result.targets[0]
    report.steps.append(
        Step(
            "name resolution",
            "ok",
            f"{profile.domain} -> {first.host}:{first.port}",
            "",
            result.to_dict(),
        )
    )
    return first.host, first.port


def _literal_or_resolved(
    report: DoctorReport, host: str, port: int, transport: str
) -> tuple[str, int] | None:
    result = network.resolve_sip_targets(host, transport)
    if not result.targets:
        report.steps[-1] = Step(
            "name resolution",
            "fail",
            result.error or f"no address for {host}",
            "check the network and DNS, then the server name in the profile",
            result.to_dict(),
        )
        return None
    return result.targets[0].host, port


def _reach(report: DoctorReport, host: str, port: int) -> bool:
    check = network.check_tcp(host, port)
    hint = "" if check.ok else "a firewall or VPN may block this port; ask IT"
    report.steps.append(
        Step("reachability", "ok" if check.ok else "fail", check.message, hint, check.to_dict())
    )
    return check.ok


def _certificate(report: DoctorReport, profile: SipProfile, host: str, port: int) -> bool:
    if not profile.uses_tls:
        report.steps.append(
            Step(
                "certificate",
                "warn",
                f"profile uses {profile.transport}: signalling is NOT encrypted",
            )
        )
        return True
    ca = str(profile.tls.ca_file) if profile.tls.ca_file else None
    probe = network.probe_tls(
        host, port, ca, server_name=profile.server, min_version=profile.tls.min_version
    )
    ok = probe.ok or not profile.tls.verify_server
    hint = (
        "" if probe.ok else "do not trust this server until IT confirms its certificate fingerprint"
    )
    report.steps.append(
        Step(
            "certificate",
            "ok" if probe.ok else "fail" if not ok else "warn",
            probe.message,
            hint,
            probe.to_dict(),
        )
    )
    return ok


def _register(
    report: DoctorReport, s: EngineSession, profile: SipProfile, user: str, password: Secret | None
) -> None:
    reg = add_and_register(s, profile, user, password)
    hint = ""
    if not reg.ok and reg.code in (401, 403, 407):
        hint = "check the user name and password"
    report.steps.append(
        Step(
            "registration",
            "ok" if reg.ok else "fail",
            f"{reg.state}: {reg.code} {reg.reason}".strip(),
            hint,
            reg.to_dict(),
        )
    )
    if reg.ok:
        s.submit(cmd.Unregister("acc"))


def _media_capability(report: DoctorReport, s: EngineSession) -> None:
    for keying in ("sdes", "dtls"):
        report.steps.append(_probe_keying(s, keying))


def _probe_keying(s: EngineSession, keying: str) -> Step:
    """A loopback call with one keying: did the engine really produce encrypted media?"""
    account = f"probe-{keying}"
    s.submit(cmd.StartLoopback(account, keying=(keying,)))
    started = s.wait_for(
        (ev.LoopbackDidStart, ev.CommandDidFail),
        lambda e: getattr(e, "caller_account_id", account) == account,
    )
    if isinstance(started, ev.CommandDidFail):
        return Step(f"SRTP {keying.upper()}", "fail", started.error)
    call_id = s.new_id("probe")
    s.submit(cmd.MakeCall(call_id, account, started.uri))
    first = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd, ev.CommandDidFail), lambda e: e.call_id == call_id
    )
    if isinstance(first, ev.CallMediaDidChange):
        s.submit(cmd.Hangup(call_id))
        s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
        return Step(f"SRTP {keying.upper()}", "ok", first.media.summary)
    if isinstance(first, ev.CommandDidFail):
        reason = first.error
    else:
        reason = first.security_failure or first.reason
    status = "warn" if keying == "dtls" else "fail"
    if keying == "dtls":  # what pjsua really put in the offer it built, when it said
        detected = s.seen(ev.EngineDtlsSrtpWasDetected)
        if detected:
            reason = f"{detected[-1].detail}; {reason}"
    return Step(
        f"SRTP {keying.upper()}",
        status,
        f"not available in this engine: {reason}",
        "end-to-end calls use the app's own DTLS-SRTP media instead" if keying == "dtls" else "",
    )
