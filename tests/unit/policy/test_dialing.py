"""Dial decisions: rule order, roles, prefixes, domains, PIN classes."""

from __future__ import annotations

import pytest

from softphone.policy.decision import Verdict
from softphone.policy.dialing import (
    BUILTIN_POLICY,
    BUILTIN_ROLES,
    DialPolicy,
    RoleRules,
    decide_dial,
    normalise_prefix,
)
from softphone.policy.numbers import DialPlan, NumberClass, classify

C = NumberClass
A, P, D = Verdict.ALLOWED, Verdict.NEEDS_PIN, Verdict.DENIED
US = DialPlan("US", internal_pattern=r"[1-7]\d{3}", home_domains=("pbx.example.com",))
GB = DialPlan("GB", home_domains=("example.co.uk",))
EVERYTHING = frozenset(C) - {C.UNKNOWN}


@pytest.mark.parametrize(
    ("role", "text", "verdict"),
    [
        ("default", "911", A),
        ("default", "2345", A),
        ("default", "+1 212 555 0123", A),
        ("default", "+44 20 7946 0000", A),
        ("default", "1 900 555 0100", D),
        ("default", "+44 909 879 0000", D),  # international premium: premium refused
        ("default", "garbage", D),
        ("default", "sip:bob@pbx.example.com", A),
        ("default", "sip:bob@elsewhere.example", D),
        ("clinician", "+44 20 7946 0000", P),
        ("clinician", "+1 876 555 1234", P),  # Jamaica: international, not national
        ("clinician", "*72", A),
        ("clinician", "*67 +44 20 7946 0000", P),
        ("clinician", "1 800 356 9377", A),
        ("staff", "*72", D),
        ("kiosk", "911", A),
        ("kiosk", "112", A),
        ("kiosk", "2345", A),
        ("kiosk", "1 800 356 9377", A),
        ("kiosk", "+1 212 555 0123", D),
        ("kiosk", "+44 20 7946 0000", D),
    ],
)
def test_builtin_roles(role: str, text: str, verdict: Verdict) -> None:
    decision = decide_dial(text, US, BUILTIN_POLICY.role(role))
    assert decision.verdict is verdict, decision
    assert decision.number_class == classify(text, US).number_class.value
    assert decision.reason


def test_emergency_beats_every_rule() -> None:
    nothing = RoleRules(
        "locked", allow=frozenset(), deny_prefixes=("9", "1", "+", "*"), pin=frozenset()
    )
    for text in ("911", "112", "tel:911", "sip:911@pbx.example.com", "9-1-1"):
        decision = decide_dial(text, US, nothing)
        assert decision.verdict is A, text
        assert decision.number_class == "emergency"


def test_emergency_at_a_foreign_domain_is_a_call_to_that_domain() -> None:
    decision = decide_dial("sip:911@evil.example", US, BUILTIN_ROLES["default"])
    assert decision.verdict is D
    assert "evil.example" in decision.reason


def test_denied_prefix_beats_an_allowed_class_in_any_formatting() -> None:
    role = RoleRules("r", allow=EVERYTHING, deny_prefixes=("+1 (212) 555",))
    for text in ("212-555-0123", "+1 212 555 0123", "tel:+12125550123", "011 1 212 555 0123"):
        assert decide_dial(text, US, role).verdict is D, text
    assert decide_dial("+1 213 555 0123", US, role).verdict is A


def test_exception_beats_denied_prefix_and_class() -> None:
    role = RoleRules(
        "r",
        allow=frozenset({C.NATIONAL}),
        deny_prefixes=("+1900",),
        allow_exceptions=("1-900-555-0100",),
    )
    assert decide_dial("+1 900 555 0100", US, role).verdict is A
    assert decide_dial("+1 900 555 0101", US, role).verdict is D


def test_prefixes_written_with_access_or_national_codes() -> None:
    assert normalise_prefix("+1 (900)", US) == "+1900"
    assert normalise_prefix("011 44 9", US) == "+449"
    assert normalise_prefix("1-900", US) == "+1900"
    assert normalise_prefix("09", GB) == "+449"
    assert normalise_prefix("00 33", GB) == "+33"
    assert normalise_prefix("*6", US) == "*6"
    with pytest.raises(ValueError, match="no digits"):
        normalise_prefix("abc", US)


def test_every_class_of_a_target_must_be_allowed() -> None:
    international_only = RoleRules("r", allow=frozenset({C.INTERNATIONAL}))
    decision = decide_dial("+44 20 7946 0000", US, international_only)
    assert decision.verdict is D
    assert "national" in decision.reason
    both = RoleRules("r", allow=frozenset({C.INTERNATIONAL, C.NATIONAL}))
    assert decide_dial("+44 20 7946 0000", US, both).verdict is A


def test_pin_class_needs_pin_and_denied_wins_over_pin() -> None:
    role = RoleRules("r", allow=frozenset({C.NATIONAL, C.MOBILE}), pin=frozenset({C.PREMIUM}))
    assert decide_dial("1 900 555 0100", US, role).verdict is P
    # International premium: premium may be PIN-allowed, international is not allowed.
    assert decide_dial("+44 909 879 0000", US, role).verdict is D


def test_domains() -> None:
    role = RoleRules("r", allow=EVERYTHING, allowed_domains=("partner.example",))
    assert decide_dial("sip:a@partner.example", US, role).verdict is A
    assert decide_dial("sip:a@PARTNER.example.", US, role).verdict is A
    assert decide_dial("sip:a@pbx.example.com;maddr=evil.example", US, role).verdict is D
    assert decide_dial("sip:+12125550123@evil.example;user=phone", US, role).verdict is D
    anywhere = RoleRules("r", allow=EVERYTHING, allowed_domains=("*",))
    assert decide_dial("sip:a@evil.example", US, anywhere).verdict is A


def test_unknown_is_refused_unless_a_role_allows_it_explicitly() -> None:
    assert decide_dial("8345", US, RoleRules("r", allow=EVERYTHING)).verdict is D
    assert decide_dial("8345", US, RoleRules("r", allow=frozenset(C))).verdict is A


def test_decision_carries_the_normalised_target() -> None:
    decision = decide_dial("(212) 555-0123", US, BUILTIN_ROLES["default"])
    assert decision.target == "+12125550123"
    assert decide_dial(classify("(212) 555-0123", US), US, BUILTIN_ROLES["default"]) == decision


def test_unknown_role_names_the_known_ones() -> None:
    policy = DialPolicy(roles={"a": RoleRules("a", frozenset())}, default_role="a")
    assert policy.role(None).name == "a"
    with pytest.raises(KeyError, match="known: a"):
        policy.role("b")
