"""Certificate summaries, the loopback certificate, and judging a certificate on its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from softphone.security.certificates import (
    CertificateInfo,
    TlsFailureKind,
    certificate_matches_host,
    classify_certificate,
    generate_self_signed,
    info_from_der,
    info_from_pem,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_cert(
    *,
    subject: str = "sip.example.com",
    dns: tuple[str, ...] = ("sip.example.com",),
    ips: tuple[str, ...] = (),
    not_before: dt.datetime = NOW - dt.timedelta(days=30),
    not_after: dt.datetime = NOW + dt.timedelta(days=30),
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    issuer: str = "Example CA",
) -> x509.Certificate:
    """A leaf signed by `issuer_key` (a fresh key when None); self-signed if issuer == subject."""
    key = ec.generate_private_key(ec.SECP256R1())
    signer = issuer_key or (key if issuer == subject else ec.generate_private_key(ec.SECP256R1()))
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer, hashes.SHA256())


def info_of(cert: x509.Certificate) -> CertificateInfo:
    return info_from_der(cert.public_bytes(serialization.Encoding.DER))


def test_certificates_info_fields() -> None:
    cert = make_cert(dns=("sip.example.com", "example.com"), ips=("192.0.2.7", "2001:db8::1"))
    info = info_of(cert)
    assert info.subject == "CN=sip.example.com,O=Example"
    assert info.issuer == "CN=Example CA,O=Example"
    assert info.not_before == NOW - dt.timedelta(days=30)
    assert info.not_after.tzinfo is not None
    assert info.san == (
        "DNS:sip.example.com",
        "DNS:example.com",
        "IP:192.0.2.7",
        "IP:2001:db8::1",
    )
    assert info.dns_names == ("sip.example.com", "example.com")
    assert info.ip_addresses == ("192.0.2.7", "2001:db8::1")
    assert info.self_signed is False


def test_certificates_sha256_is_uppercase_colon_hex_of_der() -> None:
    cert = make_cert()
    der = cert.public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    expected = ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
    assert info_from_der(der).sha256 == expected
    assert len(expected) == 32 * 3 - 1


def test_certificates_pem_bundle_takes_first_certificate() -> None:
    first, second = make_cert(subject="first.example"), make_cert(subject="second.example")
    bundle = (
        "# exported bundle\n"
        + first.public_bytes(serialization.Encoding.PEM).decode()
        + second.public_bytes(serialization.Encoding.PEM).decode()
    )
    assert info_from_pem(bundle).subject.startswith("CN=first.example")
    assert info_from_pem(bundle.encode()) == info_from_pem(bundle)


def test_certificates_pem_without_certificate_is_an_error() -> None:
    with pytest.raises(ValueError, match="no PEM certificate"):
        info_from_pem("-----BEGIN PRIVATE KEY-----\n")


def test_certificates_self_signed_needs_own_signature() -> None:
    own = make_cert(subject="Box", issuer="Box")
    same_name_other_key = make_cert(subject="Box", issuer="Box", issuer_key=_key())
    assert info_of(own).self_signed is True
    assert info_of(same_name_other_key).self_signed is False


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_certificates_describe_is_one_line() -> None:
    info = info_of(make_cert())
    text = info.describe()
    assert "\n" not in text
    assert "CN=sip.example.com,O=Example" in text and "CN=Example CA" in text
    assert "2026-05-02 to 2026-07-01" in text
    assert info.sha256 in text


def test_certificates_to_dict_is_json_ready() -> None:
    info = info_of(make_cert())
    data = info.to_dict()
    assert data["not_after"] == "2026-07-01T12:00:00+00:00"
    assert data["san"] == ["DNS:sip.example.com"]


# -- the loopback certificate -------------------------------------------------------


@pytest.fixture(scope="module")
def loopback() -> tuple[str, str]:
    return generate_self_signed()


def test_certificates_generated_profile(loopback) -> None:
    cert = x509.load_pem_x509_certificate(loopback[0].encode())
    assert cert.version is x509.Version.v3
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "softphone loopback"
    )
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}


def test_certificates_generated_names_and_validity(loopback) -> None:
    info = info_from_pem(loopback[0])
    assert info.san == ("DNS:localhost", "IP:127.0.0.1")
    assert info.self_signed
    now = dt.datetime.now(UTC)
    assert info.not_before < now < info.not_after <= now + dt.timedelta(days=1)
    assert classify_certificate(info, "127.0.0.1") == [TlsFailureKind.SELF_SIGNED]


def test_certificates_generated_key_is_unencrypted_pkcs8(loopback) -> None:
    cert_pem, key_pem = loopback
    assert key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    assert key.public_key() == cert.public_key()


def test_certificates_generated_custom_names() -> None:
    cert_pem, _ = generate_self_signed("box", ip_addresses=("::1",), dns_names=(), days=3)
    info = info_from_pem(cert_pem)
    assert info.subject == "CN=box"
    assert info.san == ("IP:::1",)
    assert certificate_matches_host(info, "::1")
    assert certificate_matches_host(info, "[::1]")


def test_certificates_generated_pins_itself_in_a_real_handshake(loopback, tmp_path: Path) -> None:
    """The certificate is its own trust anchor: a verifying client accepts it by pinning."""
    cert_pem, key_pem = loopback
    (tmp_path / "cert.pem").write_text(cert_pem)
    (tmp_path / "key.pem").write_text(key_pem)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client_ctx = ssl.create_default_context(cadata=cert_pem)
    client_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            conn, _ = listener.accept()
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"ok")

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
            client_ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.recv(2) == b"ok"
            peer = info_from_der(tls.getpeercert(binary_form=True))
        thread.join(5)
    assert peer == info_from_pem(cert_pem)


# -- judging a certificate ----------------------------------------------------------


def test_certificates_classify_good_certificate() -> None:
    info = info_of(make_cert(ips=("192.0.2.7",)))
    assert classify_certificate(info, "sip.example.com", now=NOW) == []
    assert classify_certificate(info, "SIP.Example.COM.", now=NOW) == []
    assert classify_certificate(info, "192.0.2.7", now=NOW) == []


def test_certificates_classify_expired_and_not_yet_valid() -> None:
    info = info_of(make_cert())
    later, earlier = NOW + dt.timedelta(days=31), NOW - dt.timedelta(days=31)
    assert classify_certificate(info, "sip.example.com", now=later) == [TlsFailureKind.EXPIRED]
    assert classify_certificate(info, "sip.example.com", now=earlier) == [
        TlsFailureKind.NOT_YET_VALID
    ]


def test_certificates_classify_reports_every_problem() -> None:
    info = info_of(make_cert(subject="Box", issuer="Box", dns=("box.example",)))
    found = classify_certificate(info, "sip.example.com", now=NOW + dt.timedelta(days=60))
    assert found == [
        TlsFailureKind.EXPIRED,
        TlsFailureKind.HOSTNAME_MISMATCH,
        TlsFailureKind.SELF_SIGNED,
    ]


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("*.example.com", "sip.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.com", "example.com", False),
        ("s*.example.com", "sip.example.com", False),
        ("sip.*.com", "sip.example.com", False),
        ("SIP.example.com", "sip.EXAMPLE.com", True),
    ],
)
def test_certificates_wildcard_left_most_label_only(pattern: str, host: str, matches: bool) -> None:
    info = info_of(make_cert(dns=(pattern,)))
    assert certificate_matches_host(info, host) is matches


def test_certificates_ip_needs_ip_entry() -> None:
    dns_only = info_of(make_cert(dns=("127.0.0.1", "localhost")))
    with_ip = info_of(make_cert(dns=("localhost",), ips=("127.0.0.1",)))
    assert not certificate_matches_host(dns_only, "127.0.0.1")
    assert certificate_matches_host(with_ip, "127.0.0.1")
    assert not certificate_matches_host(with_ip, "127.0.0.2")
    assert not certificate_matches_host(with_ip, "sip.example.com")


def test_certificates_common_name_is_not_a_fallback() -> None:
    info = info_of(make_cert(subject="sip.example.com", dns=()))
    assert classify_certificate(info, "sip.example.com", now=NOW) == [
        TlsFailureKind.HOSTNAME_MISMATCH
    ]


def test_certificates_explanations_are_specific() -> None:
    info = info_of(
        make_cert(
            dns=("wrong.example.invalid",),
            not_before=dt.datetime(2020, 1, 1, tzinfo=UTC),
            not_after=dt.datetime(2020, 2, 1, tzinfo=UTC),
        )
    )
    assert TlsFailureKind.EXPIRED.explain(info) == "the server's certificate expired on 2020-02-01"
    assert "not valid until 2020-01-01" in TlsFailureKind.NOT_YET_VALID.explain(info)
    assert TlsFailureKind.HOSTNAME_MISMATCH.explain(info, "127.0.0.1") == (
        "the server's certificate is for wrong.example.invalid, not for 127.0.0.1"
    )
    assert "CN=Example CA,O=Example" in TlsFailureKind.UNTRUSTED_ISSUER.explain(info)


@pytest.mark.parametrize("kind", list(TlsFailureKind))
def test_certificates_every_kind_explains_without_details(kind: TlsFailureKind) -> None:
    text = kind.explain()
    assert text and text[0].islower() and not text.endswith(".")
