"""The state of one end-to-end call, as the engine thread keeps it.

Engine thread only (held by `calls.CallEntry.e2e`, changed by `e2e_calls` and
`e2e_verification`). Values only: no pjsua2 or aiortc calls here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from softphone.e2e import sas, wire
from softphone.e2e.bridge import AudioBridge
from softphone.policy.end_to_end import E2eMode, PeerE2eFacts

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity
    from softphone.e2e.media import Connected, E2eSession
    from softphone.engine.pjobjects import PjE2ePort


class E2eState(enum.StrEnum):
    PREPARING = "preparing"  # offerer: aiortc builds the offer, no INVITE yet
    OFFERED = "offered"  # offerer: INVITE out, waiting for the answer
    RINGING = "ringing"  # answerer: offer checked, user not answered yet
    ANSWERING = "answering"  # answerer: aiortc builds the answer
    NEGOTIATED = "negotiated"  # both SDPs known, ICE/DTLS under way
    CONNECTED = "connected"  # DTLS-SRTP up, fingerprint checked
    SDES = "sdes"  # the peer answered without end-to-end lines: an SDES call
    ENDED = "ended"


@dataclass(eq=False)
class E2eCall:
    role: str  # "offerer" or "answerer"
    mode: E2eMode
    facts: PeerE2eFacts
    peer: str  # user@host
    bridge: AudioBridge
    identity: DtlsIdentity
    state: E2eState = E2eState.PREPARING
    session: E2eSession | None = None
    sections: list[list[str]] | None = None  # ours, as sent
    slots: tuple[int, ...] = ()
    offerer: sas.Offerer | None = None
    answerer: sas.Answerer | None = None
    remote: wire.PeerE2e | None = None
    pjsua_answer: str | None = field(default=None, repr=False)
    connected: Connected | None = None
    sas: str | None = None
    sas_shown: bool = False
    identity_status: str = "new"
    verified: bool = False
    reveal_sent: bool = False
    media_deferred: bool = False
    remote_hold: bool = False
    port: PjE2ePort | None = None
    deadline: float | None = None
    reveal_deadline: float | None = None
    video_frames: int = 0
    reoffer: wire.PeerE2e | None = None  # a re-offer being answered

    @property
    def audio_count(self) -> int:
        """pjsua's CallSetting.audioCount: one slot per end-to-end line (offerer), or
        pjsua aborts on `med_prov_cnt >= media_count` when the answer arrives."""
        return 1 + len(self.slots) if self.role == "offerer" else 1

    @property
    def owns_media(self) -> bool:
        return self.state not in (E2eState.SDES,)


def colon(digest: bytes | None) -> str:
    return sas.format_fingerprint(digest) if digest else ""
