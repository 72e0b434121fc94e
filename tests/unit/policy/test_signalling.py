"""Unit tests for softphone.policy.signalling: whether a peer's REFER may be followed."""

from __future__ import annotations

import pytest

from softphone.policy.decision import Decision
from softphone.policy.signalling import TransferPolicy, decide_transfer

OPEN = TransferPolicy(accept_transfers=True)
EXAMPLE_ONLY = TransferPolicy(accept_transfers=True, allowed_domains=("example.com",))


def test_signalling_transfers_disabled_by_default() -> None:
    policy = TransferPolicy()
    assert policy.accept_transfers is False
    assert policy.allowed_domains == ()
    decision = decide_transfer("sip:bob@example.com", policy)
    assert decision == Decision.deny("incoming transfers are disabled by policy")


def test_signalling_disabled_wins_over_allowed_domain() -> None:
    policy = TransferPolicy(accept_transfers=False, allowed_domains=("example.com",))
    assert not decide_transfer("sip:bob@example.com", policy).allowed


@pytest.mark.parametrize(
    "target",
    [
        "sip:bob@example.com",
        "sips:bob@example.com",
        "<sip:bob@example.com>",
        "<sips:bob@example.com;transport=tls>",
        "SIP:bob@example.com",
        "sip:example.com",
        "sip:+4930123456@example.com;user=phone",
    ],
)
def test_signalling_sip_targets_allowed_when_enabled(target: str) -> None:
    decision = decide_transfer(target, OPEN)
    assert decision.allowed
    assert decision.reason == "transfer allowed by policy"


@pytest.mark.parametrize(
    "target",
    [
        "tel:+19005551234",
        "<tel:+19005551234>",
        "http://example.com/",
        "mailto:bob@example.com",
        "bob@example.com",
        "",
    ],
)
def test_signalling_non_sip_targets_refused(target: str) -> None:
    decision = decide_transfer(target, OPEN)
    assert not decision.allowed
    assert decision.reason == f"transfer target is not a SIP URI: {target}"


@pytest.mark.parametrize(
    "target",
    [
        "sip:bob@example.com",
        "sip:bob@EXAMPLE.COM",
        "sips:bob@Example.Com",
        "sip:bob@example.com:5061",
        "sip:bob@example.com:5061;transport=tls",
        "sip:bob@example.com;transport=tcp",
        "<sip:bob@example.com>",
        "<sip:bob@example.com:5060;lr>",
        "sip:example.com",
    ],
)
def test_signalling_allowed_domain_accepts_its_uris(target: str) -> None:
    assert decide_transfer(target, EXAMPLE_ONLY).allowed


def test_signalling_allowed_domains_are_case_insensitive() -> None:
    policy = TransferPolicy(accept_transfers=True, allowed_domains=("Example.COM",))
    assert decide_transfer("sip:bob@example.com", policy).allowed
    assert decide_transfer("sip:bob@EXAMPLE.com", policy).allowed


def test_signalling_any_of_several_domains() -> None:
    policy = TransferPolicy(accept_transfers=True, allowed_domains=("a.example", "b.example"))
    assert decide_transfer("sip:x@a.example", policy).allowed
    assert decide_transfer("sip:x@b.example", policy).allowed
    assert not decide_transfer("sip:x@c.example", policy).allowed


@pytest.mark.parametrize(
    ("target", "domain"),
    [
        ("sip:bob@evil.example", "evil.example"),
        ("sip:bob@example.com.evil.example", "example.com.evil.example"),
        ("sip:bob@sub.example.com", "sub.example.com"),
        ("sip:example.com@evil.example", "evil.example"),
        ("sip:bob@evil.example;x=@example.com", "evil.example"),
        ("<sip:bob@evil.example:5061;transport=tls>", "evil.example"),
        ("sip:bob@EVIL.example", "evil.example"),
        ("sip:bob@192.0.2.66", "192.0.2.66"),
    ],
)
def test_signalling_other_domains_refused(target: str, domain: str) -> None:
    decision = decide_transfer(target, EXAMPLE_ONLY)
    assert not decision.allowed
    assert decision.reason == f"transfer target domain {domain} is not allowed"


def test_signalling_tel_uri_refused_even_with_domains() -> None:
    decision = decide_transfer("tel:+19005551234", EXAMPLE_ONLY)
    assert not decision.allowed
    assert "not a SIP URI" in decision.reason


def test_signalling_maddr_to_other_host_refused() -> None:
    assert not decide_transfer("sip:bob@example.com;maddr=evil.example", EXAMPLE_ONLY).allowed


def test_signalling_attended_transfer_to_allowed_domain() -> None:
    target = "<sip:carol@example.com?Replaces=7f2a%40192.0.2.9%3Bto-tag%3D1%3Bfrom-tag%3D2>"
    assert decide_transfer(target, EXAMPLE_ONLY).allowed


def test_signalling_display_name_target() -> None:
    assert decide_transfer('"Carol" <sip:carol@example.com>', EXAMPLE_ONLY).allowed


def test_signalling_refer_params_after_angle_bracket() -> None:
    assert decide_transfer("<sip:carol@example.com>;method=INVITE", EXAMPLE_ONLY).allowed
    assert not decide_transfer("<sip:carol@evil.example>;x=example.com", EXAMPLE_ONLY).allowed


def test_signalling_uri_headers_to_other_domain_refused() -> None:
    target = "<sip:carol@evil.example?Replaces=7f2a%40example.com>"
    assert not decide_transfer(target, EXAMPLE_ONLY).allowed
