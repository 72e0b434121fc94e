"""Where a SIP password comes from, until the secret store exists: env or prompt.

Caller's thread. Never from a command-line argument (visible in `ps` and
shell history). Every password obtained is registered with the log redactor.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping

from softphone.security import redaction
from softphone.security.secret import Secret

PASSWORD_ENV = "SOFTPHONE_PASSWORD"


class CredentialError(RuntimeError):
    pass


def obtain_password(
    username: str,
    domain: str,
    *,
    env: Mapping[str, str] = os.environ,
    prompt: Callable[[str], str] = getpass.getpass,
    interactive: bool | None = None,
) -> Secret:
    value = env.get(PASSWORD_ENV)
    if value is None:
        if interactive is None:
            interactive = sys.stdin.isatty()
        if not interactive:
            raise CredentialError(
                f"no password for {username}@{domain}: set {PASSWORD_ENV} "
                "or run in a terminal to be asked"
            )
        value = prompt(f"Password for {username}@{domain}: ")
    if not value:
        raise CredentialError(f"empty password for {username}@{domain}")
    redaction.register_secret(value)
    return Secret(value)
