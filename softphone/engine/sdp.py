"""Reading just enough SDP to judge whether media would be encrypted.

Pure functions, any thread. Used on offers we receive (initial and re-INVITE)
and on SDP we are about to send, so that no path yields plaintext media when
the profile requires SRTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECURE_PROFILES = {"RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF"}
# The end-to-end lines of this app (softphone.e2e.wire): DTLS-SRTP under a name pjmedia
# does not know, so it builds no stream for them.
E2E_PROFILE = "X-E2E/UDP/TLS/RTP/SAVPF"
SECURE_PROFILES.add(E2E_PROFILE)


@dataclass(frozen=True)
class MediaLine:
    kind: str  # "audio", "video", ...
    port: int
    profile: str
    has_crypto: bool  # SDES a=crypto present
    has_fingerprint: bool  # DTLS a=fingerprint (media or session level)
    direction: str  # sendrecv, sendonly, recvonly, inactive

    @property
    def keying(self) -> str:
        if self.profile.startswith(("UDP/TLS/", "X-E2E/UDP/TLS/")) and self.has_fingerprint:
            return "dtls"
        if self.profile in SECURE_PROFILES and self.has_crypto:
            return "sdes"
        return "none"

    @property
    def encrypted(self) -> bool:
        return self.port == 0 or self.keying != "none"


_DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


def parse_media_lines(sdp: str) -> list[MediaLine]:
    """The m= sections of an SDP body, in order.

    A section in a BUNDLE group shares the group's transport, so a fingerprint in
    any section of the group counts for all of them (RFC 9143: the transport
    attributes may appear only once).
    """
    session_fp = False
    session_dir = "sendrecv"  # RFC 4566 6: a session-level direction applies to every section
    groups: list[set[str]] = []
    sections: list[list[str]] = []
    for raw in sdp.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        elif line.startswith("a=fingerprint:"):
            session_fp = True
        elif line.startswith("a=group:BUNDLE"):
            groups.append(set(line.split()[1:]))
        elif line[2:] in _DIRECTIONS and line.startswith("a="):
            session_dir = line[2:]
    mids = [next((a[6:] for a in s if a.startswith("a=mid:")), None) for s in sections]
    with_fp = {m for m, s in zip(mids, sections, strict=True) if _has_fp(s)}
    bundled_fp = set().union(*(g for g in groups if g & with_fp))
    return [
        _media_line(s, session_fp or (mid is not None and mid in bundled_fp), session_dir)
        for s, mid in zip(sections, mids, strict=True)
    ]


def _has_fp(section: list[str]) -> bool:
    return any(a.startswith("a=fingerprint:") for a in section)


def _media_line(lines: list[str], session_fp: bool, session_dir: str) -> MediaLine:
    parts = lines[0][2:].split()
    kind = parts[0] if parts else ""
    # like pjsip's pj_strtoul: the leading digits, whatever follows them
    digits = re.match(r"[0-9]+", parts[1]) if len(parts) > 1 else None
    port = int(digits.group(0)) if digits else 0
    profile = parts[2] if len(parts) > 2 else ""
    attrs = lines[1:]
    direction = next((a[2:] for a in attrs if a[2:] in _DIRECTIONS), session_dir)
    return MediaLine(
        kind=kind,
        port=port,
        profile=profile,
        has_crypto=any(a.startswith("a=crypto:") for a in attrs),
        has_fingerprint=session_fp or any(a.startswith("a=fingerprint:") for a in attrs),
        direction=direction,
    )


def audio_lines(sdp: str) -> list[MediaLine]:
    return [m for m in parse_media_lines(sdp) if m.kind == "audio"]


def plaintext_reason(sdp: str, optional_srtp_ok: bool = False) -> str | None:
    """Why this SDP would carry unencrypted audio, or None if every live audio line is secure.

    `optional_srtp_ok`: accept "RTP/AVP with a=crypto", the way pjsua and
    others offer SRTP when it is optional (SRTP runs if the answer keeps the
    keys). An SRTP-mandatory account refuses that form, as pjsip does.
    """
    lines = audio_lines(sdp)
    weak = [m for m in lines if not m.encrypted]
    if optional_srtp_ok:
        weak = [m for m in weak if not m.has_crypto]
    if not weak:
        return None
    m = weak[0]
    if m.profile not in SECURE_PROFILES and m.has_crypto:
        return (
            f"SRTP offered only as optional ({m.profile} with a=crypto); "
            "this account requires RTP/SAVP"
        )
    if m.profile not in SECURE_PROFILES:
        return f"audio offered as plain {m.profile or 'RTP'} (no SRTP)"
    return f"audio uses {m.profile} without keys (no a=crypto or a=fingerprint)"


def sdp_from_sip_message(message: str) -> str:
    """The body of a raw SIP message (pjsua2 hands large SDPs to callbacks as '')."""
    text = message.replace("\r\n", "\n")
    _head, sep, body = text.partition("\n\n")
    return body if sep else ""


def suite_strength(suite: str | None) -> int:
    """Rank SRTP suites so a re-offer can be checked for weakening (higher is stronger)."""
    if not suite:
        return 0
    s = suite.upper()
    if s.startswith("NULL") or "NULL_CIPHER" in s:
        return 0  # authentication only: no encryption at all
    if "GCM" in s:
        return 4 if "256" in s else 3
    if "256" in s or "192" in s:
        return 3 if s.endswith("_80") else 2
    if s.endswith("_80"):
        return 2
    return 1


def offered_suites(sdp: str, kind: str = "audio") -> list[str]:
    """SDES suites named in the a=crypto lines of `kind` sections (never the keys)."""
    suites: list[str] = []
    current = None
    for raw in sdp.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("m="):
            current = line[2:].split(" ", 1)[0]
        elif current == kind and line.startswith("a=crypto:"):
            found = re.match(r"a=crypto:\d+\s+(\S+)", line)
            if found:
                suites.append(found.group(1))
    return suites


def native_dtls_offered(sdp: str) -> tuple[bool, str]:
    """Did pjmedia really offer DTLS-SRTP in an SDP it built for an account asking for
    DTLS keying? (available, what it offered), judged on pjmedia's own audio line only
    (this app's X-E2E lines, built by aiortc, do not count).

    A pjsua2 built without DTLS-SRTP accepts the DTLS keying option and silently
    offers RTP/AVP without a fingerprint; one built with it puts an `a=fingerprint` on
    the line (UDP/TLS/RTP/SAVP when DTLS is the only keying, RTP/SAVP beside
    `a=crypto` when SDES is offered too). Only what is in the SDP counts.
    """
    ours = [m for m in parse_media_lines(sdp) if m.kind == "audio" and m.profile != E2E_PROFILE]
    live = [m for m in ours if m.port != 0]
    if not live:
        return False, "pjsua offered no audio line to judge"
    line = live[0]
    if line.has_fingerprint and line.profile in SECURE_PROFILES:
        return True, f"pjsua offered {line.profile} with a DTLS fingerprint"
    return False, f"pjsua offered {line.profile} without a DTLS fingerprint (no DTLS-SRTP)"
