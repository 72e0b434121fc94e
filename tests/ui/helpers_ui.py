"""Builders shared by the UI tests (imported as `helpers_ui`)."""

from __future__ import annotations

from pathlib import Path

from softphone.config.admin_policy import AdminPolicy
from softphone.config.profile import find_profile, load_profile
from softphone.policy.pin import AttemptRules, PinAuthority, hash_pin
from softphone.security.secret import Secret
from softphone.ui.context import AccountInfo, UiContext

PIN = "4321"


def account(username: str = "alice") -> AccountInfo:
    return AccountInfo("acc1", load_profile(find_profile("generic-tls")), username)


def context(bridge, tmp_path: Path, *, role: str | None = None, pin: str | None = PIN, **kw):
    pins = None
    if pin is not None:
        pins = PinAuthority(
            hash_pin(Secret(pin), n=2**10),
            tmp_path / "pin-attempts.json",
            rules=AttemptRules(first_delay_s=0.0),
        )
    kw.setdefault("admin", AdminPolicy())
    kw.setdefault("account", account())
    return UiContext(bridge, role=role, pins=pins, settings_file=tmp_path / "settings.json", **kw)


def open_database(tmp_path: Path):
    """A real encrypted LocalDatabase in tmp_path, its key in an in-memory store."""
    from helpers import MemoryStore

    from softphone.storage.database import LocalDatabase

    return LocalDatabase.open(tmp_path / "local-data.sqlite3", MemoryStore())
