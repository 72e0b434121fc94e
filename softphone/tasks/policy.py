"""`softphone policy ...`: let administrators test their rules; build the engine's policy.

Caller's thread. Everything here asks the same pure functions the engine asks
(`policy.dialing`, `policy.inbound`) with the same dial plan (`engine.gate.dial_plan`),
so what `check-dial` prints is what a call would meet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs

from softphone.config.admin_policy import AdminPolicy
from softphone.config.profile import SipProfile
from softphone.directory.contacts import ContactDirectory
from softphone.engine.gate import CallPolicy, dial_plan
from softphone.policy.decision import Decision, Verdict
from softphone.policy.dialing import decide_dial
from softphone.policy.inbound import CallerFacts, caller_identity, decide_inbound
from softphone.policy.numbers import Target, classify
from softphone.policy.pin import PinAuthority, hash_pin
from softphone.schedule.live import LiveSchedule
from softphone.schedule.reachability import ScheduleIndex
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import LocalDatabase

PIN_SERVICE, PIN_NAME = "policy", "dial-pin-hash"
EXIT_BY_VERDICT = {Verdict.ALLOWED: 0, Verdict.NEEDS_PIN: 3, Verdict.DENIED: 4}


@dataclass(frozen=True)
class DialReport:
    target: str
    normalised: str | None
    number_class: str
    classes: tuple[str, ...]
    verdict: str
    reason: str
    role: str
    region: str
    policy_source: str
    code: str | None = None  # `Decision.code`: the reason as a fixed value
    args: tuple[tuple[str, str], ...] = ()  # `Decision.args`: its varying parts

    def to_dict(self) -> dict:
        return {**asdict(self), "args": dict(self.args)}


@dataclass(frozen=True)
class InboundReport:
    caller: str
    identity: str | None
    verdict: str
    reason: str
    mode: str
    at: str
    approved: bool
    scheduled: bool
    policy_source: str

    def to_dict(self) -> dict:
        return asdict(self)


def check_dial(
    target: str, profile: SipProfile, admin: AdminPolicy, role: str | None = None
) -> DialReport:
    plan = dial_plan(profile)
    rules = admin.dialing.role(role)
    classified = classify(target, plan)
    decision = decide_dial(classified, plan, rules)
    return DialReport(
        target=target,
        normalised=decision.target,
        number_class=classified.number_class.value,
        classes=tuple(sorted(c.value for c in classified.classes)),
        verdict=decision.verdict.value,
        reason=decision.reason,
        role=rules.name,
        region=plan.region,
        policy_source=str(admin.source or "built-in defaults"),
        code=decision.code.value if decision.code else None,
        args=decision.args,
    )


def check_inbound(
    caller: str,
    profile: SipProfile,
    admin: AdminPolicy,
    at: datetime,
    facts: Callable[[Target, datetime], CallerFacts] | None = None,
) -> InboundReport:
    plan = dial_plan(profile)
    identity = caller_identity(caller, plan)
    known = facts(identity, at) if facts is not None else CallerFacts()
    decision = decide_inbound(identity, known, admin.inbound, plan)
    return InboundReport(
        caller=caller,
        identity=identity.key or None,
        verdict=decision.verdict.value,
        reason=decision.reason,
        mode=admin.inbound.mode.value,
        at=at.isoformat(),
        approved=known.approved,
        scheduled=known.scheduled,
        policy_source=str(admin.source or "built-in defaults"),
    )


def check_inbound_with_data(
    caller: str, profile: SipProfile, admin: AdminPolicy, at: datetime, db: LocalDatabase
) -> InboundReport:
    """`check_inbound` with the facts from the local database: approved contacts, and
    appointments whose window holds `at`."""
    directory = ContactDirectory(db, profile.region)
    appointments = AppointmentStore(db).between(at - timedelta(days=1), at + timedelta(days=2))
    index = ScheduleIndex(appointments, dial_plan(profile))

    def facts(identity: Target, when: datetime) -> CallerFacts:
        return CallerFacts(
            approved=directory.is_approved(identity.raw),
            scheduled=index.scheduled(identity, when),
        )

    return check_inbound(caller, profile, admin, at, facts)


def exit_code(verdict: str) -> int:
    return EXIT_BY_VERDICT[Verdict(verdict)]


# -- PIN authorization codes -----------------------------------------------------------


def pin_attempts_path() -> Path:
    return Path(platformdirs.user_state_dir("softphone")) / "pin-attempts.json"


def set_pin(store: SecretStore, pin: Secret) -> None:
    """Keep only a salted scrypt hash of the PIN, in the secret store."""
    store.set(PIN_SERVICE, PIN_NAME, Secret(hash_pin(pin)))


def clear_pin(store: SecretStore) -> bool:
    return store.delete(PIN_SERVICE, PIN_NAME)


def pin_authority(store: SecretStore | None, state_path: Path | None = None) -> PinAuthority:
    stored = store.get(PIN_SERVICE, PIN_NAME) if store is not None else None
    return PinAuthority(stored.reveal() if stored else None, state_path or pin_attempts_path())


def call_policy(
    admin: AdminPolicy,
    role: str | None = None,
    pins: PinAuthority | None = None,
    caller_facts: Callable[[Target], CallerFacts] | None = None,
) -> CallPolicy:
    admin.dialing.role(role)  # an unknown role fails here, not at the first call
    return CallPolicy(
        dialing=admin.dialing,
        role=role,
        inbound=admin.inbound,
        transfers=admin.transfers,
        pins=pins,
        caller_facts=caller_facts,
    )


def caller_facts(
    *,
    approved: Callable[[Target], bool] | None = None,
    schedule: Callable[[], ScheduleIndex | None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[Target], CallerFacts]:
    """The engine's inbound lookup: an approved contact? in an appointment window now?

    `schedule` returns the current index (the application swaps it when appointments
    change); both lookups are in memory, as the engine thread calls this per INVITE.
    """

    def facts(caller: Target) -> CallerFacts:
        index = schedule() if schedule is not None else None
        return CallerFacts(
            approved=bool(approved and approved(caller)),
            scheduled=bool(index and index.scheduled(caller, now())),
        )

    return facts


def local_caller_facts(
    db: LocalDatabase, profile: SipProfile
) -> tuple[Callable[[Target], CallerFacts], ContactDirectory, LiveSchedule]:
    """The inbound lookup over the local database: approved contacts and appointments.

    Returns the lookup for `CallPolicy.caller_facts` and the two live sources (close
    the schedule when done; refresh it after editing appointments).
    """
    directory = ContactDirectory(db, profile.region)
    store = AppointmentStore(db)
    schedule = LiveSchedule(store.between, dial_plan(profile))
    facts = caller_facts(
        approved=lambda caller: directory.is_approved(caller.raw), schedule=schedule.index
    )
    return facts, directory, schedule


def describe(decision: Decision) -> str:
    return f"{decision.verdict.value}: {decision.reason}"
