"""Whether the installed pjsua2 offers DTLS-SRTP of its own: judged only on the SDP it
really built (`sdp.native_dtls_offered`, `Accounts.note_dtls_offer`), both outcomes."""

from __future__ import annotations

from types import SimpleNamespace

from softphone.engine import events as ev
from softphone.engine.accounts import Accounts
from softphone.engine.sdp import native_dtls_offered

HEAD = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=pjmedia\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
FP = "a=fingerprint:SHA-256 " + ":".join(["AB"] * 32) + "\r\n"
CRYPTO = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ\r\n"

# what this wheel (no DTLS-SRTP) builds when asked for DTLS keying: plain RTP, no fingerprint
WHEEL_WITHOUT_DTLS = HEAD + "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
# a build with DTLS-SRTP: DTLS keying only, and SDES + DTLS together
NATIVE_DTLS_ONLY = (
    HEAD + "m=audio 4000 UDP/TLS/RTP/SAVP 0\r\na=setup:actpass\r\n" + FP + "a=sendrecv\r\n"
)
NATIVE_SDES_AND_DTLS = HEAD + "m=audio 4000 RTP/SAVP 0\r\n" + CRYPTO + "a=setup:actpass\r\n" + FP
# our own end-to-end lines (aiortc's) carry a fingerprint: they must not count
WITH_E2E_LINES = WHEEL_WITHOUT_DTLS + ("m=audio 9 X-E2E/UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n" + FP)


def test_an_offer_without_fingerprint_means_no_dtls_srtp():
    available, detail = native_dtls_offered(WHEEL_WITHOUT_DTLS)
    assert not available
    assert "RTP/AVP without a DTLS fingerprint" in detail


def test_an_offer_with_fingerprint_means_dtls_srtp():
    assert native_dtls_offered(NATIVE_DTLS_ONLY) == (
        True,
        "pjsua offered UDP/TLS/RTP/SAVP with a DTLS fingerprint",
    )
    assert native_dtls_offered(NATIVE_SDES_AND_DTLS)[0]


def test_our_end_to_end_lines_do_not_count_and_nothing_is_assumed():
    assert not native_dtls_offered(WITH_E2E_LINES)[0]
    assert native_dtls_offered(HEAD) == (False, "pjsua offered no audio line to judge")


def _accounts():
    emitted: list = []
    return Accounts(SimpleNamespace(emit=emitted.append)), emitted


def test_accounts_learn_it_from_dtls_offers_only_and_say_so_once():
    accounts, emitted = _accounts()
    sdes_only = SimpleNamespace(keyings=("sdes",))
    dtls = SimpleNamespace(keyings=("sdes", "dtls"))
    accounts.note_dtls_offer(sdes_only, NATIVE_DTLS_ONLY)  # not asked for DTLS: no verdict
    assert accounts.dtls_srtp_available is None and emitted == []
    accounts.note_dtls_offer(dtls, WHEEL_WITHOUT_DTLS)
    accounts.note_dtls_offer(dtls, WHEEL_WITHOUT_DTLS)
    assert accounts.dtls_srtp_available is False
    assert [type(e) for e in emitted] == [ev.EngineDtlsSrtpWasDetected]
    assert not emitted[0].available and "without a DTLS fingerprint" in emitted[0].detail
    accounts.note_dtls_offer(dtls, NATIVE_SDES_AND_DTLS)
    assert accounts.dtls_srtp_available is True and emitted[-1].available
