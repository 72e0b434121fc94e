"""Passwords through the secret store from the command line: stored once, used, never in clear."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def softphone(tmp_path: Path, *args: str, password=None, passphrase="correct horse"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # platformdirs: a private data dir
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    # no OS keyring: the encrypted-file store is used (never the developer's keyring)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if password is not None:
        env["SOFTPHONE_PASSWORD"] = password
    if passphrase is not None:
        env["SOFTPHONE_STORE_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def test_password_stored_once_then_used_for_registration(tmp_path, testbed):
    stored = softphone(tmp_path, "secrets", "set", "--profile", "testbed", password="alice-secret")
    assert stored.returncode == 0, stored.stderr
    assert "EncryptedFileStore" in stored.stdout
    files = list((tmp_path / "data").rglob("*"))
    store_file = next(f for f in files if f.is_file())
    assert b"alice-secret" not in store_file.read_bytes()
    assert oct(store_file.stat().st_mode & 0o777) == "0o600"

    reg = softphone(tmp_path, "register", "--profile", "testbed")  # no SOFTPHONE_PASSWORD
    assert reg.returncode == 0, reg.stderr + reg.stdout
    assert "registered" in reg.stdout

    before = store_file.read_bytes()
    wrong = softphone(tmp_path, "register", "--profile", "testbed", passphrase="wrong")
    assert wrong.returncode == 2
    assert "wrong passphrase" in wrong.stderr
    assert store_file.read_bytes() == before

    gone = softphone(tmp_path, "secrets", "delete", "--profile", "testbed")
    assert gone.returncode == 0 and "deleted" in gone.stdout
    after = softphone(tmp_path, "register", "--profile", "testbed")
    assert after.returncode == 2 and "secrets set" in after.stderr


def test_wrong_passphrase_changes_nothing(tmp_path):
    assert (
        softphone(tmp_path, "secrets", "set", "--profile", "testbed", password="pw-1234").returncode
        == 0
    )
    store_file = next(f for f in (tmp_path / "data").rglob("*") if f.is_file())
    before = store_file.read_bytes()
    bad = softphone(
        tmp_path, "secrets", "set", "--profile", "testbed", password="pw-5678", passphrase="nope"
    )
    assert bad.returncode == 2 and "wrong passphrase" in bad.stderr
    assert "pw-5678" not in bad.stderr and "nope" not in bad.stderr
    assert store_file.read_bytes() == before
