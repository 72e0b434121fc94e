"""Read a dialled target the way the network will, then say what kind of call it is.

Pure functions, any thread. `classify(text, plan)` turns anything a user can type,
paste, click or receive in a REFER/3xx — a number in any formatting, a `tel:` URI, a
`sip:`/`sips:` URI — into a `Target`: the digits that will actually be dialled, their
E.164 form when they have one, and the set of `NumberClass`es that apply (an
international premium number is both). `Target.number_class` is the most restricted
of them, so a rule that forgets one class still errs on the side of refusing.

Formatting must not change the answer: visual separators, `+`/`00`/`011` prefixes
(read per region by `phonenumbers`), non-ASCII digits, invisible characters,
percent-encoding, URI parameters and `;phone-context`, post-dial sequences and
`*`/`#` service codes all normalise to the same digits. Anything that cannot be
read with confidence is `UNKNOWN`, the most restricted class, never a permissive
guess.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo
from phonenumbers.shortnumberinfo import ShortNumberCost

MAX_TARGET_LENGTH = 512


class NumberClass(enum.StrEnum):
    EMERGENCY = "emergency"
    INTERNAL = "internal"  # an extension matching the dial plan's pattern
    SIP = "sip"  # a SIP address that is not a number: user@domain
    TOLL_FREE = "toll_free"
    NATIONAL = "national"  # local or national fixed line
    MOBILE = "mobile"
    SERVICE_CODE = "service_code"  # *67, *72, #31#: features of the network or PBX
    SHARED_COST = "shared_cost"
    INTERNATIONAL = "international"
    PREMIUM = "premium"
    UNKNOWN = "unknown"  # invalid, unreadable or unclassifiable: the most restricted


# Least to most restricted; `Target.number_class` is the last of its classes here.
RESTRICTION_ORDER: tuple[NumberClass, ...] = tuple(NumberClass)
_RANK = {c: i for i, c in enumerate(RESTRICTION_ORDER)}

_TYPE_CLASS = {
    PhoneNumberType.FIXED_LINE: NumberClass.NATIONAL,
    PhoneNumberType.MOBILE: NumberClass.MOBILE,
    # Indistinguishable in NANP and some other plans: take the dearer of the two.
    PhoneNumberType.FIXED_LINE_OR_MOBILE: NumberClass.MOBILE,
    PhoneNumberType.TOLL_FREE: NumberClass.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE: NumberClass.PREMIUM,
    PhoneNumberType.SHARED_COST: NumberClass.SHARED_COST,
    PhoneNumberType.VOIP: NumberClass.NATIONAL,
    # Personal numbers and pagers (e.g. UK 070/076) are charged like premium lines
    # and are a known toll-fraud vector.
    PhoneNumberType.PERSONAL_NUMBER: NumberClass.PREMIUM,
    PhoneNumberType.PAGER: NumberClass.PREMIUM,
    PhoneNumberType.UAN: NumberClass.NATIONAL,
    PhoneNumberType.VOICEMAIL: NumberClass.NATIONAL,
}
_TYPE_WORDS = {
    PhoneNumberType.FIXED_LINE: "fixed-line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed-line or mobile",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.SHARED_COST: "shared-cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "personal (premium-rate)",
    PhoneNumberType.PAGER: "pager (premium-rate)",
    PhoneNumberType.UAN: "non-geographic",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
_SHORT_COST_CLASS = {
    ShortNumberCost.TOLL_FREE: NumberClass.TOLL_FREE,
    ShortNumberCost.STANDARD_RATE: NumberClass.NATIONAL,
    ShortNumberCost.PREMIUM_RATE: NumberClass.PREMIUM,
}

# Characters people and programs put between digits; they carry no meaning.
_SEPARATORS = frozenset(
    " .-()/[]\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u3000\ufe63\uff0d"
)
# Left-to-right/right-to-left overrides display digits in another order than dialled.
_OVERRIDES = frozenset("\u202d\u202e")
_PAUSES = frozenset(",;pPwW")  # post-dial: pause (`,` `p`) and wait (`;` `w`)
_EXTENSION = re.compile(r"^(.*?\d)\s*(?:ext\.?|x)\s*(\d{1,10})$", re.IGNORECASE)
# A feature code in front of a number: *67/*82 (NANP caller-id codes), #31# and *31# (GSM).
_PREFIX_CODE = re.compile(r"^(\*\d{2}|[*#]31#)(\+?\d{3,})$")
_SERVICE_CODE = re.compile(r"^[*#][\d*#+]{0,30}$")
_EMBEDDED_NUMBER = re.compile(r"\+?\d{7,}")
_LOOKS_NUMERIC = re.compile(r"^[+\d*#][\d*#().\s\-]*(?:[,;pw][\d*#,;pw]*)?$", re.IGNORECASE)


class TargetKind(enum.StrEnum):
    NUMBER = "number"  # digits: dialled through the service's gateway
    ADDRESS = "address"  # a SIP address with a name for its user part


@dataclass(frozen=True)
class DialPlan:
    """How the active service reads numbers (from its profile)."""

    region: str = "US"  # ISO 3166 alpha-2: how national numbers and 00/011 are read
    internal_pattern: str | None = None  # regex; digits fully matching it are extensions
    outside_line_prefix: str = ""  # e.g. "9" on PBXs that need it for the PSTN
    home_domains: tuple[str, ...] = ()  # the service's SIP domains


@dataclass(frozen=True)
class Target:
    raw: str
    kind: TargetKind
    classes: frozenset[NumberClass]
    number_class: NumberClass
    detail: str  # why it got its class, in words
    digits: str = ""  # what is dialled: "+<E.164>" or national/short/extension digits
    e164: str | None = None
    region: str | None = None  # the region the number belongs to, "001" non-geographic
    user: str | None = None  # ADDRESS: the user part
    domain: str | None = None  # the SIP domain the request goes to, if a URI named one
    service_code: str = ""  # a feature code dialled in front of the number
    post_dial: str = ""  # DTMF to send once connected (pauses included)

    @property
    def key(self) -> str:
        """What rules match on: the E.164 form, else the digits, else user@domain."""
        if self.e164:
            return self.e164
        if self.kind is TargetKind.ADDRESS:
            return f"{self.user or ''}@{self.domain or ''}"
        return self.digits


def most_restricted(classes: frozenset[NumberClass]) -> NumberClass:
    return max(classes, key=_RANK.__getitem__) if classes else NumberClass.UNKNOWN


def classify(text: str, plan: DialPlan) -> Target:
    """Normalise and classify `text` (a number or URI) under `plan`."""
    return _classify(text, plan)


@lru_cache(maxsize=4096)
def _classify(text: str, plan: DialPlan) -> Target:
    if not isinstance(text, str) or not text.strip():
        return _unknown(str(text), "empty target")
    if len(text) > MAX_TARGET_LENGTH:
        return _unknown(text[:40] + "…", f"longer than {MAX_TARGET_LENGTH} characters")
    cleaned = _clean_text(text)
    if cleaned is None:
        return _unknown(text, "control or direction-override characters in the target")
    cleaned = addr_spec(cleaned)
    scheme, _, rest = cleaned.partition(":")
    scheme = scheme.lower()
    if rest and scheme in {"sip", "sips"}:
        return _classify_sip(text, rest, plan)
    if rest and scheme in {"tel", "callto"}:
        return _classify_tel(text, rest.removeprefix("//"), plan)
    if rest and re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme) and not scheme.isdigit():
        return _unknown(text, f"'{scheme}:' is not a telephone or SIP address")
    return _classify_number(text, cleaned, plan)


def addr_spec(text: str) -> str:
    """The URI inside a name-addr (`"Bob" <sip:bob@example.com>`), else the text."""
    text = text.strip()
    start, end = text.find("<"), text.rfind(">")
    if 0 <= start < end and not text[end + 1 :].strip():
        return text[start + 1 : end].strip()
    return text


def _clean_text(text: str) -> str | None:
    """NFKC (full-width forms), decimal digits of any script to ASCII, invisibles out.

    None when the text holds control characters or direction overrides."""
    out = []
    for ch in unicodedata.normalize("NFKC", text.strip()):
        category = unicodedata.category(ch)
        if ch in _OVERRIDES:
            return None  # what is shown is not what would be dialled
        if category == "Cf":  # zero-width spaces, direction marks, soft hyphens
            continue
        if category == "Cc":
            return None
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


def _target(
    raw: str,
    classes: set[NumberClass] | frozenset[NumberClass],
    detail: str,
    kind: TargetKind = TargetKind.NUMBER,
    **fields: object,
) -> Target:
    """A Target whose `number_class` is always the most restricted of its classes."""
    frozen = frozenset(classes)
    return Target(
        raw=raw,
        kind=kind,
        classes=frozen,
        number_class=most_restricted(frozen),
        detail=detail,
        **fields,  # type: ignore[arg-type]
    )


def _unknown(raw: str, detail: str, **fields: object) -> Target:
    return _target(raw, {NumberClass.UNKNOWN}, detail, **fields)


# -- numbers ---------------------------------------------------------------------------


def _classify_number(raw: str, text: str, plan: DialPlan, domain: str | None = None) -> Target:
    main, post_dial = _split_post_dial(text)
    digits = _strip_separators(main)
    if digits is None:
        return _unknown(raw, "characters that are not part of a number", domain=domain)
    if not digits or digits in {"+"}:
        return _unknown(raw, "no digits", domain=domain)
    service_code = ""
    if "*" in digits or "#" in digits:
        prefixed = _PREFIX_CODE.fullmatch(digits)
        if prefixed is None:
            return _service_code(raw, digits, plan, post_dial, domain)
        service_code, digits = prefixed.groups()
    if "+" in digits[1:]:
        return _unknown(raw, "'+' inside the number", domain=domain)
    target = _classify_digits(raw, digits, plan, domain)
    extra: dict[str, object] = {"post_dial": post_dial}
    if service_code:
        classes = target.classes | {NumberClass.SERVICE_CODE}
        extra.update(
            service_code=service_code,
            classes=classes,
            number_class=most_restricted(classes),
            detail=f"{target.detail}, after the feature code {service_code}",
        )
    return _replace(target, **extra)


def _split_post_dial(text: str) -> tuple[str, str]:
    for i, ch in enumerate(text):
        if ch in _PAUSES:
            return text[:i], text[i:]
    extension = _EXTENSION.fullmatch(text)
    if extension and not text.lstrip().startswith(("*", "#")):
        # "+1 212 555 0100 x123": the extension is keyed after the PBX answers.
        return extension.group(1), "," + extension.group(2)
    return text, ""


def _strip_separators(text: str) -> str | None:
    kept = []
    for ch in text:
        if ch in _SEPARATORS:
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+*#"):
            kept.append(ch)
        else:
            return None
    return "".join(kept)


def _service_code(
    raw: str, digits: str, plan: DialPlan, post_dial: str, domain: str | None
) -> Target:
    if not _SERVICE_CODE.fullmatch(digits):
        return _unknown(raw, "'*' or '#' where no service code can be", domain=domain)
    classes = {NumberClass.SERVICE_CODE}
    detail = f"service code {digits}"
    # A code that carries a number (call forwarding: **21*<number>#, *72<number>)
    # makes calls to that number: it is judged as that number too.
    embedded = max(_EMBEDDED_NUMBER.findall(digits), key=len, default="")
    if embedded:
        inner = _classify_digits(raw, embedded, plan, domain)
        classes |= inner.classes
        detail += f" carrying {inner.detail}"
    return _target(
        raw, classes, detail, digits=digits, service_code=digits, post_dial=post_dial,
        domain=domain,
    )  # fmt: skip


def _classify_digits(raw: str, digits: str, plan: DialPlan, domain: str | None) -> Target:
    if not digits.startswith("+"):
        found = _emergency_or_internal(raw, digits, plan, domain)
        if found is not None:
            return found
        prefix = plan.outside_line_prefix
        if prefix and digits.startswith(prefix) and len(digits) > len(prefix):
            stripped = digits[len(prefix) :]
            if shortnumberinfo.is_emergency_number(stripped, plan.region):
                return _emergency(raw, stripped, plan, domain)
            digits = stripped
    return _classify_pstn(raw, digits, plan, domain)


def _emergency_or_internal(
    raw: str, digits: str, plan: DialPlan, domain: str | None
) -> Target | None:
    if shortnumberinfo.is_emergency_number(digits, plan.region):
        return _emergency(raw, digits, plan, domain)
    pattern = _compiled(plan.internal_pattern)
    if pattern is not None and pattern.fullmatch(digits):
        detail = f"internal extension {digits}"
        return _target(raw, {NumberClass.INTERNAL}, detail, digits=digits, domain=domain)
    return None


def _emergency(raw: str, digits: str, plan: DialPlan, domain: str | None) -> Target:
    detail = f"emergency number {digits} ({plan.region})"
    return _target(
        raw, {NumberClass.EMERGENCY}, detail, digits=digits, region=plan.region, domain=domain
    )


@lru_cache(maxsize=64)
def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _classify_pstn(raw: str, digits: str, plan: DialPlan, domain: str | None) -> Target:
    try:
        number = phonenumbers.parse(digits, plan.region)
    except phonenumbers.NumberParseException as exc:
        return _unknown(raw, f"not a phone number: {exc._msg}", digits=digits, domain=domain)
    if phonenumbers.is_valid_number(number):
        return _full_number(raw, number, plan, domain)
    if not digits.startswith("+") and shortnumberinfo.is_valid_short_number_for_region(
        number, plan.region
    ):
        cost = shortnumberinfo.expected_cost_for_region(number, plan.region)
        number_class = _SHORT_COST_CLASS.get(cost, NumberClass.UNKNOWN)
        detail = f"short number {digits} ({plan.region}), {_cost_words(cost)}"
        return _target(
            raw, {number_class}, detail, digits=digits, region=plan.region, domain=domain
        )
    where = "" if digits.startswith("+") else f" in {plan.region}"
    return _unknown(raw, f"not a valid number{where}", digits=digits, domain=domain)


def _full_number(
    raw: str, number: phonenumbers.PhoneNumber, plan: DialPlan, domain: str | None
) -> Target:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number) or "ZZ"
    number_type = phonenumbers.number_type(number)
    kind_class = _TYPE_CLASS.get(number_type, NumberClass.UNKNOWN)
    classes = {kind_class}
    where = region
    # By region, not country code: +1 876 (Jamaica) dialled from the US looks national
    # and is the classic one-ring toll-fraud destination.
    if region != plan.region:
        classes.add(NumberClass.INTERNATIONAL)
        where = f"{region}, international from {plan.region}"
    detail = f"{_TYPE_WORDS.get(number_type, 'unclassified')} number ({where})"
    return _target(raw, classes, detail, digits=e164, e164=e164, region=region, domain=domain)


def _cost_words(cost: int) -> str:
    return {
        ShortNumberCost.TOLL_FREE: "free to call",
        ShortNumberCost.STANDARD_RATE: "standard rate",
        ShortNumberCost.PREMIUM_RATE: "premium rate",
    }.get(cost, "cost unknown")


def _replace(target: Target, **changes: object) -> Target:
    from dataclasses import replace

    return replace(target, **changes)  # type: ignore[arg-type]


# -- URIs ------------------------------------------------------------------------------


def _classify_tel(raw: str, body: str, plan: DialPlan) -> Target:
    number, params = _split_params(body.split("?", 1)[0])
    number = unquote(number)
    post_dial = ""
    if "postd" in params:
        post_dial = "," + unquote(params["postd"])
    if "ext" in params:
        post_dial = "," + unquote(params["ext"]) + post_dial
    context = unquote(params.get("phone-context", ""))
    return _with_context(raw, number, context, plan, post_dial, domain=None)


def _with_context(
    raw: str, number: str, context: str, plan: DialPlan, post_dial: str, domain: str | None
) -> Target:
    """A local number read in its `phone-context` (RFC 3966 section 5.1.5)."""
    if number.strip().startswith("+") or not context:
        target = _classify_number(raw, number, plan, domain)
    elif context.startswith("+"):
        target = _global_context(raw, number, context, plan, domain)
    else:
        ours = {d.lower() for d in plan.home_domains}
        if context.lower() not in ours:
            return _unknown(raw, f"local number in a foreign phone-context ({context})")
        target = _classify_number(raw, number, plan, domain)
    if post_dial:
        target = _replace(target, post_dial=target.post_dial + post_dial)
    return target


def _global_context(
    raw: str, number: str, context: str, plan: DialPlan, domain: str | None
) -> Target:
    """`5550123;phone-context=+1-212`: the context's digits are the number's prefix."""
    prefix = _strip_separators(context)
    local = _strip_separators(_split_post_dial(number)[0])
    if not prefix or not re.fullmatch(r"\+\d{1,15}", prefix) or not local:
        return _unknown(raw, f"phone-context {context} is not a global number prefix")
    if local.isdigit():
        # Only a context that is exactly our country code keeps our plan's meanings.
        in_plan = prefix == f"+{phonenumbers.country_code_for_region(plan.region)}"
        found = _emergency_or_internal(raw, local, plan, domain) if in_plan else None
        if found is not None:
            return found
    return _classify_number(raw, prefix + local, plan, domain)


def _split_params(text: str) -> tuple[str, dict[str, str]]:
    head, *params = text.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed.setdefault(name.strip().lower(), value.strip())
    return head, parsed


def _classify_sip(raw: str, body: str, plan: DialPlan) -> Target:
    body = body.split("?", 1)[0]  # URI headers never choose where the call goes
    userinfo, at, hostpart = body.rpartition("@")
    if not at:
        userinfo, hostpart = "", body
    host, params = _split_params(hostpart)
    domain = _host(unquote(params.get("maddr", "")) or host)
    if not domain:
        return _unknown(raw, "SIP address without a host")
    user = userinfo.split(":", 1)[0]  # never a password, but never trust one either
    user_part, user_params = _split_params(user)
    user_part = unquote(user_part)
    if not user_part:
        detail = f"SIP server {domain}"
        return _target(raw, {NumberClass.SIP}, detail, TargetKind.ADDRESS, domain=domain)
    phone = params.get("user", "").lower() == "phone"
    cleaned = _clean_text(user_part) or ""
    if phone or _LOOKS_NUMERIC.fullmatch(cleaned):
        context = unquote(user_params.get("phone-context", ""))
        return _with_context(raw, cleaned, context, plan, "", domain=domain)
    detail = f"SIP address at {domain}"
    return _target(
        raw, {NumberClass.SIP}, detail, TargetKind.ADDRESS, user=user_part, domain=domain
    )


def _host(hostport: str) -> str:
    host = hostport.strip()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end].lower() if end > 0 else ""
    if host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return host.rstrip(".").lower()
