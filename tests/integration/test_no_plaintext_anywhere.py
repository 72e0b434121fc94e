"""A whole scripted session, then every file it wrote is searched for every secret.

Store a password and a dial PIN, register, place real calls through the test bed
with SIP logging on (one to a number that needs the PIN), save settings that refer to
the password, add and import appointments with a verification phrase, write contacts
and history to the encrypted database; then scan the config, data, state, cache and
temp dirs and the captured log for the password, the store passphrase, the PIN, the
phrase, the database key, SRTP keys and patient details. None may appear.
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
PIN = "731904"
PHRASE = "silver heron at dawn"
ICS = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//t//t//EN
BEGIN:VEVENT
UID:visit-1@clinic.example
DTSTART:20270105T150000Z
DURATION:PT30M
SUMMARY:Visit {PATIENT}
ATTENDEE;CN={PATIENT}:tel:{PATIENT_NUMBER}
DESCRIPTION:allergic to latex
END:VEVENT
END:VCALENDAR
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        TMPDIR=str(tmp_path / "tmp"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        SOFTPHONE_STORE_PASSPHRASE=PASSPHRASE,
    )
    (tmp_path / "tmp").mkdir()
    return env


def _softphone(
    env: dict[str, str],
    log,
    *args: str,
    password: str | None = None,
    expect: int = 0,
    **extra: str,
) -> None:
    run_env = dict(env)
    run_env.update(extra)
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
    assert proc.returncode == expect, proc.stdout


def test_no_secret_in_any_file_after_a_full_session(tmp_path, peers, monkeypatch):
    env = _env(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-input"  # the user's own file, not scanned
    outside.mkdir()
    (outside / "visits.ics").write_text(ICS)
    log_path = tmp_path / "data" / "session.log"
    log_path.parent.mkdir(parents=True)
    peers.start_peer("bob")
    with log_path.open("w") as log:
        _softphone(env, log, "secrets", "set", "--profile", "testbed", password=PASSWORD)
        _softphone(env, log, "-vv", "register", "--profile", "testbed")
        _softphone(
            env, log, "-vv", "call", "sip:bob@127.0.0.1", "--profile", "testbed", "--duration", "2"
        )
        _softphone(env, log, "policy", "set-pin", SOFTPHONE_DIAL_PIN=PIN)
        _softphone(
            env, log, "-vv", "call", "011 44 20 7946 0000", "--profile", "testbed", "--role",
            "clinician", "--duration", "1", password=PASSWORD, SOFTPHONE_DIAL_PIN=PIN,
            expect=1,  # dialled (the PIN was right); nobody has that number: 404
        )  # fmt: skip
        _softphone(env, log, "schedule", "import", str(outside / "visits.ics"))
        _softphone(
            env, log, "schedule", "add", PATIENT_NUMBER, "--at", "2027-01-06T09:00",
            "--title", PATIENT, "--phrase", SOFTPHONE_PHRASE=PHRASE,
        )  # fmt: skip

    # contacts and history, in the database whose key lives in the same store
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from softphone.config.settings import (
        AccountSettings,
        SecretRef,
        Settings,
        save_settings,
        settings_path,
    )
    from softphone.security.credentials import open_store

    save_settings(
        Settings(
            accounts=(AccountSettings("testbed", "alice", SecretRef("sip", "alice@127.0.0.1")),)
        )
    )
    assert settings_path().is_file() and str(tmp_path) in str(settings_path())
    store = open_store()
    db_path = tmp_path / "data" / "softphone" / "local-data.sqlite3"
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
    assert "INVITE sip:+442079460000@" in log_text  # the PIN call really went out
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
        "dial PIN": PIN.encode(),
        "verification phrase": PHRASE.encode(),
        "appointment UID": b"visit-1@clinic.example",
    }
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("local-data.sqlite3") for p in files)
    assert any(p.name == "settings.json" for p in files)
    assert any("secrets" in p.name for p in files)
    for path in files:
        content = path.read_bytes()
        for what, needle in needles.items():
            assert needle not in content, f"{what} found in {path}"
