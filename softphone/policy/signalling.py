"""Decisions on what a peer asks of us in signalling: transfers and redirects.

Pure functions, any thread. A REFER or a 3xx makes us call someone the user
did not choose, so neither is followed unless the administrator's settings
say so (seen abused for toll fraud: a REFER to a premium number).
"""

from __future__ import annotations

from dataclasses import dataclass

from softphone.policy.decision import Decision


@dataclass(frozen=True)
class TransferPolicy:
    accept_transfers: bool = False
    allowed_domains: tuple[str, ...] = ()  # empty: any domain, once transfers are on


def _domain_of(uri: str) -> str:
    body = uri.strip().strip("<>")
    for scheme in ("sips:", "sip:", "tel:"):
        if body.lower().startswith(scheme):
            body = body[len(scheme) :]
            break
    host = body.split("@", 1)[-1]
    return host.split(";", 1)[0].split(">", 1)[0].split(":", 1)[0].lower()


def decide_transfer(target: str, policy: TransferPolicy) -> Decision:
    """May we follow a peer's REFER to `target`?"""
    if not policy.accept_transfers:
        return Decision.deny("incoming transfers are disabled by policy")
    if not target.lower().startswith(("sip:", "sips:", "<sip:", "<sips:")):
        return Decision.deny(f"transfer target is not a SIP URI: {target}")
    domain = _domain_of(target)
    if policy.allowed_domains and domain not in {d.lower() for d in policy.allowed_domains}:
        return Decision.deny(f"transfer target domain {domain} is not allowed")
    return Decision.allow("transfer allowed by policy")
