"""The security badge's words: encrypted, unencrypted and end-to-end cannot be confused."""

from __future__ import annotations

from softphone.engine.events import MediaSecurity, SignallingSecurity
from softphone.ui.security_text import Level, describe, short_fingerprint, tls_name

TLS = SignallingSecurity(
    "tls", "TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384", "pbx", "AB:" * 31 + "CD"
)
SDES = MediaSecurity(True, "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "sdes")


def test_security_text_sdes_says_hop_by_hop_and_not_end_to_end() -> None:
    view = describe(SDES, TLS)
    assert view.level is Level.ENCRYPTED
    assert view.headline == "Encrypted (hop-by-hop, SDES) – TLS 1.2"
    assert view.end_to_end == "End-to-end: no — your provider's servers can access the keys"
    assert "AES_CM_128_HMAC_SHA1_80" in view.media
    assert "TLS 1.2, ECDHE-ECDSA-AES256-GCM-SHA384" in view.signalling
    assert "AB:AB:AB:AB:AB:AB:AB:AB…" in view.signalling


def test_security_text_plaintext_is_shouted_with_the_administrators_reason() -> None:
    view = describe(MediaSecurity(False, "RTP/AVP", plaintext_allowed=True), TLS)
    assert view.level is Level.UNENCRYPTED
    assert view.headline.startswith("NOT ENCRYPTED")
    assert "administrator" in view.media and "RTP/AVP" in view.media
    assert "Encrypted" not in view.headline and "yes" not in view.end_to_end


def test_security_text_plaintext_not_allowed_says_the_call_ends() -> None:
    view = describe(MediaSecurity(False, "RTP/AVP"), TLS)
    assert view.level is Level.UNENCRYPTED and "being ended" in view.media


def test_security_text_sdes_over_plain_signalling_is_not_protected() -> None:
    view = describe(SDES, SignallingSecurity("udp"))
    assert view.level is Level.UNENCRYPTED
    assert "NOT PROTECTED" in view.headline
    assert view.signalling == "Signalling: NOT encrypted (UDP)"


def test_security_text_end_to_end() -> None:
    dtls = MediaSecurity(True, "UDP/TLS/RTP/SAVP", "AES_CM_128_HMAC_SHA1_80", "dtls", True)
    view = describe(dtls, TLS)
    assert view.level is Level.END_TO_END
    assert view.headline == "End-to-end encrypted (DTLS) – TLS 1.2"
    assert view.end_to_end.startswith("End-to-end: yes")


def test_security_text_before_media() -> None:
    view = describe(None, None)
    assert view.level is Level.PENDING and "Checking" in view.headline


def test_tls_name_and_fingerprint() -> None:
    assert tls_name("TLSv1.3") == "TLS 1.3"
    assert tls_name(None) == "TLS"
    assert short_fingerprint("AA:BB", 8) == "AA:BB"
