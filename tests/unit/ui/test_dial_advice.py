"""The dial pad's live verdict: the engine's own decision, for any formatting."""

from __future__ import annotations

import pytest

from softphone.config.admin_policy import AdminPolicy, parse_admin_policy
from softphone.config.profile import find_profile, load_profile
from softphone.tasks.policy import check_dial
from softphone.ui.dial_advice import Advice, advise, clean_typed


@pytest.fixture(scope="module")
def profile():
    return load_profile(find_profile("generic-tls"))


def _advice(text: str, profile, admin: AdminPolicy | None = None, role: str | None = None):
    admin = admin or AdminPolicy()
    return advise(text, check_dial(clean_typed(text), profile, admin, role))


@pytest.mark.parametrize(
    "typed",
    [
        "+1 (212) 555-0100",
        "212.555.0100",
        "1-212-555-0100",
        "+1 212\n555 0100\t",
        "２１２５５５０１００",
    ],
)
def test_dial_advice_same_number_any_formatting(typed: str, profile) -> None:
    advice = _advice(typed, profile)
    assert advice.advice is Advice.ALLOWED
    assert advice.normalised == "+12125550100"
    assert advice.can_call


def test_dial_advice_premium_number_is_denied_with_the_reason(profile) -> None:
    advice = _advice("1 900 555 0100", profile)
    assert advice.advice is Advice.DENIED and not advice.can_call
    assert "premium" in advice.detail
    assert advice.text.startswith("Not allowed · dials +19005550100")


def test_dial_advice_needs_pin_for_the_role(profile) -> None:
    advice = _advice("011 44 20 7946 0958", profile, role="clinician")
    assert advice.advice is Advice.NEEDS_PIN and advice.can_call
    assert advice.normalised == "+442079460958"


def test_dial_advice_follows_the_administrators_policy(profile) -> None:
    admin = parse_admin_policy(
        'version = 1\n[dialing.roles.default]\nallow = ["internal"]\n', "policy.toml"
    )
    assert _advice("+1 212 555 0100", profile, admin).advice is Advice.DENIED


def test_dial_advice_empty_and_no_account() -> None:
    assert advise("  \n", None).advice is Advice.EMPTY
    no_account = advise("+1 212 555 0100", None)
    assert no_account.advice is Advice.NO_ACCOUNT and not no_account.can_call


def test_clean_typed_turns_breaks_into_spaces_only() -> None:
    assert clean_typed(" +1 (212)\r\n555-0100\t") == "+1 (212) 555-0100"
    assert clean_typed("sip:alice@example.com") == "sip:alice@example.com"
