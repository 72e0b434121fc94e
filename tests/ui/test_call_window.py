"""In-call window: the security badge for encrypted / unencrypted / end-to-end calls,
the SAS buttons, network quality every 2 s, and each control's command."""

from __future__ import annotations

import pytest
from helpers_ui import context
from PySide6.QtCore import Qt

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.ui.call_flow import CallLauncher
from softphone.ui.call_window import CallWindow
from softphone.ui.security_text import Level

TLS = ev.SignallingSecurity(
    "tls",
    "TLSv1.2",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "pbx.example.com",
    "5F:56:19:78:56:93:93:8D:2D:54:3E:61:AB:AD:DF:5C:63:8C:C8:CE:32:6D:FF:A1:86:7D:09:D8:1A:19:F2:2E",
)
SDES = ev.MediaSecurity(True, "RTP/SAVP", "AES_256_CM_HMAC_SHA1_80", "sdes")
PLAIN = ev.MediaSecurity(False, "RTP/AVP", plaintext_allowed=True)


E2E = ev.MediaSecurity(True, "UDP/TLS/RTP/SAVPF", "SRTP_AEAD_AES_256_GCM", "dtls", True)


def _media(media: ev.MediaSecurity, **kw) -> ev.CallMediaDidChange:
    return ev.CallMediaDidChange(
        "c1", media, "PCMU", 8000, kw.get("local_hold", False), False, signalling=TLS
    )


@pytest.fixture
def window(qtbot, bridge, tmp_path):
    ctx = context(bridge, tmp_path)
    win = CallWindow(ctx, CallLauncher(ctx), "c1", "sip:+12125550100@pbx.example.com;user=phone")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _connect(qtbot, fake_engine, window: CallWindow, media: ev.MediaSecurity) -> None:
    fake_engine.emit(ev.CallStateDidChange("c1", ev.CallState.CONFIRMED, 200, "OK"), _media(media))
    qtbot.waitUntil(lambda: window.badge.level is not None and window.badge.level != "pending")


def test_call_window_encrypted_badge_says_hop_by_hop_and_not_end_to_end(
    qtbot, window, fake_engine, screenshot
) -> None:
    assert window.badge.level is Level.PENDING
    _connect(qtbot, fake_engine, window, SDES)
    assert window.badge.level is Level.ENCRYPTED
    assert window.badge.headline_label.text() == "✔  encrypted to the server only"
    assert window.badge.end_to_end_label.text() == (
        "End-to-end: no — your provider's servers can access the keys"
    )
    assert "AES_256_CM_HMAC_SHA1_80" in window.badge.media_label.text()
    assert window.badge.property("kind") == "encrypted"
    assert not window.sas_panel.isVisible()
    assert window.state_label.text() == "Connected"
    fake_engine.emit(
        ev.CallStatsDidUpdate("c1", ev.MediaStats(250, 250, 0, 0.0, 0.4, 18.0, "PCMU", 8000))
    )
    qtbot.waitUntil(lambda: "good" in window.quality_label.text())
    screenshot(window, "call_encrypted")


def test_call_window_unencrypted_badge_cannot_be_missed(
    qtbot, window, fake_engine, screenshot
) -> None:
    _connect(qtbot, fake_engine, window, PLAIN)
    assert window.badge.level is Level.UNENCRYPTED
    assert window.badge.headline_label.text() == "✖  not encrypted"
    assert "administrator" in window.badge.media_label.text()
    assert "others on the network can listen" in window.badge.end_to_end_label.text()
    assert window.badge.property("kind") == "unencrypted"
    assert "#c62828" in window.badge.styleSheet()  # solid red background
    screenshot(window, "call_unencrypted")


def test_call_window_sas_waits_for_the_code(qtbot, window, fake_engine) -> None:
    _connect(qtbot, fake_engine, window, E2E)
    assert window.badge.level is Level.END_TO_END
    assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (not verified)"
    assert window.sas_panel.isVisible()
    assert not window.sas_panel.match_button.isEnabled()
    assert "Waiting" in window.sas_panel.prompt_label.text()


def test_call_window_asks_for_stats_every_two_seconds(qtbot, window, fake_engine) -> None:
    _connect(qtbot, fake_engine, window, SDES)
    assert len(fake_engine.commands(cmd.RequestStats)) == 1  # at once
    qtbot.waitUntil(lambda: len(fake_engine.commands(cmd.RequestStats)) == 2, timeout=3000)


def test_call_window_controls_send_commands(qtbot, window, fake_engine) -> None:
    _connect(qtbot, fake_engine, window, SDES)
    click = Qt.MouseButton.LeftButton
    qtbot.mouseClick(window.mute_button, click)
    qtbot.mouseClick(window.hold_button, click)
    assert window.hold_button.text() == "Resume"
    qtbot.mouseClick(window.hold_button, click)
    qtbot.mouseClick(window.keypad_button, click)
    assert window.keypad.isVisible()
    qtbot.mouseClick(window.dtmf_buttons["5"], click)
    sent = [c for c in fake_engine.submitted if not isinstance(c, cmd.RequestStats)]
    assert sent == [
        cmd.SetMute("c1", True),
        cmd.Hold("c1"),
        cmd.Resume("c1"),
        cmd.SendDtmf("c1", "5"),
    ]
    qtbot.mouseClick(window.hangup_button, click)
    assert fake_engine.commands(cmd.Hangup) == [cmd.Hangup("c1")]


def test_call_window_transfer_goes_through_the_dial_policy(qtbot, window, fake_engine) -> None:
    _connect(qtbot, fake_engine, window, SDES)
    qtbot.mouseClick(window.transfer_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.transfer_edit, "+1 900 555 0100")
    qtbot.mouseClick(window.transfer_go, Qt.MouseButton.LeftButton)
    assert "Not transferred" in window.message_label.text()
    assert "premium" in window.message_label.text()
    assert fake_engine.commands(cmd.TransferBlind) == []
    window.transfer_edit.setText("+1 212 555 0199")
    qtbot.mouseClick(window.transfer_go, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.TransferBlind) == [cmd.TransferBlind("c1", "+1 212 555 0199")]


def test_call_window_after_the_end_sends_nothing_more(qtbot, window, fake_engine) -> None:
    _connect(qtbot, fake_engine, window, SDES)
    fake_engine.emit(ev.CallDidEnd("c1", 200, "Normal call clearing", 65.0, media=SDES))
    qtbot.waitUntil(lambda: window.ended)
    assert window.state_label.text() == "Call ended — Normal call clearing (01:05)"
    assert window.close_button.isVisible() and not window.mute_button.isEnabled()
    before = len(fake_engine.submitted)
    window.close()
    assert len(fake_engine.submitted) == before


def test_call_window_closing_an_active_call_hangs_up(qtbot, window, fake_engine) -> None:
    _connect(qtbot, fake_engine, window, SDES)
    window.close()
    assert fake_engine.commands(cmd.Hangup) == [cmd.Hangup("c1")]


def test_call_window_ignores_other_calls(qtbot, window, fake_engine) -> None:
    fake_engine.emit(
        ev.CallMediaDidChange("other", PLAIN, "PCMU", 8000, False, False, signalling=TLS),
        ev.CallDidEnd("other", 200, "x", 1.0),
    )
    qtbot.wait(50)
    assert window.badge.level is Level.PENDING and not window.ended
