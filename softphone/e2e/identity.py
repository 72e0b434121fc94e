"""The long-term DTLS identity of an account: one certificate, kept in the secret store.

Any thread (pure apart from the secret store it is given, whose own lock serialises
access).

Why long-term: the SAS protects one call. Remembering the peer's certificate
fingerprint once the users have compared the SAS lets later calls from that contact
be verified without reading it again — and a different fingerprint from a contact
verified before is flagged loudly (`softphone.e2e.trust`). That only works if each
account presents the same certificate on every call, so the certificate and its
private key are generated once per account (EC P-256, what aiortc's DTLS uses) and
kept in the secret store: service "e2e", name "identity:<user@domain>", the private
key and certificate as PEM. The key is a `Secret` in memory and never logged.

Rotation: the certificate is valid for a year; within `ROTATE_BEFORE` of its end a
new one is made (and stored) when the account is loaded. A contact who verified the
old one then sees "identity changed" on the next call and verifies again: that is the
price of not carrying a continuity proof (see the README's limitations). aiortc's own
certificates, by contrast, expire after 30 days and change on every call.

Privacy: DTLS 1.2 sends certificates in the clear, so the subject is a neutral
"softphone", never the user's address. The fingerprint itself is stable per account,
so anyone who sees the SDP or the media path can tell two calls of the same account
apart from others — as SIP addresses already allow.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from softphone.security import redaction
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore

log = logging.getLogger(__name__)

SERVICE = "e2e"
VALIDITY = dt.timedelta(days=365)
ROTATE_BEFORE = dt.timedelta(days=30)
_SKEW = dt.timedelta(minutes=5)
_CERT_BEGIN = "-----BEGIN CERTIFICATE-----"


class IdentityError(ValueError):
    """A stored identity cannot be used (damaged, not ours); the message holds no key."""


@dataclass(frozen=True)
class DtlsIdentity:
    cert_pem: str
    key_pem: Secret = field(repr=False)

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem.encode())

    @property
    def fingerprint(self) -> bytes:
        """SHA-256 of the DER certificate: what the SDP's a=fingerprint names."""
        return self.certificate.fingerprint(hashes.SHA256())

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def needs_rotation(self, now: dt.datetime | None = None) -> bool:
        now = now or dt.datetime.now(dt.UTC)
        return self.not_after - now <= ROTATE_BEFORE

    def rtc_certificate(self):  # -> aiortc.RTCCertificate (imported lazily: optional dep)
        from aiortc.rtcdtlstransport import RTCCertificate

        key = serialization.load_pem_private_key(self.key_pem.reveal().encode(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise IdentityError("the identity key is not an EC key")
        return RTCCertificate(key=key, cert=self.certificate)

    def to_text(self) -> Secret:
        return Secret(self.key_pem.reveal() + self.cert_pem)

    @classmethod
    def from_text(cls, text: str) -> DtlsIdentity:
        key_part, sep, cert_part = text.partition(_CERT_BEGIN)
        if not sep or "PRIVATE KEY-----" not in key_part:
            raise IdentityError("the stored end-to-end identity is not a key and a certificate")
        redaction.register_secret(key_part)
        identity = cls(cert_pem=sep + cert_part, key_pem=Secret(key_part))
        try:
            cert = identity.certificate
            key = serialization.load_pem_private_key(key_part.encode(), None)
        except (ValueError, TypeError):
            raise IdentityError("the stored end-to-end identity does not parse") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise IdentityError("the stored end-to-end identity key is not an EC key")
        if key.public_key().public_numbers() != cert.public_key().public_numbers():
            raise IdentityError("the stored end-to-end key does not match its certificate")
        return identity


def generate_identity(now: dt.datetime | None = None) -> DtlsIdentity:
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "softphone")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _SKEW)
        .not_valid_after(now + VALIDITY)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    redaction.register_secret(key_pem)
    return DtlsIdentity(cert.public_bytes(serialization.Encoding.PEM).decode(), Secret(key_pem))


def secret_name(account: str) -> str:
    return f"identity:{account}"


def load_or_create(
    store: SecretStore, account: str, now: dt.datetime | None = None
) -> tuple[DtlsIdentity, bool]:
    """The account's identity from the store, made (or rotated) and stored if needed.

    Returns the identity and whether a new one was made. A stored value that does not
    parse raises `IdentityError` and is left as it is (never silently replaced: the
    user's contacts verified it).
    """
    now = now or dt.datetime.now(dt.UTC)
    name = secret_name(account)
    stored = store.get(SERVICE, name)
    if stored is not None:
        identity = DtlsIdentity.from_text(stored.reveal())
        if not identity.needs_rotation(now):
            return identity, False
        log.info("end-to-end identity of %s expires on %s: rotating", account, identity.not_after)
    identity = generate_identity(now)
    store.set(SERVICE, name, identity.to_text())
    return identity, True
