"""Unit tests for softphone.engine.sdp: judging from SDP whether audio would be encrypted.

The SDPs are shaped like what pjsua, baresip and WebRTC-style peers send; the
key material in them is made up.
"""

from __future__ import annotations

import pytest

from softphone.engine.sdp import (
    MediaLine,
    audio_lines,
    offered_suites,
    parse_media_lines,
    plaintext_reason,
    sdp_from_sip_message,
    suite_strength,
)

KEY_128 = "WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ"
KEY_128_B = "t0r0/apkukU7JjjfR0mY8GEimBq4OiPEm9eKSFOx"
KEY_256 = "e1Ld2Kk0JqRDwOX4c1PWnjl+Kh0r5QjwYbC9H7Eq5nLo5XqYzRVsIk8xTmGz6A"
FINGERPRINT = (
    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:"
    "3E:7E:2E:E1:4E:98:E9:B6:62:0C:1A:D4"
)


def crlf(text: str) -> str:
    """SDP as it travels on the wire: CRLF line ends."""
    return text.replace("\n", "\r\n")


# pjsua (SRTP mandatory, SDES): RTP/SAVP and one a=crypto per enabled suite.
PJSUA_SDES_OFFER = f"""v=0
o=- 3911281432 3911281432 IN IP4 192.0.2.10
s=pjmedia
b=AS:84
t=0 0
a=X-nat:0
m=audio 4000 RTP/SAVP 96 9 8 0 101 102
c=IN IP4 192.0.2.10
b=TIAS:64000
a=rtcp:4001 IN IP4 192.0.2.10
a=sendrecv
a=rtpmap:96 opus/48000/2
a=fmtp:96 useinbandfec=1
a=rtpmap:9 G722/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/48000
a=fmtp:101 0-16
a=rtpmap:102 telephone-event/8000
a=fmtp:102 0-16
a=ssrc:1195453384 cname:5b3e2a0f1c9d4e6b
a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:{KEY_256}
a=crypto:2 AES_256_CM_HMAC_SHA1_32 inline:{KEY_256}
a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:{KEY_128}
a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:{KEY_128_B}
"""

# baresip with ;mediaenc=srtp-mand.
BARESIP_SDES_OFFER = f"""v=0
o=- 1867393419 2846109153 IN IP4 192.0.2.20
s=-
c=IN IP4 192.0.2.20
t=0 0
m=audio 10000 RTP/SAVP 0 8 101
b=AS:80
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=label:1
a=rtcp-rsize
a=ssrc:2291742215 cname:b1c2d3e4-0000-4a5b-8c9d-0e1f2a3b4c5d
a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:{KEY_128} WSH=64
a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:{KEY_128_B} WSH=64
"""

PLAIN_OFFER = """v=0
o=- 3911281500 3911281500 IN IP4 192.0.2.30
s=pjmedia
t=0 0
m=audio 4002 RTP/AVP 0 8 101
c=IN IP4 192.0.2.30
a=rtcp:4003 IN IP4 192.0.2.30
a=sendrecv
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
"""

# pjsua with --use-srtp 1 (optional): RTP/AVP, yet with keys ("best effort" SRTP).
PJSUA_OPTIONAL_OFFER = f"""v=0
o=- 3911281600 3911281600 IN IP4 192.0.2.40
s=pjmedia
t=0 0
m=audio 4004 RTP/AVP 0 101
c=IN IP4 192.0.2.40
a=sendrecv
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_128}
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{KEY_128_B}
"""

# baresip's dtls_srtp puts the fingerprint at session level.
DTLS_SESSION_FP_OFFER = f"""v=0
o=- 2157419 1138290 IN IP4 192.0.2.50
s=-
c=IN IP4 192.0.2.50
t=0 0
a=fingerprint:{FINGERPRINT}
m=audio 10002 UDP/TLS/RTP/SAVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=setup:actpass
a=sendrecv
"""

# WebRTC style: SAVPF, fingerprint per media section.
DTLS_MEDIA_FP_OFFER = f"""v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
m=audio 9 UDP/TLS/RTP/SAVPF 111 0
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:4ZcD
a=ice-pwd:2/1muCWoOi3uLifh0NuRHlOu
a=fingerprint:{FINGERPRINT}
a=setup:actpass
a=mid:0
a=sendrecv
a=rtcp-mux
a=rtpmap:111 opus/48000/2
a=rtpmap:0 PCMU/8000
"""


def sdp(*media: str, session: str = "") -> str:
    """A minimal SDP with the given media sections (each a block of lines)."""
    head = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n" + session
    return head + "".join(media)


def audio(profile: str = "RTP/SAVP", port: int = 4000, *attrs: str) -> str:
    return f"m=audio {port} {profile} 0\na=rtpmap:0 PCMU/8000\n" + "".join(a + "\n" for a in attrs)


def video(profile: str = "RTP/SAVP", port: int = 4010, *attrs: str) -> str:
    return f"m=video {port} {profile} 96\na=rtpmap:96 H264/90000\n" + "".join(
        a + "\n" for a in attrs
    )


CRYPTO = f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_128}"


# ------------------------------------------------------------ parse_media_lines


def test_sdp_parses_pjsua_sdes_offer() -> None:
    (line,) = parse_media_lines(PJSUA_SDES_OFFER)
    assert line == MediaLine(
        kind="audio",
        port=4000,
        profile="RTP/SAVP",
        has_crypto=True,
        has_fingerprint=False,
        direction="sendrecv",
    )
    assert line.keying == "sdes"
    assert line.encrypted


def test_sdp_parses_baresip_sdes_offer() -> None:
    (line,) = parse_media_lines(BARESIP_SDES_OFFER)
    assert (line.port, line.profile, line.keying) == (10000, "RTP/SAVP", "sdes")


def test_sdp_plain_rtp_has_no_keying() -> None:
    (line,) = parse_media_lines(PLAIN_OFFER)
    assert (line.profile, line.has_crypto, line.keying, line.encrypted) == (
        "RTP/AVP",
        False,
        "none",
        False,
    )


def test_sdp_savp_without_crypto_is_not_encrypted() -> None:
    (line,) = parse_media_lines(sdp(audio("RTP/SAVP")))
    assert line.keying == "none"
    assert not line.encrypted


def test_sdp_dtls_with_session_level_fingerprint() -> None:
    (line,) = parse_media_lines(DTLS_SESSION_FP_OFFER)
    assert line.has_fingerprint
    assert (line.profile, line.keying, line.encrypted) == ("UDP/TLS/RTP/SAVP", "dtls", True)


def test_sdp_dtls_with_media_level_fingerprint() -> None:
    (line,) = parse_media_lines(DTLS_MEDIA_FP_OFFER)
    assert (line.port, line.profile, line.keying) == (9, "UDP/TLS/RTP/SAVPF", "dtls")


def test_sdp_dtls_profile_without_fingerprint_is_not_encrypted() -> None:
    (line,) = parse_media_lines(sdp(audio("UDP/TLS/RTP/SAVPF", 4000, "a=setup:actpass")))
    assert line.keying == "none"
    assert not line.encrypted


def test_sdp_fingerprint_of_one_media_does_not_key_another() -> None:
    text = sdp(
        audio("UDP/TLS/RTP/SAVP", 4000),
        video("UDP/TLS/RTP/SAVP", 4010, f"a=fingerprint:{FINGERPRINT}"),
    )
    audio_line, video_line = parse_media_lines(text)
    assert not audio_line.has_fingerprint
    assert video_line.has_fingerprint


def test_sdp_fingerprint_with_plain_profile_is_not_dtls() -> None:
    (line,) = parse_media_lines(sdp(audio("RTP/AVP"), session=f"a=fingerprint:{FINGERPRINT}\n"))
    assert line.has_fingerprint
    assert line.keying == "none"


def test_sdp_crypto_belongs_to_its_own_media_section() -> None:
    text = sdp(audio("RTP/SAVP", 4000), video("RTP/SAVP", 4010, CRYPTO))
    audio_line, video_line = parse_media_lines(text)
    assert not audio_line.has_crypto
    assert video_line.has_crypto


def test_sdp_session_level_crypto_keys_nothing() -> None:
    # RFC 4568 defines a=crypto at media level only.
    (line,) = parse_media_lines(sdp(audio("RTP/SAVP"), session=CRYPTO + "\n"))
    assert not line.has_crypto
    assert line.keying == "none"


def test_sdp_rejected_stream_counts_as_encrypted() -> None:
    (line,) = parse_media_lines(sdp(audio("RTP/AVP", 0)))
    assert line.port == 0
    assert line.keying == "none"
    assert line.encrypted  # a port-0 stream carries no media at all


def test_sdp_port_with_count() -> None:
    (line,) = parse_media_lines(sdp("m=audio 49170/2 RTP/SAVP 0\n" + CRYPTO + "\n"))
    assert line.port == 49170


def test_sdp_audio_and_video_in_order() -> None:
    text = sdp(audio("RTP/SAVP", 4000, CRYPTO), video("RTP/AVP", 4010))
    lines = parse_media_lines(text)
    assert [(m.kind, m.port, m.profile) for m in lines] == [
        ("audio", 4000, "RTP/SAVP"),
        ("video", 4010, "RTP/AVP"),
    ]
    assert [m.kind for m in audio_lines(text)] == ["audio"]


@pytest.mark.parametrize("direction", ["sendrecv", "sendonly", "recvonly", "inactive"])
def test_sdp_media_direction(direction: str) -> None:
    (line,) = parse_media_lines(sdp(audio("RTP/SAVP", 4000, CRYPTO, f"a={direction}")))
    assert line.direction == direction


def test_sdp_direction_defaults_to_sendrecv() -> None:
    (line,) = parse_media_lines(sdp(audio("RTP/SAVP", 4000, CRYPTO)))
    assert line.direction == "sendrecv"


def test_sdp_direction_is_per_media_section() -> None:
    text = sdp(audio("RTP/SAVP", 4000, CRYPTO, "a=sendonly"), video("RTP/SAVP", 4010, CRYPTO))
    assert [m.direction for m in parse_media_lines(text)] == ["sendonly", "sendrecv"]


def test_sdp_session_level_direction_is_inherited() -> None:
    (line,) = parse_media_lines(sdp(audio("RTP/SAVP", 4000, CRYPTO), session="a=sendonly\n"))
    assert line.direction == "sendonly"


@pytest.mark.parametrize(
    "offer",
    [PJSUA_SDES_OFFER, PLAIN_OFFER, PJSUA_OPTIONAL_OFFER, DTLS_SESSION_FP_OFFER],
    ids=["sdes", "plain", "optional", "dtls"],
)
def test_sdp_crlf_and_lf_parse_alike(offer: str) -> None:
    assert parse_media_lines(crlf(offer)) == parse_media_lines(offer)


def test_sdp_empty_has_no_media() -> None:
    assert parse_media_lines("") == []
    assert audio_lines("") == []


@pytest.mark.parametrize(
    "garbage",
    [
        "m=",
        "m=audio",
        "m=audio RTP/SAVP",
        "m=audio x5000 RTP/AVP 0",
        "\x00\xff\r\n\r\nm=\r\n",
        "not an sdp at all",
        "m=audio 4000\na=crypto:",
        "\n\n\r\r\n",
    ],
)
def test_sdp_garbage_does_not_raise(garbage: str) -> None:
    lines = parse_media_lines(garbage)
    assert all(isinstance(m, MediaLine) for m in lines)
    plaintext_reason(garbage)
    offered_suites(garbage)


@pytest.mark.parametrize("port", ["5000abc", "0x1F4", "4000\u00b2"])
def test_sdp_port_with_trailing_junk_does_not_raise(port: str) -> None:
    text = sdp(f"m=audio {port} RTP/AVP 0\n")
    (line,) = parse_media_lines(text)
    assert line.kind == "audio"


# ------------------------------------------------------------ plaintext_reason


@pytest.mark.parametrize(
    "offer",
    [PJSUA_SDES_OFFER, BARESIP_SDES_OFFER, DTLS_SESSION_FP_OFFER, DTLS_MEDIA_FP_OFFER],
    ids=["pjsua-sdes", "baresip-sdes", "dtls-session-fp", "dtls-media-fp"],
)
def test_sdp_secure_offers_have_no_plaintext_reason(offer: str) -> None:
    assert plaintext_reason(offer) is None
    assert plaintext_reason(crlf(offer)) is None


def test_sdp_plain_offer_is_refused_with_profile_named() -> None:
    reason = plaintext_reason(PLAIN_OFFER)
    assert reason == "audio offered as plain RTP/AVP (no SRTP)"
    assert plaintext_reason(crlf(PLAIN_OFFER)) == reason


def test_sdp_savp_without_keys_reason() -> None:
    reason = plaintext_reason(sdp(audio("RTP/SAVP")))
    assert reason == "audio uses RTP/SAVP without keys (no a=crypto or a=fingerprint)"


def test_sdp_dtls_without_fingerprint_reason() -> None:
    reason = plaintext_reason(sdp(audio("UDP/TLS/RTP/SAVPF")))
    assert reason is not None
    assert "UDP/TLS/RTP/SAVPF without keys" in reason


def test_sdp_srtp_optional_offer_refused_for_mandatory_accepted_for_optional() -> None:
    # pjsua's "SRTP optional" offer (RTP/AVP *with* a=crypto): an SRTP-mandatory
    # account refuses it, as pjsip itself does (pjproject
    # tests/pjsua/scripts-sendto/321_srtp2_recv_avp.py), saying why precisely;
    # an account that allows plaintext accepts it, since SRTP runs if answered with keys.
    (line,) = parse_media_lines(PJSUA_OPTIONAL_OFFER)
    assert line.has_crypto
    assert line.keying == "none"
    reason = plaintext_reason(PJSUA_OPTIONAL_OFFER)
    assert reason is not None and "only as optional" in reason and "RTP/SAVP" in reason
    assert plaintext_reason(PJSUA_OPTIONAL_OFFER, optional_srtp_ok=True) is None
    plain = PJSUA_OPTIONAL_OFFER.replace("a=crypto", "a=x-nocrypto")
    assert (
        plaintext_reason(plain, optional_srtp_ok=True) == "audio offered as plain RTP/AVP (no SRTP)"
    )


def test_sdp_rejected_plain_audio_is_fine() -> None:
    assert plaintext_reason(sdp(audio("RTP/AVP", 0), audio("RTP/SAVP", 4002, CRYPTO))) is None


def test_sdp_all_audio_rejected_is_fine() -> None:
    assert plaintext_reason(sdp(audio("RTP/AVP", 0))) is None


def test_sdp_plain_video_does_not_make_audio_plaintext() -> None:
    text = sdp(audio("RTP/SAVP", 4000, CRYPTO), video("RTP/AVP", 4010))
    assert plaintext_reason(text) is None


def test_sdp_no_audio_has_no_reason() -> None:
    assert plaintext_reason(sdp(video("RTP/AVP", 4010))) is None
    assert plaintext_reason("") is None


def test_sdp_one_weak_audio_line_among_secure_ones_is_reported() -> None:
    text = sdp(
        audio("RTP/SAVP", 4000, CRYPTO),
        audio("RTP/AVP", 4002),
        audio("UDP/TLS/RTP/SAVP", 4004, f"a=fingerprint:{FINGERPRINT}"),
    )
    assert plaintext_reason(text) == "audio offered as plain RTP/AVP (no SRTP)"


def test_sdp_first_weak_audio_line_is_the_one_reported() -> None:
    text = sdp(audio("RTP/SAVP", 4000), audio("RTP/AVP", 4002))
    assert plaintext_reason(text) == (
        "audio uses RTP/SAVP without keys (no a=crypto or a=fingerprint)"
    )


def test_sdp_audio_without_profile_is_reported_as_rtp() -> None:
    assert plaintext_reason("m=audio 4000\n") == "audio offered as plain RTP (no SRTP)"


# -------------------------------------------------------- sdp_from_sip_message

INVITE_HEAD = (
    "INVITE sip:alice@192.0.2.1:5061;transport=tls SIP/2.0\r\n"
    "Via: SIP/2.0/TLS 192.0.2.10:5061;rport;branch=z9hG4bKPj3c1e\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:bob@example.com>;tag=7a1f\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: 0b4c8f2e-6d1a@192.0.2.10\r\n"
    "CSeq: 4711 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.10:5061;transport=tls>\r\n"
)


def test_sdp_body_of_invite_with_crlf() -> None:
    body = crlf(PJSUA_SDES_OFFER)
    message = (
        INVITE_HEAD
        + "Content-Type: application/sdp\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n"
        + body
    )
    extracted = sdp_from_sip_message(message)
    assert extracted.startswith("v=0\n")
    assert "Content-Type" not in extracted
    assert parse_media_lines(extracted) == parse_media_lines(PJSUA_SDES_OFFER)
    assert plaintext_reason(extracted) is None


def test_sdp_body_of_invite_with_lf_only() -> None:
    message = INVITE_HEAD.replace("\r\n", "\n") + "Content-Type: application/sdp\n\n" + PLAIN_OFFER
    assert sdp_from_sip_message(message) == PLAIN_OFFER
    assert plaintext_reason(sdp_from_sip_message(message)) is not None


def test_sdp_invite_without_body() -> None:
    message = INVITE_HEAD + "Content-Length: 0\r\n\r\n"
    assert sdp_from_sip_message(message) == ""


def test_sdp_truncated_message_without_blank_line_has_no_body() -> None:
    # Headers only, never terminated: nothing in it may be taken for a body.
    message = INVITE_HEAD + "Content-Type: application/sdp\r\nm=audio 4000 RTP/AVP 0\r\n"
    assert sdp_from_sip_message(message) == ""


def test_sdp_empty_message() -> None:
    assert sdp_from_sip_message("") == ""


def test_sdp_body_keeps_its_own_blank_lines() -> None:
    message = INVITE_HEAD + "\r\n" + "v=0\r\n\r\nm=audio 4000 RTP/AVP 0\r\n"
    assert sdp_from_sip_message(message) == "v=0\n\nm=audio 4000 RTP/AVP 0\n"


# ------------------------------------------------------------- suite_strength


@pytest.mark.parametrize(
    ("weaker", "stronger"),
    [
        (None, "AES_CM_128_HMAC_SHA1_32"),
        ("", "AES_CM_128_HMAC_SHA1_32"),
        ("AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_80"),
        ("AES_256_CM_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_80"),
        ("AES_CM_128_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80"),
        ("AES_CM_128_HMAC_SHA1_80", "AES_192_CM_HMAC_SHA1_80"),
        ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"),
        ("AEAD_AES_128_GCM", "AEAD_AES_256_GCM"),
        ("AES_256_CM_HMAC_SHA1_80", "AEAD_AES_256_GCM"),
    ],
)
def test_sdp_suite_strength_orders_suites(weaker: str | None, stronger: str) -> None:
    assert suite_strength(weaker) < suite_strength(stronger)


def test_sdp_suite_strength_values() -> None:
    assert suite_strength(None) == 0
    assert suite_strength("AES_CM_128_HMAC_SHA1_32") == 1
    assert suite_strength("AES_CM_128_HMAC_SHA1_80") == 2
    assert suite_strength("AES_256_CM_HMAC_SHA1_32") == 2
    assert suite_strength("AES_256_CM_HMAC_SHA1_80") == 3
    assert suite_strength("AEAD_AES_128_GCM") == 3
    assert suite_strength("AEAD_AES_256_GCM") == 4


def test_sdp_suite_strength_ignores_case() -> None:
    # pjsip accepts mixed-case suite names (its test 300_srtp_crypto_case_insensitive).
    assert suite_strength("aEs_cM_128_HMaC_ShA1_80") == suite_strength("AES_CM_128_HMAC_SHA1_80")
    assert suite_strength("aead_aes_256_gcm") == 4


@pytest.mark.parametrize("null_suite", ["NULL_HMAC_SHA1_80", "NULL_HMAC_SHA1_32"])
def test_sdp_null_cipher_suite_is_weakest(null_suite: str) -> None:
    assert suite_strength(null_suite) < suite_strength("AES_CM_128_HMAC_SHA1_32")


# ------------------------------------------------------------- offered_suites


def test_sdp_offered_suites_in_offer_order() -> None:
    assert offered_suites(PJSUA_SDES_OFFER) == [
        "AES_256_CM_HMAC_SHA1_80",
        "AES_256_CM_HMAC_SHA1_32",
        "AES_CM_128_HMAC_SHA1_80",
        "AES_CM_128_HMAC_SHA1_32",
    ]
    assert offered_suites(crlf(BARESIP_SDES_OFFER)) == [
        "AES_CM_128_HMAC_SHA1_32",
        "AES_CM_128_HMAC_SHA1_80",
    ]


def test_sdp_offered_suites_never_return_key_material() -> None:
    joined = " ".join(offered_suites(PJSUA_SDES_OFFER) + offered_suites(BARESIP_SDES_OFFER))
    for secret in (KEY_128, KEY_128_B, KEY_256, "inline:", "WSH"):
        assert secret not in joined


def test_sdp_offered_suites_of_unkeyed_offers() -> None:
    assert offered_suites(PLAIN_OFFER) == []
    assert offered_suites(DTLS_MEDIA_FP_OFFER) == []
    assert offered_suites("") == []


def test_sdp_offered_suites_are_per_media_kind() -> None:
    # A strong video suite must not hide a weak audio re-offer.
    text = sdp(
        audio("RTP/SAVP", 4000, CRYPTO),
        video("RTP/SAVP", 4010, f"a=crypto:1 AEAD_AES_256_GCM inline:{KEY_256}"),
    )
    assert offered_suites(text) == ["AES_CM_128_HMAC_SHA1_80"]
    assert offered_suites(text, "video") == ["AEAD_AES_256_GCM"]
