"""Reasons from the engine and the policies in the UI's language, by their codes: every
code has a sentence, every sentence is translated (with the same placeholders), and
what is not ours to translate (SIP reason phrases, role and domain names) stays as it
came."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from softphone.engine import events as ev
from softphone.policy import inbound
from softphone.policy.decision import Reason
from softphone.policy.dialing import BUILTIN_ROLES, RoleRules, decide_dial
from softphone.policy.end_to_end import E2eMode, decide_fallback
from softphone.policy.inbound import CallerFacts, InboundMode, InboundPolicy, decide_inbound
from softphone.policy.numbers import DialPlan, NumberClass, classify
from softphone.policy.pin import PinRefusal
from softphone.policy.signalling import TransferPolicy, decide_transfer
from softphone.ui import reason_text as rt

TS = Path(rt.__file__).parent / "translations" / "softphone_zh_CN.ts"
TABLES = {
    "decision": (rt.DECISION_WORDS, Reason),
    "registration": (rt.REGISTRATION_WORDS, ev.RegistrationFailure),
    "end": (rt.END_WORDS, ev.EndCause),
    "verification": (rt.VERIFICATION_WORDS, ev.VerificationReason),
    "pin": (rt.PIN_WORDS, PinRefusal),
    "number class": (rt.CLASS_WORDS, NumberClass),
}


@pytest.mark.parametrize("name", TABLES)
def test_reason_text_every_code_has_a_sentence(name: str) -> None:
    """Fails when a code is added to the engine or a policy without words here."""
    words, codes = TABLES[name]
    assert set(words) == set(codes), f"{name}: codes without words: {set(codes) - set(words)}"


def _zh_catalogue() -> dict[str, str]:
    found = {}
    for context in ET.parse(TS).getroot().iter("context"):
        if context.findtext("name") != "ReasonText":
            continue
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and not translation.get("type"):
                found[message.findtext("source") or ""] = translation.text or ""
    return found


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


@pytest.mark.parametrize("name", TABLES)
def test_reason_text_every_sentence_is_translated_with_its_placeholders(name: str) -> None:
    zh = _zh_catalogue()
    for source in TABLES[name][0].values():
        assert zh.get(source), f"not translated in {TS.name}: {source!r}"
        assert _fields(zh[source]) == _fields(source), source


# -- the policies give codes on every path --------------------------------------------

PLAN = DialPlan(region="US", home_domains=("sip.example.com",))
KIOSK = BUILTIN_ROLES["kiosk"]
CLINICIAN = BUILTIN_ROLES["clinician"]


R = Reason
EXCEPTION = RoleRules("r", frozenset(), allow_exceptions=("+1212",))
DENIED = RoleRules("r", frozenset(NumberClass), deny_prefixes=("+1212",))
UK = "+44 20 7946 0958"


@pytest.mark.parametrize(
    ("target", "role", "code", "args"),
    [
        ("911", KIOSK, R.EMERGENCY, {}),
        ("sip:bob@else.example", KIOSK, R.DOMAIN_NOT_ALLOWED, {"domain": "else.example"}),
        ("+1 900 555 0100", KIOSK, R.CLASS_NOT_ALLOWED, {"role": "kiosk", "classes": "premium"}),
        (UK, KIOSK, R.CLASS_NOT_ALLOWED, {"role": "kiosk", "classes": "national,international"}),
        (UK, CLINICIAN, R.CLASS_NEEDS_PIN, {"role": "clinician", "classes": "international"}),
        ("212 555 0100", CLINICIAN, R.ALLOWED_FOR_ROLE, {"role": "clinician"}),
        ("+1 212 555 0100", EXCEPTION, R.ALLOWED_EXCEPTION, {"role": "r"}),
        ("+1 212 555 0100", DENIED, R.DENIED_PREFIX, {"role": "r"}),
    ],
)  # fmt: skip
def test_reason_text_dial_decisions_carry_their_code(target, role, code, args) -> None:
    decision = decide_dial(target, PLAN, role)
    assert decision.code is code
    assert decision.arguments == args
    assert rt.decision_text(decision.code, decision.args, decision.reason)


def _in(caller, policy, **facts):
    return decide_inbound(caller, CallerFacts(**facts), policy, PLAN)


def test_reason_text_inbound_transfer_and_e2e_decisions_carry_their_code() -> None:
    caller = classify("sip:+12125550100@sip.example.com", PLAN)
    anonymous = classify("sip:anonymous@anonymous.invalid", PLAN)
    approved, scheduled = InboundPolicy(InboundMode.APPROVED), InboundPolicy(InboundMode.SCHEDULED)
    only_c = TransferPolicy(True, ("c.example",))
    why = "the peer answered without it"
    cases = [
        (_in(caller, InboundPolicy(block=("+12125550100",))), R.BLOCKED),
        (_in(anonymous, InboundPolicy(refuse_anonymous=True)), R.ANONYMOUS_REFUSED),
        (_in(caller, InboundPolicy()), R.ANYONE_ACCEPTED),
        (_in(anonymous, approved), R.NO_IDENTITY),
        (_in(caller, approved), R.NOT_APPROVED),
        (_in(caller, approved, approved=True), R.APPROVED_CONTACT),
        (_in(caller, scheduled), R.NOT_SCHEDULED),
        (_in(caller, scheduled, scheduled=True), R.SCHEDULED_PARTICIPANT),
        (decide_transfer("sip:a@b.example", TransferPolicy()), R.TRANSFERS_DISABLED),
        (decide_transfer("tel:+12125550100", TransferPolicy(True)), R.TRANSFER_NOT_SIP),
        (decide_transfer("sip:a@b.example", only_c), R.TRANSFER_DOMAIN_NOT_ALLOWED),
        (decide_transfer("sip:a@c.example", only_c), R.TRANSFER_ALLOWED),
        (decide_fallback(E2eMode.REQUIRED, why), R.E2E_REQUIRED),
        (decide_fallback(E2eMode.PREFERRED, why), R.E2E_FALLBACK_ALLOWED),
    ]
    for decision, code in cases:
        assert decision.code is code, decision
    dialing = {R.EMERGENCY, R.DOMAIN_NOT_ALLOWED, R.ALLOWED_EXCEPTION, R.DENIED_PREFIX}
    dialing |= {R.CLASS_NOT_ALLOWED, R.CLASS_NEEDS_PIN, R.ALLOWED_FOR_ROLE}
    # a Reason no policy path gives, or a path without a test here
    assert {c for _, c in cases} | dialing == set(Reason)


def test_reason_text_history_rows_of_inbound_refusals_by_the_policys_constants() -> None:
    refusals = {inbound.BLOCKED, inbound.ANONYMOUS_REFUSED, inbound.NO_IDENTITY}
    refusals |= {inbound.NOT_APPROVED, inbound.NOT_SCHEDULED}
    assert set(inbound.REFUSAL_CODES) == refusals
    assert rt.stored_refusal(inbound.NOT_APPROVED) == "only approved contacts may call"
    assert rt.stored_refusal("caller offered unencrypted media: x") is None


# -- English (no translator installed): the words, with what is kept as it came --------


def test_reason_text_english_keeps_names_and_sip_phrases() -> None:
    d = decide_dial("+44 20 7946 0958", PLAN, KIOSK)
    assert rt.decision_text(d.code, d.args, d.reason) == (
        "national, international calls are not allowed for the role “kiosk”"
    )
    allowed = decide_dial("212 555 0100", PLAN, CLINICIAN)
    assert rt.decision_text(allowed.code, allowed.args, allowed.reason, allowed.number_class) == (
        "mobile, allowed for the role “clinician”"
    )
    assert rt.decision_text(None, (), "an older engine's words") == "an older engine's words"
    assert rt.decision_text("not-a-code", (), "as it came") == "as it came"

    reg = ev.AccountRegistrationDidChange(
        "acc", ev.RegistrationState.FAILED, 401, "wrong user name or password (401 Unauthorized)",
        failure=ev.RegistrationFailure.CREDENTIALS, sip_reason="Unauthorized",
    )  # fmt: skip
    assert rt.registration_reason(reg) == "wrong user name or password (401 Unauthorized)"
    server = ev.AccountRegistrationDidChange(
        "acc", ev.RegistrationState.FAILED, 488, "488 Nicht hier",
        failure=ev.RegistrationFailure.SERVER, sip_reason="Nicht hier",
    )  # fmt: skip
    assert rt.registration_reason(server) == "the server answered 488 Nicht hier"
    old = ev.AccountRegistrationDidChange("acc", ev.RegistrationState.FAILED, 500, "500 Oops")
    assert rt.registration_reason(old) == "500 Oops"

    busy = ev.CallDidEnd("c1", 486, "Busy Here", 0.0)
    assert rt.call_end_reason(busy) == "Busy Here"  # the far end's phrase, as it came
    why = "caller offered unencrypted media: audio offered as plain RTP/AVP (no SRTP)"
    refused = ev.CallDidEnd(
        "c1", 488, why, 0.0, security_failure=why, cause=ev.EndCause.PEER_PLAINTEXT
    )
    assert rt.call_end_reason(refused) == "the caller offered unencrypted media"


def test_reason_text_pin_refusals_by_code(tmp_path) -> None:
    from softphone.policy.pin import AttemptRules, PinAuthority, PinError, hash_pin
    from softphone.security.secret import Secret

    pins = PinAuthority(
        hash_pin(Secret("2468"), n=2**10),
        tmp_path / "attempts.json",
        rules=AttemptRules(first_delay_s=0.0),
    )
    with pytest.raises(PinError) as caught:
        pins.authorize("+12125550100", Secret("1111"))
    assert caught.value.code is PinRefusal.WRONG
    assert rt.pin_error_text(caught.value) == str(caught.value)  # English: the same words
    assert rt.pin_error_text(PinError("said elsewhere")) == "said elsewhere"


# -- Simplified Chinese --------------------------------------------------------------


@pytest.fixture
def chinese(request):
    if os.environ.get("SOFTPHONE_REQUIRE_GUI") != "1":
        pytest.importorskip("PySide6", reason="the gui extra is not installed")
    from softphone.ui.translations import use_language

    # pytest-qt's QApplication: a bare QCoreApplication made here would outlive the test,
    # and the next test's first QWidget aborts the process ("construct a QApplication").
    app = request.getfixturevalue("qapp")
    assert use_language("zh_CN") == "zh_CN"
    yield app
    use_language("en")


def test_reason_text_in_chinese(chinese) -> None:
    d = decide_dial("+44 20 7946 0958", PLAN, KIOSK)
    assert rt.decision_text(d.code, d.args, d.reason) == "角色“kiosk”不允许拨打国内、国际电话"
    reg = ev.AccountRegistrationDidChange(
        "acc", ev.RegistrationState.FAILED, 401, "wrong user name or password (401 Unauthorized)",
        failure=ev.RegistrationFailure.CREDENTIALS, sip_reason="Unauthorized",
    )  # fmt: skip
    assert rt.registration_reason(reg) == "用户名或密码错误（401 Unauthorized）"
    ended = ev.CallDidEnd("c1", 488, "x", 0.0, security_failure="x", cause=ev.EndCause.SAS_MISMATCH)
    assert rt.call_end_reason(ended) == "短验证码不一致：可能有人在截听此通话"
    assert rt.call_end_reason(ev.CallDidEnd("c1", 486, "Busy Here", 0.0)) == "Busy Here"
    assert rt.stored_refusal(inbound.NOT_SCHEDULED) == "现在只有预约的参与者可以来电"
