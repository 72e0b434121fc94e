"""Inbound decisions: modes, block list in any formatting, anonymous callers."""

from __future__ import annotations

import pytest

from softphone.policy.decision import Verdict
from softphone.policy.inbound import (
    REFUSAL_CODE,
    CallerFacts,
    InboundMode,
    InboundPolicy,
    caller_identity,
    decide_inbound,
)
from softphone.policy.numbers import DialPlan

US = DialPlan("US", home_domains=("pbx.example.com",))
A, D = Verdict.ALLOWED, Verdict.DENIED


def decide(uri: str, policy: InboundPolicy, facts: CallerFacts | None = None) -> Verdict:
    facts = facts or CallerFacts()
    return decide_inbound(caller_identity(uri, US), facts, policy, US).verdict


@pytest.mark.parametrize(
    ("mode", "facts", "verdict"),
    [
        (InboundMode.ANYONE, CallerFacts(), A),
        (InboundMode.APPROVED, CallerFacts(), D),
        (InboundMode.APPROVED, CallerFacts(approved=True), A),
        (InboundMode.APPROVED, CallerFacts(scheduled=True), D),
        (InboundMode.SCHEDULED, CallerFacts(), D),
        (InboundMode.SCHEDULED, CallerFacts(approved=True), D),
        (InboundMode.SCHEDULED, CallerFacts(scheduled=True), A),
    ],
)
def test_modes(mode: InboundMode, facts: CallerFacts, verdict: Verdict) -> None:
    assert decide('"Bob" <sip:bob@pbx.example.com>', InboundPolicy(mode=mode), facts) is verdict


@pytest.mark.parametrize(
    "caller",
    ["sip:+12125550199@pbx.example.com;user=phone", "<tel:+1-212-555-0199>",
     '"Spam" <sip:2125550199@gw.example>', "sips:%2B12125550199@pbx.example.com"],
)  # fmt: skip
def test_block_list_matches_any_formatting(caller: str) -> None:
    policy = InboundPolicy(block=("+1 (212) 555-0199",))
    assert decide(caller, policy, CallerFacts(approved=True)) is D
    assert decide(caller, InboundPolicy(), CallerFacts()) is A


def test_block_addresses_and_domains() -> None:
    policy = InboundPolicy(block=("Mallory@Evil.example", "@spam.example"))
    assert decide("sip:mallory@evil.example", policy) is D
    assert decide("sip:anyone@spam.example", policy) is D
    assert decide("sip:alice@evil.example", policy) is A


def test_anonymous_callers() -> None:
    anon = '"Anonymous" <sip:anonymous@anonymous.invalid>'
    assert decide(anon, InboundPolicy()) is A
    assert decide(anon, InboundPolicy(refuse_anonymous=True)) is D
    assert decide(anon, InboundPolicy(mode=InboundMode.APPROVED), CallerFacts(approved=True)) is D


def test_refusal_reveals_nothing_in_the_sip_code() -> None:
    assert REFUSAL_CODE == 603
    decision = decide_inbound(
        caller_identity("sip:bob@pbx.example.com", US),
        CallerFacts(),
        InboundPolicy(mode=InboundMode.APPROVED),
        US,
    )
    assert decision.reason == "only approved contacts may call"
