"""Dial pad: typing and pasting show the policy's verdict; denied numbers are never sent;
numbers that need a PIN are called only after the right code."""

from __future__ import annotations

import pytest
from helpers_ui import context
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from softphone.engine import commands as cmd
from softphone.ui.call_flow import CallLauncher
from softphone.ui.dial_pad import DialPad


@pytest.fixture
def pad_and_launcher(qtbot, bridge, tmp_path, request):
    ctx = context(bridge, tmp_path, role=getattr(request, "param", None))
    launcher = CallLauncher(ctx)
    pad = DialPad(ctx.dial_advice)
    pad.callRequested.connect(launcher.place)
    launcher.callRefused.connect(pad.show_refusal)
    qtbot.addWidget(pad)
    pad.show()
    qtbot.waitExposed(pad)
    return pad, launcher, ctx


def test_dial_pad_typing_shows_normalised_number_and_verdict(qtbot, pad_and_launcher) -> None:
    pad, _launcher, _ctx = pad_and_launcher
    assert not pad.call_button.isEnabled()
    qtbot.keyClicks(pad.number_edit, "+1 (212) 555-0100")
    assert pad.verdict_label.text().startswith("Allowed · dials +12125550100")
    assert pad.call_button.isEnabled()


def test_dial_pad_keys_and_backspace(qtbot, pad_and_launcher) -> None:
    pad, _l, _c = pad_and_launcher
    for key in "911":
        qtbot.mouseClick(pad.key_buttons[key], Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == "911"
    assert "emergency" in pad.verdict_label.text()
    qtbot.mouseClick(pad.backspace_button, Qt.MouseButton.LeftButton)
    assert pad.number_edit.text() == "91"


def test_dial_pad_paste_with_line_breaks_is_one_clean_line(qtbot, pad_and_launcher) -> None:
    pad, _l, _c = pad_and_launcher
    QApplication.clipboard().setText("  +44 20\n7946 0958\t\r\n")
    pad.number_edit.setFocus()
    qtbot.keyClick(pad.number_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert pad.number_edit.text() == "+44 20 7946 0958"
    assert "dials +442079460958" in pad.verdict_label.text()


def test_dial_pad_denied_number_never_submits_make_call(
    qtbot, pad_and_launcher, fake_engine
) -> None:
    pad, launcher, _c = pad_and_launcher
    qtbot.keyClicks(pad.number_edit, "1-900-555-0100")
    assert pad.verdict_label.text().startswith("Not allowed")
    assert "premium" in pad.verdict_label.text()
    assert not pad.call_button.isEnabled()
    qtbot.keyClick(pad.number_edit, Qt.Key.Key_Return)
    assert pad.refusal_label.isVisible() and "premium" in pad.refusal_label.text()
    with qtbot.waitSignal(launcher.callRefused) as refused:
        launcher.place("+1 900 555 0100")  # e.g. from the history: the same gate
    assert "premium" in refused.args[0]
    assert fake_engine.commands(cmd.MakeCall) == []


def test_dial_pad_allowed_number_submits_make_call(qtbot, pad_and_launcher, fake_engine) -> None:
    pad, launcher, _c = pad_and_launcher
    qtbot.keyClicks(pad.number_edit, "(212) 555-0100")
    with qtbot.waitSignal(launcher.callPlaced):
        qtbot.mouseClick(pad.call_button, Qt.MouseButton.LeftButton)
    [call] = fake_engine.commands(cmd.MakeCall)
    assert call.account_id == "acc1" and call.uri == "(212) 555-0100"
    assert call.authorization is None


@pytest.mark.parametrize("pad_and_launcher", ["clinician"], indirect=True)
def test_dial_pad_needs_pin_calls_only_after_the_right_code(
    qtbot, pad_and_launcher, fake_engine, screenshot
) -> None:
    pad, launcher, ctx = pad_and_launcher
    qtbot.keyClicks(pad.number_edit, "011 44 20 7946 0958")
    assert pad.verdict_label.text().startswith("Needs an authorization code")
    qtbot.mouseClick(pad.call_button, Qt.MouseButton.LeftButton)
    dialog = launcher.pin_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.pin_edit, "0000")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert dialog.pin_edit.text() == ""  # the code does not stay in the field
    qtbot.waitUntil(lambda: "wrong authorization code" in dialog.error_label.text())
    assert fake_engine.commands(cmd.MakeCall) == []
    screenshot(dialog, "pin_dialog_wrong_code")
    qtbot.keyClicks(dialog.pin_edit, "4321")
    with qtbot.waitSignal(launcher.callPlaced):
        qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    [call] = fake_engine.commands(cmd.MakeCall)
    assert call.authorization is not None
    assert ctx.pins.verify(call.authorization, "+442079460958")
    assert "4321" not in repr(call)


@pytest.mark.parametrize("pad_and_launcher", ["clinician"], indirect=True)
def test_dial_pad_needs_pin_without_a_code_set_up_is_refused(
    qtbot, pad_and_launcher, fake_engine
) -> None:
    _pad, launcher, ctx = pad_and_launcher
    ctx.pins = None
    with qtbot.waitSignal(launcher.callRefused) as refused:
        launcher.place("+44 20 7946 0958")
    assert "no authorization code is set up" in refused.args[0]
    assert launcher.pin_dialog is None and fake_engine.commands(cmd.MakeCall) == []


@pytest.mark.parametrize("pad_and_launcher", ["clinician"], indirect=True)
def test_dial_pad_pin_cancelled_sends_nothing(qtbot, pad_and_launcher, fake_engine) -> None:
    pad, launcher, _ctx = pad_and_launcher
    pad.set_number("+44 20 7946 0958")
    qtbot.mouseClick(pad.call_button, Qt.MouseButton.LeftButton)
    launcher.pin_dialog.reject()
    assert launcher.pin_dialog is None
    assert fake_engine.commands(cmd.MakeCall) == []


@pytest.mark.parametrize("pad_and_launcher", ["clinician"], indirect=True)
def test_launcher_tag_comes_back_with_the_call_after_the_pin(
    qtbot, pad_and_launcher, fake_engine
) -> None:
    _pad, launcher, _ctx = pad_and_launcher
    placed: list[tuple[str, object]] = []
    launcher.callPlacedFor.connect(lambda call_id, tag: placed.append((call_id, tag)))
    launcher.place("+1 212 555 0100", None, "allowed-tag")
    launcher.place("011 44 20 7946 0958", None, "pin-tag")  # needs the code first
    assert [tag for _, tag in placed] == ["allowed-tag"]
    qtbot.keyClicks(launcher.pin_dialog.pin_edit, "4321")
    with qtbot.waitSignal(launcher.callPlacedFor):
        qtbot.keyClick(launcher.pin_dialog.pin_edit, Qt.Key.Key_Return)
    calls = fake_engine.commands(cmd.MakeCall)
    assert placed == [(calls[0].call_id, "allowed-tag"), (calls[1].call_id, "pin-tag")]
    launcher.place("+1 212 555 0100")  # untagged calls do not report a tag
    assert len(placed) == 2
