"""The doctor's network checks without the test bed: DNS through an in-process server,
TLS against in-process loopback servers, and the pure verdict/message helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from softphone.diagnostics import network
from softphone.diagnostics.network import (
    CheckResult,
    ResolveResult,
    SipTarget,
    check_tcp,
    failures_from_verify_code,
    probe_tls,
    refusal_message,
    resolve_sip_targets,
)
from softphone.security.certificates import (
    CertificateInfo,
    TlsFailureKind,
    generate_self_signed,
    info_from_pem,
)

K = TlsFailureKind


# -- a tiny authoritative DNS server on loopback ------------------------------------


class FakeDns:
    """Answers from `zone` ({(name, type): [rdata text]}), NXDOMAIN otherwise; or,
    with `silent`, never answers at all (a dead DNS server)."""

    def __init__(self, zone: dict[tuple[str, str], list[str]], silent: bool = False) -> None:
        self.zone = zone
        self.silent = silent
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            question = query.question[0]
            key = (question.name.to_text(), dns.rdatatype.to_text(question.rdtype))
            self.queries.append(key)
            if not self.silent:
                self.sock.sendto(self._answer(query, key).to_wire(), peer)

    def _answer(self, query: dns.message.Message, key: tuple[str, str]) -> dns.message.Message:
        response = dns.message.make_response(query)
        records = self.zone.get(key)
        if records is None:
            known = any(name == key[0] for name, _ in self.zone)
            response.set_rcode(dns.rcode.NOERROR if known else dns.rcode.NXDOMAIN)
        else:
            response.answer.append(dns.rrset.from_text(key[0], 60, "IN", key[1], *records))
        return response

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def fake_dns() -> Iterator[type[FakeDns]]:
    servers: list[FakeDns] = []

    def start(zone: dict[tuple[str, str], list[str]], silent: bool = False) -> FakeDns:
        server = FakeDns(zone, silent)
        servers.append(server)
        return server

    yield start  # type: ignore[misc]
    for server in servers:
        server.close()


def resolve_with(server: FakeDns, domain: str, **kwargs) -> ResolveResult:
    return resolve_sip_targets(domain, nameservers=["127.0.0.1"], dns_port=server.port, **kwargs)


# -- resolution ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "transport", "expected"),
    [
        ("127.0.0.1", "tls", SipTarget("127.0.0.1", 5061, "literal")),
        ("127.0.0.1", "udp", SipTarget("127.0.0.1", 5060, "literal")),
        ("127.0.0.1:5080", "TCP", SipTarget("127.0.0.1", 5080, "literal")),
        ("::1", "tls", SipTarget("::1", 5061, "literal")),
        ("[::1]", "tls", SipTarget("::1", 5061, "literal")),
        ("[::1]:5071", "tls", SipTarget("::1", 5071, "literal")),
    ],
)
def test_network_resolve_ip_literal_needs_no_dns(
    domain: str, transport: str, expected: SipTarget, monkeypatch
) -> None:
    monkeypatch.setattr(network, "_resolver", _forbidden)
    result = resolve_sip_targets(domain, transport)
    assert result.ok and result.error is None
    assert result.targets == (expected,)


def _forbidden(*args, **kwargs):
    raise AssertionError("DNS must not be asked")


def test_network_resolve_unknown_transport() -> None:
    with pytest.raises(ValueError, match="transport"):
        resolve_sip_targets("127.0.0.1", "sctp")


def test_network_resolve_localhost_skips_dns(monkeypatch) -> None:
    monkeypatch.setattr(network, "_resolver", _forbidden)
    result = resolve_sip_targets("localhost", "tls")
    assert result.ok
    assert SipTarget("127.0.0.1", 5061, "a") in result.targets


def test_network_resolve_srv_order(fake_dns) -> None:
    server = fake_dns(
        {
            ("_sips._tcp.example.test.", "SRV"): [
                "20 100 5061 backup.example.test.",
                "10 10 5061 light.example.test.",
                "10 90 5062 heavy.example.test.",
            ]
        }
    )
    result = resolve_with(server, "example.test")
    assert [(t.host, t.port, t.source) for t in result.targets] == [
        ("heavy.example.test", 5062, "srv"),
        ("light.example.test", 5061, "srv"),
        ("backup.example.test", 5061, "srv"),
    ]
    assert server.queries == [("_sips._tcp.example.test.", "SRV")]


@pytest.mark.parametrize(
    ("transport", "name"),
    [("tls", "_sips._tcp.example.test."), ("tcp", "_sip._tcp.example.test."),
     ("udp", "_sip._udp.example.test.")],
)  # fmt: skip
def test_network_resolve_srv_name_per_transport(fake_dns, transport: str, name: str) -> None:
    server = fake_dns({(name, "SRV"): ["0 0 5070 sip.example.test."]})
    result = resolve_with(server, "example.test", transport=transport)
    assert result.targets == (SipTarget("sip.example.test", 5070, "srv"),)


def test_network_resolve_srv_dot_means_no_service(fake_dns) -> None:
    server = fake_dns({("_sips._tcp.example.test.", "SRV"): ["0 0 0 ."]})
    result = resolve_with(server, "example.test")
    assert not result.ok
    assert "offers no SIP over TLS" in (result.error or "")


def test_network_resolve_falls_back_to_addresses(fake_dns) -> None:
    server = fake_dns(
        {
            ("example.test.", "A"): ["192.0.2.10"],
            ("example.test.", "AAAA"): ["2001:db8::10"],
        }
    )
    result = resolve_with(server, "example.test", transport="udp")
    assert result.targets == (
        SipTarget("192.0.2.10", 5060, "a"),
        SipTarget("2001:db8::10", 5060, "a"),
    )
    assert "no SRV record _sip._udp.example.test." in result.notes[0]


def test_network_resolve_explicit_port_skips_srv(fake_dns) -> None:
    server = fake_dns({("example.test.", "A"): ["192.0.2.10"]})
    result = resolve_with(server, "example.test:5099")
    assert result.targets == (SipTarget("192.0.2.10", 5099, "a"),)
    assert all(rdtype != "SRV" for _, rdtype in server.queries)


def test_network_resolve_nxdomain_is_a_clear_error(fake_dns) -> None:
    server = fake_dns({})
    result = resolve_with(server, "missing.test")
    assert not result.ok
    assert "missing.test has no address" in (result.error or "")


def test_network_resolve_dead_dns_server_honours_timeout(fake_dns) -> None:
    server = fake_dns({}, silent=True)
    started = time.monotonic()
    result = resolve_with(server, "example.test", timeout=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 1.6
    assert not result.ok
    assert "no answer to the SRV query" in result.notes[0]
    assert "no answer" in (result.error or "")


def test_network_resolve_hanging_system_resolver_honours_timeout(monkeypatch) -> None:
    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait(5)
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(network.socket, "getaddrinfo", hang)
    started = time.monotonic()
    result = resolve_sip_targets("sip.localhost", timeout=0.5)
    release.set()
    assert time.monotonic() - started < 1.0
    assert "did not answer for sip.localhost" in (result.error or "")


def test_network_resolve_result_to_dict_is_json() -> None:
    result = resolve_sip_targets("[::1]:5071")
    assert json.loads(json.dumps(result.to_dict())) == {
        "domain": "[::1]:5071",
        "transport": "tls",
        "targets": [{"host": "::1", "port": 5071, "source": "literal", "priority": 0, "weight": 0}],
        "error": None,
        "notes": [],
    }


# -- reachability -------------------------------------------------------------------


def test_network_check_tcp_open_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        result = check_tcp("127.0.0.1", listener.getsockname()[1])
    assert result.ok
    assert result.elapsed_ms >= 0
    assert result.message.startswith("connected to 127.0.0.1:")


def test_network_check_tcp_closed_port() -> None:
    port = _closed_port()
    result = check_tcp("127.0.0.1", port, timeout=2)
    assert not result.ok
    assert "connection refused" in result.message
    assert result.to_dict()["ok"] is False


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_network_check_result_is_frozen() -> None:
    result = CheckResult(True, "fine", 1.0)
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]


# -- the verdict on a refused certificate --------------------------------------------


def _info(
    *,
    self_signed: bool = False,
    expired: bool = False,
    san: tuple[str, ...] = ("DNS:localhost", "IP:127.0.0.1"),
) -> CertificateInfo:
    now = dt.datetime.now(dt.UTC)
    end = now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=1)
    return CertificateInfo(
        subject="CN=localhost",
        issuer="CN=localhost" if self_signed else "CN=Some CA",
        not_before=now - dt.timedelta(days=30),
        not_after=end,
        sha256="AB:CD:EF",
        san=san,
        self_signed=self_signed,
    )


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (10, K.EXPIRED),
        (9, K.NOT_YET_VALID),
        (62, K.HOSTNAME_MISMATCH),
        (64, K.HOSTNAME_MISMATCH),
        (18, K.SELF_SIGNED),
        (19, K.UNTRUSTED_ISSUER),
        (20, K.UNTRUSTED_ISSUER),
        (21, K.UNTRUSTED_ISSUER),
        (7, K.OTHER),
    ],
)
def test_network_verify_code_mapping(code: int, kind: TlsFailureKind) -> None:
    assert failures_from_verify_code(code, None, "127.0.0.1") == (kind,)


def test_network_verify_untrusted_and_expired_reports_both() -> None:
    found = failures_from_verify_code(20, _info(expired=True), "127.0.0.1")
    assert found == (K.UNTRUSTED_ISSUER, K.EXPIRED)


def test_network_verify_self_signed_only_when_trust_failed() -> None:
    pinned = _info(self_signed=True, san=("DNS:other.example",))
    assert failures_from_verify_code(62, pinned, "127.0.0.1") == (K.HOSTNAME_MISMATCH,)
    assert failures_from_verify_code(18, pinned, "127.0.0.1") == (
        K.SELF_SIGNED,
        K.HOSTNAME_MISMATCH,
    )


def test_network_refusal_message_names_reason_subject_fingerprint() -> None:
    info = _info(expired=True)
    text = refusal_message("127.0.0.1:5062", "127.0.0.1", (K.EXPIRED,), info)
    assert text.startswith("The certificate of 127.0.0.1:5062 was refused: ")
    assert f"expired on {info.not_after:%Y-%m-%d}" in text
    assert "CN=localhost" in text and "SHA-256 AB:CD:EF" in text


def test_network_refusal_message_other_uses_openssl_words() -> None:
    text = refusal_message("h:1", "h", (K.OTHER,), None, "CA certificate key too weak")
    assert "(CA certificate key too weak)" in text


def test_network_probe_rejects_unknown_min_version() -> None:
    with pytest.raises(ValueError, match="min_version"):
        probe_tls("127.0.0.1", 1, None, min_version="1.1")


# -- TLS against in-process loopback servers ---------------------------------------


@pytest.fixture(scope="module")
def loopback_cert(tmp_path_factory) -> tuple[Path, Path, str]:
    cert_pem, key_pem = generate_self_signed()
    folder = tmp_path_factory.mktemp("loopback")
    (folder / "cert.pem").write_text(cert_pem)
    (folder / "key.pem").write_text(key_pem)
    return folder / "cert.pem", folder / "key.pem", cert_pem


class LoopbackTls:
    """Accepts connections on 127.0.0.1 and runs `handle(conn)` for each."""

    def __init__(self, handle) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.handle = handle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                # The client hangs up on purpose after refusing a certificate.
                with contextlib.suppress(OSError, ssl.SSLError):
                    self.handle(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.listener.close()


@pytest.fixture
def tls_server(loopback_cert) -> Iterator:
    servers: list[LoopbackTls] = []

    def start(max_version: ssl.TLSVersion | None = None) -> LoopbackTls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(loopback_cert[0], loopback_cert[1])
        if max_version:
            context.maximum_version = max_version

        def handshake(conn: socket.socket) -> None:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)

        server = LoopbackTls(handshake)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_network_probe_pinned_self_signed_is_ok(tls_server, loopback_cert) -> None:
    server = tls_server()
    probe = probe_tls("127.0.0.1", server.port, str(loopback_cert[0]))
    assert probe.ok, probe.message
    assert probe.failures == ()
    assert probe.certificate == info_from_pem(loopback_cert[2])
    assert probe.tls_version in ("TLSv1.2", "TLSv1.3")
    assert probe.certificate.sha256 in probe.message


def test_network_probe_unpinned_self_signed_is_refused(tls_server, loopback_cert) -> None:
    server = tls_server()
    probe = probe_tls("127.0.0.1", server.port, None, server_name="localhost")
    assert not probe.ok
    assert probe.failures[0] in (K.SELF_SIGNED, K.UNTRUSTED_ISSUER)
    assert probe.certificate == info_from_pem(loopback_cert[2])
    assert probe.certificate.sha256 in probe.message
    assert json.loads(json.dumps(probe.to_dict()))["failures"][0] == probe.failures[0].value


def test_network_probe_wrong_name_with_pin(tls_server, loopback_cert) -> None:
    server = tls_server()
    probe = probe_tls(
        "127.0.0.1", server.port, str(loopback_cert[0]), server_name="sip.example.test"
    )
    assert probe.failures == (K.HOSTNAME_MISMATCH,)
    assert "is for localhost, 127.0.0.1, not for sip.example.test" in probe.message


def test_network_probe_old_tls_only_server(tls_server, loopback_cert) -> None:
    server = tls_server(max_version=ssl.TLSVersion.TLSv1_2)
    probe = probe_tls("127.0.0.1", server.port, str(loopback_cert[0]), min_version="1.3")
    assert probe.failures == (K.HANDSHAKE_FAILED,)
    assert probe.certificate is None


def test_network_probe_plain_text_server() -> None:
    def sip_over_tcp(conn: socket.socket) -> None:
        conn.recv(1024)
        conn.sendall(b"SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    server = LoopbackTls(sip_over_tcp)
    try:
        probe = probe_tls("127.0.0.1", server.port, None, timeout=2)
    finally:
        server.close()
    assert probe.failures == (K.HANDSHAKE_FAILED,)
    assert "not TLS" in probe.message


def test_network_probe_silent_server_times_out() -> None:
    server = LoopbackTls(lambda conn: time.sleep(1.5))
    try:
        started = time.monotonic()
        probe = probe_tls("127.0.0.1", server.port, None, timeout=0.5)
    finally:
        server.close()
    assert probe.failures == (K.HANDSHAKE_FAILED,)
    assert "no TLS answer within 0.5 s" in probe.message
    assert time.monotonic() - started < 3


def test_network_probe_missing_ca_file(tmp_path: Path) -> None:
    probe = probe_tls("127.0.0.1", 1, str(tmp_path / "missing.crt"))
    assert probe.failures == (K.OTHER,)
    assert "missing.crt" in probe.message
