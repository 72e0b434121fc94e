"""The security badge's words: encrypted, unencrypted and end-to-end cannot be confused;
the headline is the call's label, word for word."""

from __future__ import annotations

import dataclasses

from softphone.engine.events import MediaSecurity, SignallingSecurity
from softphone.policy.end_to_end import (
    LABEL_E2E_NOT_VERIFIED,
    LABEL_E2E_VERIFIED,
    LABEL_NOT_ENCRYPTED,
    LABEL_TO_SERVER,
)
from softphone.ui.security_text import Level, describe, short_fingerprint, tls_name

TLS = SignallingSecurity(
    "tls", "TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384", "pbx", "AB:" * 31 + "CD"
)
SDES = MediaSecurity(True, "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "sdes")


def test_security_text_sdes_says_hop_by_hop_and_not_end_to_end() -> None:
    view = describe(SDES, TLS)
    assert view.level is Level.ENCRYPTED
    assert view.headline == LABEL_TO_SERVER == SDES.label == "encrypted to the server only"
    assert "hop by hop" in view.media
    assert view.end_to_end == "End-to-end: no — your provider's servers can access the keys"
    assert "AES_CM_128_HMAC_SHA1_80" in view.media
    assert "TLS 1.2, ECDHE-ECDSA-AES256-GCM-SHA384" in view.signalling
    assert "AB:AB:AB:AB:AB:AB:AB:AB…" in view.signalling


def test_security_text_plaintext_is_shouted_with_the_administrators_reason() -> None:
    view = describe(MediaSecurity(False, "RTP/AVP", plaintext_allowed=True), TLS)
    assert view.level is Level.UNENCRYPTED
    assert view.headline == LABEL_NOT_ENCRYPTED == "not encrypted"
    assert "administrator" in view.media and "RTP/AVP" in view.media
    assert "others on the network can listen" in view.end_to_end
    assert "yes" not in view.end_to_end


def test_security_text_plaintext_not_allowed_says_the_call_ends() -> None:
    view = describe(MediaSecurity(False, "RTP/AVP"), TLS)
    assert view.level is Level.UNENCRYPTED and "being ended" in view.media


def test_security_text_sdes_over_plain_signalling_is_not_protected() -> None:
    view = describe(SDES, SignallingSecurity("udp"))
    assert view.level is Level.UNENCRYPTED
    assert view.headline == LABEL_NOT_ENCRYPTED  # its keys were readable on the way
    assert view.signalling == "Signalling: NOT encrypted (UDP)"


def test_security_text_end_to_end() -> None:
    dtls = MediaSecurity(True, "UDP/TLS/RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "dtls", True)
    view = describe(dtls, TLS)
    assert view.level is Level.END_TO_END
    assert view.headline == LABEL_E2E_NOT_VERIFIED == "end-to-end encrypted (not verified)"
    assert view.end_to_end.startswith("End-to-end: yes — compare")
    verified = describe(dataclasses.replace(dtls, verified=True), TLS)
    assert verified.headline == LABEL_E2E_VERIFIED == "end-to-end encrypted (verified)"
    assert verified.end_to_end.startswith("End-to-end: yes — verified")


def test_security_text_headline_is_always_the_label() -> None:
    for media in (
        SDES,
        MediaSecurity(False, "RTP/AVP", plaintext_allowed=True),
        MediaSecurity(True, "UDP/TLS/RTP/SAVPF", "X", "dtls", True),
        MediaSecurity(True, "UDP/TLS/RTP/SAVPF", "X", "dtls", True, verified=True),
    ):
        assert describe(media, TLS).headline == media.label


def test_security_text_before_media() -> None:
    view = describe(None, None)
    assert view.level is Level.PENDING and "Checking" in view.headline


def test_tls_name_and_fingerprint() -> None:
    assert tls_name("TLSv1.3") == "TLS 1.3"
    assert tls_name(None) == "TLS"
    assert short_fingerprint("AA:BB", 8) == "AA:BB"
