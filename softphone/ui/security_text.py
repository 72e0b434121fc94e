"""The words and level of the in-call security badge. Pure, any thread.

Made to be impossible to misread: one level ("end_to_end", "encrypted",
"unencrypted", "pending") that decides the colour, a headline that says the same in
words, and one line each for signalling, media and end-to-end. SDES keys travel in
the SIP messages, which every proxy on the path decrypts, so an SDES call always says
"End-to-end: no" in so many words.

The headline is the call's label, word for word (`MediaSecurity.label`, through
`e2e_text.label_text`): "end-to-end encrypted (verified)", "end-to-end encrypted (not
verified)", "encrypted to the server only" or "not encrypted" — never another phrase
that could be read as more. SDES keys sent over unencrypted signalling are readable by
anyone on the path: that call is "not encrypted".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from softphone.engine.events import MediaSecurity, SignallingSecurity
from softphone.policy.end_to_end import LABEL_NOT_ENCRYPTED
from softphone.ui.i18n import translate
from softphone.ui.security_labels import label_text


class Level(enum.StrEnum):
    PENDING = "pending"
    UNENCRYPTED = "unencrypted"
    ENCRYPTED = "encrypted"  # SRTP, hop by hop
    END_TO_END = "end_to_end"


@dataclass(frozen=True)
class SecurityView:
    level: Level
    headline: str
    signalling: str
    media: str
    end_to_end: str


def tls_name(version: str | None) -> str:
    """'TLSv1.2' -> 'TLS 1.2'."""
    if not version:
        return "TLS"
    return version.replace("TLSv", "TLS ").replace("TLS1", "TLS 1")


def describe(media: MediaSecurity | None, signalling: SignallingSecurity | None) -> SecurityView:
    sig_line = _signalling_line(signalling)
    if media is None:
        return SecurityView(
            Level.PENDING,
            translate("SecurityText", "Checking encryption…"),
            sig_line,
            translate("SecurityText", "Media: not flowing yet"),
            translate("SecurityText", "End-to-end: not known yet"),
        )
    sig_plain = signalling is not None and not signalling.encrypted
    if not media.encrypted:
        why = (
            translate("SecurityText", "the administrator's profile allows unencrypted media")
            if media.plaintext_allowed
            else translate("SecurityText", "refused: this call is being ended")
        )
        return SecurityView(
            Level.UNENCRYPTED,
            label_text(media.label),
            sig_line,
            translate("SecurityText", "Media: plain RTP ({profile}), NOT encrypted — {why}").format(
                profile=media.profile, why=why
            ),
            translate("SecurityText", "End-to-end: no — others on the network can listen"),
        )
    keying = media.keying.upper()
    suite = media.suite or "SRTP"
    if media.keying == "sdes" and sig_plain:
        # SDES keys inside unencrypted SIP are readable by anyone on the path.
        return SecurityView(
            Level.UNENCRYPTED,
            label_text(LABEL_NOT_ENCRYPTED),
            sig_line,
            translate(
                "SecurityText", "Media: SRTP {suite}, keys sent by SDES over unencrypted signalling"
            ).format(suite=suite),
            translate("SecurityText", "End-to-end: no"),
        )
    if media.end_to_end:
        return SecurityView(
            Level.END_TO_END,
            label_text(media.label),
            sig_line,
            translate(
                "SecurityText", "Media: SRTP {suite}, keys agreed by {keying} between the two apps"
            ).format(suite=suite, keying=keying),
            translate("SecurityText", "End-to-end: yes — verified: no one is in the middle")
            if media.verified
            else translate(
                "SecurityText", "End-to-end: yes — compare the short code below aloud to be sure"
            ),
        )
    how = (
        translate("SecurityText", "inside the TLS signalling")
        if media.keying == "sdes"
        else translate("SecurityText", "by {keying}").format(keying=keying)
    )
    return SecurityView(
        Level.ENCRYPTED,
        label_text(media.label),
        sig_line,
        translate("SecurityText", "Media: SRTP {suite} (hop by hop), keys exchanged {how}").format(
            suite=suite, how=how
        ),
        translate("SecurityText", "End-to-end: no — your provider's servers can access the keys"),
    )


def _signalling_line(s: SignallingSecurity | None) -> str:
    if s is None:
        return translate("SecurityText", "Signalling: not known yet")
    if not s.encrypted:
        return translate("SecurityText", "Signalling: NOT encrypted ({transport})").format(
            transport=s.transport.upper()
        )
    parts = [tls_name(s.tls_version)]
    if s.cipher:
        parts.append(s.cipher)
    line = translate("SecurityText", "Signalling: {how}").format(how=", ".join(parts))
    if s.peer_sha256:
        line += translate("SecurityText", "; server certificate SHA-256 {fingerprint}").format(
            fingerprint=short_fingerprint(s.peer_sha256)
        )
    return line


def short_fingerprint(sha256: str, groups: int = 8) -> str:
    """The first `groups` bytes of a colon-separated fingerprint, then an ellipsis."""
    parts = sha256.split(":")
    return sha256 if len(parts) <= groups else ":".join(parts[:groups]) + "…"
