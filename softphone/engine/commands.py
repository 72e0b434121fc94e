"""Commands the rest of the program submits to the engine.

Built on any thread, executed on the engine thread in submission order; the
outcome comes back as events. Ids are chosen by the submitter (see
`Engine.new_id`) so it can match events without waiting for a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from softphone.config.profile import SipProfile
from softphone.config.settings import AudioSettings
from softphone.policy.pin import DialAuthorization
from softphone.security.secret import Secret

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity


@dataclass(frozen=True)
class Command:
    pass


@dataclass(frozen=True)
class AddAccount(Command):
    account_id: str
    profile: SipProfile
    username: str
    password: Secret | None = field(default=None, repr=False)
    register: bool = True
    # The account's long-term DTLS certificate for end-to-end calls (see e2e.identity);
    # None: one is made for this run only, so contacts cannot recognise it later.
    e2e_identity: DtlsIdentity | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RemoveAccount(Command):
    account_id: str


@dataclass(frozen=True)
class Register(Command):
    account_id: str


@dataclass(frozen=True)
class Unregister(Command):
    account_id: str


@dataclass(frozen=True)
class AudioSource:
    """What the call sends: silence, a tone, or a WAV file."""

    tone_hz: tuple[int, ...] = ()
    wav: Path | None = None
    loop: bool = True


@dataclass(frozen=True)
class MakeCall(Command):
    """Call `uri`: a SIP URI, `tel:` URI or a number in any formatting. The dial policy
    decides first (`CallDialWasRefused` if not); `authorization` is the proof of a PIN
    for targets that need one (`PinAuthority.authorize`)."""

    call_id: str
    account_id: str
    uri: str
    source: AudioSource = AudioSource()
    record: Path | None = None
    analyze: tuple[int, ...] = ()  # tone frequencies to detect in received audio
    devices: bool = False  # also connect the sound devices (microphone and speaker)
    authorization: DialAuthorization | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Answer(Command):
    call_id: str
    code: int = 200
    hold_others: bool = True  # call waiting: the active call goes on hold
    source: AudioSource = AudioSource()
    record: Path | None = None
    analyze: tuple[int, ...] = ()
    devices: bool = False


@dataclass(frozen=True)
class Reject(Command):
    call_id: str
    code: int = 486  # 486 Busy Here; 603 Decline


@dataclass(frozen=True)
class Hangup(Command):
    call_id: str


@dataclass(frozen=True)
class HangupAll(Command):
    pass


@dataclass(frozen=True)
class Hold(Command):
    call_id: str


@dataclass(frozen=True)
class Resume(Command):
    call_id: str


@dataclass(frozen=True)
class SetMute(Command):
    call_id: str
    muted: bool


@dataclass(frozen=True)
class SendDtmf(Command):
    call_id: str
    digits: str
    method: str = "rfc4733"  # or "info"


@dataclass(frozen=True)
class TransferBlind(Command):
    call_id: str
    target: str


@dataclass(frozen=True)
class TransferAttended(Command):
    call_id: str
    target_call_id: str


@dataclass(frozen=True)
class Conference(Command):
    """Mix these calls together through the local conference bridge."""

    call_ids: tuple[str, ...]


@dataclass(frozen=True)
class DecideRedirect(Command):
    call_id: str
    accept: bool


@dataclass(frozen=True)
class RequestStats(Command):
    call_id: str


@dataclass(frozen=True)
class ConfirmSas(Command):
    """The users compared the short authentication string of an end-to-end call:
    `matched` True marks the call (and the peer's certificate) verified; False ends
    the call as intercepted, and says so."""

    call_id: str
    matched: bool


@dataclass(frozen=True)
class SetVideo(Command):
    """Camera on or off during an end-to-end call that negotiated video."""

    call_id: str
    on: bool


@dataclass(frozen=True)
class StartLoopback(Command):
    """Start the in-process echo peer and a caller account that pins its certificate."""

    caller_account_id: str
    keying: tuple[str, ...] = ("sdes",)


@dataclass(frozen=True)
class AnalyzeAudio(Command):
    """Measure the given tones in the last `seconds` of audio received on a call."""

    call_id: str
    frequencies: tuple[int, ...]
    seconds: float = 1.0


@dataclass(frozen=True)
class SetAudioDevices(Command):
    """Which sound devices calls use, by name (None: follow the system default), and
    whether the microphone goes through echo cancellation, noise suppression and
    automatic gain. Applies at once to calls in progress."""

    microphone: str | None = None
    speaker: str | None = None
    ringer: str | None = None
    echo_cancellation: bool = True
    noise_suppression: bool = True
    auto_gain: bool = True

    @property
    def processing(self) -> dict[str, bool]:
        return {
            "echo_cancellation": self.echo_cancellation,
            "noise_suppression": self.noise_suppression,
            "auto_gain": self.auto_gain,
        }

    @classmethod
    def from_settings(cls, audio: AudioSettings) -> SetAudioDevices:
        return cls(
            audio.microphone,
            audio.speaker,
            audio.ringer,
            audio.echo_cancellation,
            audio.noise_suppression,
            audio.auto_gain,
        )


@dataclass(frozen=True)
class ListAudioDevices(Command):
    """Emit `AudioDevicesDidChange` with the devices as this process sees them now."""


@dataclass(frozen=True)
class RequestAudioStats(Command):
    """Emit `AudioBridgeStatsDidUpdate` (underruns, fill levels, drift, levels)."""
