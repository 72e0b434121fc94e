"""X.509 certificates: readable summaries, a loopback certificate, and what is wrong with one.

Any thread, pure (no I/O). The TLS probe in `softphone.diagnostics.network` does the
network part; this module only judges a certificate on its own: its dates, the names it
covers and whether it signed itself. Whether its issuer is trusted needs a trust store
and a handshake, so that verdict comes from the probe.
"""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_PEM_BEGIN = b"-----BEGIN CERTIFICATE-----"
# Backdate a fresh certificate a little so a peer whose clock runs slightly behind
# does not refuse it as "not yet valid".
_CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class CertificateInfo:
    """What a person needs to recognise a certificate.

    `san` holds the subjectAltName entries in OpenSSL's spelling: `DNS:localhost`,
    `IP:127.0.0.1`, `URI:sip:example.com`, `email:x@example.com` — the kind matters,
    because an IP address must only match an IP entry.
    """

    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str
    san: tuple[str, ...]
    self_signed: bool

    @property
    def dns_names(self) -> tuple[str, ...]:
        return _san_values(self.san, "DNS")

    @property
    def ip_addresses(self) -> tuple[str, ...]:
        return _san_values(self.san, "IP")

    def describe(self) -> str:
        return (
            f"{self.subject} issued by {self.issuer}"
            f"{' (self-signed)' if self.self_signed else ''}, "
            f"valid {_day(self.not_before)} to {_day(self.not_after)}, SHA-256 {self.sha256}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "sha256": self.sha256,
            "san": list(self.san),
            "self_signed": self.self_signed,
        }


def info_from_der(der: bytes) -> CertificateInfo:
    return _info(x509.load_der_x509_certificate(der))


def info_from_pem(pem: str | bytes) -> CertificateInfo:
    """Summarise the first certificate of a PEM file or bundle (text before it is ignored)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    start = data.find(_PEM_BEGIN)
    if start < 0:
        raise ValueError("no PEM certificate found")
    return _info(x509.load_pem_x509_certificate(data[start:]))


def _info(cert: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        san=_san_entries(cert),
        self_signed=_is_self_signed(cert),
    )


def _san_entries(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    prefixes = {
        x509.DNSName: "DNS",
        x509.IPAddress: "IP",
        x509.UniformResourceIdentifier: "URI",
        x509.RFC822Name: "email",
    }
    return tuple(f"{prefixes[type(name)]}:{name.value}" for name in names if type(name) in prefixes)


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):  # unsupported key types raise TypeError
        return False
    return True


def _san_values(san: tuple[str, ...], kind: str) -> tuple[str, ...]:
    prefix = f"{kind}:"
    return tuple(entry[len(prefix) :] for entry in san if entry.startswith(prefix))


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def generate_self_signed(
    common_name: str = "softphone loopback",
    ip_addresses: tuple[str, ...] | list[str] = ("127.0.0.1",),
    dns_names: tuple[str, ...] | list[str] = ("localhost",),
    days: int = 1,
) -> tuple[str, str]:
    """Make a throwaway certificate and key for loopback TLS; returns (cert_pem, key_pem).

    Plain X.509 v3 with ECDSA P-256 and SHA-256 so the bundled OpenSSL 1.0.2 of the
    pjsua2 wheel accepts it. CA:TRUE lets the certificate be its own trust anchor, which
    is how the other side pins it. The key is unencrypted PKCS#8: it never touches disk
    and is handed over as an in-memory buffer.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        # Positive, at most 20 octets (RFC 5280 4.1.2.2).
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1 or 1)
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(_alt_names(ip_addresses, dns_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        # Key identifiers keep strict verifiers (OpenSSL's X509_STRICT) happy.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
    )
    cert = builder.sign(key, hashes.SHA256())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return cert_pem, key_pem


def _alt_names(
    ip_addresses: tuple[str, ...] | list[str], dns_names: tuple[str, ...] | list[str]
) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    entries += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    return x509.SubjectAlternativeName(entries)


def _key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


class TlsFailureKind(enum.Enum):
    """Why a TLS connection to a SIP server was not trusted or not made."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    HOSTNAME_MISMATCH = "hostname_mismatch"
    UNTRUSTED_ISSUER = "untrusted_issuer"
    SELF_SIGNED = "self_signed"
    HANDSHAKE_FAILED = "handshake_failed"
    CONNECTION_FAILED = "connection_failed"
    OTHER = "other"

    def explain(self, info: CertificateInfo | None = None, host: str | None = None) -> str:
        """One plain-language clause; more specific when the certificate and host are known."""
        return _EXPLAINERS[self](info, host)


def _explain_expired(info: CertificateInfo | None, host: str | None) -> str:
    if info is None:
        return "the server's certificate has expired"
    return f"the server's certificate expired on {_day(info.not_after)}"


def _explain_not_yet_valid(info: CertificateInfo | None, host: str | None) -> str:
    when = f"until {_day(info.not_before)}" if info else "yet"
    return f"the server's certificate is not valid {when} (check this computer's clock)"


def _explain_hostname(info: CertificateInfo | None, host: str | None) -> str:
    names = ", ".join(v for v in (*info.dns_names, *info.ip_addresses)) if info else ""
    covered = f"is for {names}" if names else "names no server"
    target = f"not for {host}" if host else "not for the server you connected to"
    return f"the server's certificate {covered}, {target}"


def _explain_untrusted(info: CertificateInfo | None, host: str | None) -> str:
    issuer = f"was issued by {info.issuer}, which is" if info else "comes from an issuer"
    return f"the server's certificate {issuer} not among the authorities this phone trusts"


def _explain_self_signed(info: CertificateInfo | None, host: str | None) -> str:
    return (
        "the server's certificate is self-signed: it vouches for itself and is not among "
        "the certificates this phone trusts"
    )


def _explain_handshake(info: CertificateInfo | None, host: str | None) -> str:
    return (
        "the secure (TLS) connection could not be set up; the server may not speak TLS "
        "on this port or may only offer protocol versions this phone refuses"
    )


def _explain_connection(info: CertificateInfo | None, host: str | None) -> str:
    return f"could not connect to {host or 'the server'}"


def _explain_other(info: CertificateInfo | None, host: str | None) -> str:
    return "the server's certificate was refused for another reason"


_EXPLAINERS = {
    TlsFailureKind.EXPIRED: _explain_expired,
    TlsFailureKind.NOT_YET_VALID: _explain_not_yet_valid,
    TlsFailureKind.HOSTNAME_MISMATCH: _explain_hostname,
    TlsFailureKind.UNTRUSTED_ISSUER: _explain_untrusted,
    TlsFailureKind.SELF_SIGNED: _explain_self_signed,
    TlsFailureKind.HANDSHAKE_FAILED: _explain_handshake,
    TlsFailureKind.CONNECTION_FAILED: _explain_connection,
    TlsFailureKind.OTHER: _explain_other,
}


def classify_certificate(
    info: CertificateInfo, host: str, now: dt.datetime | None = None
) -> list[TlsFailureKind]:
    """What is wrong with the certificate itself for `host`: dates, names, self-signing.

    A self-signed certificate is reported even if the user pinned it; the caller that
    knows about pins (the TLS probe) decides whether that matters.
    """
    moment = now or dt.datetime.now(dt.UTC)
    failures: list[TlsFailureKind] = []
    if moment > info.not_after:
        failures.append(TlsFailureKind.EXPIRED)
    if moment < info.not_before:
        failures.append(TlsFailureKind.NOT_YET_VALID)
    if not certificate_matches_host(info, host):
        failures.append(TlsFailureKind.HOSTNAME_MISMATCH)
    if info.self_signed:
        failures.append(TlsFailureKind.SELF_SIGNED)
    return failures


def certificate_matches_host(info: CertificateInfo, host: str) -> bool:
    """RFC 6125 name check against subjectAltName only, as Python's ssl does.

    The subject CN is deliberately ignored (RFC 6125 6.4.4: not when a SAN is present,
    and browsers and Python no longer fall back to it at all), so the verdict agrees
    with the handshake.
    """
    address = _ip_or_none(host)
    if address is not None:
        return any(_ip_or_none(ip) == address for ip in info.ip_addresses)
    wanted = _normalise_name(host)
    return any(_dns_name_matches(_normalise_name(name), wanted) for name in info.dns_names)


def _ip_or_none(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _normalise_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _dns_name_matches(pattern: str, host: str) -> bool:
    if "*" not in pattern:
        return pattern == host
    # Wildcard only as the whole left-most label, covering exactly one label, and with
    # at least two labels after it (no "*.com"); partial wildcards ("f*.example.com")
    # are refused, as by OpenSSL with Python's flags.
    first, _, rest = pattern.partition(".")
    if first != "*" or "*" in rest or rest.count(".") < 1:
        return False
    host_first, _, host_rest = host.partition(".")
    return bool(host_first) and host_rest == rest
