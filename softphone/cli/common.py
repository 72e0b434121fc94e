"""Shared pieces of the `softphone` command: exit codes, where secrets come from
(environment, prompt, never an argument), output helpers. Main thread."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from softphone.config.admin_policy import AdminPolicy
from softphone.config.profile import (
    SipProfile,
    find_profile,
    load_profile,
)
from softphone.security.credentials import (
    PASSPHRASE_ENV,
    PASSWORD_ENV,
    CredentialError,
    obtain_password,
    open_store,
)
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DIAL_PIN_ENV = "SOFTPHONE_DIAL_PIN"
NEW_PASSPHRASE_ENV = "SOFTPHONE_NEW_STORE_PASSPHRASE"


GUI_INSTALL_HINT = (
    "the desktop app needs PySide6, in the optional gui extra: "
    "pip install 'softphone[gui]' (from a checkout: pip install -e '.[gui]')"
)


def account_from_args(args: argparse.Namespace) -> tuple[SipProfile, str, Secret | None]:
    profile = load_profile(find_profile(args.profile))
    user = args.user or profile.username
    if not user:
        raise CredentialError(f"profile {profile.name} names no user: pass --user")
    return profile, user, password_for(profile, user)


def password_for(profile: SipProfile, user: str) -> Secret:
    """$SOFTPHONE_PASSWORD, else the secret store (if it opens), else a prompt."""
    store = None
    if PASSWORD_ENV not in os.environ:
        try:
            store = open_store()
        except CredentialError as e:
            print(f"softphone: {e}", file=sys.stderr)
    return obtain_password(user, profile.domain, store=store)


def password_if_possible(profile: SipProfile, user: str | None) -> Secret | None:
    if not user:
        return None
    try:
        return password_for(profile, user)
    except CredentialError as e:
        print(f"softphone: {e}; registration will be skipped", file=sys.stderr)
        return None


def print_json(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    print()


def parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CredentialError(f"--at: not an ISO 8601 time: {text!r}") from None
    return at if at.tzinfo else at.astimezone()


def checked_role(admin: AdminPolicy, role: str | None) -> str | None:
    try:
        admin.dialing.role(role)
    except KeyError as e:
        raise CredentialError(str(e).strip("'\"")) from None
    return role


def dial_pin(reason: str, confirm: bool = False) -> Secret:
    """$SOFTPHONE_DIAL_PIN, else asked on the terminal (never an argument)."""
    import getpass

    env = os.environ.get(DIAL_PIN_ENV)
    if env:
        return Secret(env)
    if not sys.stdin.isatty():
        raise CredentialError(f"{reason}; no terminal to ask for it (set ${DIAL_PIN_ENV})")
    pin = Secret(getpass.getpass("Authorization code: "))
    if confirm and getpass.getpass("Again: ") != pin.reveal():
        raise CredentialError("the two codes differ")
    return pin


def store_or_none() -> SecretStore | None:
    try:
        return open_store()
    except CredentialError as e:
        print(f"softphone: {e}", file=sys.stderr)
        return None


def secret_prompt(prompt: str, env_var: str) -> Secret:
    import getpass

    value = os.environ.get(env_var)
    if value:
        return Secret(value)
    if not sys.stdin.isatty():
        raise CredentialError(f"no terminal to ask for it (set {env_var})")
    return Secret(getpass.getpass(prompt))


def passphrase(prompt: str) -> str:
    """$SOFTPHONE_STORE_PASSPHRASE, else asked on the terminal."""
    import getpass

    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CredentialError(f"no terminal to ask for the passphrase (set {PASSPHRASE_ENV})")
    return getpass.getpass(prompt)


def new_passphrase() -> str:
    import getpass

    value = os.environ.get(NEW_PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CredentialError(f"no terminal for the new passphrase (set {NEW_PASSPHRASE_ENV})")
    new = getpass.getpass("New passphrase: ")
    if getpass.getpass("Again: ") != new:
        raise CredentialError("the two passphrases differ; nothing was changed")
    return new
