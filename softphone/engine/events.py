"""Events the engine emits: immutable values, safe to hand to any thread.

Built on the engine thread inside pjsua2 callbacks and delivered to listeners
(the CLI's queue, the UI's EngineBridge). Names read as sentences, past tense
for what happened (`CallDidEnd`), as in python-sipsimple.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from softphone.policy.end_to_end import call_label


def _now() -> float:
    return time.monotonic()


class RegistrationState(StrEnum):
    REGISTERING = "registering"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    FAILED = "failed"


class CallState(StrEnum):
    CALLING = "calling"
    INCOMING = "incoming"
    EARLY = "early"
    CONNECTING = "connecting"
    CONFIRMED = "confirmed"
    DISCONNECTED = "disconnected"


class Direction(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


# Codes beside the English `reason` strings: what a user interface translates (it
# keeps server-provided SIP reason phrases, certificate subjects and fingerprints as
# they are). Every code is optional on its event, so events built without one still
# work; the English `reason` is unchanged for the logs and the CLI.


class RegistrationFailure(StrEnum):
    """Why a registration failed (`AccountRegistrationDidChange.failure`)."""

    CERTIFICATE = "certificate"  # the server's certificate was refused: see `certificate`
    TLS_VERIFICATION = "tls_verification"  # TLS verification failed, no details known
    CREDENTIALS = "credentials"  # 401, 403, 407: wrong user name or password
    UNREACHABLE = "unreachable"  # no answer, 408, 502, 503
    SERVER = "server"  # any other answer: `sip_reason` says it


class EndCause(StrEnum):
    """Why the engine itself ended or refused a call (`CallDidEnd.cause`,
    `CallSecurityDidFail.cause`); None there: the SIP code and reason say it."""

    NOT_SENT = "not_sent"  # the INVITE could not be sent (pjsip's error in `reason`)
    CANCELLED_UNSENT = "cancelled_unsent"  # hung up before the call was placed
    WRONG_TRANSPORT = "wrong_transport"  # arrived over another transport than the account's
    PEER_PLAINTEXT = "peer_plaintext"  # the caller offered unencrypted media
    MEDIA_NOT_ENCRYPTED = "media_not_encrypted"  # the negotiated media is not SRTP
    LOCAL_PLAINTEXT = "local_plaintext"  # this engine would have sent an unencrypted offer
    E2E_REQUIRED = "e2e_required"  # end to end required, and this call cannot be
    E2E_SETUP_FAILED = "e2e_setup_failed"  # the end-to-end media could not be set up
    E2E_TIMEOUT = "e2e_timeout"  # the end-to-end media did not connect in time
    E2E_PEER_CERTIFICATE = "e2e_peer_certificate"  # DTLS certificate not the SDP's
    SAS_MISMATCH = "sas_mismatch"  # the users' short codes differed
    E2E_COMMITMENT_FAILED = "e2e_commitment_failed"  # the SAS commitment did not hold


SECURITY_CAUSES = frozenset(EndCause) - {EndCause.NOT_SENT, EndCause.CANCELLED_UNSENT}


class VerificationReason(StrEnum):
    """`CallVerificationDidChange.code`."""

    USERS_CONFIRMED = "users_confirmed"
    KNOWN_CERTIFICATE = "known_certificate"  # verified on an earlier call
    NO_SAS = "no_sas"  # the caller never revealed its nonce: cannot be verified
    SAS_MISMATCH = "sas_mismatch"
    COMMITMENT_FAILED = "commitment_failed"  # or the reveal was malformed


@dataclass(frozen=True)
class CertificateProblem:
    """Why a TLS peer's certificate was refused, in words a user can act on."""

    host: str
    port: int
    kinds: tuple[str, ...]  # e.g. ("expired",), ("hostname_mismatch",), ("untrusted_issuer",)
    details: tuple[str, ...]  # pjsip's own verification messages
    subject: str
    issuer: str
    sha256: str
    not_after: str

    @property
    def message(self) -> str:
        what = ", ".join(k.replace("_", " ") for k in self.kinds) or "verification failed"
        return (
            f"TLS certificate of {self.host}:{self.port} refused ({what}): "
            f"subject {self.subject or '?'}, issuer {self.issuer or '?'}, "
            f"valid until {self.not_after or '?'}, SHA-256 {self.sha256 or '?'}"
        )


@dataclass(frozen=True)
class SignallingSecurity:
    transport: str  # "tls", "tcp", "udp"
    tls_version: str | None = None
    cipher: str | None = None
    peer_subject: str | None = None
    peer_sha256: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.transport == "tls"


@dataclass(frozen=True)
class MediaSecurity:
    """What the media transport of a call actually does, read back from what carries it:
    pjmedia's SRTP state for SDES calls, aiortc's DTLS transport for end-to-end ones."""

    encrypted: bool
    profile: str  # SDP transport, e.g. "RTP/SAVP"
    suite: str | None = None  # e.g. "AES_CM_128_HMAC_SHA1_80"
    keying: str = "none"  # "sdes", "dtls" or "none"
    # True only for DTLS-SRTP keys agreed between the two apps, with the peer's
    # certificate checked against the fingerprint in its SDP. SDES keys travel
    # through every proxy: hop by hop only.
    end_to_end: bool = False
    plaintext_allowed: bool = False  # the profile's administrator allowed unencrypted media
    # end to end, and the users confirmed the short authentication string (or the peer
    # presented the certificate verified on an earlier call)
    verified: bool = False
    peer_fingerprint: str | None = None  # end to end: SHA-256 of the peer's certificate

    @property
    def label(self) -> str:
        """The words the UI shows for the call, exactly (policy.end_to_end)."""
        return call_label(self.encrypted, self.end_to_end, self.verified)

    @property
    def summary(self) -> str:
        if not self.encrypted:
            return "UNENCRYPTED media" + (" (allowed by profile)" if self.plaintext_allowed else "")
        scope = "end to end" if self.end_to_end else "hop by hop"
        return f"SRTP {self.suite} ({self.keying.upper()} keying, {scope}): {self.label}"


@dataclass(frozen=True)
class MediaStats:
    rx_packets: int
    tx_packets: int
    rx_lost: int
    rx_loss_pct: float
    jitter_ms: float
    rtt_ms: float | None
    codec: str
    clock_rate: int
    # 20 ms frames played from packet-loss concealment (end-to-end calls; None where
    # pjmedia's stream conceals on its own and does not say)
    concealed_frames: int | None = None


@dataclass(frozen=True)
class Event:
    at: float = field(default_factory=_now, kw_only=True, compare=False)


# ---------------------------------------------------------------- engine


@dataclass(frozen=True)
class EngineDidStart(Event):
    pjsip_version: str
    capabilities: tuple[str, ...]


@dataclass(frozen=True)
class EngineDtlsSrtpWasDetected(Event):
    """Whether this pjsua2 really offers DTLS-SRTP of its own, learnt from the first
    offer it built with DTLS keying (`softphone doctor` makes one); `detail` says what
    the offer carried. End-to-end calls do not depend on it (they use aiortc)."""

    available: bool
    detail: str


@dataclass(frozen=True)
class EngineDidStop(Event):
    pass


@dataclass(frozen=True)
class CommandDidFail(Event):
    command: str
    error: str
    call_id: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class TransportDidFailVerification(Event):
    problem: CertificateProblem


# -------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountRegistrationDidChange(Event):
    account_id: str
    state: RegistrationState
    code: int
    reason: str
    expires: int = 0
    certificate: CertificateProblem | None = None
    signalling: SignallingSecurity | None = None
    failure: RegistrationFailure | None = None  # state FAILED: why, as a code
    sip_reason: str = ""  # the reason phrase as the server (or pjsip) gave it


# ----------------------------------------------------------------- calls


@dataclass(frozen=True)
class CallDidStart(Event):
    call_id: str
    account_id: str
    remote_uri: str
    direction: Direction


@dataclass(frozen=True)
class CallDidArrive(Event):
    """An incoming call rings; `waiting` is True when another call is already up."""

    call_id: str
    account_id: str
    remote_uri: str
    remote_display: str
    waiting: bool


@dataclass(frozen=True)
class IncomingCallWasRefused(Event):
    """An INVITE refused before it could ring (e.g. 488: no SRTP offered; 603 or 480:
    the inbound policy, then `by_policy` is True)."""

    remote_uri: str
    code: int
    reason: str
    by_policy: bool = False
    caller: str | None = None  # by_policy: the caller as the policy read it (+E.164, user@host)
    reason_code: str | None = None  # by_policy: the decision's `policy.decision.Reason`


@dataclass(frozen=True)
class CallDialWasRefused(Event):
    """The dial policy refused a target; no request was sent for it.

    `path`: "call" (MakeCall), "transfer" (our blind transfer), "refer" (the far end's
    REFER, also reported by CallTransferWasRequested) or "redirect" (a 3xx target).
    `verdict`: "denied", or "needs_pin" when a PIN authorization was missing."""

    call_id: str
    target: str
    path: str
    verdict: str
    reason: str
    number_class: str | None
    code: str | None = None  # the decision's `policy.decision.Reason`
    args: tuple[tuple[str, str], ...] = ()  # the decision's `args`


@dataclass(frozen=True)
class CallStateDidChange(Event):
    call_id: str
    state: CallState
    code: int
    reason: str
    media: MediaSecurity | None = None


@dataclass(frozen=True)
class CallMediaDidChange(Event):
    call_id: str
    media: MediaSecurity
    codec: str
    clock_rate: int
    local_hold: bool
    remote_hold: bool
    signalling: SignallingSecurity | None = None


@dataclass(frozen=True)
class CallSecurityDidFail(Event):
    """The call was (or is being) ended because its media would not be protected."""

    call_id: str
    reason: str
    cause: EndCause | None = None


@dataclass(frozen=True)
class CallOfferWasRefused(Event):
    """A re-INVITE/UPDATE that would drop or weaken encryption was refused (488)."""

    call_id: str
    reason: str


@dataclass(frozen=True)
class CallDidEnd(Event):
    call_id: str
    code: int
    reason: str
    duration: float
    media: MediaSecurity | None = None
    security_failure: str | None = None
    first_rtp_ms: float | None = None
    setup_ms: float | None = None
    cause: EndCause | None = None  # ended by the engine itself: why, as a code


@dataclass(frozen=True)
class CallSasDidBecomeReady(Event):
    """An end-to-end call's short authentication string, for the users to read to each
    other. Both sides show the same four characters unless someone is in the middle.

    `identity`: "new" (this peer's certificate was never verified), "known" (it was:
    the call is verified already) or "changed" (it was verified with another
    certificate: see CallPeerIdentityDidChange)."""

    call_id: str
    sas: str
    peer: str  # the peer's address, user@host
    peer_fingerprint: str
    identity: str


@dataclass(frozen=True)
class CallPeerIdentityDidChange(Event):
    """LOUD: this peer was verified before with another certificate. Until the users
    compare the SAS again, someone else may be answering for them."""

    call_id: str
    peer: str
    verified_fingerprint: str
    fingerprint: str


@dataclass(frozen=True)
class CallVerificationDidChange(Event):
    """The users confirmed the SAS (or the peer's known certificate did), or it failed.

    `mismatch`: the users' strings differed, or the commitment did not hold — proof
    of interference; the call is ended and the reason kept. verified False without
    mismatch: the call cannot be verified (no SAS), and stays "not verified"."""

    call_id: str
    peer: str
    peer_fingerprint: str
    verified: bool
    reason: str
    mismatch: bool = False
    code: VerificationReason | None = None


@dataclass(frozen=True)
class CallVideoDidArrive(Event):
    """Video frames from the peer of an end-to-end call (first frame, then once a second)."""

    call_id: str
    width: int
    height: int
    frames: int


@dataclass(frozen=True)
class CallDtmfDidArrive(Event):
    call_id: str
    digit: str
    method: str  # "rfc4733" or "info"


@dataclass(frozen=True)
class CallTransferWasRequested(Event):
    """The peer asked us (REFER) to call someone else; policy decided."""

    call_id: str
    target: str
    accepted: bool
    reason: str
    new_call_id: str | None = None
    code: str | None = None  # the decision's `policy.decision.Reason`
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CallRedirectWasRequested(Event):
    """A 3xx response offers another target; waits for DecideRedirect when `allowed`,
    else the dial policy has already refused it (`reason`)."""

    call_id: str
    target: str
    allowed: bool = True
    reason: str = ""
    code: str | None = None  # refused: the decision's `policy.decision.Reason`
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CallTransferDidProgress(Event):
    call_id: str
    code: int
    reason: str
    final: bool


@dataclass(frozen=True)
class CallStatsDidUpdate(Event):
    call_id: str
    stats: MediaStats


@dataclass(frozen=True)
class CallAudioDidArrive(Event):
    """First decoded audio with energy from the peer (measures media setup)."""

    call_id: str
    after_confirmed_ms: float


@dataclass(frozen=True)
class ConferenceDidChange(Event):
    call_ids: tuple[str, ...]


@dataclass(frozen=True)
class LoopbackDidStart(Event):
    caller_account_id: str
    uri: str  # whom to call
    certificate_sha256: str  # the peer's self-generated certificate, pinned by the caller
    peer_account_id: str = "loopback-peer"  # the in-process echo peer's own account


@dataclass(frozen=True)
class ToneMeasurement:
    frequency: int
    level_dbfs: float
    snr_db: float
    detected: bool


@dataclass(frozen=True)
class CallAudioWasAnalyzed(Event):
    call_id: str
    tones: tuple[ToneMeasurement, ...]
    frames_received: int
    first_sound_ms: float | None  # after the call was placed


# ---------------------------------------------------------- sound devices


@dataclass(frozen=True)
class AudioDevicesDidChange(Event):
    """The sound devices present now: labels are "name (host API)", names what settings
    keep (a device's name, for a sound server's device with the server's own name added)."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    default_input: str | None
    default_output: str | None
    error: str | None = None


@dataclass(frozen=True)
class AudioDeviceDidSwitch(Event):
    """A device stream (re)opened: a call started, the user switched, or a fallback."""

    role: str  # "microphone" or "speaker"
    name: str
    hostapi: str
    rate: int
    latency_ms: float
    reason: str
    fallback: bool = False  # not the chosen device: it is missing or failed


@dataclass(frozen=True)
class AudioDeviceDidFail(Event):
    """No device could be opened for `role`; calls go on without it."""

    role: str
    name: str | None
    reason: str


@dataclass(frozen=True)
class AudioProcessingDidFail(Event):
    """Echo cancellation / noise suppression / gain could not start (calls go on without)."""

    reason: str


@dataclass(frozen=True)
class AudioBridgeStatsDidUpdate(Event):
    stats: Any  # softphone.media.bridge.BridgeStats (frozen)
    port_errors: int = 0
