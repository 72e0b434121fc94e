"""The words of end-to-end verification: the call's label, the SAS panel's state, the
identity-changed warning, a contact's verified state and the history's label. Any thread.

Pure: no widgets; words through `ui.i18n.translate` (English without a translator or
without PySide6), the labels through `security_labels`. Views only show what these
functions return, so the mapping from the engine's events to what a user reads is
tested without a window.

The call's label is `MediaSecurity.label`, word for word ("end-to-end encrypted
(verified)", "end-to-end encrypted (not verified)", "encrypted to the server only",
"not encrypted"): one phrase per state, the same in the call window, the history and
the CLI, so no wording can be read as more than the call was.

The SAS stages follow the engine's events for one call: the media is end to end
(`waiting` for the code), `CallSasDidBecomeReady` (`compare`, or `known`: this peer's
certificate was verified on an earlier call, the call is verified at once),
`CallPeerIdentityDidChange` (`changed`: compare again, before saying anything private),
`CallVerificationDidChange` (`verified`, `mismatch`: the call is ended, or
`unverifiable`: no code ever came).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from softphone.engine import events as ev
from softphone.policy.end_to_end import call_label
from softphone.storage.database import CallRecord
from softphone.storage.e2e_peers import E2ePeer
from softphone.ui.i18n import translate
from softphone.ui.reason_text import verification_text
from softphone.ui.security_labels import label_text


def short_fingerprint(fingerprint: str | bytes | None, groups: int = 8) -> str:
    """'AB:CD:…' — the first `groups` bytes of a SHA-256 fingerprint (hex or bytes)."""
    if not fingerprint:
        return "–"
    text = fingerprint.hex(":").upper() if isinstance(fingerprint, bytes) else fingerprint
    parts = text.split(":")
    return text if len(parts) <= groups else ":".join(parts[:groups]) + "…"


def spoken_sas(sas: str) -> str:
    """The code as it is shown: its characters apart, so each one is read aloud."""
    return " ".join(sas.upper())


# -- the SAS panel ---------------------------------------------------------------------


class SasStage(enum.StrEnum):
    WAITING = "waiting"  # end to end, the code is not there yet
    COMPARE = "compare"  # read it aloud, then say whether it matched
    KNOWN = "known"  # the peer's certificate was verified before: verified at once
    CHANGED = "changed"  # verified before with ANOTHER certificate: compare again
    VERIFIED = "verified"  # the users said it matched
    MISMATCH = "mismatch"  # it did not (or the commitment failed): the call is ended
    UNVERIFIABLE = "unverifiable"  # no code came: end to end, not verified


@dataclass(frozen=True)
class SasView:
    stage: SasStage
    code: str  # spaced out for reading; "" while waiting
    prompt: str
    result: str
    can_answer: bool  # the "verified" / "mismatch" buttons are enabled
    kind: str  # theme colours: end_to_end, ok, error, unencrypted


def sas_view(
    ready: ev.CallSasDidBecomeReady | None,
    changed: ev.CallPeerIdentityDidChange | None = None,
    verification: ev.CallVerificationDidChange | None = None,
) -> SasView:
    """What the SAS panel shows, from the last of each end-to-end event of the call."""
    code = spoken_sas(ready.sas) if ready is not None else ""
    if verification is not None and verification.mismatch:
        return SasView(
            SasStage.MISMATCH,
            code,
            translate("E2eText", "The codes did not match."),
            translate(
                "E2eText",
                "✖ Someone may be intercepting this call, so it was ended. Call back on a "
                "number you know is theirs.",
            ),
            False,
            "unencrypted",
        )
    if verification is not None and verification.verified:
        if ready is not None and ready.identity == "known" and changed is None:
            result = translate(
                "E2eText",
                "✔ Verified: this contact presented the same identity you verified on "
                "an earlier call. No need to compare the code again.",
            )
            return SasView(SasStage.KNOWN, code, _prompt_known(), result, False, "ok")
        return SasView(
            SasStage.VERIFIED,
            code,
            _prompt_known(),
            translate("E2eText", "✔ Verified: no one is in the middle of this call."),
            False,
            "ok",
        )
    if verification is not None:  # not verified, no mismatch: no code came
        return SasView(
            SasStage.UNVERIFIABLE,
            code,
            translate("E2eText", "This call cannot be verified."),
            verification_text(verification),
            False,
            "end_to_end",
        )
    if ready is None:
        return SasView(
            SasStage.WAITING,
            "",
            translate("E2eText", "Waiting for the short code…"),
            "",
            False,
            "end_to_end",
        )
    if changed is not None or ready.identity == "changed":
        return SasView(
            SasStage.CHANGED,
            code,
            _prompt(),
            translate(
                "E2eText",
                "Compare the code again before you say anything private: this contact's "
                "identity is not the one you verified.",
            ),
            True,
            "error",
        )
    if ready.identity == "known":  # the verification event follows at once
        return SasView(SasStage.KNOWN, code, _prompt_known(), "", False, "ok")
    return SasView(SasStage.COMPARE, code, _prompt(), "", True, "end_to_end")


def _prompt() -> str:
    return translate(
        "E2eText",
        "Read this code aloud to the other person. They must see the same four "
        "characters. Does it match?",
    )


def _prompt_known() -> str:
    return translate("E2eText", "The short code of this call:")


def sas_accessible(view: SasView) -> str:
    """What a screen reader says for the code: each character on its own."""
    if not view.code:
        return view.prompt
    chars = ", ".join(view.code.split())
    return translate("E2eText", "Short code: {characters}").format(characters=chars)


# -- the identity-changed warning ----------------------------------------------------------


@dataclass(frozen=True)
class WarningView:
    title: str
    body: str
    details: str  # the two fingerprints, short form


def identity_warning(changed: ev.CallPeerIdentityDidChange) -> WarningView:
    return WarningView(
        translate("E2eText", "⚠ WARNING: this contact's identity has CHANGED"),
        translate(
            "E2eText",
            "{peer} presented a different identity than the one you verified. Someone else "
            "may be answering for them. Compare the code again before you say anything, "
            "and press “Mismatch” if it differs.",
        ).format(peer=changed.peer),
        translate("E2eText", "Verified before: {verified}\nPresented now: {presented}").format(
            verified=short_fingerprint(changed.verified_fingerprint),
            presented=short_fingerprint(changed.fingerprint),
        ),
    )


def mismatch_line() -> str:
    """The badge's end-to-end line once the codes did not match."""
    return translate(
        "E2eText", "End-to-end: the codes did NOT match — the call was ended, not verified"
    )


def call_end_reason(verification: ev.CallVerificationDidChange) -> str:
    """Why a call was ended by a failed verification, for the state line."""
    return translate("E2eText", "ended: the codes did not match — {reason}").format(
        reason=verification_text(verification)
    )


# -- contacts ----------------------------------------------------------------------


def verified_state(peer: E2ePeer | None) -> str:
    """One address of a contact: 'carol@example.com: verified on 23 Nov 2026 — identity
    AB:CD:…', or why not (the last mismatch and its reason)."""
    if peer is None or (peer.fingerprint is None and peer.mismatch_at is None):
        return translate("E2eText", "Not verified yet: compare the code on your next call.")
    lines = []
    if peer.fingerprint is not None:
        when = _day(peer.verified_at)
        lines.append(
            translate("E2eText", "{address}: verified on {day} — identity {fingerprint}").format(
                address=peer.address, day=when, fingerprint=short_fingerprint(peer.fingerprint)
            )
        )
    else:
        lines.append(translate("E2eText", "{address}: not verified").format(address=peer.address))
    if peer.mismatch_at is not None:
        lines.append(
            translate("E2eText", "Codes did NOT match on {day}: {reason}").format(
                day=_day(peer.mismatch_at), reason=peer.mismatch_reason or "?"
            )
        )
    return "\n".join(lines)


def _day(when: datetime | None) -> str:
    return when.astimezone().strftime("%d %b %Y") if when is not None else "?"


def requirement_choices() -> list[tuple[str, str | None]]:
    """The contact's own end-to-end setting: (words, value for `PeerTrust`)."""
    return [
        (translate("E2eText", "As the account's profile says"), None),
        (translate("E2eText", "End-to-end preferred"), "preferred"),
        (translate("E2eText", "End-to-end required (refuse other calls)"), "required"),
    ]


# -- history -------------------------------------------------------------------------


def history_label(record: CallRecord) -> str:
    """The label the call had, word for word; "–" for a call that never had media.

    A row from before the history kept `end_to_end` (None) and not verified is
    labelled "encrypted to the server only": never more than it is known to have been.
    """
    if not record.encrypted_media and record.outcome != "answered":
        return "–"
    end_to_end = bool(getattr(record, "end_to_end", None)) or record.verified
    label = call_label(record.encrypted_media, end_to_end, record.verified)
    return label_text(label)
