"""Verification kept across calls: a verified contact is recognised by its long-term
certificate, and the same contact with another certificate is flagged before anyone talks."""

from __future__ import annotations

import pytest
from engine_peer import EnginePeer
from helpers import MemoryStore
from test_calls import CAROL, hang_up, media_of, place

from softphone.e2e.identity import generate_identity
from softphone.e2e.trust import PeerTrust
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.engine import Engine
from softphone.engine.gate import CallPolicy
from softphone.policy.end_to_end import LABEL_E2E_NOT_VERIFIED, LABEL_E2E_VERIFIED
from softphone.security.secret import Secret
from softphone.storage import Contact, LocalDatabase
from softphone.storage.e2e_peers import E2ePeerStore
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

pytestmark = pytest.mark.integration


@pytest.fixture
def trusting_alice(tmp_path, testbed_profile, testbed):
    """alice with an encrypted database whose PeerTrust the engine consults."""
    with LocalDatabase.open(tmp_path / "alice.sqlite3", MemoryStore()) as db:
        db.add_contact(Contact(display_name="Carol", uris=("sip:carol@127.0.0.1",)))
        trust = PeerTrust(db)
        session = EngineSession(Engine(policy=CallPolicy(e2e_peers=trust.lookup)))
        session.engine.subscribe(trust.on_event)
        with session:
            session.wait_for(ev.EngineDidStart)
            assert add_and_register(session, testbed_profile, "alice", Secret("alice-secret")).ok
            yield session, trust, db
        trust.close()


def start_carol(peers, identity_text: str) -> EnginePeer:
    peers.peer("stop", "carol", check=False)
    app = EnginePeer()
    app.register("carol", "carol-secret", identity=identity_text)
    return app


def call(alice, carol) -> tuple[str, ev.CallMediaDidChange, ev.CallSasDidBecomeReady]:
    call_id = place(alice, CAROL)
    arrived = carol.wait("CallDidArrive")
    carol.command("Answer", call_id=arrived["call_id"])
    media = media_of(alice, call_id, timeout=20)
    sas = alice.wait_for(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id)
    return call_id, media, sas


def test_verified_contact_is_recognised_and_a_new_certificate_is_flagged(trusting_alice, peers):
    alice, trust, db = trusting_alice
    carols_identity = generate_identity().to_text().reveal()
    carol = start_carol(peers, carols_identity)
    try:
        # 1. first call: new peer, the users compare the SAS
        call_id, media, sas = call(alice, carol)
        assert sas.identity == "new" and media.media.label == LABEL_E2E_NOT_VERIFIED
        alice.submit(cmd.ConfirmSas(call_id, True))
        alice.wait_for(ev.CallVerificationDidChange, lambda e: e.call_id == call_id)
        hang_up(alice, call_id)
        assert trust.flush()
        first_verified = trust.lookup("carol@127.0.0.1").verified_fingerprint
        assert first_verified.hex(":").upper() == sas.peer_fingerprint
    finally:
        carol.close()

    # 2. carol restarts with her stored identity: recognised, verified at once
    carol = start_carol(peers, carols_identity)
    try:
        call_id, media, sas = call(alice, carol)
        assert sas.identity == "known"
        assert media.media.verified and media.media.label == LABEL_E2E_VERIFIED
        assert not alice.seen(ev.CallPeerIdentityDidChange)
        hang_up(alice, call_id)
    finally:
        carol.close()

    # 3. someone answers as carol with another certificate: flagged before anyone talks
    carol = start_carol(peers, generate_identity().to_text().reveal())
    try:
        call_id, media, sas = call(alice, carol)
        changed = alice.wait_for(ev.CallPeerIdentityDidChange, lambda e: e.call_id == call_id)
        assert changed.peer == "carol@127.0.0.1"
        assert changed.fingerprint != changed.verified_fingerprint
        assert changed.fingerprint == media.media.peer_fingerprint
        assert sas.identity == "changed"
        assert not media.media.verified and media.media.label == LABEL_E2E_NOT_VERIFIED
        # the warning came before the media was shown up: before the users could talk
        assert changed.at <= media.at and changed.at <= sas.at
        alice.submit(cmd.ConfirmSas(call_id, False))
        ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
        assert "did not match" in ended.security_failure
        assert trust.flush()
        # the mismatch is on record; the real carol's verified certificate is kept
        assert trust.lookup("carol@127.0.0.1").verified_fingerprint == first_verified
        row = E2ePeerStore(db).get("carol@127.0.0.1")
        assert "did not match" in row.mismatch_reason and row.contact_id == 1
    finally:
        carol.close()
