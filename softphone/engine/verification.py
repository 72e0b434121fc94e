"""Reading back what pjsip actually did: SRTP state of a call's media, TLS verification.

Pure functions over values pjsua2 gives us (dump text, status bitmasks,
protocol numbers), so they are unit-tested without a call. Any thread.

pjsua2 exposes no SRTP state object for a call (MediaTransportInfo carries
only addresses); `Call.dump()` prints pjmedia's transport info, including
"SRTP status: Active Crypto-suite: ...", which is what the stream really uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# pjmedia_tp_proto values (pjmedia/transport.h); pjsua2 exports the same numbers.
_PROTO_NAMES = {
    32772: "RTP/AVP",
    40964: "RTP/AVPF",
    49156: "RTP/SAVP",
    57348: "RTP/SAVPF",
    49164: "UDP/TLS/RTP/SAVP",
    57356: "UDP/TLS/RTP/SAVPF",
}

# pj_ssl_cert_verify_flag_t (pj/ssl_sock.h) -> our kinds
_VERIFY_FLAGS = [
    (1 << 0, "untrusted_issuer"),  # EISSUER_NOT_FOUND
    (1 << 1, "untrusted_issuer"),  # EUNTRUSTED
    (1 << 2, "expired"),  # EVALIDITY_PERIOD (expired or not yet valid)
    (1 << 3, "invalid_format"),
    (1 << 4, "invalid_purpose"),
    (1 << 5, "issuer_mismatch"),
    (1 << 6, "crl_failure"),
    (1 << 7, "revoked"),
    (1 << 8, "chain_too_long"),
    (1 << 9, "weak_signature"),
    (1 << 30, "hostname_mismatch"),  # EIDENTITY_NOT_MATCH
    (1 << 31, "unknown"),
]


@dataclass(frozen=True)
class SrtpState:
    media_index: int
    active: bool
    suite: str | None


def proto_name(proto: int) -> str:
    return _PROTO_NAMES.get(proto, f"unknown({proto})")


def proto_is_secure(proto: int) -> bool:
    return "SAVP" in _PROTO_NAMES.get(proto, "")


_MEDIA_HEADER = re.compile(r"^\s*#(\d+)\s+(\w+)")
_SRTP_LINE = re.compile(r"SRTP status:\s*(Active|Not active)\s*Crypto-suite:\s*(\S*)")


def srtp_states_from_dump(dump: str) -> dict[int, SrtpState]:
    """Per media index, the SRTP state pjmedia reports in `Call.dump(True, ...)`.

    A media index with no SRTP line has no SRTP transport at all: not encrypted.
    """
    states: dict[int, SrtpState] = {}
    current: int | None = None
    for line in dump.splitlines():
        header = _MEDIA_HEADER.match(line)
        if header:
            current = int(header.group(1))
            states[current] = SrtpState(current, False, None)
            continue
        srtp = _SRTP_LINE.search(line)
        if srtp and current is not None:
            active = srtp.group(1) == "Active"
            states[current] = SrtpState(current, active, srtp.group(2) or None)
    return states


def verify_status_kinds(status: int, self_signed: bool = False) -> tuple[str, ...]:
    """Plain names for a pjsip certificate verification bitmask."""
    status &= 0xFFFFFFFF
    kinds: list[str] = []
    for flag, name in _VERIFY_FLAGS:
        if status & flag and name not in kinds:
            kinds.append(name)
    if self_signed and "untrusted_issuer" in kinds:
        kinds[kinds.index("untrusted_issuer")] = "self_signed"
    return tuple(kinds)


def tls_version_name(allowed: int, cipher: str) -> str:
    """The negotiated TLS version.

    pjsip's TlsInfo.protocol echoes the *configured* set, not what was
    negotiated, so the version is read off the cipher: TLS 1.3 suites are
    named TLS_AES_*/TLS_CHACHA20_*; anything else within a set whose minimum
    is 1.2 was TLS 1.2.
    """
    if cipher.startswith(("TLS_AES_", "TLS_CHACHA20_")):
        return "TLSv1.3"
    versions = [(1 << 2, "TLSv1"), (1 << 3, "TLSv1.1"), (1 << 4, "TLSv1.2")]
    lowest = next((name for bit, name in versions if allowed & bit), None)
    if lowest is None:  # only 1.3 allowed, yet not a 1.3 suite: report what pjsip says
        return f"unknown({allowed})"
    return "TLSv1.2" if lowest == "TLSv1.2" else f"{lowest} or later (up to TLSv1.2)"


def colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02X}" for b in digest)
