"""`softphone secrets status|unlock|lock|change-passphrase` as real processes.

No OS keyring (keyring's fail backend): the encrypted-file store, in a private data
folder. The unlock session uses the kernel's key retention service where it exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from softphone.security import unlock_session

REPO = Path(__file__).resolve().parents[3]
PASS, NEW = "correct horse battery", "staple paper clip"


def _kernel_keeps_keys(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    kept = unlock_session.remember(probe, b"k" * 32, ttl_s=5)
    unlock_session.forget(probe)
    return kept


def run(tmp_path: Path, *args: str, passphrase: str | None = PASS, **env_extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.update(env_extra)
    if passphrase is not None:
        env["SOFTPHONE_STORE_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "softphone", "secrets", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=REPO, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def store_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "softphone" / "secrets.json.enc"


@pytest.fixture
def created(tmp_path: Path) -> Path:
    before = run(tmp_path, "status", "--json")
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["exists"] is False
    made = run(tmp_path, "set", "--profile", "testbed", SOFTPHONE_PASSWORD="alice-secret")
    assert made.returncode == 0, made.stderr
    yield tmp_path
    run(tmp_path, "lock")


def test_status_never_shows_a_secret(created: Path) -> None:
    out = run(created, "status", "--json", passphrase=None)
    assert out.returncode == 0
    report = json.loads(out.stdout)
    assert report["backend"] == "encrypted-file" and report["entries"] == 1
    assert report["unlocked_for_session"] is False
    for secret in ("alice-secret", PASS):
        assert secret not in out.stdout + out.stderr


def test_unlock_then_commands_need_no_passphrase_until_lock(created: Path) -> None:
    wrong = run(created, "unlock", passphrase="not it")
    assert wrong.returncode == 2 and "wrong passphrase" in wrong.stderr
    assert "not it" not in wrong.stderr
    unlocked = run(created, "unlock", "--minutes", "5")
    assert unlocked.returncode == 0, unlocked.stderr
    if not _kernel_keeps_keys(created):
        assert "cannot keep an unlock" in unlocked.stdout
        return
    assert "unlocked for 5 min" in unlocked.stdout
    assert json.loads(run(created, "status", "--json", passphrase=None).stdout)[
        "unlocked_for_session"
    ]
    # Another process stores a second password with no passphrase given: the session.
    second = run(
        created, "set", "--profile", "testbed", "--user", "bob", passphrase=None,
        SOFTPHONE_PASSWORD="bob-secret",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert run(created, "lock").stdout.strip() == "locked"
    third = run(
        created, "set", "--profile", "testbed", "--user", "carol", passphrase=None,
        SOFTPHONE_PASSWORD="carol-secret",
    )  # fmt: skip
    assert third.returncode == 2 and "SOFTPHONE_STORE_PASSPHRASE" in third.stderr
    assert b"bob-secret" not in store_file(created).read_bytes()


def test_change_passphrase(created: Path) -> None:
    original = store_file(created).read_bytes()
    refused = run(created, "change-passphrase", passphrase="not it",
                  SOFTPHONE_NEW_STORE_PASSPHRASE=NEW)  # fmt: skip
    assert refused.returncode == 2 and "wrong passphrase" in refused.stderr
    assert store_file(created).read_bytes() == original  # nothing lost or changed
    run(created, "unlock")
    changed = run(created, "change-passphrase", SOFTPHONE_NEW_STORE_PASSPHRASE=NEW)
    assert changed.returncode == 0, changed.stderr
    status = json.loads(run(created, "status", "--json", passphrase=None).stdout)
    assert status["unlocked_for_session"] is False  # the old session key was dropped
    assert run(created, "unlock").returncode == 2  # the old passphrase no longer opens it
    assert run(created, "unlock", passphrase=NEW).returncode == 0
    assert status["entries"] == 1


def test_with_an_os_keyring_there_is_nothing_to_unlock(tmp_path: Path) -> None:
    keyring_env = {
        "PYTHON_KEYRING_BACKEND": "memory_keyring.MemoryKeyring",
        "PYTHONPATH": str(REPO / "tests"),
    }
    status = run(tmp_path, "status", "--json", passphrase=None, **keyring_env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["backend"] == "os-keyring"
    for command in ("unlock", "lock", "change-passphrase"):
        out = run(tmp_path, command, **keyring_env)
        assert out.returncode == 2 and "OS keyring holds the secrets" in out.stderr, command
