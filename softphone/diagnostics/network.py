"""The network checks of `softphone doctor`: name resolution, reachability, certificate.

Any thread; every function blocks for at most its timeout (per connection attempt for
TLS), so call them from a worker thread or the command line, never the GUI thread.
They follow the troubleshooting order of seed 000 — resolve the SIP domain, reach the
port, check the server's certificate — so registration problems can be blamed on the
first step that fails. Results are frozen dataclasses with `to_dict()` for `--json`.
"""

from __future__ import annotations

import dataclasses
import errno
import ipaddress
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import dns.exception
import dns.resolver

from softphone.bounded import bounded_call
from softphone.security.certificates import (
    CertificateInfo,
    TlsFailureKind,
    classify_certificate,
    info_from_der,
)

DEFAULT_PORTS = {"tls": 5061, "tcp": 5060, "udp": 5060}
# RFC 3263 4.2 / RFC 3261 26.2: sips: is looked up as _sips._tcp.
_SRV_PREFIX = {"tls": "_sips._tcp", "tcp": "_sip._tcp", "udp": "_sip._udp"}
# The SRV lookup may use this share of the budget; the rest is kept for the A/AAAA
# fallback, so a silent DNS server cannot starve a name that /etc/hosts knows.
_SRV_SHARE = 0.6
_TLS_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}

# OpenSSL X509_V_ERR_* codes, as carried by ssl.SSLCertVerificationError.verify_code.
_VERIFY_CODES = {
    2: TlsFailureKind.UNTRUSTED_ISSUER,  # unable to get issuer certificate
    9: TlsFailureKind.NOT_YET_VALID,
    10: TlsFailureKind.EXPIRED,
    18: TlsFailureKind.SELF_SIGNED,  # the leaf itself is self-signed and not trusted
    19: TlsFailureKind.UNTRUSTED_ISSUER,  # self-signed certificate in the chain
    20: TlsFailureKind.UNTRUSTED_ISSUER,  # unable to get local issuer certificate
    21: TlsFailureKind.UNTRUSTED_ISSUER,  # unable to verify the first certificate
    62: TlsFailureKind.HOSTNAME_MISMATCH,
    64: TlsFailureKind.HOSTNAME_MISMATCH,  # IP address mismatch
}
_TRUST_FAILURES = {TlsFailureKind.UNTRUSTED_ISSUER, TlsFailureKind.SELF_SIGNED}
_T = TypeVar("_T")


def _to_dict(value: Any) -> Any:
    """JSON-ready copy of a result: enums by value, nested results by their to_dict."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, TlsFailureKind):
        return value.value
    if isinstance(value, tuple | list):
        return [_to_dict(item) for item in value]
    return value


class _Result:
    def to_dict(self) -> dict[str, Any]:
        return {f.name: _to_dict(getattr(self, f.name)) for f in dataclasses.fields(self)}


# -- name resolution ----------------------------------------------------------------


@dataclass(frozen=True)
class SipTarget(_Result):
    host: str
    port: int
    source: str  # "srv" | "a" | "literal"
    priority: int = 0
    weight: int = 0


@dataclass(frozen=True)
class ResolveResult(_Result):
    domain: str
    transport: str
    targets: tuple[SipTarget, ...]
    error: str | None = None
    notes: tuple[str, ...] = ()  # what was tried on the way, e.g. "no SRV record"

    @property
    def ok(self) -> bool:
        return bool(self.targets)


def resolve_sip_targets(
    domain: str,
    transport: str = "tls",
    timeout: float = 3.0,
    *,
    nameservers: Sequence[str] | None = None,
    dns_port: int = 53,
) -> ResolveResult:
    """Where to send SIP for `domain`: SRV records, else the domain's own addresses.

    Follows RFC 3263 without NAPTR (optional, and SIP services publish SRV anyway):
    an IP literal is used as is; `host:port` skips SRV (4.2); otherwise SRV, then
    A/AAAA. Without `nameservers` the fallback uses the system resolver (hosts file
    included), as the SIP stack does. The whole call returns within about `timeout`.
    """
    transport = transport.lower()
    if transport not in _SRV_PREFIX:
        raise ValueError(f"unknown transport {transport!r}; use tls, tcp or udp")
    host, explicit_port = _split_host_port(domain.strip())
    port = explicit_port or DEFAULT_PORTS[transport]
    if _is_ip(host):
        target = SipTarget(host.strip("[]"), port, "literal")
        return ResolveResult(domain, transport, (target,))
    deadline = time.monotonic() + timeout
    notes: list[str] = []
    if explicit_port is None and not _is_localhost(host):
        srv = _srv_targets(host, transport, timeout * _SRV_SHARE, nameservers, dns_port)
        if srv.final:
            return ResolveResult(domain, transport, srv.targets, srv.error)
        notes.append(srv.note)
    addresses, error = _address_targets(host, port, deadline, nameservers, dns_port)
    return ResolveResult(domain, transport, addresses, error, tuple(notes))


def _split_host_port(text: str) -> tuple[str, int | None]:
    if _is_ip(text):  # a bare IPv6 address is full of colons
        return text, None
    host, sep, port = text.rpartition(":")
    if sep and port.isdigit() and (not host.startswith("[") or host.endswith("]")):
        return host, int(port)
    return text, None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _is_localhost(host: str) -> bool:
    # RFC 6761 6.3: never ask DNS about localhost.
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _resolver(nameservers: Sequence[str] | None, port: int) -> dns.resolver.Resolver:
    if not nameservers:
        return dns.resolver.Resolver()  # /etc/resolv.conf
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = list(nameservers)
    resolver.port = port
    return resolver


@dataclass(frozen=True)
class _SrvOutcome:
    targets: tuple[SipTarget, ...] = ()
    note: str = ""  # why the A/AAAA fallback is taken
    error: str | None = None

    @property
    def final(self) -> bool:
        """Targets found, or the domain refused the service: no fallback either way."""
        return bool(self.targets) or self.error is not None


def _srv_targets(
    host: str,
    transport: str,
    budget: float,
    nameservers: Sequence[str] | None,
    dns_port: int,
) -> _SrvOutcome:
    name = f"{_SRV_PREFIX[transport]}.{host.rstrip('.')}."
    try:
        answer = _query(_resolver(nameservers, dns_port), name, "SRV", budget)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return _SrvOutcome(note=f"no SRV record {name}; using the address of {host}")
    except (dns.exception.Timeout, TimeoutError):
        return _SrvOutcome(note=f"no answer to the SRV query {name} within {budget:.1f} s")
    except dns.exception.DNSException as exc:
        return _SrvOutcome(note=f"SRV query {name} failed: {exc}")
    return _srv_answer_targets(answer, name, transport)


def _query(resolver: dns.resolver.Resolver, name: str, rdtype: str, budget: float) -> Any:
    # dnspython overshoots `lifetime` by its retry back-off (0.1 s and up), so the
    # deadline is enforced from outside as well.
    return bounded_call(lambda: resolver.resolve(name, rdtype, lifetime=budget), budget)


def _srv_answer_targets(records: Any, name: str, transport: str) -> _SrvOutcome:
    # Lowest priority first, then heaviest; RFC 2782's weighted random choice is for
    # spreading load, a diagnosis wants a stable order.
    ordered = sorted(records, key=lambda r: (r.priority, -r.weight))
    targets = tuple(
        SipTarget(r.target.to_text().rstrip("."), r.port, "srv", r.priority, r.weight)
        for r in ordered
        if r.target.to_text() != "."
    )
    if targets:
        return _SrvOutcome(targets)
    # RFC 2782: a lone target of "." means the service is deliberately not offered.
    return _SrvOutcome(error=f"the domain offers no SIP over {transport.upper()} ({name} is '.')")


def _address_targets(
    host: str,
    port: int,
    deadline: float,
    nameservers: Sequence[str] | None,
    dns_port: int,
) -> tuple[tuple[SipTarget, ...], str | None]:
    if nameservers:
        addresses, error = _dns_addresses(host, deadline, nameservers, dns_port)
    else:
        addresses, error = _system_addresses(host, _remaining(deadline))
    return tuple(SipTarget(a, port, "a") for a in addresses), error


def _remaining(deadline: float) -> float:
    # A floor, so a lookup that the hosts file answers at once still gets its chance.
    return max(deadline - time.monotonic(), 0.1)


def _dns_addresses(
    host: str, deadline: float, nameservers: Sequence[str], dns_port: int
) -> tuple[list[str], str | None]:
    resolver = _resolver(nameservers, dns_port)
    addresses: list[str] = []
    for rdtype in ("A", "AAAA"):
        budget = _remaining(deadline)
        try:
            answer = _query(resolver, f"{host.rstrip('.')}.", rdtype, budget)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except (dns.exception.Timeout, TimeoutError):
            return addresses, None if addresses else f"no answer to the {rdtype} query in time"
        except dns.exception.DNSException as exc:
            return addresses, None if addresses else f"{rdtype} query failed: {exc}"
        addresses += [r.address for r in answer]
    return addresses, None if addresses else f"{host} has no address (no A or AAAA record)"


def _system_addresses(host: str, budget: float) -> tuple[list[str], str | None]:
    """The system resolver (hosts file included), as the SIP stack itself resolves."""
    try:
        infos = bounded_call(
            lambda: socket.getaddrinfo(host, None, type=socket.SOCK_STREAM), budget
        )
    except TimeoutError:
        return [], f"the system resolver did not answer for {host} within {budget:.1f} s"
    except OSError as exc:
        return [], f"cannot resolve {host}: {_os_error_text(exc)}"
    return _unique(info[4][0] for info in infos), None


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))


# -- reachability -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult(_Result):
    ok: bool
    message: str
    elapsed_ms: float


def check_tcp(host: str, port: int, timeout: float = 3.0) -> CheckResult:
    """Can a TCP connection to host:port be opened (the first half of reaching a TLS
    or TCP SIP server)?"""
    where = _endpoint(host, port)
    started = time.monotonic()
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=timeout):
            pass
    except OSError as exc:
        elapsed = _ms_since(started)
        return CheckResult(False, f"cannot connect to {where}: {_os_error_text(exc)}", elapsed)
    elapsed = _ms_since(started)
    return CheckResult(True, f"connected to {where} in {elapsed:.1f} ms", elapsed)


def _endpoint(host: str, port: int) -> str:
    bare = host.strip("[]")
    return f"[{bare}]:{port}" if ":" in bare else f"{bare}:{port}"


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _os_error_text(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer in time (a firewall may be dropping the packets, or the host is down)"
    if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
        return "connection refused (nothing listens on that port, or a firewall rejects it)"
    if isinstance(exc, socket.gaierror):
        return f"the name does not resolve ({exc.strerror})"
    if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "no route to the host (check the network connection)"
    return exc.strerror or str(exc) or type(exc).__name__


# -- certificate --------------------------------------------------------------------


@dataclass(frozen=True)
class TlsProbe(_Result):
    host: str
    port: int
    server_name: str
    ok: bool
    failures: tuple[TlsFailureKind, ...]
    certificate: CertificateInfo | None
    tls_version: str | None
    cipher: str | None
    message: str
    verify_message: str | None = None  # OpenSSL's own words, for the expert
    elapsed_ms: float = 0.0


@dataclass(frozen=True)
class _Session:
    certificate: CertificateInfo | None
    tls_version: str | None
    cipher: str | None


_NO_SESSION = _Session(None, None, None)


def probe_tls(
    host: str,
    port: int,
    ca_file: str | None,
    server_name: str | None = None,
    min_version: str = "1.2",
    timeout: float = 5.0,
) -> TlsProbe:
    """Connect with full verification and explain the verdict.

    When verification fails, a second handshake without verification fetches the
    certificate anyway, so the user can be shown what the server presented (subject,
    fingerprint) and every problem with it. `timeout` applies to each connection.
    """
    name = (server_name or host).strip("[]")
    version = _tls_version(min_version)
    started = time.monotonic()
    try:
        context = _verifying_context(ca_file, version)
    except (OSError, ssl.SSLError) as exc:
        text = f"Could not load the trusted certificates from {ca_file}: {exc}."
        return _failed_probe(host, port, name, TlsFailureKind.OTHER, text, started)
    try:
        return _verified_probe(host, port, name, context, timeout, started)
    except ssl.SSLCertVerificationError as exc:
        return _refused_probe(host, port, name, exc, version, timeout, started)
    except _ConnectFailed as exc:
        text = f"Could not connect to {_endpoint(host, port)}: {_os_error_text(exc.cause)}."
        return _failed_probe(host, port, name, TlsFailureKind.CONNECTION_FAILED, text, started)
    except (ssl.SSLError, OSError) as exc:
        return _handshake_failed_probe(host, port, name, exc, version, timeout, started)


class _ConnectFailed(Exception):
    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _tls_version(min_version: str) -> ssl.TLSVersion:
    try:
        return _TLS_VERSIONS[min_version]
    except KeyError:
        raise ValueError(f"min_version must be one of {sorted(_TLS_VERSIONS)}") from None


def _verifying_context(ca_file: str | None, version: ssl.TLSVersion) -> ssl.SSLContext:
    # create_default_context: CERT_REQUIRED + check_hostname; no cafile = system store.
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = version
    return context


def _unverified_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = version
    return context


def _handshake(
    host: str, port: int, name: str, context: ssl.SSLContext, timeout: float
) -> _Session:
    try:
        raw = socket.create_connection((host.strip("[]"), port), timeout=timeout)
    except OSError as exc:
        raise _ConnectFailed(exc) from exc
    # Python sends no SNI for an IP address and checks it against IP SANs instead.
    with raw, context.wrap_socket(raw, server_hostname=name) as tls:
        der = tls.getpeercert(binary_form=True)
        cipher = tls.cipher()
        return _Session(
            info_from_der(der) if der else None,
            tls.version(),
            cipher[0] if cipher else None,
        )


def _verified_probe(
    host: str, port: int, name: str, context: ssl.SSLContext, timeout: float, started: float
) -> TlsProbe:
    session = _handshake(host, port, name, context, timeout)
    subject = session.certificate.subject if session.certificate else "(none)"
    fingerprint = session.certificate.sha256 if session.certificate else "(none)"
    message = (
        f"TLS to {_endpoint(host, port)} verified for {name} ({session.tls_version}, "
        f"{session.cipher}); certificate {subject}, SHA-256 {fingerprint}."
    )
    return _probe_result(host, port, name, session, (), message, None, started)


def _refused_probe(
    host: str,
    port: int,
    name: str,
    error: ssl.SSLCertVerificationError,
    version: ssl.TLSVersion,
    timeout: float,
    started: float,
) -> TlsProbe:
    session = _peek(host, port, name, version, timeout)
    failures = failures_from_verify_code(error.verify_code, session.certificate, name)
    message = refusal_message(
        _endpoint(host, port), name, failures, session.certificate, error.verify_message
    )
    return _probe_result(
        host, port, name, session, failures, message, error.verify_message, started
    )


def _handshake_failed_probe(
    host: str,
    port: int,
    name: str,
    error: OSError,
    version: ssl.TLSVersion,
    timeout: float,
    started: float,
) -> TlsProbe:
    # A server that let the handshake time out would only do it again.
    timed_out = isinstance(error, TimeoutError)
    session = _NO_SESSION if timed_out else _peek(host, port, name, version, timeout)
    detail = _handshake_error_text(error, timeout)
    explanation = TlsFailureKind.HANDSHAKE_FAILED.explain(session.certificate, name)
    message = f"The TLS connection to {_endpoint(host, port)} failed: {explanation} ({detail})."
    failures = (TlsFailureKind.HANDSHAKE_FAILED,)
    return _probe_result(host, port, name, session, failures, message, detail, started)


def _failed_probe(
    host: str, port: int, name: str, kind: TlsFailureKind, message: str, started: float
) -> TlsProbe:
    return _probe_result(host, port, name, _NO_SESSION, (kind,), message, None, started)


def _probe_result(
    host: str,
    port: int,
    name: str,
    session: _Session,
    failures: tuple[TlsFailureKind, ...],
    message: str,
    verify_message: str | None,
    started: float,
) -> TlsProbe:
    return TlsProbe(
        host=host,
        port=port,
        server_name=name,
        ok=not failures,
        failures=failures,
        certificate=session.certificate,
        tls_version=session.tls_version,
        cipher=session.cipher,
        message=message,
        verify_message=verify_message,
        elapsed_ms=_ms_since(started),
    )


def _peek(host: str, port: int, name: str, version: ssl.TLSVersion, timeout: float) -> _Session:
    """The server's certificate without verifying it, or nothing if even that fails."""
    try:
        return _handshake(host, port, name, _unverified_context(version), timeout)
    except (_ConnectFailed, ssl.SSLError, OSError, ValueError):
        return _NO_SESSION


def _handshake_error_text(error: OSError, timeout: float) -> str:
    reason = getattr(error, "reason", None) or ""
    if isinstance(error, TimeoutError):
        return f"no TLS answer within {timeout:g} s"
    if reason == "WRONG_VERSION_NUMBER" or reason.startswith("RECORD_LAYER"):
        return "the server answered with something that is not TLS; is this a plain SIP port?"
    if "PROTOCOL_VERSION" in reason or reason == "UNSUPPORTED_PROTOCOL":
        return "the server offers no TLS version this phone accepts"
    if isinstance(error, ssl.SSLEOFError | ConnectionResetError | BrokenPipeError):
        return "the server closed the connection during the handshake"
    return reason or str(error) or type(error).__name__


def failures_from_verify_code(
    verify_code: int, certificate: CertificateInfo | None, host: str
) -> tuple[TlsFailureKind, ...]:
    """Every reason a certificate was refused, OpenSSL's first.

    OpenSSL stops at the first error, so the certificate is also judged on its own:
    an expired certificate from an unknown issuer reports both. Self-signing only
    counts when trust was the problem — a pinned self-signed certificate is fine.
    """
    primary = _VERIFY_CODES.get(verify_code, TlsFailureKind.OTHER)
    found = [primary]
    extras = classify_certificate(certificate, host) if certificate else []
    for kind in extras:
        if kind is TlsFailureKind.SELF_SIGNED and primary not in _TRUST_FAILURES:
            continue
        if kind not in found:
            found.append(kind)
    return tuple(found)


def refusal_message(
    endpoint: str,
    name: str,
    failures: Sequence[TlsFailureKind],
    certificate: CertificateInfo | None,
    verify_message: str | None = None,
) -> str:
    """A sentence naming why, and which certificate (subject and SHA-256 fingerprint)."""
    reasons = [_reason(kind, certificate, name, verify_message) for kind in failures]
    text = f"The certificate of {endpoint} was refused: {'; and '.join(reasons)}."
    if certificate is not None:
        text += f" It is {certificate.describe()}."
    return text


def _reason(
    kind: TlsFailureKind,
    certificate: CertificateInfo | None,
    name: str,
    verify_message: str | None,
) -> str:
    if kind is TlsFailureKind.OTHER and verify_message:
        return f"the server's certificate was refused ({verify_message})"
    return kind.explain(certificate, name)
