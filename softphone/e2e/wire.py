"""The SDP of an end-to-end call on the wire, and its translation to and from aiortc's.

Pure string functions, any thread.

Layout of an offer from this app (pjsua builds the first part, we append the rest):

    v=0 … (pjsua's session part)          + a=group:BUNDLE 0 1
    m=audio 4000 RTP/SAVP 0 8 101          pjsua's SDES line: m-line 0, always live
    a=crypto:…
    m=audio 50123 X-E2E/UDP/TLS/RTP/SAVPF 111 0     aiortc's audio, mid 0
    c=IN IP4 192.0.2.2
    a=mid:0, a=sendrecv, a=rtcp-mux, rtpmap…
    a=ice-ufrag/ice-pwd, a=candidate… (host), a=fingerprint:sha-256 …, a=setup:actpass
    a=x-e2e-commit:<base64url>             (answer: a=x-e2e-nonce:<base64url>)
    m=video 50123 X-E2E/UDP/TLS/RTP/SAVPF 97        aiortc's video, mid 1 (optional)
    a=mid:1, a=sendrecv, a=rtcp-mux, rtpmap VP8, rtcp-fb…

Why this shape (each point measured with this pjsua2 build, see the issue):
* pjmedia builds no stream for a transport it does not know, so the X-E2E lines
  cost it nothing (no ports, no packets), and an ordinary peer rejects them with port
  0 (RFC 3264) and answers m-line 0: an SDES call with no extra round trip.
* m-line 0 must stay pjsua's own and live: `audioCount = 0`, or m-line 0 at port 0,
  abort on pjsua assertions.
* Small: pjsua2 hands SDPs over 1024 bytes to callbacks as empty strings (so the
  peer's SDP is always read from the raw SIP message), and pjsip refuses SIP
  messages over 4000 bytes. So only what aiortc needs goes on the wire: the
  transport attributes (ICE credentials, host candidates, one sha-256 fingerprint,
  the DTLS role) once, in the first X-E2E section (the BUNDLE group shares them),
  no ssrc/msid lines, only the codecs we allow. `to_aiortc()` copies the transport
  attributes back into every section and restores the real transport name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from softphone.e2e.sas import SasError, parse_fingerprint

E2E_PROTO = "X-E2E/UDP/TLS/RTP/SAVPF"
AIORTC_PROTO = "UDP/TLS/RTP/SAVPF"
COMMIT_ATTR = "x-e2e-commit"
NONCE_ATTR = "x-e2e-nonce"
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
# Attributes of the shared ICE/DTLS transport: sent once, in the first E2E section.
_TRANSPORT_ATTRS = ("ice-ufrag", "ice-pwd", "ice-lite", "candidate", "end-of-candidates")
_TRANSPORT_ATTRS += ("fingerprint", "setup")
# Per-section attributes kept from aiortc's SDP; anything else (msid, ssrc, rtcp,
# extra header extensions) is left off the wire.
_MEDIA_ATTRS = ("mid", "rtcp-mux", "rtpmap", "fmtp", "rtcp-fb", *DIRECTIONS)
_KEEP_EXTMAP = "urn:ietf:params:rtp-hdrext:sdes:mid"


class WireError(ValueError):
    """The end-to-end part of an SDP is malformed or incomplete."""


# -- generic SDP splitting -----------------------------------------------------------


@dataclass
class Sdp:
    """An SDP as lines: the session part and one list of lines per m= section."""

    session: list[str]
    sections: list[list[str]]

    @classmethod
    def parse(cls, text: str) -> Sdp:
        session: list[str] = []
        sections: list[list[str]] = []
        for raw in text.replace("\r\n", "\n").split("\n"):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("m="):
                sections.append([line])
            elif sections:
                sections[-1].append(line)
            else:
                session.append(line)
        return cls(session, sections)

    def text(self) -> str:
        lines = list(self.session)
        for section in self.sections:
            lines += section
        return "\r\n".join(lines) + "\r\n"


def _m_parts(section: list[str]) -> list[str]:
    return section[0][2:].split()


def section_kind(section: list[str]) -> str:
    parts = _m_parts(section)
    return parts[0] if parts else ""


def section_port(section: list[str]) -> int:
    parts = _m_parts(section)
    digits = re.match(r"[0-9]+", parts[1]) if len(parts) > 1 else None
    return int(digits.group(0)) if digits else 0


def section_proto(section: list[str]) -> str:
    parts = _m_parts(section)
    return parts[2] if len(parts) > 2 else ""


def is_e2e(section: list[str]) -> bool:
    return section_proto(section) == E2E_PROTO


def attr(section: Iterable[str], name: str) -> str | None:
    """The value of the first `a=name:value` (or "" for a flag `a=name`)."""
    for line in section:
        if line == f"a={name}":
            return ""
        if line.startswith(f"a={name}:"):
            return line[len(name) + 3 :]
    return None


def attrs(section: Iterable[str], name: str) -> list[str]:
    return [line[len(name) + 3 :] for line in section if line.startswith(f"a={name}:")]


def _attr_name(line: str) -> str:
    return line[2:].split(":", 1)[0] if line.startswith("a=") else ""


def direction(section: list[str], default: str = "sendrecv") -> str:
    return next((line[2:] for line in section if line[2:] in DIRECTIONS), default)


def with_direction(section: list[str], value: str) -> list[str]:
    """The section with its direction attribute set to `value` (added if absent)."""
    if value not in DIRECTIONS:
        raise ValueError(f"not an SDP direction: {value}")
    out = [line for line in section if line[2:] not in DIRECTIONS or not line.startswith("a=")]
    return [*out, f"a={value}"]


# -- our sections, from aiortc's local description --------------------------------


def local_sections(
    aiortc_sdp: str,
    *,
    commit: str | None = None,
    nonce: str | None = None,
) -> list[list[str]]:
    """Our X-E2E sections for the wire, from aiortc's local SDP (offer or answer).

    Exactly one of `commit` (offer) and `nonce` (answer) is given; it goes into the
    first section, with the shared transport attributes.
    """
    if (commit is None) == (nonce is None):
        raise ValueError("an offer carries a commitment, an answer a nonce: exactly one")
    parsed = Sdp.parse(aiortc_sdp)
    if not parsed.sections:
        raise WireError("aiortc produced no media section")
    transport = _transport_lines(parsed.sections[0])
    out: list[list[str]] = []
    for index, section in enumerate(parsed.sections):
        if section_proto(section) != AIORTC_PROTO:
            raise WireError(f"aiortc section {index} uses {section_proto(section)}")
        parts = _m_parts(section)
        lines = [" ".join(["m=" + parts[0], parts[1], E2E_PROTO, *parts[3:]])]
        lines += [line for line in section[1:] if line.startswith("c=")]
        lines += [line for line in section[1:] if _keep_media_line(line)]
        if index == 0 and section_port(section) != 0:
            lines += transport
            lines.append(f"a={COMMIT_ATTR}:{commit}" if commit else f"a={NONCE_ATTR}:{nonce}")
        out.append(lines)
    if section_port(parsed.sections[0]) == 0:
        raise WireError("aiortc rejected the first end-to-end section")
    return out


def _keep_media_line(line: str) -> bool:
    name = _attr_name(line)
    if name == "extmap":
        return line.endswith(" " + _KEEP_EXTMAP)
    return name in _MEDIA_ATTRS


def _transport_lines(section: list[str]) -> list[str]:
    lines = []
    for line in section[1:]:
        name = _attr_name(line)
        if name == "fingerprint":
            # one fingerprint, sha-256: aiortc checks every supported one it is given,
            # and the SAS is defined over the sha-256 digest
            if line[len("a=fingerprint:") :].lower().startswith("sha-256 "):
                lines.append(line)
        elif name == "candidate":
            if " udp " in line.lower() and " typ host" in line:
                lines.append(line)
        elif name in _TRANSPORT_ATTRS:
            lines.append(line)
    return lines


def bundle_line(sections: list[list[str]]) -> str:
    mids = [attr(s, "mid") for s in sections if section_port(s) != 0]
    return "a=group:BUNDLE " + " ".join(m for m in mids if m)


# -- merging into pjsua's SDP --------------------------------------------------------


def merge(
    pjsua_sdp: str,
    ours: list[list[str]],
    slots: tuple[int, ...],
    *,
    inactive_first: bool = False,
) -> str:
    """pjsua's SDP with our sections at the end-to-end positions `slots`.

    What pjsua writes at those positions varies and is always replaced: in our
    first offer, audio lines of its own (the call was made with one extra audio
    slot per end-to-end section, or pjsua aborts on an assertion when the answer
    comes); in later offers, port-0 placeholders or fresh lines; in an answer,
    rejected copies of the peer's X-E2E lines. The m-line count and order never
    change within a dialog (RFC 3264). `inactive_first`: mark pjsua's SDES line
    a=inactive (an answer between two of our apps, where aiortc carries the media).
    """
    sdp = Sdp.parse(pjsua_sdp)
    if not sdp.sections:
        raise WireError("pjsua's SDP has no media section")
    if len(slots) != len(ours):
        raise WireError(f"{len(slots)} end-to-end positions for {len(ours)} sections")
    if 0 in slots:
        raise WireError("m-line 0 is pjsua's SDES line, never an end-to-end one")
    for slot, section in zip(slots, ours, strict=True):
        if slot < len(sdp.sections):
            sdp.sections[slot] = section
        elif slot == len(sdp.sections):
            sdp.sections.append(section)
        else:
            raise WireError(f"end-to-end position {slot} is past pjsua's m-lines")
    if inactive_first:
        sdp.sections[0] = with_direction(sdp.sections[0], "inactive")
    sdp.session = [line for line in sdp.session if not line.startswith("a=group:")]
    if any(section_port(s) for s in ours):
        sdp.session.append(bundle_line(ours))
    text = sdp.text()
    problems = pjmedia_problems(text)
    if problems:
        raise WireError("the SDP would be refused by pjmedia: " + "; ".join(problems))
    return text


def pjmedia_problems(text: str) -> list[str]:
    """What pjmedia's SDP validation would refuse (`pjmedia_sdp_validate`, strict).

    pjsua asserts (aborting the process) on an invalid local SDP it is handed, so
    every SDP we build is checked here first, with pjmedia's own rules.
    """
    sdp = Sdp.parse(text)
    problems = []
    origin = next((line[2:].split() for line in sdp.session if line.startswith("o=")), None)
    if not origin or len(origin) < 6 or origin[3] != "IN" or origin[4] not in ("IP4", "IP6"):
        problems.append("no valid origin line")
    if not any(line.startswith("s=") and line[2:] for line in sdp.session):
        problems.append("no session name")
    session_c = [line for line in sdp.session if line.startswith("c=")]
    problems += [f"bad session connection {c}" for c in session_c if not _conn_ok(c)]
    for index, section in enumerate(sdp.sections):
        parts = _m_parts(section)
        port = section_port(section)
        if len(parts) < 3:
            problems.append(f"m-line {index} lacks media or transport")
            continue
        if len(parts) < 4 and port != 0:
            problems.append(f"m-line {index} has no format")
        conns = [line for line in section if line.startswith("c=")]
        problems += [f"m-line {index}: bad connection {c}" for c in conns if not _conn_ok(c)]
        if not conns and not session_c:
            problems.append(f"m-line {index} has no connection line")
        mapped = {v.split()[0] for v in attrs(section, "rtpmap") if v.split()}
        for pt in parts[3:]:
            if not pt[:1].isdigit():
                continue
            if not pt.isdigit() or int(pt) > 127:
                problems.append(f"m-line {index}: payload type {pt} is not 0-127")
            elif port != 0 and int(pt) >= 96 and pt not in mapped:
                problems.append(f"m-line {index}: dynamic payload type {pt} has no rtpmap")
    return problems


def _conn_ok(line: str) -> bool:
    parts = line[2:].split()
    return len(parts) == 3 and parts[0] == "IN" and parts[1] in ("IP4", "IP6") and bool(parts[2])


def first_direction(pjsua_sdp: str) -> str:
    """The direction pjsua chose for its SDES line (hold: sendonly, …)."""
    sdp = Sdp.parse(pjsua_sdp)
    return direction(sdp.sections[0]) if sdp.sections else "sendrecv"


def non_e2e_part(sdp_text: str) -> str:
    """The SDP without its X-E2E sections: what the SDES plaintext checks judge."""
    sdp = Sdp.parse(sdp_text)
    sdp.sections = [s for s in sdp.sections if not is_e2e(s)]
    return sdp.text()


# -- the peer's sections -----------------------------------------------------------


@dataclass(frozen=True)
class PeerE2e:
    """The end-to-end part of the peer's SDP, checked and ready for aiortc."""

    slots: tuple[int, ...]  # positions of the X-E2E sections among all m-lines
    accepted: bool  # at least the first one has a port (an answer may reject them)
    fingerprint: bytes | None  # sha-256 digest of the peer's DTLS certificate
    commit: str | None  # the offer's commitment (base64url)
    nonce: str | None  # the answer's nonce (base64url)
    ice_ufrag: str | None
    directions: tuple[str, ...]
    kinds: tuple[str, ...]
    aiortc_sdp: str = field(repr=False, default="")

    @property
    def direction(self) -> str:
        return self.directions[0] if self.directions else "inactive"


def peer_e2e(sdp_text: str) -> PeerE2e | None:
    """The X-E2E part of a peer's SDP; None if it has none.

    Raises `WireError` for X-E2E sections that are accepted but incomplete
    (no sha-256 fingerprint, no ICE credentials, no candidate, no DTLS role).
    """
    sdp = Sdp.parse(sdp_text)
    slots = [i for i, s in enumerate(sdp.sections) if is_e2e(s)]
    if not slots:
        return None
    sections = [sdp.sections[i] for i in slots]
    first = sections[0]
    accepted = section_port(first) != 0
    kinds = tuple(section_kind(s) for s in sections)
    directions = tuple(direction(s) for s in sections)
    if not accepted:
        return PeerE2e(tuple(slots), False, None, None, None, None, directions, kinds)
    fingerprints = [f for f in attrs(first, "fingerprint") if f.lower().startswith("sha-256 ")]
    if len(fingerprints) != 1:
        raise WireError("the end-to-end section must carry exactly one sha-256 fingerprint")
    try:
        fingerprint = parse_fingerprint(fingerprints[0])
    except SasError as e:
        raise WireError(str(e)) from None
    for name in ("ice-ufrag", "ice-pwd", "setup"):
        if not attr(first, name):
            raise WireError(f"the end-to-end section lacks a={name}")
    if not attrs(first, "candidate"):
        raise WireError("the end-to-end section has no ICE candidate")
    if attr(first, "setup") not in ("actpass", "active", "passive"):
        raise WireError(f"a=setup:{attr(first, 'setup')} is not a DTLS role")
    if any(attr(s, "mid") is None for s in sections if section_port(s) != 0):
        raise WireError("every end-to-end section needs a=mid")
    return PeerE2e(
        slots=tuple(slots),
        accepted=True,
        fingerprint=fingerprint,
        commit=attr(first, COMMIT_ATTR),
        nonce=attr(first, NONCE_ATTR),
        ice_ufrag=attr(first, "ice-ufrag"),
        directions=directions,
        kinds=kinds,
        aiortc_sdp=_to_aiortc(sections),
    )


_STATIC_PT_NAMES = {"0": "pcmu", "8": "pcma", "9": "g722"}


def restrict_codecs(sdp_text: str, allowed: dict[str, tuple[str, ...]]) -> str:
    """The SDP with each section's formats cut down to the codecs `allowed` for its kind
    ({"audio": ("opus", "PCMU"), ...}, by encoding name), in the order given there.

    aiortc applies codec preferences only to transceivers that exist before the offer
    arrives; an answerer's are created by the offer, so the offer is trimmed instead.
    A section left with no format keeps its first one (the answer then fails cleanly
    in aiortc, rather than producing an m-line pjmedia would refuse).
    """
    sdp = Sdp.parse(sdp_text)
    for index, section in enumerate(sdp.sections):
        names = tuple(n.lower() for n in allowed.get(section_kind(section), ()))
        if not names:
            continue
        parts = _m_parts(section)
        names_by_pt = dict(_STATIC_PT_NAMES)
        names_by_pt.update(
            (v.split()[0], v.split()[1].split("/")[0].lower())
            for v in attrs(section, "rtpmap")
            if len(v.split()) > 1
        )
        ranked = [pt for pt in parts[3:] if names_by_pt.get(pt, "") in names]
        ranked.sort(key=lambda pt: names.index(names_by_pt[pt]))
        kept = ranked or parts[3:4]
        dropped = set(parts[3:]) - set(kept)
        body = [
            line
            for line in section[1:]
            if not (
                _attr_name(line) in ("rtpmap", "fmtp", "rtcp-fb")
                and line.split(":", 1)[1].split()[0] in dropped
            )
        ]
        sdp.sections[index] = [" ".join(["m=" + parts[0], *parts[1:3], *kept]), *body]
    return sdp.text()


def _to_aiortc(sections: list[list[str]]) -> str:
    transport = _transport_lines(sections[0])
    lines = ["v=0", "o=- 0 0 IN IP4 0.0.0.0", "s=-", "t=0 0"]
    live = [s for s in sections if section_port(s) != 0]
    lines.append("a=group:BUNDLE " + " ".join(attr(s, "mid") or "" for s in live))
    for section in sections:
        parts = _m_parts(section)
        lines.append(" ".join(["m=" + parts[0], parts[1], AIORTC_PROTO, *parts[3:]]))
        body = [line for line in section[1:] if _attr_name(line) not in (COMMIT_ATTR, NONCE_ATTR)]
        body = [line for line in body if _attr_name(line) not in _TRANSPORT_ATTRS]
        lines += body + transport  # aiortc wants ICE credentials in every section
    return "\r\n".join(lines) + "\r\n"
