"""Benchmark: how long one dial decision takes (target: p99 <= 1 ms).

    .venv/bin/python bench/policy.py [--targets N] [--seed S]

Generates N distinct targets in many formats (numbers of several regions as typed,
E.164, with IDD prefixes, tel:/sip: URIs, service codes, garbage) and times
`decide_dial` on each: first on a cold cache (every target new: the figure that
matters for a user typing a new number) and then again warm (redial, history).
Also times `decide_inbound` for callers. Prints percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from softphone.policy.dialing import BUILTIN_ROLES, RoleRules, decide_dial
from softphone.policy.inbound import (
    CallerFacts,
    InboundMode,
    InboundPolicy,
    caller_identity,
    decide_inbound,
)
from softphone.policy.numbers import DialPlan, NumberClass, _classify

TARGET_P99_MS = 1.0
REGIONS = ("US", "GB", "DE", "FR", "AU", "JP", "IN", "BR", "JM", "NL")
TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
)


def targets(n: int, rng: random.Random) -> list[str]:
    samples = []
    for region in REGIONS:
        for kind in TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                samples.append(example)
    out: set[str] = set()
    while len(out) < n:
        number = rng.choice(samples)
        national = str(number.national_number)
        # Vary the last digits so every target is new to the cache.
        varied = national[:-3] + f"{rng.randrange(1000):03d}"
        number = phonenumbers.parse(f"+{number.country_code}{varied}", None)
        intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        out.add(
            rng.choice(
                [
                    intl,
                    e164,
                    intl.replace(" ", "-"),
                    "011 " + e164[1:],
                    f"tel:{intl.replace(' ', '-')}",
                    f"sip:{e164}@pbx.example.com;user=phone",
                    f"*67 {e164}",
                    f"{e164},,{rng.randrange(9999)}#",
                    f"{rng.randrange(1000, 8000)}",
                    f"sip:user{rng.randrange(10**6)}@pbx.example.com",
                    "".join(rng.choice("0123456789+*#()- abc") for _ in range(rng.randint(1, 20))),
                ]
            )
        )
    return sorted(out)


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    q = statistics.quantiles(ms, n=100)
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": ms[-1]}


def time_each(fn, items) -> list[int]:
    out = []
    for item in items:
        start = time.perf_counter_ns()
        fn(item)
        out.append(time.perf_counter_ns() - start)
    return out


def show(label: str, stats: dict[str, float]) -> None:
    figures = "  ".join(f"{k} {v:.3f}" for k, v in stats.items())
    print(f"  {label:<34} {figures}  (ms)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    plan = DialPlan("US", internal_pattern=r"[1-7]\d{3}", home_domains=("pbx.example.com",))
    role = RoleRules(
        "bench",
        allow=BUILTIN_ROLES["clinician"].allow,
        pin=frozenset({NumberClass.INTERNATIONAL}),
        deny_prefixes=("+1900", "+1 876", "011 44 9"),
        allow_exceptions=("+44 20 7946 0000",),
    )
    items = targets(args.targets, rng)
    _classify.cache_clear()
    decide_dial(items[0], plan, role)  # imports and metadata loading, once
    _classify.cache_clear()

    cold = percentiles(time_each(lambda t: decide_dial(t, plan, role), items))
    recent = items[:2000]  # fits the classification cache (4096 entries)
    time_each(lambda t: decide_dial(t, plan, role), recent)
    warm = percentiles(time_each(lambda t: decide_dial(t, plan, role), recent))
    inbound = InboundPolicy(mode=InboundMode.APPROVED, block=("+1 212 555 0199", "@spam.example"))
    callers = [t if t.startswith("sip:") else f"sip:{t}@pbx.example.com" for t in items[:5000]]
    _classify.cache_clear()
    inbound_stats = percentiles(
        time_each(
            lambda c: decide_inbound(caller_identity(c, plan), CallerFacts(), inbound, plan),
            callers,
        )
    )
    verdicts: dict[str, int] = {}
    for t in items:
        v = decide_dial(t, plan, role).verdict.value
        verdicts[v] = verdicts.get(v, 0) + 1

    print(f"dial policy decisions: {len(items)} distinct targets, Python {sys.version.split()[0]}")
    show("decide_dial, new target (cold)", cold)
    show("decide_dial, repeated (warm cache)", warm)
    show("decide_inbound, new caller", inbound_stats)
    print(f"  verdicts: {verdicts}")
    ok = cold["p99"] <= TARGET_P99_MS
    print(f"target p99 <= {TARGET_P99_MS} ms (cold): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
