"""The test-call panel: run the embedded encrypted test call, show what it proved.

GUI thread. Used by the first-run wizard and by the main window's "Test call"
dialog. The result names the TLS version and cipher, the pinned certificate, the
SRTP suite and keying, the tone's level and SNR and the packet counts, and shows the
same security badge as a real call.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from softphone.engine import events as ev
from softphone.tasks.test_call import TestCallReport
from softphone.ui import theme
from softphone.ui.bridge import EngineBridge
from softphone.ui.i18n import translate
from softphone.ui.security_badge import SecurityBadge
from softphone.ui.security_text import describe, short_fingerprint, tls_name
from softphone.ui.test_call_runner import TestCallRunner


def result_lines(r: TestCallReport) -> list[str]:
    lines = [
        translate("TestCallPanel", "Signalling: {tls} {cipher} (peer certificate pinned)").format(
            tls=tls_name(r.tls_version), cipher=r.tls_cipher or ""
        )
        if r.tls_version
        else translate("TestCallPanel", "Signalling: no verified TLS"),
        translate("TestCallPanel", "Pinned certificate: SHA-256 {fingerprint}").format(
            fingerprint=short_fingerprint(r.peer_certificate_sha256, 12)
        ),
        translate("TestCallPanel", "Media: {profile} {suite}, keying {keying}").format(
            profile=r.media_profile or "-", suite=r.srtp_suite or "", keying=r.keying or "-"
        ),
    ]
    if r.tone_snr_db is not None:
        lines.append(
            translate(
                "TestCallPanel",
                "Test tone came back: {level} dBFS, SNR {snr} dB (first audio after {ms} ms)",
            ).format(level=r.tone_level_dbfs, snr=r.tone_snr_db, ms=r.first_audio_ms)
        )
    if r.stats:
        st = r.stats
        lines.append(
            translate(
                "TestCallPanel", "Packets: received {rx}, sent {tx}, lost {lost} ({pct} %)"
            ).format(
                rx=st["rx_packets"], tx=st["tx_packets"], lost=st["rx_lost"], pct=st["rx_loss_pct"]
            )
        )
    lines += [translate("TestCallPanel", "FAILED: {failure}").format(failure=f) for f in r.failures]
    return lines


class TestCallPanel(QWidget):
    __test__ = False  # not a pytest test class, whatever its name

    finished = Signal(object)  # TestCallReport

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = TestCallRunner(bridge, parent=self)
        self.run_button = QPushButton(self.tr("Place the encrypted test call"))
        self.progress_label = QLabel(
            self.tr(
                "Calls an echo peer inside this app over TLS and SRTP — no account, "
                "no network and no sound card needed."
            )
        )
        self.progress_label.setWordWrap(True)
        self.verdict_label = QLabel("")
        font = QFont(self.verdict_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.verdict_label.setFont(font)
        self.verdict_label.hide()
        self.badge = SecurityBadge()
        self.badge.hide()
        self.details_label = QLabel("")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.run_button)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.badge)
        layout.addWidget(self.details_label)
        layout.addStretch(1)
        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.runner.progressed.connect(self.progress_label.setText)
        self.runner.mediaChanged.connect(self._on_call_media_did_change)
        self.runner.finished.connect(self._on_runner_finished)
        self.report: TestCallReport | None = None

    @Slot()
    def _on_run_button_clicked(self) -> None:
        self.run_button.setEnabled(False)
        self.verdict_label.hide()
        self.details_label.setText("")
        self.runner.start()

    @Slot(object)
    def _on_call_media_did_change(self, e: ev.CallMediaDidChange) -> None:
        self.badge.show_view(describe(e.media, e.signalling))
        self.badge.show()

    @Slot(object)
    def _on_runner_finished(self, report: TestCallReport) -> None:
        self.report = report
        self.run_button.setEnabled(True)
        self.run_button.setText(self.tr("Run it again"))
        self.progress_label.setText(self.tr("Test call finished."))
        if report.passed:
            self.verdict_label.setText(
                self.tr("✔ PASS — the call was encrypted both ways and audio flowed")
            )
            theme.paint(self.verdict_label, "ok")
        else:
            self.verdict_label.setText(self.tr("✖ FAIL — see below"))
            theme.paint(self.verdict_label, "error")
        self.verdict_label.show()
        self.details_label.setText("\n".join(result_lines(report)))
        self.finished.emit(report)


class TestCallDialog(QDialog):
    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Encrypted test call"))
        self.panel = TestCallPanel(bridge)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(560)
