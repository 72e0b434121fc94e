"""`softphone secrets set|delete|where|status|unlock|lock|change-passphrase`. Main thread."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from softphone.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    new_passphrase,
    passphrase,
    print_json,
)
from softphone.config.profile import (
    find_profile,
    load_profile,
)
from softphone.security.credentials import (
    SIP_SERVICE,
    CredentialError,
    data_dir,
    obtain_password,
    open_store,
    secret_name,
)
from softphone.security.secret_store import SecretStoreError


def cmd_secrets(args: argparse.Namespace) -> int:
    if args.secrets_command in {"status", "unlock", "lock", "change-passphrase"}:
        return _secret_store_command(args)
    store = open_store()
    if args.secrets_command == "where":
        print(f"{type(store).__name__}: {getattr(store, 'path', 'OS keyring')}")
        return EXIT_OK
    profile = load_profile(find_profile(args.profile))
    user = args.user or profile.username
    if not user:
        raise CredentialError(f"profile {profile.name} names no user: pass --user")
    name = secret_name(user, profile.domain)
    try:
        if args.secrets_command == "delete":
            found = store.delete(SIP_SERVICE, name)
            print(f"{name}: {'deleted' if found else 'nothing stored'}")
            return EXIT_OK
        password = obtain_password(user, profile.domain)  # env or prompt, never argv
        store.set(SIP_SERVICE, name, password)
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None
    print(f"{name}: password stored in {type(store).__name__}")
    return EXIT_OK


def _secret_store_command(args: argparse.Namespace) -> int:
    from softphone.tasks import secrets as tasks

    command, folder = args.secrets_command, data_dir()
    try:
        if command != "status":
            tasks.file_store(folder)  # before asking for anything
        if command == "status":
            report = tasks.status(folder)
            if args.json:
                print_json(report.to_dict())
            else:
                _print_store_status(report)
        elif command == "unlock":
            if not 1 <= args.minutes <= 24 * 60:
                raise CredentialError("--minutes: 1 to 1440")
            kept = tasks.unlock(folder, passphrase("Secret store passphrase: "), args.minutes)
            print(
                f"unlocked for {args.minutes} min (key kept in the kernel's session keyring)"
                if kept
                else "passphrase correct; this system cannot keep an unlock, so each "
                "command will ask again"
            )
        elif command == "lock":
            print("locked" if tasks.lock(folder) else "was not unlocked")
        else:
            old = passphrase("Current passphrase: ")
            new = new_passphrase()
            tasks.change_passphrase(folder, old, new)
            print("passphrase changed; every secret re-encrypted under a new key")
    except tasks.OsKeyringInUse as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_USAGE
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None
    return EXIT_OK


def _print_store_status(r: Any) -> None:
    if r.backend == "os-keyring":
        print(f"secrets: OS keyring ({r.location}); {r.session}")
        return
    if not r.exists:
        print(f"secrets: encrypted file {r.location} (not created yet)")
        return
    state = "unlocked for this session" if r.unlocked_for_session else "locked"
    print(f"secrets: encrypted file {r.location}: {r.entries} secret(s), {state}")
    print(f"  unlock sessions: {r.session}")
