"""What a user reads about end-to-end verification, from the engine's events alone: the
SAS stages, the identity-changed warning, a contact's verified state, the history label."""

from __future__ import annotations

from datetime import UTC, datetime

from softphone.engine import events as ev
from softphone.policy.end_to_end import (
    LABEL_E2E_NOT_VERIFIED,
    LABEL_E2E_VERIFIED,
    LABEL_NOT_ENCRYPTED,
    LABEL_TO_SERVER,
)
from softphone.storage.database import CallRecord, Direction
from softphone.storage.e2e_peers import E2ePeer
from softphone.ui.e2e_text import (
    SasStage,
    history_label,
    identity_warning,
    label_text,
    requirement_choices,
    sas_accessible,
    sas_view,
    short_fingerprint,
    verified_state,
)

FP_A = ":".join(["AB"] * 32)
FP_B = ":".join(["CD"] * 32)


def ready(identity: str = "new", sas: str = "k7xq") -> ev.CallSasDidBecomeReady:
    return ev.CallSasDidBecomeReady("c1", sas, "carol@example.com", FP_A, identity)


def verification(verified: bool, mismatch: bool = False, reason: str = "why"):
    return ev.CallVerificationDidChange(
        "c1", "carol@example.com", FP_A, verified, reason, mismatch=mismatch
    )


CHANGED = ev.CallPeerIdentityDidChange("c1", "carol@example.com", FP_B, FP_A)


def test_e2e_text_labels_are_the_engine_labels_word_for_word() -> None:
    for label in (LABEL_E2E_VERIFIED, LABEL_E2E_NOT_VERIFIED, LABEL_TO_SERVER, LABEL_NOT_ENCRYPTED):
        assert label_text(label) == label


def test_e2e_text_waits_then_asks_to_compare_the_code_spaced_out() -> None:
    waiting = sas_view(None)
    assert waiting.stage is SasStage.WAITING and not waiting.can_answer and waiting.code == ""
    view = sas_view(ready())
    assert view.stage is SasStage.COMPARE and view.can_answer
    assert view.code == "K 7 X Q"
    assert "aloud" in view.prompt
    assert sas_accessible(view) == "Short code: K, 7, X, Q"


def test_e2e_text_known_identity_is_verified_at_once_without_buttons() -> None:
    view = sas_view(ready("known"), None, verification(True))
    assert view.stage is SasStage.KNOWN and not view.can_answer and view.kind == "ok"
    assert "earlier call" in view.result
    assert sas_view(ready("known")).stage is SasStage.KNOWN  # before its verification event


def test_e2e_text_changed_identity_asks_to_compare_again_in_red() -> None:
    for view in (sas_view(ready("changed"), CHANGED), sas_view(ready(), CHANGED)):
        assert view.stage is SasStage.CHANGED and view.can_answer and view.kind == "error"
        assert "Compare the code again" in view.result
    # compared again and confirmed: verified (not "known": it was another certificate)
    assert sas_view(ready("changed"), CHANGED, verification(True)).stage is SasStage.VERIFIED


def test_e2e_text_verified_and_mismatch() -> None:
    assert sas_view(ready(), None, verification(True)).stage is SasStage.VERIFIED
    view = sas_view(ready(), None, verification(False, True, "the codes did not match"))
    assert view.stage is SasStage.MISMATCH and view.kind == "unencrypted"
    assert "so it was ended" in view.result
    assert not view.can_answer


def test_e2e_text_no_code_means_not_verifiable() -> None:
    view = sas_view(None, None, verification(False, reason="no short authentication string"))
    assert view.stage is SasStage.UNVERIFIABLE and view.result.startswith("no short")


def test_e2e_text_identity_warning_names_the_peer_and_both_fingerprints() -> None:
    w = identity_warning(CHANGED)
    assert "CHANGED" in w.title and "WARNING" in w.title
    assert "carol@example.com presented a different identity than the one you verified" in w.body
    assert "Compare the code again" in w.body
    assert "Verified before: CD:CD:CD:CD:CD:CD:CD:CD…" in w.details
    assert "Presented now: AB:AB:AB:AB:AB:AB:AB:AB…" in w.details


def test_e2e_text_contact_verified_state() -> None:
    assert verified_state(None).startswith("Not verified yet")
    when = datetime(2026, 11, 23, 12, tzinfo=UTC)
    peer = E2ePeer("carol@example.com", fingerprint=bytes.fromhex("AB" * 32), verified_at=when)
    text = verified_state(peer)
    assert "carol@example.com: verified on" in text and "2026" in text
    assert "identity AB:AB:AB:AB:AB:AB:AB:AB…" in text
    failed = E2ePeer("mallory@example.com", mismatch_at=when, mismatch_reason="did not match")
    assert "not verified" in verified_state(failed) and "did NOT match" in verified_state(failed)
    assert [v for _, v in requirement_choices()] == [None, "preferred", "required"]
    assert short_fingerprint(None) == "–"


def _record(**kw) -> CallRecord:
    base = dict(
        started=datetime(2026, 11, 23, tzinfo=UTC),
        duration_s=10.0,
        direction=Direction.OUTGOING,
        outcome="answered",
        encrypted_media=True,
        verified=False,
        peer="sip:carol@example.com",
    )
    return CallRecord(**{**base, **kw})


def test_e2e_text_history_label_word_for_word_never_more() -> None:
    assert history_label(_record(end_to_end=True, verified=True)) == LABEL_E2E_VERIFIED
    assert history_label(_record(end_to_end=True)) == LABEL_E2E_NOT_VERIFIED
    assert history_label(_record(end_to_end=False)) == LABEL_TO_SERVER
    assert history_label(_record(end_to_end=None)) == LABEL_TO_SERVER  # an older row
    assert history_label(_record(encrypted_media=False)) == LABEL_NOT_ENCRYPTED
    assert history_label(_record(encrypted_media=False, outcome="missed")) == "–"
