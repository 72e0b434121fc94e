"""The long-term DTLS identity: generated once, kept in the secret store, rotated near expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import MemoryStore

from softphone.e2e import identity as ident
from softphone.e2e.identity import DtlsIdentity, IdentityError, generate_identity, load_or_create

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_generated_identity_is_ec_p256_and_neutral():
    identity = generate_identity(NOW)
    cert = identity.certificate
    assert cert.public_key().curve.name == "secp256r1"
    assert cert.subject.rfc4514_string() == "CN=softphone"  # never the user's address
    assert identity.not_after == NOW + ident.VALIDITY
    assert len(identity.fingerprint) == 32
    assert "PRIVATE" not in repr(identity) and identity.key_pem.reveal() not in repr(identity)


def test_same_identity_on_every_load():
    store = MemoryStore()
    first, made = load_or_create(store, "alice@example.com", NOW)
    assert made
    second, made_again = load_or_create(store, "alice@example.com", NOW + dt.timedelta(days=100))
    assert not made_again and second.fingerprint == first.fingerprint
    other, _ = load_or_create(store, "carol@example.com", NOW)
    assert other.fingerprint != first.fingerprint
    assert set(store.values) == {
        ("e2e", "identity:alice@example.com"),
        ("e2e", "identity:carol@example.com"),
    }


def test_rotated_before_expiry():
    store = MemoryStore()
    first, _ = load_or_create(store, "alice@example.com", NOW)
    just_before = first.not_after - ident.ROTATE_BEFORE - dt.timedelta(minutes=1)
    assert (
        load_or_create(store, "alice@example.com", just_before)[0].fingerprint == first.fingerprint
    )
    rotated, made = load_or_create(
        store, "alice@example.com", first.not_after - ident.ROTATE_BEFORE
    )
    assert made and rotated.fingerprint != first.fingerprint
    assert rotated.not_after > first.not_after
    # and the rotated one is what the store now holds
    assert (
        load_or_create(store, "alice@example.com", first.not_after)[0].fingerprint
        == rotated.fingerprint
    )


def test_damaged_identity_is_an_error_and_left_alone():
    store = MemoryStore()
    store.set("e2e", "identity:alice@example.com", "not a key")
    with pytest.raises(IdentityError):
        load_or_create(store, "alice@example.com", NOW)
    assert store.values[("e2e", "identity:alice@example.com")] == "not a key"


def test_key_must_match_certificate():
    a, b = generate_identity(NOW), generate_identity(NOW)
    with pytest.raises(IdentityError, match="does not match"):
        DtlsIdentity.from_text(a.key_pem.reveal() + b.cert_pem)
    assert DtlsIdentity.from_text(a.to_text().reveal()).fingerprint == a.fingerprint


def test_rtc_certificate_matches_the_fingerprint():
    pytest.importorskip("aiortc")
    identity = generate_identity(NOW)
    fingerprints = identity.rtc_certificate().getFingerprints()
    sha256 = next(f.value for f in fingerprints if f.algorithm == "sha-256")
    assert sha256 == ":".join(f"{b:02X}" for b in identity.fingerprint)
