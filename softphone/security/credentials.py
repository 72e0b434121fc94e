"""Where a SIP password comes from: the environment, the secret store, or a prompt.

Caller's thread. Never from a command-line argument (visible in `ps` and
shell history). Order: `SOFTPHONE_PASSWORD` (an explicit override, for
scripts and CI), then the secret store, then a prompt in a terminal. Every
password obtained is registered with the log redactor.

The secret store is the OS keyring when one is usable; otherwise an encrypted
file under the user data directory, whose passphrase comes from
`SOFTPHONE_STORE_PASSPHRASE` or a prompt.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import platformdirs

from softphone.security import redaction
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore, SecretStoreError, open_secret_store

PASSWORD_ENV = "SOFTPHONE_PASSWORD"
PASSPHRASE_ENV = "SOFTPHONE_STORE_PASSPHRASE"
SIP_SERVICE = "sip"


class CredentialError(RuntimeError):
    pass


def secret_name(username: str, domain: str) -> str:
    return f"{username}@{domain}"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir("softphone"))


def open_store(
    *,
    env: Mapping[str, str] = os.environ,
    prompt: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
) -> SecretStore:
    """The user's secret store; raises CredentialError when it cannot be opened."""

    def passphrase() -> str:
        if env.get(PASSPHRASE_ENV):
            return env[PASSPHRASE_ENV]
        if not (sys.stdin.isatty() if interactive is None else interactive):
            raise CredentialError(
                f"the secret store is an encrypted file: set {PASSPHRASE_ENV} "
                "or run in a terminal to be asked for its passphrase"
            )
        return prompt("Secret store passphrase: ")

    try:
        return open_secret_store(data_dir(), passphrase)
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None


def obtain_password(
    username: str,
    domain: str,
    *,
    env: Mapping[str, str] = os.environ,
    prompt: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
    store: SecretStore | None = None,
) -> Secret:
    if interactive is None:
        interactive = sys.stdin.isatty()
    value = env.get(PASSWORD_ENV)
    if value is None and store is not None:
        try:
            stored = store.get(SIP_SERVICE, secret_name(username, domain))
        except SecretStoreError as e:
            raise CredentialError(f"secret store: {e}") from None
        value = stored.reveal() if stored else None
    if value is None:
        if not interactive:
            raise CredentialError(
                f"no password for {username}@{domain}: store one with "
                f"`softphone secrets set`, set {PASSWORD_ENV}, or run in a terminal"
            )
        value = prompt(f"Password for {username}@{domain}: ")
    if not value:
        raise CredentialError(f"empty password for {username}@{domain}")
    redaction.register_secret(value)
    return Secret(value)
