"""`softphone e2e`: per-contact end-to-end requirements and what was verified, from the
command line, in a real encrypted database (a private data dir, the encrypted-file
secret store), read back the way the engine reads it (`PeerTrust`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
FINGERPRINT = bytes(range(32))
FINGERPRINT_TEXT = ":".join(f"{b:02X}" for b in FINGERPRINT)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never a real keyring
    env["SOFTPHONE_STORE_PASSPHRASE"] = "correct horse"
    return env


def softphone(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=_env(tmp_path),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def in_database(tmp_path: Path, code: str) -> str:
    """Run `code` with `db` (the same encrypted database the CLI uses) and `trust`
    (a `PeerTrust` over it, as the engine has); returns what it prints."""
    script = (
        textwrap.dedent(
            """
        from softphone.e2e.trust import PeerTrust
        from softphone.security.credentials import open_store
        from softphone.storage.database import Contact, LocalDatabase
        from softphone.storage.e2e_peers import E2ePeerStore
        from softphone.storage.locations import database_path

        with LocalDatabase.open(database_path(), open_store()) as db:
            store = E2ePeerStore(db)
            trust = PeerTrust(db)
        """
        )
        + textwrap.indent(textwrap.dedent(code), "    ")
        + "\n    trust.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_env(tmp_path), "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_e2e_requirements_and_verified_peers_round_trip(tmp_path):
    empty = softphone(tmp_path, "e2e", "status")
    assert empty.returncode == 0, empty.stderr
    assert "no end-to-end peers kept" in empty.stdout

    req = softphone(tmp_path, "e2e", "require", '"Bob" <sip:Bob@Example.com;transport=tls>')
    assert req.returncode == 0, req.stderr
    assert "bob@example.com: end to end required" in req.stdout

    # what the engine consults for calls with bob, and a verified carol with a mismatch
    out = in_database(
        tmp_path,
        f"""
        print(trust.lookup("bob@example.com").requirement.value)
        db.add_contact(Contact("Carol", uris=("sips:carol@example.com",)))
        store.record_verified("carol@example.com", {FINGERPRINT!r})
        store.record_mismatch("carol@example.com", "the users said the SAS did not match",
                              bytes(32))
        """,
    )
    assert out.split() == ["required"]

    listed = softphone(tmp_path, "e2e", "status")
    assert listed.returncode == 0, listed.stderr
    assert "bob@example.com" in listed.stdout and "requirement: required" in listed.stdout
    assert "carol@example.com (Carol)" in listed.stdout
    assert FINGERPRINT_TEXT in listed.stdout
    assert "the users said the SAS did not match" in listed.stdout

    as_json = softphone(tmp_path, "e2e", "status", "carol@example.com", "--json")
    assert as_json.returncode == 0, as_json.stderr
    (carol,) = json.loads(as_json.stdout)["peers"]
    assert carol["address"] == "carol@example.com" and carol["contact"] == "Carol"
    assert carol["requirement"] == "profile"
    assert carol["fingerprint"] == FINGERPRINT_TEXT  # a mismatch on another certificate
    assert carol["mismatch_reason"] == "the users said the SAS did not match"

    pref = softphone(tmp_path, "e2e", "prefer", "sip:bob@example.com")
    assert pref.returncode == 0 and "preferred" in pref.stdout
    assert in_database(tmp_path, 'print(trust.lookup("bob@example.com").requirement.value)') == (
        "preferred\n"
    )

    # at rest, nothing of it in clear: addresses, fingerprints, reasons are encrypted
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    for clear in (b"bob@example.com", b"carol@example.com", FINGERPRINT.hex().encode(), b"SAS"):
        assert clear not in data

    gone = softphone(tmp_path, "e2e", "forget", "carol@example.com")
    assert gone.returncode == 0, gone.stderr
    assert "forgotten" in gone.stdout
    after = softphone(tmp_path, "e2e", "status", "carol@example.com")
    assert after.returncode == 0 and "nothing kept for carol@example.com" in after.stdout
    facts = 'f = trust.lookup("carol@example.com"); print(f.requirement, f.verified_fingerprint)'
    assert in_database(tmp_path, facts).split() == ["None", "None"]
    again = softphone(tmp_path, "e2e", "forget", "carol@example.com")
    assert again.returncode == 1 and "nothing was kept" in again.stderr

    audit = in_database(tmp_path, "print([e.event for e in db.list_audit()])")
    assert "e2e requirement set" in audit and "e2e peer forgotten" in audit


def test_e2e_bad_address_and_no_database(tmp_path):
    bad = softphone(tmp_path, "e2e", "require", "   ")
    assert bad.returncode == 2 and "not a peer address" in bad.stderr
    nothing = softphone(tmp_path, "e2e", "forget", "dave@example.com")
    assert nothing.returncode == 1 and "nothing was kept" in nothing.stderr
    assert not (tmp_path / "data").exists()  # neither status nor forget creates a database
