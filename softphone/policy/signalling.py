"""Decisions on what a peer asks of us in signalling: transfers and redirects.

Pure functions, any thread. A REFER or a 3xx makes us call someone the user
did not choose, so neither is followed unless the administrator's settings
say so (seen abused for toll fraud: a REFER to a premium number).
"""

from __future__ import annotations

from dataclasses import dataclass

from softphone.policy.decision import Decision, Reason


@dataclass(frozen=True)
class TransferPolicy:
    accept_transfers: bool = False
    allowed_domains: tuple[str, ...] = ()  # empty: any domain, once transfers are on


def _addr_spec(value: str) -> str:
    """The URI of a name-addr ('"Carol" <sip:c@x>') or the addr-spec itself."""
    value = value.strip()
    if "<" in value and ">" in value:
        return value[value.index("<") + 1 : value.rindex(">")].strip()
    return value


def _target_host(uri: str) -> str:
    """Where a request to `uri` really goes: the maddr host if present, else the host part."""
    without_headers = uri.split("?", 1)[0]
    scheme_body = without_headers.split(":", 1)[1] if ":" in without_headers else without_headers
    hostport, *params = scheme_body.split("@", 1)[-1].split(";")
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "maddr" and value.strip():
            return value.strip().lower()
    host = hostport.strip()
    if host.startswith("["):
        return host[1 : host.find("]")].lower()
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def decide_transfer(target: str, policy: TransferPolicy) -> Decision:
    """May we follow a peer's REFER to `target` (a Refer-To value)?"""
    if not policy.accept_transfers:
        return Decision.deny("incoming transfers are disabled by policy", Reason.TRANSFERS_DISABLED)
    uri = _addr_spec(target)
    if not uri.lower().startswith(("sip:", "sips:")):
        return Decision.deny(
            f"transfer target is not a SIP URI: {target}",
            Reason.TRANSFER_NOT_SIP,
            args={"target": target},
        )
    host = _target_host(uri)
    if policy.allowed_domains and host not in {d.lower() for d in policy.allowed_domains}:
        return Decision.deny(
            f"transfer target domain {host} is not allowed",
            Reason.TRANSFER_DOMAIN_NOT_ALLOWED,
            args={"domain": host},
        )
    return Decision.allow("transfer allowed by policy", Reason.TRANSFER_ALLOWED)
