"""The embedded encrypted test call, driven from the app's own engine. GUI thread.

The same call as `softphone test-call` (`tasks.test_call`): the in-process echo peer
with its own TLS listener and freshly generated, pinned certificate; a TLS + SRTP
call that sends a 1 kHz tone; the tone must come back through both encrypted legs.
pjsua allows one engine per process, so instead of `run_test_call` (which starts an
engine of its own) this steps through the same commands as events arrive, and judges
with the same functions. No account, no sound card, no network beyond 127.0.0.1.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.tasks.test_call import (
    CONTROL_HZ,
    TEST_TONE_HZ,
    TestCallReport,
    judge,
    record_audio,
    record_media,
)
from softphone.ui.bridge import EngineBridge

TIMEOUT_MS = 20_000


class TestCallRunner(QObject):
    __test__ = False  # not a pytest test class, whatever its name

    progressed = Signal(str)  # what is happening, in words
    mediaChanged = Signal(object)  # the caller leg's CallMediaDidChange (for a badge)
    finished = Signal(object)  # TestCallReport

    def __init__(
        self, bridge: EngineBridge, listen_s: float = 2.0, parent=None, *, devices: bool = False
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.devices = devices  # the microphone goes out too, the echo to the speaker
        self._listen_ms = int(listen_s * 1000)
        self.report: TestCallReport | None = None
        self.running = False
        self._caller = ""
        self._call_id = ""
        self._peer_calls: set[str] = set()
        self._analysed: ev.CallAudioWasAnalyzed | None = None
        self._stats: ev.CallStatsDidUpdate | None = None
        self._timeout = QTimer(self, singleShot=True, interval=TIMEOUT_MS)
        self._timeout.timeout.connect(self._on_timeout_timeout)
        self._listen = QTimer(self, singleShot=True, interval=self._listen_ms)
        self._listen.timeout.connect(self._on_listen_timeout)
        b = bridge
        b.loopbackStarted.connect(self._on_loopback_did_start)
        b.commandFailed.connect(self._on_command_did_fail)
        b.callStarted.connect(self._on_call_did_start)
        b.callMediaChanged.connect(self._on_call_media_did_change)
        b.callAudioAnalyzed.connect(self._on_call_audio_was_analyzed)
        b.callStatsUpdated.connect(self._on_call_stats_did_update)
        b.callEnded.connect(self._on_call_did_end)

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.report = TestCallReport()
        self._caller = self._bridge.new_id("test-caller-")
        self._call_id = ""
        self._peer_calls.clear()
        self._analysed = self._stats = None
        self._timeout.start()
        self.progressed.emit(self.tr("Starting the embedded echo peer (its own TLS certificate)…"))
        self._bridge.submit(cmd.StartLoopback(self._caller))

    # -- engine events ---------------------------------------------------------------

    @Slot(object)
    def _on_loopback_did_start(self, e: ev.LoopbackDidStart) -> None:
        if not self.running or e.caller_account_id != self._caller:
            return
        self.report.uri, self.report.peer_certificate_sha256 = e.uri, e.certificate_sha256
        self._call_id = self._bridge.new_id("test")
        self.progressed.emit(self.tr("Calling the echo peer over TLS with SRTP…"))
        self._bridge.submit(
            cmd.MakeCall(
                self._call_id,
                self._caller,
                e.uri,
                source=cmd.AudioSource(tone_hz=(TEST_TONE_HZ,)),
                analyze=(TEST_TONE_HZ, CONTROL_HZ),
                devices=self.devices,
            )
        )

    @Slot(object)
    def _on_call_did_start(self, e: ev.CallDidStart) -> None:
        # Here, not at import: the loopback module needs pjsua2 (loaded by now, not
        # before the first window).
        from softphone.engine.loopback import PEER_ACCOUNT_ID

        if self.running and e.account_id == PEER_ACCOUNT_ID:
            self._peer_calls.add(e.call_id)

    @Slot(object)
    def _on_call_media_did_change(self, e: ev.CallMediaDidChange) -> None:
        if not self.running:
            return
        if e.call_id in self._peer_calls and e.media.encrypted:
            self.report.peer_leg_encrypted = True
        if e.call_id != self._call_id or self._listen.isActive() or self._analysed:
            return
        record_media(self.report, e)
        self.mediaChanged.emit(e)
        if self.devices:
            self.progressed.emit(
                self.tr("Connected; speak: you hear yourself through both encrypted legs…")
            )
        else:
            self.progressed.emit(
                self.tr("Connected; sending a {hz} Hz tone and listening…").format(hz=TEST_TONE_HZ)
            )
        self._listen.start()

    @Slot()
    def _on_listen_timeout(self) -> None:
        seconds = min(self._listen_ms / 1000, 1.0)
        self._bridge.submit(cmd.AnalyzeAudio(self._call_id, (TEST_TONE_HZ, CONTROL_HZ), seconds))
        self._bridge.submit(cmd.RequestStats(self._call_id))

    @Slot(object)
    def _on_call_audio_was_analyzed(self, e: ev.CallAudioWasAnalyzed) -> None:
        if self.running and e.call_id == self._call_id:
            self._analysed = e
            self._measured()

    @Slot(object)
    def _on_call_stats_did_update(self, e: ev.CallStatsDidUpdate) -> None:
        if self.running and e.call_id == self._call_id:
            self._stats = e
            self._measured()

    def _measured(self) -> None:
        if self._analysed is None or self._stats is None:
            return
        record_audio(self.report, self._analysed, self._stats.stats, self.devices)
        self.progressed.emit(self.tr("Measured; hanging up…"))
        self._bridge.submit(cmd.Hangup(self._call_id))

    @Slot(object)
    def _on_call_did_end(self, e: ev.CallDidEnd) -> None:
        if not self.running or e.call_id != self._call_id:
            return
        self.report.setup_ms, self.report.first_rtp_ms = e.setup_ms, e.first_rtp_ms
        if e.security_failure:
            self.report.failures.append(e.security_failure)
        if self._analysed is None:
            self.report.failures.append(
                self.tr("call ended before it was measured: {reason}").format(reason=e.reason)
            )
        self._finish()

    @Slot(object)
    def _on_command_did_fail(self, e: ev.CommandDidFail) -> None:
        if not self.running:
            return
        ours = e.account_id == self._caller or (self._call_id and e.call_id == self._call_id)
        if ours or (e.command == "StartLoopback" and not self._call_id):
            self.report.failures.append(
                self.tr("{command} failed: {error}").format(command=e.command, error=e.error)
            )
            if self._call_id and e.command not in ("StartLoopback", "MakeCall"):
                self._bridge.submit(cmd.Hangup(self._call_id))
                return  # CallDidEnd finishes
            self._finish()

    @Slot()
    def _on_timeout_timeout(self) -> None:
        if self.running:
            self.report.failures.append(
                self.tr("no result within {seconds} s").format(seconds=TIMEOUT_MS // 1000)
            )
            if self._call_id:
                self._bridge.submit(cmd.Hangup(self._call_id))
            self._finish()

    def _finish(self) -> None:
        self.running = False
        self._timeout.stop()
        self._listen.stop()
        self._bridge.submit(cmd.RemoveAccount(self._caller))
        judge(self.report)
        self.finished.emit(self.report)
