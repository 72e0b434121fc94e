"""Dial permissions: may this user's role call this target? Pure functions, any thread.

`decide_dial(target, plan, role)` classifies the target (`policy.numbers`) and
applies the role's rules, in this order:

1. emergency numbers are always allowed, never need a PIN (only in our own numbering
   plan: `sip:911@elsewhere` is a call to elsewhere, not to emergency services);
2. a SIP domain that is neither the service's nor in the role's allowed domains is
   denied;
3. the role's allowed exceptions (E.164 numbers or prefixes) are allowed;
4. the role's denied prefixes are denied;
5. every class of the target must be allowed or PIN-allowed for the role (an
   international premium number needs both), otherwise denied;
6. a class in the role's PIN list makes it "needs PIN"; else allowed.

Every path that can start or redirect a call to a number goes through this one
decision, and the engine enforces it (`engine.calls`), so no caller can forget:
- dialing from the dial pad, redial, the history and the contact directory
  (all become the engine's `MakeCall`);
- URL handlers (`tel:`, `sip:`, `sips:`, `callto:` links open `softphone gui URL`:
  the link lands on the dial pad, judged like typed text, and only the user's Call
  makes a `MakeCall`) and the CLI (`softphone call`), which also become `MakeCall`;
- conference adds (a new `MakeCall` merged with `Conference`);
- transfers we start (`TransferBlind` target) and attended-transfer consult calls;
- a REFER received from the far end (after `signalling.decide_transfer`);
- 3xx redirects, checked before they are followed (`DecideRedirect`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers

from softphone.policy.decision import Decision, Reason
from softphone.policy.numbers import DialPlan, NumberClass, Target, classify

C = NumberClass
R = Reason


@dataclass(frozen=True)
class RoleRules:
    """What one role may dial. Prefixes and exceptions are normalised at load time."""

    name: str
    allow: frozenset[NumberClass]
    pin: frozenset[NumberClass] = frozenset()  # allowed after an authorization code
    # Numbers or prefixes in any formatting ("+1 900", "011 44 9", "09"), normalised per
    # dial plan (`normalise_prefix`) and matched on `Target.key`.
    deny_prefixes: tuple[str, ...] = ()
    allow_exceptions: tuple[str, ...] = ()  # beat classes and denied prefixes
    allowed_domains: tuple[str, ...] = ()  # SIP domains beyond the service's; "*": any


@dataclass(frozen=True)
class DialPolicy:
    roles: Mapping[str, RoleRules] = field(default_factory=dict)
    default_role: str = "default"

    def role(self, name: str | None) -> RoleRules:
        """The named role (the default one for None); KeyError names the known roles."""
        key = name or self.default_role
        try:
            return self.roles[key]
        except KeyError:
            known = ", ".join(sorted(self.roles)) or "none"
            raise KeyError(f"no dialing role '{key}' (known: {known})") from None


# Built in for when no administrator policy exists. Premium, shared-cost lines and
# anything unreadable are refused; international needs an authorization code only
# where the administrator configures codes, so the default role simply allows it.
_EVERYDAY = frozenset({C.INTERNAL, C.SIP, C.TOLL_FREE, C.NATIONAL, C.MOBILE, C.SERVICE_CODE})
BUILTIN_ROLES: dict[str, RoleRules] = {
    "default": RoleRules("default", allow=_EVERYDAY | {C.INTERNATIONAL}),
    "clinician": RoleRules("clinician", allow=_EVERYDAY, pin=frozenset({C.INTERNATIONAL})),
    "staff": RoleRules(
        "staff", allow=_EVERYDAY - {C.SERVICE_CODE}, pin=frozenset({C.INTERNATIONAL})
    ),
    "kiosk": RoleRules("kiosk", allow=frozenset({C.INTERNAL, C.SIP, C.TOLL_FREE})),
}
BUILTIN_POLICY = DialPolicy(roles=BUILTIN_ROLES, default_role="default")


def decide_dial(target: str | Target, plan: DialPlan, role: RoleRules) -> Decision:
    """May `role` call `target` (text as typed or received, or a classified Target)?"""
    t = target if isinstance(target, Target) else classify(target, plan)
    details = {"number_class": t.number_class.value, "target": t.key or None}
    if t.number_class is C.EMERGENCY and _in_home_plan(t, plan):
        return Decision.allow(
            f"{t.detail}: emergency calls are always allowed", R.EMERGENCY, **details
        )
    if t.domain is not None and not _domain_allowed(t.domain, plan, role):
        return Decision.deny(
            f"calls to the SIP domain {t.domain} are not allowed",
            R.DOMAIN_NOT_ALLOWED,
            args={"domain": t.domain},
            **details,
        )
    for_role = {"role": role.name}
    if t.key and _matches(t.key, _prefixes(role.allow_exceptions, plan)):
        why = f"{t.detail}: an allowed exception for {role.name}"
        return Decision.allow(why, R.ALLOWED_EXCEPTION, args=for_role, **details)
    if t.key and _matches(t.key, _prefixes(role.deny_prefixes, plan)):
        why = f"{t.detail}: a denied prefix for {role.name}"
        return Decision.deny(why, R.DENIED_PREFIX, args=for_role, **details)
    permitted = role.allow | role.pin
    refused = [c for c in _by_restriction(t.classes) if c not in permitted]
    if refused:
        why = f"{t.detail}: {_words(refused)} calls are not allowed for {role.name}"
        args = {**for_role, "classes": _codes(refused)}
        return Decision.deny(why, R.CLASS_NOT_ALLOWED, args=args, **details)
    if t.classes & role.pin:
        needing = t.classes & role.pin
        why = f"{t.detail}: {_words(needing)} calls need an authorization code for {role.name}"
        args = {**for_role, "classes": _codes(needing)}
        return Decision.needs_pin(why, R.CLASS_NEEDS_PIN, args=args, **details)
    why = f"{t.detail}: allowed for {role.name}"
    return Decision.allow(why, R.ALLOWED_FOR_ROLE, args=for_role, **details)


def _in_home_plan(t: Target, plan: DialPlan) -> bool:
    return t.domain is None or t.domain in {d.lower() for d in plan.home_domains}


def _domain_allowed(domain: str, plan: DialPlan, role: RoleRules) -> bool:
    allowed = {d.lower().rstrip(".") for d in (*plan.home_domains, *role.allowed_domains)}
    return "*" in allowed or domain.lower() in allowed


@lru_cache(maxsize=256)
def _prefixes(texts: tuple[str, ...], plan: DialPlan) -> tuple[str, ...]:
    return tuple(normalise_prefix(t, plan) for t in texts)


def _matches(key: str, prefixes: Iterable[str]) -> bool:
    return any(key.startswith(p) for p in prefixes if p)


def _words(classes: Iterable[NumberClass]) -> str:
    return ", ".join(c.value.replace("_", " ") for c in _by_restriction(classes))


def _codes(classes: Iterable[NumberClass]) -> str:
    """The classes as `Decision.args["classes"]` holds them: "premium,international"."""
    return ",".join(c.value for c in _by_restriction(classes))


def _by_restriction(classes: Iterable[NumberClass]) -> list[NumberClass]:
    order = list(NumberClass)
    return sorted(classes, key=order.index)


def normalise_prefix(text: str, plan: DialPlan) -> str:
    """An administrator's prefix as it will match `Target.key` (ValueError if no digits).

    "+1 (900)" -> "+1900"; with an international access code ("011 44 9" in the US)
    or the national prefix ("09" in GB) -> E.164 digits; anything else (extensions,
    service codes) is kept as digits. Write E.164 prefixes to leave no doubt.
    """
    cleaned = "".join(ch for ch in text if ch.isascii() and (ch.isdigit() or ch in "+*#"))
    if not cleaned:
        raise ValueError(f"'{text}' has no digits")
    if cleaned.startswith("+"):
        return cleaned
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(plan.region)
    if metadata is None or not cleaned.isdigit():
        return cleaned
    access = re.match(metadata.international_prefix or "$^", cleaned)
    if access and access.end():
        return "+" + cleaned[access.end() :]
    national = metadata.national_prefix
    if national and cleaned.startswith(national):
        return f"+{metadata.country_code}{cleaned[len(national) :]}"
    return cleaned
