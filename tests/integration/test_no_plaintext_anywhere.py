"""A whole scripted session, then every file it wrote is searched for every secret.

Store a password, register, place a real call through the test bed with SIP
logging on, write contacts and history to the encrypted database; then scan the
config dir, data dir, temp dir and the captured log for the password, the store
passphrase, the database key, SRTP keys and patient details. None may appear.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from softphone.storage import CallRecord, Contact, Direction, LocalDatabase, PhoneEntry

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "alice-secret"  # the test bed's; unique enough to search for
PASSPHRASE = "purple-otter-passphrase"
PATIENT = "Jane Patientname"
PATIENT_NUMBER = "+15550104477"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TMPDIR=str(tmp_path / "tmp"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        SOFTPHONE_STORE_PASSPHRASE=PASSPHRASE,
    )
    (tmp_path / "tmp").mkdir()
    return env


def _softphone(env: dict[str, str], log, *args: str, password: str | None = None) -> None:
    run_env = dict(env)
    if password:
        run_env["SOFTPHONE_PASSWORD"] = password
    proc = subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        timeout=90,
        env=run_env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout


def test_no_secret_in_any_file_after_a_full_session(tmp_path, peers, monkeypatch):
    env = _env(tmp_path)
    log_path = tmp_path / "data" / "session.log"
    log_path.parent.mkdir(parents=True)
    peers.start_peer("bob")
    with log_path.open("w") as log:
        _softphone(env, log, "secrets", "set", "--profile", "testbed", password=PASSWORD)
        _softphone(env, log, "-vv", "register", "--profile", "testbed")
        _softphone(
            env, log, "-vv", "call", "sip:bob@127.0.0.1", "--profile", "testbed", "--duration", "2"
        )

    # contacts and history, in the database whose key lives in the same store
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from softphone.security.credentials import open_store

    store = open_store()
    db_path = tmp_path / "data" / "softphone" / "local.sqlite3"
    with LocalDatabase.open(db_path, store) as db:
        db.add_contact(
            Contact(
                PATIENT,
                numbers=(PhoneEntry(PATIENT_NUMBER, PATIENT_NUMBER),),
                note="allergic to latex",
            )
        )
        db.add_call(
            CallRecord(
                datetime.now(UTC),
                120.0,
                Direction.OUTGOING,
                "answered",
                True,
                True,
                f"tel:{PATIENT_NUMBER}",
            )
        )
    data_key = store.get("storage", "data-key-v1").reveal()

    log_text = log_path.read_text()
    assert "REGISTER sip:" in log_text and "a=crypto:" in log_text  # SIP really was logged
    srtp_keys = re.findall(r"inline:([A-Za-z0-9+/=]{20,})", log_text)
    assert not srtp_keys

    needles = {
        "password": PASSWORD.encode(),
        "passphrase": PASSPHRASE.encode(),
        "data key (base64)": data_key.encode(),
        "data key (raw)": base64.b64decode(data_key),
        "patient name": PATIENT.encode(),
        "patient number": PATIENT_NUMBER.encode(),
        "note": b"allergic to latex",
    }
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("local.sqlite3") for p in files)
    assert any("secrets" in p.name for p in files)
    for path in files:
        content = path.read_bytes()
        for what, needle in needles.items():
            assert needle not in content, f"{what} found in {path}"
