"""`softphone call`: register, place one call, play/record, report security and quality.

Caller's thread, over an EngineSession.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from softphone.config.profile import SipProfile
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.engine import Engine
from softphone.engine.gate import CallPolicy
from softphone.policy.pin import DialAuthorization
from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register
from softphone.tasks.session import EngineSession

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity


@dataclass
class CallReport:
    ok: bool = False
    uri: str = ""
    outcome: str = ""
    code: int = 0
    registration: dict | None = None
    media: dict | None = None
    signalling: dict | None = None
    codec: str | None = None
    setup_ms: float | None = None
    first_rtp_ms: float | None = None
    duration_s: float = 0.0
    stats: dict | None = None
    security_label: str | None = None  # exactly what the UI shows (policy.end_to_end)
    sas: str | None = None  # end to end: the short authentication string
    peer_fingerprint: str | None = None
    events: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def run_call(
    profile: SipProfile,
    username: str,
    password: Secret | None,
    uri: str,
    duration: float = 5.0,
    play: Path | None = None,
    record: Path | None = None,
    policy: CallPolicy | None = None,
    authorization: DialAuthorization | None = None,
    devices: bool = False,
    e2e_identity: DtlsIdentity | None = None,
) -> CallReport:
    report = CallReport(uri=uri)
    with EngineSession(Engine(policy=policy)) as s:
        s.wait_for(ev.EngineDidStart)
        if profile.register:
            reg = add_and_register(s, profile, username, password, e2e_identity=e2e_identity)
            report.registration = reg.to_dict()
            if not reg.ok:
                report.outcome = f"not registered: {reg.reason}"
                return report
        else:
            s.submit(
                cmd.AddAccount(
                    "acc", profile, username, password, register=False, e2e_identity=e2e_identity
                )
            )
        if devices:
            from softphone.tasks.devices import audio_settings

            s.submit(cmd.SetAudioDevices.from_settings(audio_settings()))
        source = cmd.AudioSource(wav=play, loop=False)
        _call(s, report, uri, duration, source, record, authorization, devices)
    return report


def _call(
    s: EngineSession,
    report: CallReport,
    uri: str,
    duration: float,
    source: cmd.AudioSource,
    record: Path | None,
    authorization: DialAuthorization | None = None,
    devices: bool = False,
) -> None:
    call_id = s.new_id("call")
    s.submit(
        cmd.MakeCall(
            call_id,
            "acc",
            uri,
            source=source,
            record=record,
            authorization=authorization,
            devices=devices,
        )
    )
    first = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd, ev.CommandDidFail, ev.CallDialWasRefused),
        lambda e: e.call_id == call_id,
        timeout=60,
    )
    if isinstance(first, ev.CallDialWasRefused):
        report.outcome = f"refused by the dial policy ({first.verdict}): {first.reason}"
        return
    if isinstance(first, ev.CallMediaDidChange):
        report.media, report.codec = asdict(first.media), first.codec
        report.signalling = asdict(first.signalling) if first.signalling else None
        ended = _wait_or_hangup(s, call_id, duration)
    elif isinstance(first, ev.CommandDidFail):
        report.outcome = first.error
        return
    else:
        ended = first
    report.code, report.outcome = ended.code, ended.security_failure or ended.reason
    report.setup_ms, report.first_rtp_ms = ended.setup_ms, ended.first_rtp_ms
    report.duration_s = round(ended.duration, 2)
    report.ok = report.media is not None and ended.security_failure is None
    media_events = s.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id)
    if media_events:
        report.security_label = media_events[-1].media.label
    sas = s.seen(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id)
    if sas:
        report.sas, report.peer_fingerprint = sas[-1].sas, sas[-1].peer_fingerprint
    stats = s.seen(ev.CallStatsDidUpdate, lambda e: e.call_id == call_id)
    report.stats = asdict(stats[-1].stats) if stats else None
    report.events = [type(e).__name__ for e in s.history if getattr(e, "call_id", None) == call_id]


def _wait_or_hangup(s: EngineSession, call_id: str, duration: float) -> ev.CallDidEnd:
    try:
        return s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=duration)
    except TimeoutError:
        pass
    s.submit(cmd.RequestStats(call_id))
    s.submit(cmd.Hangup(call_id))
    return s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=10)
