"""`softphone test-call`: a real TLS + SRTP call to the embedded echo peer.

Runs on the caller's thread over an EngineSession. Needs no account, no sound card and
no network beyond 127.0.0.1. The call sends a 1 kHz tone; the peer echoes it; the tone
must come back through both encrypted legs. `record_media`, `record_audio` and `judge`
are shared with the desktop app, which drives the same call from events.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from softphone.config.settings import AudioSettings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.tasks.session import EngineSession

TEST_TONE_HZ = 1000
DEVICES_MIN_TONE_DBFS = -20.0
CONTROL_HZ = 1700  # not sent: must *not* be detected, or the detector proves nothing


@dataclass
class TestCallReport:
    passed: bool = False
    failures: list[str] = field(default_factory=list)
    uri: str = ""
    peer_certificate_sha256: str = ""
    tls_version: str | None = None
    tls_cipher: str | None = None
    srtp_suite: str | None = None
    keying: str | None = None
    media_profile: str | None = None
    peer_leg_encrypted: bool = False
    codec: str | None = None
    clock_rate: int | None = None
    setup_ms: float | None = None
    first_rtp_ms: float | None = None
    first_audio_ms: float | None = None
    tone_level_dbfs: float | None = None
    tone_snr_db: float | None = None
    control_detected: bool | None = None
    stats: dict | None = None
    microphone: str | None = None  # with --devices: what was used, and how it went
    speaker: str | None = None
    bridge: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def run_test_call(
    duration: float = 2.0,
    keying: tuple[str, ...] = ("sdes",),
    devices: bool = False,
    audio: AudioSettings | None = None,
) -> TestCallReport:
    """With `devices`, the microphone goes out too and what comes back is played on the
    speaker (the devices of `audio`, else the settings file's): an echo test through
    both encrypted legs."""
    report = TestCallReport()
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        if devices:
            if audio is None:
                from softphone.tasks.devices import audio_settings

                audio = audio_settings()
            s.submit(cmd.SetAudioDevices.from_settings(audio))
        s.submit(cmd.StartLoopback("test-caller", keying=keying))
        started = s.wait_for((ev.LoopbackDidStart, ev.CommandDidFail))
        if isinstance(started, ev.CommandDidFail):
            report.failures.append(f"loopback peer did not start: {started.error}")
            return report
        report.uri, report.peer_certificate_sha256 = started.uri, started.certificate_sha256
        _place_call(s, report, duration, devices)
    judge(report)
    return report


def _place_call(s: EngineSession, report: TestCallReport, duration: float, devices: bool) -> None:
    call_id = s.new_id("test")
    s.submit(
        cmd.MakeCall(
            call_id,
            "test-caller",
            report.uri,
            source=cmd.AudioSource(tone_hz=(TEST_TONE_HZ,)),
            analyze=(TEST_TONE_HZ, CONTROL_HZ),
            devices=devices,
        )
    )
    first = s.wait_for(
        (ev.CallMediaDidChange, ev.CallDidEnd), lambda e: e.call_id == call_id, timeout=10
    )
    if isinstance(first, ev.CallDidEnd):
        report.failures.append(f"call ended before media: {first.reason}")
        return
    record_media(report, first)
    s.drain(duration)
    s.submit(cmd.AnalyzeAudio(call_id, (TEST_TONE_HZ, CONTROL_HZ), seconds=min(duration, 1.0)))
    s.submit(cmd.RequestStats(call_id))
    analysed = s.wait_for(ev.CallAudioWasAnalyzed, lambda e: e.call_id == call_id)
    stats = s.wait_for(ev.CallStatsDidUpdate, lambda e: e.call_id == call_id)
    record_audio(report, analysed, stats.stats, devices)
    if devices:
        _record_devices(s, report)
    s.submit(cmd.Hangup(call_id))
    ended = s.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    report.setup_ms, report.first_rtp_ms = ended.setup_ms, ended.first_rtp_ms
    if ended.security_failure:
        report.failures.append(ended.security_failure)
    peer_media = s.seen(ev.CallMediaDidChange, lambda e: e.call_id != call_id and e.media.encrypted)
    report.peer_leg_encrypted = bool(peer_media)


def _record_devices(s: EngineSession, report: TestCallReport) -> None:
    s.submit(cmd.RequestAudioStats())
    got = s.wait_for((ev.AudioBridgeStatsDidUpdate, ev.CommandDidFail))
    if isinstance(got, ev.AudioBridgeStatsDidUpdate):
        report.bridge = asdict(got.stats)
    for e in s.seen(ev.AudioDeviceDidSwitch):
        if e.role == "microphone":
            report.microphone = e.name
        else:
            report.speaker = e.name
    for e in s.seen(ev.AudioDeviceDidFail):
        report.failures.append(f"{e.role}: {e.reason}")


def record_media(report: TestCallReport, e: ev.CallMediaDidChange) -> None:
    report.srtp_suite, report.keying = e.media.suite, e.media.keying
    report.media_profile, report.codec, report.clock_rate = e.media.profile, e.codec, e.clock_rate
    if e.signalling:
        report.tls_version, report.tls_cipher = e.signalling.tls_version, e.signalling.cipher


def record_audio(
    report: TestCallReport,
    analysed: ev.CallAudioWasAnalyzed,
    stats: ev.MediaStats,
    devices: bool = False,
) -> None:
    tone = next(t for t in analysed.tones if t.frequency == TEST_TONE_HZ)
    control = next(t for t in analysed.tones if t.frequency == CONTROL_HZ)
    report.tone_level_dbfs, report.tone_snr_db = tone.level_dbfs, tone.snr_db
    report.control_detected = control.detected
    report.first_audio_ms = analysed.first_sound_ms
    report.stats = asdict(stats)
    # With live devices the microphone is mixed in: whatever the room sends counts
    # against the tone's SNR, so its level is what says it came back.
    came_back = tone.detected or (devices and tone.level_dbfs > DEVICES_MIN_TONE_DBFS)
    if not came_back:
        report.failures.append(
            f"test tone did not come back (level {tone.level_dbfs} dBFS, SNR {tone.snr_db} dB)"
        )


def judge(report: TestCallReport) -> None:
    checks = [
        (report.tls_version is not None, "signalling was not over verified TLS"),
        (report.srtp_suite is not None, "media was not SRTP"),
        (report.peer_leg_encrypted, "the peer's leg was not SRTP"),
        (report.control_detected is False, "tone detector fired on a tone never sent"),
        (bool(report.stats and report.stats["rx_packets"] > 0), "no RTP received"),
    ]
    report.failures += [msg for ok, msg in checks if not ok and msg not in report.failures]
    report.passed = not report.failures
