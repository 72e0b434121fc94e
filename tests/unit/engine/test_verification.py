"""Unit tests for softphone.engine.verification: reading back SRTP state and TLS results."""

from __future__ import annotations

import hashlib

import pjsua2 as pj
import pytest

from softphone.engine.verification import (
    SrtpState,
    colon_hex,
    proto_is_secure,
    proto_name,
    srtp_states_from_dump,
    tls_version_name,
    verify_status_kinds,
)

# What pjsua2's Call.dump(True, "") printed for an SDES call in the test bed.
DUMP_ACTIVE = """\
  [CONFIRMED] To: sip:bob@127.0.0.1;tag=9adfef9b2938b229
    Call time: 00h:00m:02s, 1st res in 3 ms, conn in 49ms
    #0 audio PCMU @8kHz, sendrecv, peer=192.0.2.2:25780
       SRTP status: Active Crypto-suite: AES_CM_128_HMAC_SHA1_80
       RX pt=0, last update:00h:00m:02.777s ago
          total 150pkt 24.0KB (30.0KB +IP hdr) @avg=64.9Kbps/81.2Kbps
          pkt loss=0 (0.0%), discrd=0 (0.0%), dup=0 (0.0%), reord=0 (0.0%)
                (msec)    min     avg     max     last    dev
          loss period:   0.000   0.000   0.000   0.000   0.000
          jitter     :   0.000   0.312   1.250   0.125   0.298
       TX pt=0, ptime=20, last update:00h:00m:00.012s ago
          total 151pkt 24.1KB (30.2KB +IP hdr) @avg=65.3Kbps/81.6Kbps
          pkt loss=0 (0.0%), dup=0 (0.0%), reorder=0 (0.0%)
                (msec)    min     avg     max     last    dev
          loss period:   0.000   0.000   0.000   0.000   0.000
          jitter     :   0.000   0.000   0.000   0.000   0.000
      RTT msec      :   0.000   0.000   0.000   0.000   0.000
"""

# SRTP transport present (SRTP optional) but the answer had no keys.
DUMP_NOT_ACTIVE = """\
  [CONFIRMED] To: sip:carol@127.0.0.1;tag=0f3a5c7e91b2d4c6
    Call time: 00h:00m:05s, 1st res in 4 ms, conn in 51ms
    #0 audio PCMA @8kHz, sendrecv, peer=192.0.2.3:40002
       SRTP status: Not active Crypto-suite:\x20
       RX pt=8, last update:00h:00m:00.020s ago
          total 250pkt 40.0KB (50.0KB +IP hdr) @avg=64.0Kbps/80.0Kbps
"""

# SRTP disabled on the account: no SRTP transport, so no SRTP line at all.
DUMP_NO_SRTP = """\
  [CONFIRMED] To: sip:dave@127.0.0.1;tag=11aa22bb33cc44dd
    Call time: 00h:00m:01s, 1st res in 2 ms, conn in 40ms
    #0 audio PCMU @8kHz, sendrecv, peer=192.0.2.4:4000
       RX pt=0, last update:00h:00m:00.015s ago
          total 50pkt 8.0KB (10.0KB +IP hdr) @avg=64.0Kbps/80.0Kbps
       TX pt=0, ptime=20, last update:00h:00m:00.010s ago
"""

# Audio and video, each with its own SRTP transport, different suites; with ICE.
DUMP_AUDIO_VIDEO = """\
  [CONFIRMED] To: sip:erin@127.0.0.1;tag=5e5e5e5e5e5e5e5e
    Call time: 00h:00m:10s, 1st res in 3 ms, conn in 60ms
    #0 audio opus @48kHz, sendrecv, peer=192.0.2.5:4000
       SRTP status: Active Crypto-suite: AES_256_CM_HMAC_SHA1_80
       ICE role: Controlling, state: Negotiation Success, comp_cnt: 1
       RX pt=96, last update:00h:00m:00.020s ago
          total 500pkt 40.0KB (60.0KB +IP hdr) @avg=32.0Kbps/48.0Kbps
    #1 video H264, sendrecv, peer=192.0.2.5:4002
       SRTP status: Active Crypto-suite: AES_CM_128_HMAC_SHA1_32
       RX pt=97, size=640x480, fps=30.00, last update:00h:00m:00.033s ago
          total 900pkt 900KB (936KB +IP hdr) @avg=720Kbps/748Kbps
"""

# Video declined (port 0): pjsua prints the stream as deactivated.
DUMP_VIDEO_DEACTIVATED = """\
  [CONFIRMED] To: sip:frank@127.0.0.1;tag=6f6f6f6f6f6f6f6f
    Call time: 00h:00m:03s, 1st res in 3 ms, conn in 45ms
    #0 audio PCMU @8kHz, sendrecv, peer=192.0.2.6:4000
       SRTP status: Active Crypto-suite: AEAD_AES_256_GCM
       RX pt=0, last update:00h:00m:00.020s ago
    #1 video deactivated
"""


# -------------------------------------------------------- srtp_states_from_dump


def test_verification_dump_active_srtp() -> None:
    assert srtp_states_from_dump(DUMP_ACTIVE) == {0: SrtpState(0, True, "AES_CM_128_HMAC_SHA1_80")}


def test_verification_dump_active_srtp_with_crlf() -> None:
    states = srtp_states_from_dump(DUMP_ACTIVE.replace("\n", "\r\n"))
    assert states == {0: SrtpState(0, True, "AES_CM_128_HMAC_SHA1_80")}


def test_verification_dump_srtp_not_active_has_no_suite() -> None:
    assert srtp_states_from_dump(DUMP_NOT_ACTIVE) == {0: SrtpState(0, False, None)}


def test_verification_dump_not_active_with_suite_name_is_still_not_active() -> None:
    dump = DUMP_NOT_ACTIVE.replace(
        "Not active Crypto-suite: ", "Not active Crypto-suite: AES_CM_128_HMAC_SHA1_80"
    )
    state = srtp_states_from_dump(dump)[0]
    assert not state.active
    assert state.suite == "AES_CM_128_HMAC_SHA1_80"


def test_verification_dump_without_srtp_line_is_unencrypted() -> None:
    assert srtp_states_from_dump(DUMP_NO_SRTP) == {0: SrtpState(0, False, None)}


def test_verification_dump_audio_and_video() -> None:
    assert srtp_states_from_dump(DUMP_AUDIO_VIDEO) == {
        0: SrtpState(0, True, "AES_256_CM_HMAC_SHA1_80"),
        1: SrtpState(1, True, "AES_CM_128_HMAC_SHA1_32"),
    }


def test_verification_dump_srtp_line_belongs_to_preceding_media() -> None:
    # Encrypted audio must not lend its state to a video stream without SRTP.
    dump = DUMP_AUDIO_VIDEO.replace(
        "       SRTP status: Active Crypto-suite: AES_CM_128_HMAC_SHA1_32\n", ""
    )
    states = srtp_states_from_dump(dump)
    assert states[0] == SrtpState(0, True, "AES_256_CM_HMAC_SHA1_80")
    assert states[1] == SrtpState(1, False, None)


def test_verification_dump_unencrypted_audio_with_encrypted_video() -> None:
    dump = DUMP_AUDIO_VIDEO.replace(
        "Active Crypto-suite: AES_256_CM_HMAC_SHA1_80", "Not active Crypto-suite: "
    )
    states = srtp_states_from_dump(dump)
    assert states[0] == SrtpState(0, False, None)
    assert states[1].active


def test_verification_dump_deactivated_stream() -> None:
    assert srtp_states_from_dump(DUMP_VIDEO_DEACTIVATED) == {
        0: SrtpState(0, True, "AEAD_AES_256_GCM"),
        1: SrtpState(1, False, None),
    }


def test_verification_dump_srtp_line_before_any_media_is_ignored() -> None:
    dump = "  SRTP status: Active Crypto-suite: AES_CM_128_HMAC_SHA1_80\n" + DUMP_NO_SRTP
    assert srtp_states_from_dump(dump) == {0: SrtpState(0, False, None)}


def test_verification_dump_media_index_is_taken_from_the_header() -> None:
    dump = DUMP_ACTIVE.replace("    #0 audio", "    #2 audio")
    assert srtp_states_from_dump(dump) == {2: SrtpState(2, True, "AES_CM_128_HMAC_SHA1_80")}


@pytest.mark.parametrize("dump", ["", "garbage\n#\n#x audio\n", "  [CONFIRMED] To: sip:x@y\n"])
def test_verification_dump_without_media(dump: str) -> None:
    assert srtp_states_from_dump(dump) == {}


# ---------------------------------------------------------- verify_status_kinds


@pytest.mark.parametrize(
    ("status", "kinds"),
    [
        (0, ()),
        (1, ("untrusted_issuer",)),  # EISSUER_NOT_FOUND
        (2, ("untrusted_issuer",)),  # EUNTRUSTED
        (4, ("expired",)),  # EVALIDITY_PERIOD
        (8, ("invalid_format",)),
        (16, ("invalid_purpose",)),
        (32, ("issuer_mismatch",)),
        (64, ("crl_failure",)),
        (128, ("revoked",)),
        (256, ("chain_too_long",)),
        (512, ("weak_signature",)),
        (1 << 30, ("hostname_mismatch",)),  # EIDENTITY_NOT_MATCH
        (-2147483648, ("unknown",)),  # EUNKNOWN as SWIG hands it to Python
        (1 << 31, ("unknown",)),
    ],
)
def test_verification_single_flags(status: int, kinds: tuple[str, ...]) -> None:
    assert verify_status_kinds(status) == kinds


def test_verification_flag_values_match_pjsua2() -> None:
    assert verify_status_kinds(pj.PJ_SSL_CERT_EISSUER_NOT_FOUND) == ("untrusted_issuer",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_EUNTRUSTED) == ("untrusted_issuer",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_EVALIDITY_PERIOD) == ("expired",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_EREVOKED) == ("revoked",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_EWEAK_SIGNATURE) == ("weak_signature",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_EIDENTITY_NOT_MATCH) == ("hostname_mismatch",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_EUNKNOWN) == ("unknown",)
    assert verify_status_kinds(pj.PJ_SSL_CERT_ESUCCESS) == ()


def test_verification_both_issuer_flags_give_one_kind() -> None:
    assert verify_status_kinds(1 | 2) == ("untrusted_issuer",)


def test_verification_combined_flags_in_flag_order() -> None:
    status = (1 << 30) | 4 | 2
    assert verify_status_kinds(status) == ("untrusted_issuer", "expired", "hostname_mismatch")


def test_verification_unknown_combined_with_others() -> None:
    assert verify_status_kinds(-2147483648 | 4) == ("expired", "unknown")


def test_verification_unmapped_bits_are_ignored() -> None:
    assert verify_status_kinds(1 << 20) == ()
    assert verify_status_kinds((1 << 20) | 128) == ("revoked",)


def test_verification_self_signed_replaces_untrusted_issuer() -> None:
    assert verify_status_kinds(2, self_signed=True) == ("self_signed",)
    assert verify_status_kinds(1 | 2 | (1 << 30), self_signed=True) == (
        "self_signed",
        "hostname_mismatch",
    )


def test_verification_self_signed_alone_is_not_a_problem_kind() -> None:
    # A self-signed certificate that *is* trusted (pinned CA) fails only for what else is wrong.
    assert verify_status_kinds(4, self_signed=True) == ("expired",)
    assert verify_status_kinds(0, self_signed=True) == ()


# ------------------------------------------------------------- tls_version_name

TLS12 = pj.PJ_SSL_SOCK_PROTO_TLS1_2
TLS13 = pj.PJ_SSL_SOCK_PROTO_TLS1_3


def test_verification_tls_bits_match_pjsua2() -> None:
    assert (TLS12, TLS13) == (16, 32)


@pytest.mark.parametrize(
    "cipher",
    [
        "TLS_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_128_CCM_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
    ],
)
@pytest.mark.parametrize("allowed", [TLS12 | TLS13, TLS13])
def test_verification_tls13_suites(allowed: int, cipher: str) -> None:
    assert tls_version_name(allowed, cipher) == "TLSv1.3"


@pytest.mark.parametrize(
    "cipher",
    [
        "ECDHE-RSA-AES256-GCM-SHA384",  # OpenSSL's name
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",  # IANA's name
        "AES256-SHA",
    ],
)
def test_verification_tls12_suites(cipher: str) -> None:
    assert tls_version_name(TLS12 | TLS13, cipher) == "TLSv1.2"
    assert tls_version_name(TLS12, cipher) == "TLSv1.2"


def test_verification_tls_older_minimum_is_reported_as_range() -> None:
    tls1, tls11 = pj.PJ_SSL_SOCK_PROTO_TLS1, pj.PJ_SSL_SOCK_PROTO_TLS1_1
    cipher = "ECDHE-RSA-AES128-SHA"
    assert tls_version_name(tls1 | tls11 | TLS12, cipher) == "TLSv1 or later (up to TLSv1.2)"
    assert tls_version_name(tls11 | TLS12 | TLS13, cipher) == "TLSv1.1 or later (up to TLSv1.2)"


def test_verification_tls13_only_with_non_13_cipher_is_unknown() -> None:
    assert tls_version_name(TLS13, "ECDHE-RSA-AES256-GCM-SHA384") == "unknown(32)"


def test_verification_tls13_prefix_must_be_exact() -> None:
    # An OpenSSL TLS 1.2 name that merely contains "AES" is not a TLS 1.3 suite.
    assert tls_version_name(TLS12 | TLS13, "AES128-GCM-SHA256") == "TLSv1.2"
    assert tls_version_name(TLS12 | TLS13, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM") == "TLSv1.2"


# -------------------------------------------------------- proto_name / is_secure

PROTOS = [
    (32772, "RTP/AVP", False, "PJMEDIA_TP_PROTO_RTP_AVP"),
    (40964, "RTP/AVPF", False, "PJMEDIA_TP_PROTO_RTP_AVPF"),
    (49156, "RTP/SAVP", True, "PJMEDIA_TP_PROTO_RTP_SAVP"),
    (57348, "RTP/SAVPF", True, "PJMEDIA_TP_PROTO_RTP_SAVPF"),
    (49164, "UDP/TLS/RTP/SAVP", True, "PJMEDIA_TP_PROTO_DTLS_SRTP"),
    (57356, "UDP/TLS/RTP/SAVPF", True, "PJMEDIA_TP_PROTO_DTLS_SRTPF"),
]


@pytest.mark.parametrize(("value", "name", "secure", "pj_name"), PROTOS)
def test_verification_proto_names(value: int, name: str, secure: bool, pj_name: str) -> None:
    assert getattr(pj, pj_name) == value  # the table agrees with this pjsua2 build
    assert proto_name(value) == name
    assert proto_is_secure(value) is secure


@pytest.mark.parametrize("value", [0, 1, 2, 4, 8, 32768, 99999, -1])
def test_verification_unknown_protos(value: int) -> None:
    assert proto_name(value) == f"unknown({value})"
    assert proto_is_secure(value) is False


# ------------------------------------------------------------------- colon_hex


def test_verification_colon_hex() -> None:
    assert colon_hex(b"\x00\x0a\xab\xff") == "00:0A:AB:FF"
    assert colon_hex(b"") == ""
    assert colon_hex(b"\x07") == "07"


def test_verification_colon_hex_of_sha256() -> None:
    digest = hashlib.sha256(b"certificate").digest()
    text = colon_hex(digest)
    assert len(text) == 32 * 3 - 1
    assert text.replace(":", "") == digest.hex().upper()
    assert all(len(part) == 2 for part in text.split(":"))


def test_frame_bytes_are_read_exactly():
    """The fast frame reader (pjframes.vector_bytes) must return what the vector holds."""
    import os

    import pjsua2 as pj

    from softphone.engine.pjframes import vector_bytes

    for size in (0, 1, 320, 640, 1920, 4000):
        data = os.urandom(size)
        assert vector_bytes(pj.ByteVector(data)) == data
