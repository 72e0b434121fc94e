"""The end-to-end policy: the stricter requirement wins, the fallback decision, the exact
labels, identity status and how peers are keyed."""

from __future__ import annotations

import pytest

from softphone.policy.end_to_end import (
    LABEL_E2E_NOT_VERIFIED,
    LABEL_E2E_VERIFIED,
    LABEL_NOT_ENCRYPTED,
    LABEL_TO_SERVER,
    E2eMode,
    PeerE2eFacts,
    call_label,
    call_mode,
    decide_fallback,
    identity_status,
    peer_address,
)

OFF, PREF, REQ = E2eMode.OFF, E2eMode.PREFERRED, E2eMode.REQUIRED


@pytest.mark.parametrize(
    ("profile", "contact", "expected"),
    [
        (OFF, None, OFF),
        (PREF, None, PREF),
        (REQ, None, REQ),
        (OFF, PREF, PREF),
        (OFF, REQ, REQ),
        (PREF, REQ, REQ),
        (REQ, PREF, REQ),  # a contact cannot loosen the profile
        ("preferred", None, PREF),
    ],
)
def test_stricter_requirement_wins(profile, contact, expected):
    assert call_mode(profile, PeerE2eFacts(requirement=contact)) is expected


def test_call_mode_without_facts_and_bad_mode():
    assert call_mode("required") is REQ
    with pytest.raises(ValueError):
        call_mode("sometimes")


def test_fallback_refused_only_when_required():
    refused = decide_fallback(REQ, "the peer answered without end-to-end encryption")
    assert not refused.allowed
    assert "required" in refused.reason and "answered without" in refused.reason
    assert "server" in refused.reason
    for mode in (PREF, OFF):
        allowed = decide_fallback(mode, "why")
        assert allowed.allowed and LABEL_TO_SERVER in allowed.reason


@pytest.mark.parametrize(
    ("encrypted", "end_to_end", "verified", "label"),
    [
        (True, True, True, "end-to-end encrypted (verified)"),
        (True, True, False, "end-to-end encrypted (not verified)"),
        (True, False, False, "encrypted to the server only"),
        (True, False, True, "encrypted to the server only"),  # verified means nothing here
        (False, False, False, "not encrypted"),
        (False, True, True, "not encrypted"),  # never claims more than the transport does
    ],
)
def test_labels_are_exact(encrypted, end_to_end, verified, label):
    assert call_label(encrypted, end_to_end, verified) == label
    assert label in (
        LABEL_E2E_VERIFIED,
        LABEL_E2E_NOT_VERIFIED,
        LABEL_TO_SERVER,
        LABEL_NOT_ENCRYPTED,
    )


def test_identity_status():
    a, b = b"\x01" * 32, b"\x02" * 32
    assert identity_status(None, a) == "new"
    assert identity_status(a, a) == "known"
    assert identity_status(a, b) == "changed"


@pytest.mark.parametrize(
    ("uri", "address"),
    [
        ("sip:carol@127.0.0.1", "carol@127.0.0.1"),
        ('"Carol" <sip:Carol@Example.COM;transport=tls>;tag=abc', "carol@example.com"),
        ("sips:bob@example.com:5061", "bob@example.com"),
        ("<sip:bob@example.com?subject=x>", "bob@example.com"),
        ("sip:[::1]", "[::1]"),
        ("sip:alice@[2001:db8::1]:5061", "alice@[2001:db8::1]"),
        ("sip:alice@[2001:db8::1]", "alice@[2001:db8::1]"),
    ],
)
def test_peer_address(uri, address):
    assert peer_address(uri) == address
