"""`softphone policy check-dial|check-inbound|show|set-pin|clear-pin`. Main thread."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from softphone.cli.common import (
    EXIT_OK,
    checked_role,
    dial_pin,
    parse_time,
    print_json,
)
from softphone.config.admin_policy import AdminPolicy, load_admin_policy
from softphone.config.profile import (
    SipProfile,
    find_profile,
    load_profile,
)
from softphone.policy.pin import PinFormatError
from softphone.security.credentials import (
    CredentialError,
    open_store,
)
from softphone.security.secret_store import SecretStoreError


def cmd_policy(args: argparse.Namespace) -> int:
    from softphone.tasks import policy as tasks

    command = args.policy_command
    if command in {"set-pin", "clear-pin"}:
        return _pin_command(command)
    admin = load_admin_policy(args.policy)
    if command == "show":
        _print_policy(admin)
        return EXIT_OK
    profile = load_profile(find_profile(args.profile))
    if command == "check-dial":
        report = tasks.check_dial(args.number, profile, admin, checked_role(admin, args.role))
        if args.json:
            print_json(report.to_dict())
        else:
            print(f"{report.verdict.upper()}: {report.reason}")
            print(f"  class {report.number_class} ({', '.join(report.classes)}), "
                  f"as {report.normalised or '-'}; role {report.role}, region {report.region}; "
                  f"policy: {report.policy_source}")  # fmt: skip
        return tasks.exit_code(report.verdict)
    at = parse_time(args.at)
    report = _check_inbound(args.uri, profile, admin, at)
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"{report.verdict.upper()}: {report.reason}")
        print(f"  caller {report.identity or '-'}; mode {report.mode}; at {report.at}; "
              f"policy: {report.policy_source}")  # fmt: skip
    return tasks.exit_code(report.verdict)


def _check_inbound(uri: str, profile: SipProfile, admin: AdminPolicy, at: datetime) -> Any:
    """With the local database when it can be opened (approved contacts, appointments);
    without it every caller counts as neither approved nor scheduled, and we say so."""
    from softphone.storage.database import DatabaseError, LocalDatabase
    from softphone.storage.locations import database_path
    from softphone.tasks import policy as tasks

    path = database_path()
    if path.exists():
        try:
            with LocalDatabase.open(path, open_store()) as db:
                return tasks.check_inbound_with_data(uri, profile, admin, at, db)
        except (CredentialError, DatabaseError) as e:
            print(f"softphone: contacts and appointments unavailable: {e}", file=sys.stderr)
    return tasks.check_inbound(uri, profile, admin, at)


def _pin_command(command: str) -> int:
    from softphone.tasks.policy import clear_pin, set_pin

    store = open_store()
    try:
        if command == "clear-pin":
            found = clear_pin(store)
            print("authorization code removed" if found else "no authorization code was set")
            return EXIT_OK
        pin = dial_pin("new authorization code", confirm=True)
        set_pin(store, pin)
    except PinFormatError as e:
        raise CredentialError(str(e)) from None
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None
    print(f"authorization code set (a salted scrypt hash in {type(store).__name__})")
    return EXIT_OK


def _print_policy(admin: AdminPolicy) -> None:
    print(f"policy: {admin.source or 'built-in defaults (no policy file)'}")
    for name, role in sorted(admin.dialing.roles.items()):
        mark = " (default)" if name == admin.dialing.default_role else ""
        print(f"  role {name}{mark}:")
        print(f"    allow: {', '.join(sorted(c.value for c in role.allow)) or '-'}")
        print(f"    PIN  : {', '.join(sorted(c.value for c in role.pin)) or '-'}")
        for label, values in (
            ("deny prefixes", role.deny_prefixes),
            ("exceptions", role.allow_exceptions),
            ("domains", role.allowed_domains),
        ):
            if values:
                print(f"    {label}: {', '.join(values)}")
    print(f"  inbound: {admin.inbound.mode.value}, {len(admin.inbound.block)} blocked")
    transfers = "accepted" if admin.transfers.accept_transfers else "refused"
    print(f"  transfers from the far end: {transfers}")
    history = admin.history
    days = f"{history.retention_days} days" if history.retention_days else "until deleted"
    print(f"  history: {'kept ' + days if history.keep else 'not kept'}")
    shown = admin.privacy.show_caller_in_notifications
    print(f"  notifications: {'show the caller' if shown else 'privacy mode (caller hidden)'}")
    if "ui.language" in admin.locked:
        language = admin.ui.language or "the system's"
        print(f"  desktop app language: {language} (locked)")


# ------------------------------------------------------------------- helpers
