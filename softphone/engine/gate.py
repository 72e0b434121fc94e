"""The engine's one door to the policy: every call placed, redirected, transferred or
accepted is decided here, with the same pure functions the UI and CLI show.

Engine thread (pure apart from the lookups it is given). `CallGate.dial` classifies
the target under the account's dial plan (its profile's region, extension pattern
and domains), asks `policy.dialing.decide_dial`, checks a PIN authorization when
the decision needs one, and returns the request URI to dial, built from what was
classified (so the number judged is the number dialled). `CallGate.inbound` reads
the caller's From URI and asks `policy.inbound.decide_inbound` with facts looked up
by the application (approved contact? scheduled now?).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from softphone.config.profile import SipProfile
from softphone.policy.decision import Decision, Verdict
from softphone.policy.dialing import BUILTIN_POLICY, DialPolicy, decide_dial
from softphone.policy.end_to_end import PeerE2eFacts
from softphone.policy.inbound import (
    CallerFacts,
    InboundPolicy,
    caller_identity,
    decide_inbound,
)
from softphone.policy.numbers import DialPlan, Target, TargetKind, addr_spec, classify
from softphone.policy.pin import DialAuthorization, PinAuthority
from softphone.policy.signalling import TransferPolicy, decide_transfer

CallerLookup = Callable[[Target], CallerFacts]
PeerLookup = Callable[[str], PeerE2eFacts]  # by peer address, "user@host"


@dataclass(frozen=True)
class CallPolicy:
    """Everything the engine needs to decide; built by the application at start."""

    dialing: DialPolicy = BUILTIN_POLICY
    role: str | None = None  # None: the policy's default role
    inbound: InboundPolicy = field(default_factory=InboundPolicy)
    transfers: TransferPolicy = field(default_factory=TransferPolicy)
    pins: PinAuthority | None = None
    caller_facts: CallerLookup | None = None  # None: nobody is approved or scheduled
    # End-to-end requirement and verified certificate of a peer (softphone.e2e.trust);
    # None: no contact requires end to end, nobody was verified.
    e2e_peers: PeerLookup | None = None


@dataclass(frozen=True)
class DialCheck:
    decision: Decision
    target: Target
    request_uri: str | None  # None unless allowed


def dial_plan(profile: SipProfile) -> DialPlan:
    return DialPlan(
        region=profile.region,
        internal_pattern=profile.dialplan.internal_pattern,
        outside_line_prefix=profile.dialplan.outside_line_prefix,
        home_domains=profile.home_domains,
    )


class CallGate:
    def __init__(self, policy: CallPolicy) -> None:
        self.policy = policy
        self._plans: dict[SipProfile, DialPlan] = {}

    def plan(self, profile: SipProfile) -> DialPlan:
        plan = self._plans.get(profile)
        if plan is None:
            plan = self._plans[profile] = dial_plan(profile)
        return plan

    def dial(
        self,
        profile: SipProfile,
        text: str,
        authorization: DialAuthorization | None = None,
        *,
        pin_possible: bool = True,
    ) -> DialCheck:
        """May this account call `text`? `pin_possible`: False where nobody can type a
        PIN (a REFER or a redirect from the far end), so "needs PIN" is refused."""
        plan = self.plan(profile)
        target = classify(text, plan)
        decision = decide_dial(target, plan, self.policy.dialing.role(self.policy.role))
        if decision.verdict is Verdict.NEEDS_PIN:
            decision = self._with_pin(decision, target, authorization, pin_possible)
        uri = request_uri(target, text, profile) if decision.allowed else None
        return DialCheck(decision, target, uri)

    def transfer(self, profile: SipProfile, refer_to: str) -> DialCheck:
        """A REFER from the far end: the transfer policy first, then the dial policy."""
        allowed = decide_transfer(refer_to, self.policy.transfers)
        if not allowed.allowed:
            return DialCheck(allowed, classify(refer_to, self.plan(profile)), None)
        return self.dial(profile, refer_to, pin_possible=False)

    def inbound(self, profile: SipProfile, remote_uri: str) -> Decision:
        plan = self.plan(profile)
        caller = caller_identity(remote_uri, plan)
        lookup = self.policy.caller_facts
        facts = lookup(caller) if lookup is not None else CallerFacts()
        return decide_inbound(caller, facts, self.policy.inbound, plan)

    def e2e_peer(self, address: str) -> PeerE2eFacts:
        lookup = self.policy.e2e_peers
        return lookup(address) if lookup is not None else PeerE2eFacts()

    def _with_pin(
        self,
        decision: Decision,
        target: Target,
        authorization: DialAuthorization | None,
        pin_possible: bool,
    ) -> Decision:
        details = {"number_class": decision.number_class, "target": decision.target}
        if not pin_possible:
            return Decision.deny(
                f"{decision.reason}; a call the far end asks for cannot carry one", **details
            )
        pins = self.policy.pins
        if pins is not None and pins.verify(authorization, target.key):
            return Decision.allow(f"{decision.reason}: authorization code given", **details)
        return decision


def request_uri(target: Target, text: str, profile: SipProfile) -> str:
    """The URI to dial for a classified target: what was judged is what is sent."""
    stripped = addr_spec(text)
    if stripped.lower().startswith(("sip:", "sips:")):
        # The caller's own URI, without URI headers (`?Route=...` would steer the
        # INVITE past the domain that was checked).
        return stripped.split("?", 1)[0]
    if target.kind is TargetKind.ADDRESS:  # pragma: no cover - addresses are sip: URIs
        return f"sip:{quote(target.user or '', safe='')}@{target.domain}"
    params = ";user=phone" if target.digits.startswith("+") else ""
    if profile.uses_tls:
        params += ";transport=tls"
    user = quote(target.digits, safe="+*")
    domain = f"[{profile.domain}]" if ":" in profile.domain else profile.domain
    return f"sip:{user}@{domain}{params}"
