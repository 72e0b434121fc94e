"""The doctor's network checks against the real test bed's TLS listeners (Kamailio).

5061 serves a good certificate from the test CA, 5062 an expired one, 5063 one for
the wrong host, 5064 a self-signed one (shared/testbed/README.md).
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
from pathlib import Path

import pytest

from softphone.diagnostics.network import (
    check_tcp,
    probe_tls,
    resolve_sip_targets,
)
from softphone.security.certificates import TlsFailureKind, info_from_pem

pytestmark = pytest.mark.integration

K = TlsFailureKind
TESTBED_DIR = Path(os.environ.get("TESTBED_DIR", "/tmp/sip-testbed"))


def _unavailable(reason: str) -> None:
    # CI always has the bed up; there a missing bed is a failure, not a skip.
    if os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def bed() -> dict[str, str]:
    path = TESTBED_DIR / "env"
    if not path.exists():
        _unavailable(f"SIP test bed not running: {path} is missing (run shared/testbed/up)")
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = shlex.split(value)[0] if value else ""
    if not check_tcp(env["SIP_HOST"], int(env["SIP_TLS_PORT"]), timeout=2).ok:
        _unavailable(f"SIP test bed not listening on {env['SIP_HOST']}:{env['SIP_TLS_PORT']}")
    return env


def _probe(bed: dict[str, str], port_key: str, **kwargs):
    kwargs.setdefault("ca_file", bed["TLS_CA_FILE"])
    return probe_tls(bed["SIP_HOST"], int(bed[port_key]), **kwargs)


def _openssl_sha256(cert_file: str) -> str:
    out = subprocess.run(
        ["openssl", "x509", "-in", cert_file, "-noout", "-fingerprint", "-sha256"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().split("=", 1)[1].upper()  # "sha256 Fingerprint=AB:CD:..."


def test_network_diagnostics_good_certificate_verifies(bed) -> None:
    probe = _probe(bed, "SIP_TLS_PORT")
    assert probe.ok, probe.message
    assert probe.failures == ()
    assert probe.tls_version in ("TLSv1.2", "TLSv1.3")
    assert probe.cipher
    assert probe.certificate == info_from_pem(Path(bed["TLS_SERVER_CERT"]).read_text())
    assert probe.certificate.sha256 == _openssl_sha256(bed["TLS_SERVER_CERT"])
    assert probe.certificate.sha256 in probe.message


def test_network_diagnostics_good_certificate_by_name(bed) -> None:
    probe = _probe(bed, "SIP_TLS_PORT", server_name="localhost")
    assert probe.ok, probe.message


def test_network_diagnostics_minimum_tls_13(bed) -> None:
    probe = _probe(bed, "SIP_TLS_PORT", min_version="1.3")
    assert probe.ok, probe.message
    assert probe.tls_version == "TLSv1.3"


def test_network_diagnostics_expired(bed) -> None:
    probe = _probe(bed, "SIP_TLS_EXPIRED_PORT")
    assert not probe.ok
    assert probe.failures == (K.EXPIRED,)
    assert "expired on 2020-02-01" in probe.message
    assert _openssl_sha256(bed["TLS_EXPIRED_CERT"]) in probe.message
    assert "CN=localhost" in probe.message


def test_network_diagnostics_expired_and_untrusted_reports_both(bed) -> None:
    probe = _probe(bed, "SIP_TLS_EXPIRED_PORT", ca_file=None)
    assert set(probe.failures) == {K.UNTRUSTED_ISSUER, K.EXPIRED}
    assert probe.failures[0] is K.UNTRUSTED_ISSUER  # OpenSSL's own verdict comes first


def test_network_diagnostics_wrong_host(bed) -> None:
    probe = _probe(bed, "SIP_TLS_WRONGHOST_PORT")
    assert probe.failures == (K.HOSTNAME_MISMATCH,)
    assert "is for wrong.example.invalid, not for 127.0.0.1" in probe.message
    assert _openssl_sha256(bed["TLS_WRONGHOST_CERT"]) in probe.message


def test_network_diagnostics_wrong_host_by_name(bed) -> None:
    probe = _probe(bed, "SIP_TLS_WRONGHOST_PORT", server_name="localhost")
    assert probe.failures == (K.HOSTNAME_MISMATCH,)
    assert "not for localhost" in probe.message


def test_network_diagnostics_self_signed(bed) -> None:
    probe = _probe(bed, "SIP_TLS_UNKNOWNCA_PORT")
    assert not probe.ok
    assert probe.failures[0] in (K.SELF_SIGNED, K.UNTRUSTED_ISSUER)
    assert probe.certificate is not None and probe.certificate.self_signed
    assert probe.certificate.sha256 == _openssl_sha256(bed["TLS_SELFSIGNED_CERT"])
    assert probe.certificate.sha256 in probe.message


def test_network_diagnostics_self_signed_pinned(bed) -> None:
    """Trusting the self-signed certificate itself (pinning) makes the same server pass."""
    probe = _probe(bed, "SIP_TLS_UNKNOWNCA_PORT", ca_file=bed["TLS_SELFSIGNED_CERT"])
    assert probe.ok, probe.message


def test_network_diagnostics_system_store_does_not_know_test_ca(bed) -> None:
    probe = _probe(bed, "SIP_TLS_PORT", ca_file=None)
    assert probe.failures == (K.UNTRUSTED_ISSUER,)
    assert "SIP Testbed Test CA" in probe.message
    assert _openssl_sha256(bed["TLS_SERVER_CERT"]) in probe.message


def test_network_diagnostics_closed_port(bed) -> None:
    with socket.socket() as s:
        s.bind((bed["SIP_HOST"], 0))
        port = s.getsockname()[1]
    probe = probe_tls(bed["SIP_HOST"], port, bed["TLS_CA_FILE"], timeout=2)
    assert probe.failures == (K.CONNECTION_FAILED,)
    assert probe.certificate is None
    assert "connection refused" in probe.message


def test_network_diagnostics_plain_sip_port_is_not_tls(bed) -> None:
    probe = probe_tls(bed["SIP_HOST"], int(bed["SIP_TCP_PORT"]), bed["TLS_CA_FILE"], timeout=1)
    assert probe.failures == (K.HANDSHAKE_FAILED,)
    assert probe.certificate is None


def test_network_diagnostics_tcp_reachability(bed) -> None:
    for key in ("SIP_TCP_PORT", "SIP_TLS_PORT", "SIP_TLS_EXPIRED_PORT"):
        result = check_tcp(bed["SIP_HOST"], int(bed[key]))
        assert result.ok, result.message


def test_network_diagnostics_resolve_testbed_domain(bed) -> None:
    result = resolve_sip_targets(bed["SIP_DOMAIN"], "tls")
    assert result.targets[0].host == bed["SIP_HOST"]
    assert result.targets[0].port == int(bed["SIP_TLS_PORT"])
    assert check_tcp(result.targets[0].host, result.targets[0].port).ok


def test_network_diagnostics_doctor_order_end_to_end(bed) -> None:
    """Resolve, reach, verify: the three network steps the doctor runs before REGISTER."""
    domain = f"localhost:{bed['SIP_TLS_PORT']}"
    resolved = resolve_sip_targets(domain, "tls")
    assert resolved.ok, resolved.error
    target = resolved.targets[0]
    assert check_tcp(target.host, target.port).ok
    probe = probe_tls(target.host, target.port, bed["TLS_CA_FILE"], server_name="localhost")
    assert probe.ok, probe.message


def test_network_diagnostics_unknown_domain_fails_clearly() -> None:
    """No working DNS here: NXDOMAIN or a timeout, but quickly and with a reason."""
    result = resolve_sip_targets("no-such-host.invalid", "tls", timeout=2.0)
    assert not result.ok
    assert result.error
