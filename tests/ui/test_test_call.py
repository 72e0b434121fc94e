"""The embedded encrypted test call from the app, on the real engine (no account)."""

from __future__ import annotations

import pytest
from helpers import running_bridge
from PySide6.QtCore import Qt

from softphone.ui import test_call_panel
from softphone.ui.security_text import Level


@pytest.fixture
def real_bridge(qtbot):
    with running_bridge() as (_engine, bridge):
        yield bridge


def test_test_call_panel_real_engine_passes_twice(qtbot, real_bridge, screenshot) -> None:
    panel = test_call_panel.TestCallPanel(real_bridge)
    qtbot.addWidget(panel)
    panel.resize(600, 400)
    panel.show()
    qtbot.waitExposed(panel)
    for _run in range(2):  # a second run in the same engine works too
        with qtbot.waitSignal(panel.finished, timeout=20_000) as done:
            qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
        report = done.args[0]
        assert report.passed, report.failures
    assert report.tls_version and report.srtp_suite and report.keying == "sdes"
    assert report.peer_leg_encrypted and report.control_detected is False
    assert report.tone_snr_db > 20
    assert panel.badge.level is Level.ENCRYPTED
    assert panel.verdict_label.text().startswith("✔ PASS")
    assert report.srtp_suite in panel.details_label.text()
    screenshot(panel, "test_call_panel")
