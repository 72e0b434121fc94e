"""The SAS side of end-to-end calls: the reveal, showing the SAS, the users' verdict.

Engine thread only: a part of `e2e_calls.E2eCalls` (which inherits it), kept apart
because it is the security-critical half and reads best on its own. The protocol
itself (what is hashed, why) is `softphone.e2e.sas`; this module decides when:

* the offerer reveals its nonce only once the dialog is confirmed and the answer
  has been read (pjsua reports CONFIRMED before it hands over the raw 200);
* the answerer checks the reveal against the offer's commitment; a mismatch is
  proof of interference and ends the call;
* the SAS is shown only once DTLS is up with the certificate the SDP named (and, at
  the answerer, the reveal held) — never for a call that is not end to end;
* "verified" is set only by the users' confirmation or by the peer presenting the
  certificate verified on an earlier call.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pjsua2 as pj

from softphone.e2e import sas
from softphone.engine import events as ev
from softphone.engine.e2e_state import E2eCall, E2eState, colon

if TYPE_CHECKING:
    from softphone.engine.calls import CallEntry, Calls

V = ev.VerificationReason
log = logging.getLogger(__name__)

REVEAL_TIMEOUT_S = 10.0  # answerer: DTLS connected -> reveal arrived


class E2eVerification:
    _calls: Calls

    # provided by E2eCalls
    def _fail(self, entry: CallEntry, reason: str, cause: ev.EndCause = ...) -> None: ...
    def _emit_media(self, entry: CallEntry, e: E2eCall) -> None: ...

    def on_confirmed(self, entry: CallEntry) -> None:
        self._maybe_reveal(entry)

    def _maybe_reveal(self, entry: CallEntry) -> None:
        """Reveal our nonce once the dialog is confirmed and the answer was read (pjsua
        reports CONFIRMED before it hands us the raw 200, so either may come last)."""
        e = entry.e2e
        if e is None or e.role != "offerer" or e.reveal_sent or entry.confirmed is None:
            return
        if e.state not in (E2eState.NEGOTIATED, E2eState.CONNECTED):
            return
        prm = pj.SendInstantMessageParam()
        prm.contentType = sas.REVEAL_CONTENT_TYPE
        prm.content = e.offerer.reveal()
        entry.pj.sendInstantMessage(prm)
        e.reveal_sent = True

    def on_instant_message(self, entry: CallEntry, prm: pj.OnInstantMessageParam) -> None:
        e = entry.e2e
        if prm.contentType.split(";")[0].strip().lower() != sas.REVEAL_CONTENT_TYPE:
            return
        if e is None or e.role != "answerer" or e.answerer is None:
            log.info(
                "call %s: an end-to-end reveal arrived for a call that has none", entry.call_id
            )
            return
        try:
            e.sas = e.answerer.on_reveal(prm.msgBody)
        except sas.CommitmentMismatch as err:
            self._mismatch(
                entry, e, f"end-to-end commitment check failed: {err}", V.COMMITMENT_FAILED
            )
            return
        except sas.SasError as err:
            why = f"the caller's end-to-end reveal is malformed: {err}"
            self._mismatch(entry, e, why, V.COMMITMENT_FAILED)
            return
        self._show_sas(entry, e)

    def _show_sas(self, entry: CallEntry, e: E2eCall) -> None:
        if e.state is not E2eState.CONNECTED or e.sas is None or e.sas_shown:
            return
        e.sas_shown, e.reveal_deadline = True, None
        fingerprint = colon(e.connected.remote_fingerprint)
        self._calls.emit(
            ev.CallSasDidBecomeReady(entry.call_id, e.sas, e.peer, fingerprint, e.identity_status)
        )
        if e.verified:
            self._calls.emit(
                ev.CallVerificationDidChange(
                    entry.call_id,
                    e.peer,
                    fingerprint,
                    True,
                    "the peer presented the certificate verified on an earlier call",
                    code=V.KNOWN_CERTIFICATE,
                )
            )

    def confirm(self, entry: CallEntry, matched: bool) -> None:
        e = entry.e2e
        if e is None or not e.sas_shown:
            raise LookupError(f"call {entry.call_id} has no short authentication string to confirm")
        fingerprint = colon(e.connected.remote_fingerprint)
        if not matched:
            self._mismatch(
                entry,
                e,
                "the short authentication strings did not match: someone may be intercepting "
                "the call",
                V.SAS_MISMATCH,
            )
            return
        e.verified = True
        self._calls.emit(
            ev.CallVerificationDidChange(
                entry.call_id,
                e.peer,
                fingerprint,
                True,
                "the users confirmed the short authentication string",
                code=V.USERS_CONFIRMED,
            )
        )
        self._emit_media(entry, e)

    def _mismatch(
        self, entry: CallEntry, e: E2eCall, reason: str, code: ev.VerificationReason
    ) -> None:
        fingerprint = colon(e.remote.fingerprint if e.remote else None)
        e.verified = False
        self._calls.emit(
            ev.CallVerificationDidChange(
                entry.call_id, e.peer, fingerprint, False, reason, mismatch=True, code=code
            )
        )
        cause = (
            ev.EndCause.SAS_MISMATCH
            if code is ev.VerificationReason.SAS_MISMATCH
            else ev.EndCause.E2E_COMMITMENT_FAILED
        )
        self._fail(entry, reason, cause)

    def _tick_reveal(self, entry: CallEntry, e: E2eCall, now: float) -> None:
        if e.reveal_deadline is None or now <= e.reveal_deadline:
            return
        e.reveal_deadline = None
        self._calls.emit(
            ev.CallVerificationDidChange(
                entry.call_id,
                e.peer,
                colon(e.remote.fingerprint if e.remote else None),
                False,
                "no short authentication string: the caller never revealed its nonce, so "
                "this call cannot be verified (it stays end-to-end encrypted, not verified)",
                code=V.NO_SAS,
            )
        )
