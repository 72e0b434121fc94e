"""Number classification: per-region cases, formatting that must not matter, hostile input."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from softphone.policy.numbers import (
    DialPlan,
    NumberClass,
    TargetKind,
    classify,
    most_restricted,
)

C = NumberClass
US = DialPlan("US", internal_pattern=r"[1-7]\d{3}", home_domains=("pbx.example.com",))
GB = DialPlan("GB", outside_line_prefix="9", home_domains=("example.co.uk",))


def cls(text: str, plan: DialPlan = US) -> NumberClass:
    return classify(text, plan).number_class


# -- emergency -------------------------------------------------------------------------

EMERGENCY = [
    ("US", "911"), ("US", "112"), ("CA", "911"), ("GB", "999"), ("GB", "112"),
    ("AU", "000"), ("AU", "112"), ("DE", "110"), ("DE", "112"), ("FR", "15"),
    ("FR", "17"), ("FR", "18"), ("FR", "112"), ("JP", "110"), ("JP", "119"),
    ("CN", "110"), ("CN", "119"), ("CN", "120"), ("IN", "112"), ("IN", "100"),
    ("NZ", "111"), ("BR", "190"), ("BR", "192"), ("ES", "112"), ("IT", "112"),
]  # fmt: skip


@pytest.mark.parametrize(("region", "digits"), EMERGENCY)
def test_emergency_numbers_per_region(region: str, digits: str) -> None:
    target = classify(digits, DialPlan(region))
    assert target.number_class is C.EMERGENCY
    assert target.classes == {C.EMERGENCY}
    assert target.digits == digits


@pytest.mark.parametrize(
    "text",
    ["9-1-1", " 911 ", "(911)", "９１１", "٩١١", "9\u200b11", "tel:911", "911,,123",
     "sip:911@pbx.example.com", "sips:911@PBX.example.com;user=phone",
     "tel:911;phone-context=+1", "sip:%39%31%31@pbx.example.com"],
)  # fmt: skip
def test_emergency_survives_formatting(text: str) -> None:
    assert cls(text) is C.EMERGENCY


@pytest.mark.parametrize(
    ("text", "plan"),
    [("9110", US), ("+1911", US), ("+1 911", US), ("999", US), ("911", GB),
     ("tel:999;phone-context=+44", US), ("1911", US), ("91", US)],
)  # fmt: skip
def test_near_misses_are_not_emergency(text: str, plan: DialPlan) -> None:
    assert cls(text, plan) is not C.EMERGENCY


def test_outside_line_prefix_keeps_emergency_and_strips_for_numbers() -> None:
    assert cls("9999", GB) is C.EMERGENCY  # 9 for an outside line, then 999
    assert cls("999", GB) is C.EMERGENCY
    target = classify("9 0800 111 1111", GB)
    assert target.number_class is C.TOLL_FREE
    assert target.e164 == "+448001111111"


def test_emergency_is_checked_before_the_internal_pattern() -> None:
    everything_internal = DialPlan("US", internal_pattern=r"\d{3,4}")
    assert cls("911", everything_internal) is C.EMERGENCY
    assert cls("2345", everything_internal) is C.INTERNAL


# -- every region, every type phonenumbers has an example for --------------------------

_TYPES = {
    PhoneNumberType.FIXED_LINE: C.NATIONAL,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: C.MOBILE,
    PhoneNumberType.MOBILE: C.MOBILE,
    PhoneNumberType.TOLL_FREE: C.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE: C.PREMIUM,
    PhoneNumberType.SHARED_COST: C.SHARED_COST,
    PhoneNumberType.PERSONAL_NUMBER: C.PREMIUM,
}


def _formats(number: phonenumbers.PhoneNumber, region: str) -> list[str]:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return [
        e164,
        intl,
        national,
        intl.replace(" ", "."),
        intl.replace(" ", "-"),
        f"tel:{intl.replace(' ', '-')}",
        f"sip:{e164}@example.invalid;user=phone",
        f"sip:{e164.replace('+', '%2B')}@example.invalid",
        "".join(chr(ord("０") + int(c)) if c.isdigit() else c for c in intl),
    ]


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_example_numbers_of_every_region(region: str) -> None:
    home = DialPlan(region)
    abroad = DialPlan("US" if region != "US" else "GB")
    checked = 0
    for number_type in _TYPES:
        number = phonenumbers.example_number_for_type(region, number_type)
        if number is None:
            continue
        # FIXED_LINE examples read as FIXED_LINE_OR_MOBILE where the two share ranges.
        expected = _TYPES.get(phonenumbers.number_type(number), C.UNKNOWN)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        for text in _formats(number, region):
            target = classify(text, home)
            assert target.e164 == e164, (text, target)
            assert expected in target.classes, (text, target)
            # Within its own region a number is never international...
            if phonenumbers.region_code_for_number(number) == region:
                assert C.INTERNATIONAL not in target.classes, (text, target)
        # ...and from another region it always is (NANP toll-free numbers belong to
        # "US" whichever island's example they are).
        target = classify(e164, abroad)
        if phonenumbers.region_code_for_number(number) != abroad.region:
            assert {expected, C.INTERNATIONAL} <= target.classes, (e164, target)
            assert target.number_class in {C.INTERNATIONAL, C.PREMIUM}
        checked += 1
    if region not in {"AC", "TA", "EH"}:  # regions without example numbers
        assert checked, f"no example number checked for {region}"


# -- formatting must not change the answer ---------------------------------------------

US_NUMBER = [
    "+1 212 555 0123", "+12125550123", "1 (212) 555-0123", "(212) 555-0123",
    "212.555.0123", "212/555-0123", "212 555 0123", "011 1 212 555 0123",
    "+1\u00a0212\u00a0555\u00a00123", "+1\u2011212\u2011555\u20110123",
    "＋１ ２１２ ５５５ ０１２３",
    "\u202a+1 212 555 0123\u202c", "tel:+1-212-555-0123", "TEL:+1.212.555.0123",
    "tel:555-0123;phone-context=+1-212", "tel:+1-212-555-0123;ext=44",
    "callto:+12125550123", "callto://+12125550123",
    "sip:+12125550123@pbx.example.com;user=phone", "sips:+1-212-555-0123@pbx.example.com",
    "sip:+12125550123:secret@pbx.example.com", "sip:%2B12125550123@pbx.example.com?subject=x",
    "SIP:2125550123@pbx.example.com", "+1 212 555 0123,,1234#", "+1 212 555 0123 p 1",
    "+1 212 555 0123w9", "+1 212 555 0123 x 55", "+1 212 555 0123 ext. 55",
]  # fmt: skip


@pytest.mark.parametrize("text", US_NUMBER)
def test_us_number_in_any_format(text: str) -> None:
    target = classify(text, US)
    assert target.e164 == "+12125550123", target
    assert target.kind is TargetKind.NUMBER
    assert target.number_class is C.MOBILE  # NANP: fixed line or mobile -> the dearer


@pytest.mark.parametrize(
    ("text", "post_dial"),
    [("+1 212 555 0123,,1234#", ",,1234#"), ("+1 212 555 0123 p 1", "p 1"),
     ("+1 212 555 0123w9", "w9"), ("+1 212 555 0123 x 55", ",55"),
     ("tel:+1-212-555-0123;ext=44", ",44"), ("tel:+1-212-555-0123;postd=pp22", ",pp22")],
)  # fmt: skip
def test_post_dial_digits_are_kept_apart(text: str, post_dial: str) -> None:
    target = classify(text, US)
    assert target.post_dial == post_dial
    assert target.digits == "+12125550123"


GB_NUMBER = [
    "020 7946 0000", "+44 20 7946 0000", "0044 20 7946 0000", "(020) 7946-0000",
    "+44 (0)20 7946 0000", "tel:+44-20-7946-0000", "sip:02079460000@example.co.uk",
]  # fmt: skip


@pytest.mark.parametrize("text", GB_NUMBER)
def test_gb_number_in_any_format(text: str) -> None:
    target = classify(text, GB)
    assert target.e164 == "+442079460000"
    assert target.number_class is C.NATIONAL


# -- classes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plan", "expected"),
    [
        ("1 900 555 0100", US, {C.PREMIUM}),
        ("+1 800 356 9377", US, {C.TOLL_FREE}),
        ("+1 876 555 1234", US, {C.INTERNATIONAL, C.MOBILE}),  # Jamaica: looks national
        ("+1 416 555 0199", US, {C.INTERNATIONAL, C.MOBILE}),  # Canada
        ("011 44 20 7946 0000", US, {C.INTERNATIONAL, C.NATIONAL}),
        ("+44 909 879 0000", US, {C.INTERNATIONAL, C.PREMIUM}),
        ("+800 1234 5678", US, {C.INTERNATIONAL, C.TOLL_FREE}),
        ("09098790000", GB, {C.PREMIUM}),
        ("0700 123 4567", GB, {C.PREMIUM}),  # personal numbers: premium-like charges
        ("0800 111 1111", GB, {C.TOLL_FREE}),
        ("07700 900123", GB, {C.UNKNOWN}),  # Ofcom's drama range: not a real number
        ("118118", GB, {C.UNKNOWN}),  # directory enquiries: cost unknown
        ("2345", US, {C.INTERNAL}),
        ("8345", US, {C.UNKNOWN}),  # outside the extension pattern, not a number
        ("*72", US, {C.SERVICE_CODE}),
        ("#31#", GB, {C.SERVICE_CODE}),
        ("*67 212 555 0123", US, {C.SERVICE_CODE, C.MOBILE}),
        ("*67 1 900 555 0100", US, {C.SERVICE_CODE, C.PREMIUM}),
        ("**21*09098790000#", GB, {C.SERVICE_CODE, C.PREMIUM}),  # forward to premium
        ("**21*+447700900123#", GB, {C.SERVICE_CODE, C.UNKNOWN}),
        ("sip:bob@pbx.example.com", US, {C.SIP}),
        ("sips:Bob.Smith@PBX.example.com:5061;transport=tls", US, {C.SIP}),
    ],
)
def test_classes(text: str, plan: DialPlan, expected: set[NumberClass]) -> None:
    target = classify(text, plan)
    assert target.classes == expected, target
    assert target.number_class is most_restricted(frozenset(expected))


def test_the_most_restricted_class_wins() -> None:
    assert most_restricted(frozenset({C.INTERNATIONAL, C.PREMIUM})) is C.PREMIUM
    assert most_restricted(frozenset({C.MOBILE, C.SERVICE_CODE})) is C.SERVICE_CODE
    assert most_restricted(frozenset({C.PREMIUM, C.UNKNOWN})) is C.UNKNOWN
    assert most_restricted(frozenset()) is C.UNKNOWN


# -- URIs ------------------------------------------------------------------------------


def test_sip_address_keeps_user_and_domain() -> None:
    t = classify("sip:Alice@PBX.Example.COM:5061;transport=tls?subject=hi", US)
    assert (t.kind, t.user, t.domain, t.key) == (
        TargetKind.ADDRESS,
        "Alice",
        "pbx.example.com",
        "Alice@pbx.example.com",
    )


@pytest.mark.parametrize(
    ("uri", "domain"),
    [
        ("sip:bob@pbx.example.com;maddr=evil.example", "evil.example"),
        ("sip:bob@[2001:db8::1]:5061", "2001:db8::1"),
        ("sip:bob@pbx.example.com.", "pbx.example.com"),
        ("sip:bob:pw@evil.example", "evil.example"),
        ("sip:pbx.example.com", "pbx.example.com"),
        ("sip:+12125550123@evil.example;user=phone", "evil.example"),
    ],
)
def test_the_domain_is_where_the_request_really_goes(uri: str, domain: str) -> None:
    assert classify(uri, US).domain == domain


@pytest.mark.parametrize(
    "text",
    ["tel:0800;phone-context=evil.example", "tel:5550123;phone-context=+", "sip:@",
     "sip:", "http://example.com/+12125550123", "mailto:a@b.c", "sip:bob@"],
)  # fmt: skip
def test_unreadable_uris_are_unknown(text: str) -> None:
    assert cls(text) is C.UNKNOWN


def test_phone_context_of_our_domain_reads_in_our_plan() -> None:
    assert cls("tel:2345;phone-context=pbx.example.com") is C.INTERNAL


# -- hostile and odd input -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   ", "+", "++12125550123", "1-800-FLOWERS", "212\x00555", "212\n5550123",
     "1*2", "+1 212 555 0123 +1", "x" * 600, "9" * 600, "DROP TABLE", "\u202e1190",
     "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥"],
)  # fmt: skip
def test_garbage_is_unknown(text: str) -> None:
    assert cls(text) is C.UNKNOWN


def test_random_input_never_raises_and_never_comes_out_permissive() -> None:
    rng = random.Random(2026)
    alphabet = "0123456789+*#,;pwx()-. :@%/tel:sip:٣９\u200b\x00é"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        target = classify(text, US)
        assert target.number_class in C
        assert target.number_class is most_restricted(target.classes)
        if target.number_class is C.EMERGENCY:
            # The only permissive-by-law class: must really be an emergency number.
            assert target.digits in {"911", "112"}, text
