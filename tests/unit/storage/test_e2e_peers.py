"""Verified end-to-end peers in the encrypted database, and the trust listener over it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.e2e.trust import PeerTrust
from softphone.engine import events as ev
from softphone.policy.end_to_end import E2eMode
from softphone.storage import Contact, LocalDatabase
from softphone.storage.e2e_peers import E2ePeerStore
from softphone.storage.schema import SCHEMA_VERSION

FP = os.urandom(32)
FP_COLON = ":".join(f"{b:02X}" for b in FP)


@pytest.fixture
def db(tmp_path: Path):
    with LocalDatabase.open(tmp_path / "db.sqlite3", MemoryStore()) as database:
        yield database


def test_verified_peer_round_trip_and_nothing_in_clear(db, tmp_path):
    store = E2ePeerStore(db)
    assert store.get("carol@example.com") is None
    peer = store.record_verified("carol@example.com", FP)
    assert peer.fingerprint == FP and peer.verified_at is not None
    again = store.get("Carol@Example.com")  # addresses are case-insensitive
    assert again == peer
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"carol@example.com" not in raw and FP.hex().encode() not in raw and FP not in raw
    assert [a.event for a in db.list_audit()] == ["e2e peer verified"]


def test_mismatch_on_another_certificate_keeps_the_verified_one(db):
    store = E2ePeerStore(db)
    store.record_verified("carol@example.com", FP)
    peer = store.record_mismatch("carol@example.com", "impostor", os.urandom(32))
    assert peer.fingerprint == FP and peer.mismatch_reason == "impostor"


def test_mismatch_forgets_the_verified_certificate_and_keeps_why(db):
    store = E2ePeerStore(db)
    store.record_verified("carol@example.com", FP)
    peer = store.record_mismatch("carol@example.com", "the strings did not match", FP)
    assert peer.fingerprint is None and peer.verified_at is None
    assert peer.mismatch_reason == "the strings did not match" and peer.mismatch_at
    audit = db.list_audit()[-1]
    assert audit.event == "e2e verification failed" and audit.detail == "the strings did not match"


def test_requirement_and_contact_link(db):
    store = E2ePeerStore(db)
    peer = store.set_requirement("bob@example.com", "required", contact_id=7)
    assert peer.requirement == "required" and peer.contact_id == 7 and peer.fingerprint is None
    assert store.set_requirement("bob@example.com", None).requirement is None
    assert store.get("bob@example.com").contact_id == 7  # kept
    with pytest.raises(ValueError):
        store.set_requirement("bob@example.com", "off")
    with pytest.raises(ValueError):
        store.record_verified("bob@example.com", b"short")
    assert store.forget("bob@example.com") and store.get("bob@example.com") is None


def test_rows_do_not_move_between_peers(db):
    """A fingerprint cell copied onto another peer's row fails to decrypt (bound to its row)."""
    store = E2ePeerStore(db)
    store.record_verified("a@example.com", FP)
    store.record_verified("b@example.com", os.urandom(32))
    db._conn.execute(
        "UPDATE e2e_peers SET fingerprint = (SELECT fingerprint FROM e2e_peers WHERE id = 1)"
        " WHERE id = 2"
    )
    with pytest.raises(Exception, match="does not authenticate"):
        store.get("b@example.com")


def verification(verified: bool, mismatch: bool = False, peer: str = "carol@example.com"):
    return ev.CallVerificationDidChange("c1", peer, FP_COLON, verified, "why", mismatch=mismatch)


def test_trust_records_verifications_and_answers_lookups(db):
    db.add_contact(Contact(display_name="Carol", uris=("sip:carol@example.com",)))
    trust = PeerTrust(db)
    try:
        assert trust.lookup("carol@example.com").verified_fingerprint is None
        trust.on_event(verification(True))
        assert trust.flush()
        facts = trust.lookup("carol@example.com")
        assert facts.verified_fingerprint == FP and facts.contact_id == 1
        # "cannot verify" (no SAS) changes nothing; a mismatch drops the certificate
        trust.on_event(verification(False))
        trust.flush()
        assert trust.lookup("carol@example.com").verified_fingerprint == FP
        trust.on_event(verification(False, mismatch=True))
        trust.flush()
        assert trust.lookup("carol@example.com").verified_fingerprint is None
        trust.set_requirement("sip:Bob@Example.com;transport=tls", E2eMode.REQUIRED)
        assert trust.lookup("bob@example.com").requirement is E2eMode.REQUIRED
        with pytest.raises(ValueError):
            trust.set_requirement("bob@example.com", "off")
        assert trust.forget("sip:Bob@example.com")
        assert trust.lookup("bob@example.com").requirement is None
        assert not trust.forget("bob@example.com")
    finally:
        trust.close()


def test_trust_survives_a_restart(tmp_path):
    secrets = MemoryStore()
    with LocalDatabase.open(tmp_path / "db.sqlite3", secrets) as db:
        trust = PeerTrust(db)
        trust.on_event(verification(True))
        trust.flush()
        trust.close()
    with LocalDatabase.open(tmp_path / "db.sqlite3", secrets) as db:
        trust = PeerTrust(db)
        assert trust.lookup("carol@example.com").verified_fingerprint == FP
        trust.close()


def test_schema_v3_file_gains_the_e2e_peers_table(tmp_path):
    path, secrets = tmp_path / "db.sqlite3", MemoryStore()
    with LocalDatabase.open(path, secrets) as db:
        db.add_contact(Contact(display_name="Kept"))
    fresh_columns = _columns(path, "e2e_peers")
    with sqlite3.connect(path) as raw:  # what a version-3 file looks like
        raw.execute("DROP TABLE e2e_peers")
        raw.execute("UPDATE meta SET value = 3 WHERE key = 'schema_version'")
    raw.close()
    with LocalDatabase.open(path, secrets) as db:
        assert [c.display_name for c in db.list_contacts()] == ["Kept"]
        E2ePeerStore(db).record_verified("carol@example.com", FP)
    assert _columns(path, "e2e_peers") == fresh_columns
    with sqlite3.connect(path) as raw:
        (version,) = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    raw.close()
    assert version == SCHEMA_VERSION


def _columns(path: Path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as raw:
        info = raw.execute(f"PRAGMA table_info({table})").fetchall()
    raw.close()
    return info
