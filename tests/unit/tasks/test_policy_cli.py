"""`softphone policy ...`: decisions, exit codes, JSON, policy files, the PIN commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone import cli
from softphone.tasks.policy import PIN_NAME, PIN_SERVICE, pin_authority

POLICY = """
version = 1
[dialing]
default_role = "desk"
[dialing.roles.desk]
allow = ["internal", "national", "mobile", "toll_free", "sip"]
pin = ["international"]
deny_prefixes = ["+1 212 555 01"]
[inbound]
mode = "approved"
block = ["@spam.example"]
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY)
    return path


@pytest.mark.parametrize(
    ("number", "code", "verdict"),
    [
        ("911", 0, "allowed"),
        ("(213) 555-0123", 0, "allowed"),
        ("212-555-0123", 4, "denied"),  # the denied prefix, in another formatting
        ("+44 20 7946 0000", 3, "needs_pin"),
        ("1 900 555 0100", 4, "denied"),
        ("not a number", 4, "denied"),
    ],
)
def test_check_dial_exit_codes(policy_file, capsys, number, code, verdict) -> None:
    argv = ["policy", "check-dial", number, "--policy", str(policy_file), "--json"]
    assert cli.main(argv) == code
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == verdict
    assert report["role"] == "desk"
    assert report["policy_source"] == str(policy_file)


def test_check_dial_text_output_and_role(capsys) -> None:
    code = cli.main(["policy", "check-dial", "+44 20 7946 0000", "--role", "kiosk"])
    out = capsys.readouterr().out
    assert code == 4
    assert out.startswith("DENIED: ")
    assert "as +442079460000" in out and "role kiosk" in out


def test_unknown_role_and_bad_policy_file(tmp_path, capsys) -> None:
    assert cli.main(["policy", "check-dial", "911", "--role", "boss"]) == 2
    assert "no dialing role 'boss'" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\n[dialing.roles.x]\nallow = ['premuim']\n")
    assert cli.main(["policy", "check-dial", "911", "--policy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "dialing.roles.x.allow" in err and "premuim" in err


def test_check_inbound(policy_file, capsys) -> None:
    base = ["policy", "check-inbound", "--policy", str(policy_file), "--json"]
    assert cli.main([*base[:2], "sip:x@spam.example", *base[2:]]) == 4
    assert json.loads(capsys.readouterr().out)["reason"] == "the caller is on the block list"
    at = ["--at", "2026-11-23T09:00:00+01:00"]
    assert cli.main([*base[:2], "sip:bob@example.com", *base[2:], *at]) == 4
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "approved" and report["at"] == "2026-11-23T09:00:00+01:00"
    assert cli.main(["policy", "check-inbound", "sip:bob@example.com"]) == 0
    assert cli.main(["policy", "check-inbound", "sip:bob@x", "--at", "tuesday"]) == 2


def test_show(policy_file, capsys) -> None:
    assert cli.main(["policy", "show", "--policy", str(policy_file)]) == 0
    out = capsys.readouterr().out
    assert str(policy_file) in out and "role desk (default)" in out
    assert "inbound: approved, 1 blocked" in out


def test_set_pin_keeps_only_a_hash(monkeypatch, capsys, tmp_path) -> None:
    store = MemoryStore()
    monkeypatch.setattr("softphone.cli.policy.open_store", lambda: store)
    monkeypatch.setenv("SOFTPHONE_DIAL_PIN", "735190")
    assert cli.main(["policy", "set-pin"]) == 0
    stored = store.values[(PIN_SERVICE, PIN_NAME)]
    assert stored.startswith("scrypt$") and "735190" not in stored
    assert "735190" not in capsys.readouterr().out
    from softphone.security.secret import Secret

    authority = pin_authority(store, tmp_path / "attempts.json")
    assert authority.verify(authority.authorize("x", Secret("735190")), "x")
    monkeypatch.setenv("SOFTPHONE_DIAL_PIN", "12")
    assert cli.main(["policy", "set-pin"]) == 2
    assert "4 to 12 digits" in capsys.readouterr().err
    assert cli.main(["policy", "clear-pin"]) == 0
    assert (PIN_SERVICE, PIN_NAME) not in store.values


def test_check_inbound_reads_contacts_and_appointments(tmp_path, monkeypatch) -> None:
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime, timedelta

    from softphone.directory.contacts import ContactDirectory
    from softphone.schedule.appointment import Appointment
    from softphone.security.credentials import open_store
    from softphone.storage.appointments import AppointmentStore
    from softphone.storage.database import Contact, LocalDatabase, PhoneEntry
    from softphone.storage.locations import database_path

    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        SOFTPHONE_STORE_PASSPHRASE="inbound check passphrase",
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    visit = datetime(2026, 12, 1, 15, tzinfo=UTC)
    with LocalDatabase.open(database_path(), open_store()) as db:
        ContactDirectory(db, "US").add(
            Contact("Dr Ada – Cardiology", numbers=(PhoneEntry("(212) 555-0142", None),),
                    approved=True)
        )  # fmt: skip
        AppointmentStore(db).add(
            Appointment(visit, timedelta(minutes=30), "sip:pat@clinic.example")
        )
    approved = tmp_path / "approved.toml"
    approved.write_text("version = 1\n[inbound]\nmode = 'approved'\n")
    scheduled = tmp_path / "scheduled.toml"
    scheduled.write_text("version = 1\n[inbound]\nmode = 'scheduled'\n")

    def check(uri: str, policy: Path, *extra: str) -> int:
        argv = ["policy", "check-inbound", uri, "--policy", str(policy), *extra]
        return subprocess.run(
            [sys.executable, "-m", "softphone", *argv], env=env, capture_output=True,
            text=True, timeout=60, stdin=subprocess.DEVNULL,
        ).returncode  # fmt: skip

    assert check("sip:+12125550142@gw.example;user=phone", approved) == 0
    assert check("sip:+12125550143@gw.example;user=phone", approved) == 4
    assert check("sip:pat@clinic.example", scheduled, "--at", "2026-12-01T15:10:00Z") == 0
    assert check("sip:pat@clinic.example", scheduled, "--at", "2026-12-01T17:00:00Z") == 4
