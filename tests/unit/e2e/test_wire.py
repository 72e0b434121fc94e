"""The end-to-end SDP layout: our sections from aiortc's SDP, merging into pjsua's, reading
the peer's, pjmedia's validity rules. Pure string tests; the SDPs are shaped like what
aiortc 1.16 and pjsua 2.15 produce, with made-up keys."""

from __future__ import annotations

import pytest

from softphone.e2e import wire
from softphone.e2e.wire import WireError
from softphone.engine.sdp import parse_media_lines, plaintext_reason

FP256 = "sha-256 " + ":".join(["AB"] * 32)
AIORTC_OFFER = f"""v=0
o=- 3911 3911 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0 1
a=msid-semantic:WMS *
m=audio 50000 UDP/TLS/RTP/SAVPF 96 0
c=IN IP4 192.0.2.2
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=mid:0
a=msid:aaaa bbbb
a=rtcp:9 IN IP4 0.0.0.0
a=rtcp-mux
a=ssrc:1 cname:x
a=rtpmap:96 opus/48000/2
a=rtpmap:0 PCMU/8000
a=candidate:1 1 udp 2130706431 192.0.2.2 50000 typ host
a=candidate:2 1 tcp 1 192.0.2.2 9 typ host tcptype active
a=candidate:3 1 udp 1694498815 198.51.100.7 50000 typ srflx raddr 192.0.2.2 rport 50000
a=end-of-candidates
a=ice-ufrag:abcd
a=ice-pwd:0123456789abcdefghijkl
a=fingerprint:{FP256}
a=fingerprint:sha-384 {":".join(["CD"] * 48)}
a=setup:actpass
m=video 50000 UDP/TLS/RTP/SAVPF 97
c=IN IP4 192.0.2.2
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
a=mid:1
a=rtcp-mux
a=ssrc:2 cname:x
a=rtpmap:97 VP8/90000
a=rtcp-fb:97 nack
a=candidate:1 1 udp 2130706431 192.0.2.2 50000 typ host
a=ice-ufrag:abcd
a=ice-pwd:0123456789abcdefghijkl
a=fingerprint:{FP256}
a=setup:actpass
"""
PJSUA = """v=0
o=- 1 1 IN IP4 192.0.2.2
s=pjmedia
t=0 0
m=audio 4000 RTP/SAVP 0 8 120
c=IN IP4 192.0.2.2
a=sendrecv
a=rtpmap:120 telephone-event/16000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WnD7c1ksDGs+dIefCEo8omPg4uO8DYIinNGL5yxQ
m=audio 4002 RTP/SAVP 0 8 120
c=IN IP4 192.0.2.2
a=rtpmap:120 telephone-event/16000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:t0r0/apkukU7JjjfR0mY8GEimBq4OiPEm9eKSFOx
m=audio 4004 RTP/SAVP 0 8 120
c=IN IP4 192.0.2.2
a=rtpmap:120 telephone-event/16000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:t0r0/apkukU7JjjfR0mY8GEimBq4OiPEm9eKSFOx
"""
COMMIT = "C" * 43
HEAD = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n"


def offer() -> str:
    return wire.merge(PJSUA, wire.local_sections(AIORTC_OFFER, commit=COMMIT), (1, 2))


def test_local_sections_keep_only_what_aiortc_needs():
    sections = wire.local_sections(AIORTC_OFFER, commit=COMMIT)
    first, second = sections
    assert first[0] == "m=audio 50000 X-E2E/UDP/TLS/RTP/SAVPF 96 0"
    assert second[0] == "m=video 50000 X-E2E/UDP/TLS/RTP/SAVPF 97"
    text = "\n".join(first + second)
    for gone in ("a=msid", "a=ssrc", "a=rtcp:", "ssrc-audio-level", "sha-384", "tcptype", "srflx"):
        assert gone not in text
    assert wire.attrs(first, "fingerprint") == [FP256]
    assert wire.attr(first, "x-e2e-commit") == COMMIT
    # the transport attributes appear once, in the first section only
    assert wire.attr(second, "ice-ufrag") is None and not wire.attrs(second, "candidate")
    assert wire.attr(second, "mid") == "1"


def test_local_sections_need_exactly_one_of_commit_and_nonce():
    with pytest.raises(ValueError):
        wire.local_sections(AIORTC_OFFER)
    with pytest.raises(ValueError):
        wire.local_sections(AIORTC_OFFER, commit=COMMIT, nonce=COMMIT)
    answer = wire.local_sections(AIORTC_OFFER, nonce="N" * 43)
    assert wire.attr(answer[0], "x-e2e-nonce") == "N" * 43
    assert wire.attr(answer[0], "x-e2e-commit") is None


def test_merge_replaces_the_slots_keeps_m_line_0_and_adds_bundle():
    text = offer()
    sdp = wire.Sdp.parse(text)
    assert [wire.section_proto(s) for s in sdp.sections] == [
        "RTP/SAVP",
        wire.E2E_PROTO,
        wire.E2E_PROTO,
    ]
    assert "a=group:BUNDLE 0 1" in sdp.session
    assert "inline:WnD7" in text and "inline:t0r0" not in text  # pjsua's slot keys are gone
    assert wire.direction(sdp.sections[0]) == "sendrecv"
    assert len(text) < 1300


def test_merge_inactive_first_for_an_answer():
    sdp = wire.Sdp.parse(
        wire.merge(
            PJSUA, wire.local_sections(AIORTC_OFFER, nonce="N" * 43), (1, 2), inactive_first=True
        )
    )
    assert wire.direction(sdp.sections[0]) == "inactive"
    assert sum(line in ("a=sendrecv", "a=inactive") for line in sdp.sections[0]) == 1


def test_merge_refuses_bad_positions():
    ours = wire.local_sections(AIORTC_OFFER, commit=COMMIT)
    with pytest.raises(WireError):
        wire.merge(PJSUA, ours, (0, 1))  # m-line 0 is pjsua's
    with pytest.raises(WireError):
        wire.merge(PJSUA, ours, (1,))
    with pytest.raises(WireError):
        wire.merge(PJSUA, ours, (1, 5))
    appended = wire.merge(PJSUA.split("m=audio 4002")[0], ours, (1, 2))
    assert len(wire.Sdp.parse(appended).sections) == 3


def test_merged_sdp_passes_the_plaintext_checks():
    media = parse_media_lines(offer())
    assert [m.keying for m in media] == ["sdes", "dtls", "dtls"]  # video inherits via BUNDLE
    assert plaintext_reason(offer()) is None


def test_plain_m_line_0_is_still_caught_beside_e2e_lines():
    plain = offer().replace("RTP/SAVP 0 8 120", "RTP/AVP 0 8 120", 1)
    assert plaintext_reason(plain) is not None


def test_e2e_line_without_fingerprint_is_not_encrypted():
    stripped = "\r\n".join(
        line for line in offer().splitlines() if not line.startswith("a=fingerprint")
    )
    assert plaintext_reason(stripped) is not None


def test_peer_e2e_reads_and_restores_the_aiortc_form():
    peer = wire.peer_e2e(offer())
    assert peer.slots == (1, 2) and peer.accepted
    assert peer.fingerprint == bytes([0xAB] * 32)
    assert peer.commit == COMMIT and peer.nonce is None
    assert peer.kinds == ("audio", "video")
    restored = wire.Sdp.parse(peer.aiortc_sdp)
    assert len(restored.sections) == 2
    for section in restored.sections:
        assert wire.section_proto(section) == wire.AIORTC_PROTO
        assert wire.attr(section, "ice-ufrag") == "abcd"
        assert wire.attrs(section, "fingerprint") == [FP256]
        assert wire.attr(section, "x-e2e-commit") is None
    assert "a=group:BUNDLE 0 1" in restored.session


def test_peer_without_e2e_lines_and_rejected_lines():
    assert wire.peer_e2e(PJSUA) is None
    rejected = PJSUA.replace("m=audio 4002 RTP/SAVP", f"m=audio 0 {wire.E2E_PROTO}")
    peer = wire.peer_e2e(rejected)
    assert peer is not None and not peer.accepted and peer.fingerprint is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace(
                f"a=fingerprint:{FP256}", "a=fingerprint:sha-1 " + ":".join(["AB"] * 20)
            ),
            "sha-256",
        ),
        (
            lambda t: t.replace(
                f"a=fingerprint:{FP256}", f"a=fingerprint:{FP256}\r\na=fingerprint:{FP256}"
            ),
            "exactly one",
        ),
        (lambda t: t.replace("a=ice-ufrag:abcd\r\n", ""), "ice-ufrag"),
        (lambda t: t.replace("a=setup:actpass", "a=setup:holdconn"), "DTLS role"),
        (
            lambda t: "\r\n".join(x for x in t.splitlines() if not x.startswith("a=candidate")),
            "candidate",
        ),
        (lambda t: t.replace("a=mid:1\r\n", ""), "a=mid"),
        (lambda t: t.replace(FP256, "sha-256 " + ":".join(["AB"] * 31)), "fingerprint"),
    ],
)
def test_peer_e2e_refuses_incomplete_sections(change, message):
    with pytest.raises(WireError, match=message):
        wire.peer_e2e(change(offer()))


@pytest.mark.parametrize(
    ("sdp", "problem"),
    [
        ("v=0\r\ns=x\r\nt=0 0\r\nm=audio 1 RTP/SAVP 0\r\nc=IN IP4 1.2.3.4\r\n", "origin"),
        (
            HEAD + "m=audio 1 RTP/SAVP 96\r\nc=IN IP4 1.2.3.4\r\n",
            "rtpmap",
        ),
        (HEAD + "m=audio 1 RTP/SAVP 0\r\n", "connection"),
        (
            HEAD + "m=audio 1 RTP/SAVP 200\r\nc=IN IP4 1.2.3.4\r\n",
            "0-127",
        ),
        (
            HEAD + "m=audio 1 RTP/SAVP\r\nc=IN IP4 1.2.3.4\r\n",
            "format",
        ),
        (
            HEAD + "m=audio 1 RTP/SAVP 0\r\nc=IN IP9 1.2.3.4\r\n",
            "connection",
        ),
    ],
)
def test_pjmedia_problems_mirror_pjmedias_rules(sdp, problem):
    assert any(problem in p for p in wire.pjmedia_problems(sdp))


def test_pjmedia_accepts_port_0_lines_without_rtpmap():
    sdp = HEAD + "m=audio 0 X-E2E/UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    assert wire.pjmedia_problems(sdp) == []
    assert wire.pjmedia_problems(offer()) == []


def test_restrict_codecs_trims_formats_in_our_order():
    trimmed = wire.restrict_codecs(AIORTC_OFFER, {"audio": ("PCMU",), "video": ("VP8",)})
    sections = wire.Sdp.parse(trimmed).sections
    assert sections[0][0].endswith("UDP/TLS/RTP/SAVPF 0")
    assert not any("opus" in line for line in sections[0])
    both = wire.restrict_codecs(AIORTC_OFFER, {"audio": ("PCMU", "opus")})
    assert wire.Sdp.parse(both).sections[0][0].endswith("SAVPF 0 96")


def test_with_direction_and_non_e2e_part():
    section = ["m=audio 1 RTP/SAVP 0", "a=sendrecv", "a=rtpmap:0 PCMU/8000"]
    assert wire.direction(wire.with_direction(section, "sendonly")) == "sendonly"
    assert wire.with_direction(section, "sendonly").count("a=sendonly") == 1
    with pytest.raises(ValueError):
        wire.with_direction(section, "sideways")
    assert wire.E2E_PROTO not in wire.non_e2e_part(offer())
