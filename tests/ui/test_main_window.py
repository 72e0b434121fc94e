"""Main window: account status with the reason and Retry, incoming calls (privacy mode,
call waiting, decline/busy), history with filters and call back, search, call windows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from helpers_ui import account, context
from PySide6.QtCore import Qt

from softphone.config.settings import AccountSettings, PrivacySettings, SecretRef, Settings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.storage.database import CallRecord, Direction, LocalDatabase
from softphone.ui.main_window import MainWindow

CALLER = '"Dr Alice Example" <sip:alice@clinic.example;transport=tls>'
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    return EncryptedFileStore.create(tmp_path / "secrets.json.enc", "a passphrase", scrypt_n=2**10)


def _window(qtbot, ctx) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _arrive(call_id: str = "in1", waiting: bool = False) -> ev.CallDidArrive:
    return ev.CallDidArrive(call_id, "acc1", CALLER, "Dr Alice Example", waiting)


def test_main_window_privacy_mode_hides_the_caller(qtbot, bridge, fake_engine, tmp_path) -> None:
    private = Settings(privacy=PrivacySettings(show_caller_in_notifications=False))
    win = _window(qtbot, context(bridge, tmp_path, settings=private))
    fake_engine.emit(_arrive())
    qtbot.waitUntil(lambda: "in1" in win.incoming)
    dialog = win.incoming["in1"]
    assert dialog.isVisible()
    shown = " ".join(
        [dialog.windowTitle(), dialog.title_label.text(), dialog.caller_label.text(),
         dialog.waiting_label.text(), *win.last_notification]
    )  # fmt: skip
    assert "Alice" not in shown and "clinic" not in shown
    assert "privacy" in dialog.caller_label.text()


def test_main_window_shows_the_caller_without_privacy_mode(
    qtbot, bridge, fake_engine, tmp_path, screenshot
) -> None:
    win = _window(qtbot, context(bridge, tmp_path))
    fake_engine.emit(_arrive())
    qtbot.waitUntil(lambda: "in1" in win.incoming)
    dialog = win.incoming["in1"]
    assert dialog.caller_label.text() == "Dr Alice Example (alice@clinic.example)"
    assert "Alice" in win.last_notification[1] and "Alice" not in dialog.windowTitle()
    screenshot(dialog, "incoming_call")


def test_main_window_call_waiting_answer_holds_the_other_call(
    qtbot, bridge, fake_engine, tmp_path, screenshot
) -> None:
    win = _window(qtbot, context(bridge, tmp_path))
    fake_engine.emit(_arrive("in2", waiting=True))
    qtbot.waitUntil(lambda: "in2" in win.incoming)
    dialog = win.incoming["in2"]
    assert dialog.waiting_label.isVisible() and "on hold" in dialog.waiting_label.text()
    screenshot(dialog, "incoming_call_waiting")
    qtbot.mouseClick(dialog.answer_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.Answer) == [cmd.Answer("in2", hold_others=True)]
    assert "in2" in win.call_windows and win.call_windows["in2"].isVisible()
    assert not dialog.isVisible()


@pytest.mark.parametrize(("button", "code"), [("decline_button", 603), ("busy_button", 486)])
def test_main_window_decline_and_busy(qtbot, bridge, fake_engine, tmp_path, button, code) -> None:
    win = _window(qtbot, context(bridge, tmp_path))
    fake_engine.emit(_arrive())
    qtbot.waitUntil(lambda: "in1" in win.incoming)
    qtbot.mouseClick(getattr(win.incoming["in1"], button), Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.Reject) == [cmd.Reject("in1", code)]
    assert fake_engine.commands(cmd.Answer) == [] and win.call_windows == {}


def test_main_window_incoming_window_closes_when_the_caller_gives_up(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    win = _window(qtbot, context(bridge, tmp_path))
    fake_engine.emit(_arrive())
    qtbot.waitUntil(lambda: "in1" in win.incoming)
    dialog = win.incoming["in1"]
    fake_engine.emit(ev.CallDidEnd("in1", 487, "Request Terminated", 0.0))
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert fake_engine.commands(cmd.Reject) == []


def test_main_window_ignores_calls_of_other_accounts(qtbot, bridge, fake_engine, tmp_path):
    win = _window(qtbot, context(bridge, tmp_path))
    fake_engine.emit(
        replace(_arrive(), account_id="loopback-peer"),
        ev.CallDidStart("t1", "test-caller-1", "sip:echo@127.0.0.1", ev.Direction.OUTGOING),
    )
    qtbot.wait(50)
    assert win.incoming == {} and win.call_windows == {}


def test_main_window_outgoing_call_opens_a_call_window(qtbot, bridge, fake_engine, tmp_path):
    win = _window(qtbot, context(bridge, tmp_path))
    win.dial_pad.set_number("+1 212 555 0100")
    qtbot.mouseClick(win.dial_pad.call_button, Qt.MouseButton.LeftButton)
    [call] = fake_engine.commands(cmd.MakeCall)
    fake_engine.emit(
        ev.CallDidStart(call.call_id, "acc1", "sip:+12125550100@x", ev.Direction.OUTGOING)
    )
    qtbot.waitUntil(lambda: call.call_id in win.call_windows)
    window = win.call_windows[call.call_id]
    window.close()  # closing an active call hangs up, and the window is forgotten
    qtbot.waitUntil(lambda: call.call_id not in win.call_windows)
    assert fake_engine.commands(cmd.Hangup) == [cmd.Hangup(call.call_id)]


def test_main_window_account_status_reason_and_retry(
    qtbot, bridge, fake_engine, tmp_path, store, screenshot
) -> None:
    store.set("sip", "alice@sip.example.com", "pw-1")
    settings = Settings(
        accounts=(
            AccountSettings("generic-tls", "alice", SecretRef("sip", "alice@sip.example.com")),
        )
    )
    ctx = context(bridge, tmp_path, settings=settings, store=store, account=None)
    win = _window(qtbot, ctx)
    assert "No SIP account" in win.status_bar_widget.text_label.text()
    win.start()
    qtbot.waitUntil(lambda: len(fake_engine.commands(cmd.AddAccount)) == 1)
    [add] = fake_engine.commands(cmd.AddAccount)
    assert add.username == "alice" and add.password.reveal() == "pw-1"
    assert ctx.account is not None and ctx.account.account_id == add.account_id
    reason = "wrong user name or password (401 Unauthorized)"
    fake_engine.emit(
        ev.AccountRegistrationDidChange(add.account_id, ev.RegistrationState.FAILED, 401, reason)
    )
    status = win.status_bar_widget
    qtbot.waitUntil(lambda: "wrong user name or password" in status.text_label.text())
    assert status.retry_button.isVisible()
    win.tabs.setCurrentIndex(0)
    qtbot.keyClicks(win.dial_pad.number_edit, "+1 (212) 555-0100")
    screenshot(win, "main_window_not_registered")
    qtbot.mouseClick(status.retry_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.Register) == [cmd.Register(add.account_id)]
    tls = ev.SignallingSecurity("tls", "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384")
    fake_engine.emit(
        ev.AccountRegistrationDidChange(
            add.account_id, ev.RegistrationState.REGISTERED, 200, "OK", 300, signalling=tls
        )
    )
    qtbot.waitUntil(lambda: status.text_label.text().startswith("Registered as"))
    assert status.text_label.text() == "Registered as alice@sip.example.com — TLS 1.2"
    assert not status.retry_button.isVisible()
    screenshot(win, "main_window_registered")


def test_main_window_account_without_stored_password_says_so(
    qtbot, bridge, fake_engine, tmp_path, store
) -> None:
    settings = Settings(
        accounts=(AccountSettings("generic-tls", "bob", SecretRef("sip", "bob@sip.example.com")),)
    )
    win = _window(qtbot, context(bridge, tmp_path, settings=settings, store=store, account=None))
    win.start()
    text = win.status_bar_widget.text_label
    qtbot.waitUntil(lambda: "no password stored" in text.text())
    assert fake_engine.commands(cmd.AddAccount) == []


@pytest.fixture
def database(tmp_path, store):
    db = LocalDatabase.open(tmp_path / "local.db", store)
    rows = [
        ("sip:+12125550100@sip.example.com;user=phone", Direction.OUTGOING, "answered", 0),
        ("sip:bob@sip.example.com", Direction.INCOMING, "missed", 5),
        ("sip:+19005550100@sip.example.com;user=phone", Direction.INCOMING, "answered", 9),
        ("sip:carol@sip.example.com", Direction.INCOMING, "declined", 12),
    ]
    for peer, direction, outcome, minutes in rows:
        db.add_call(
            CallRecord(T0 + timedelta(minutes=minutes), 42.0, direction, outcome, True, False, peer)
        )
    yield db
    db.close()


def test_main_window_history_filters_and_call_back_through_the_policy(
    qtbot, bridge, fake_engine, tmp_path, store, database, screenshot
) -> None:
    win = _window(qtbot, context(bridge, tmp_path, store=store, database=database))
    view = win.history_view
    view.reload()
    qtbot.waitUntil(lambda: win.history_model.rowCount() == 4)
    win.tabs.setCurrentWidget(view)
    view.direction_combo.setCurrentIndex(view.direction_combo.findData("incoming"))
    assert view.proxy.rowCount() == 3
    view.outcome_combo.setCurrentIndex(view.outcome_combo.findText("Missed"))
    assert view.proxy.rowCount() == 1
    view.table.selectRow(0)
    assert view.selected_record().peer == "sip:bob@sip.example.com"
    qtbot.mouseClick(view.call_back_button, Qt.MouseButton.LeftButton)
    [call] = fake_engine.commands(cmd.MakeCall)
    assert call.uri == "sip:bob@sip.example.com"
    view.direction_combo.setCurrentIndex(0)
    view.outcome_combo.setCurrentIndex(0)
    screenshot(win, "main_window_history")
    premium = next(
        i for i in range(view.proxy.rowCount()) if "1900" in view.proxy.index(i, 2).data()
    )
    view.table.selectRow(premium)
    qtbot.mouseClick(view.call_back_button, Qt.MouseButton.LeftButton)
    assert len(fake_engine.commands(cmd.MakeCall)) == 1  # the premium number was not called
    assert "premium" in win.banner.text() and win.banner.isVisible()


def test_main_window_search_finds_history_and_calls(
    qtbot, bridge, fake_engine, tmp_path, store, database
) -> None:
    win = _window(qtbot, context(bridge, tmp_path, store=store, database=database))
    win.history_view.reload()
    qtbot.waitUntil(lambda: win.history_model.rowCount() == 4)
    qtbot.keyClicks(win.search.search_edit, "212 555")
    assert win.search.results.isVisible() and win.search.results.count() == 1
    qtbot.keyClick(win.search.search_edit, Qt.Key.Key_Return)
    [call] = fake_engine.commands(cmd.MakeCall)
    assert "+12125550100" in call.uri


def test_main_window_search_provider_is_injectable(qtbot, bridge, fake_engine, tmp_path) -> None:
    asked: list[str] = []

    def directory(query: str) -> list[tuple[str, str]]:
        asked.append(query)
        return [("Dr Who — Cardiology", "sip:who@sip.example.com")]

    win = MainWindow(context(bridge, tmp_path), search_provider=directory)
    qtbot.addWidget(win)
    qtbot.keyClicks(win.search.search_edit, "wh")
    assert asked[-1] == "wh" and win.search.results.item(0).text().startswith("Dr Who")


def test_main_window_no_account(qtbot, bridge, fake_engine, tmp_path) -> None:
    win = _window(qtbot, context(bridge, tmp_path, account=None))
    win.dial_pad.set_number("+1 212 555 0100")
    assert "No SIP account" in win.dial_pad.verdict_label.text()
    assert not win.dial_pad.call_button.isEnabled()
    win.launcher.place("+1 212 555 0100")
    assert fake_engine.commands(cmd.MakeCall) == []
    assert "no SIP account" in win.banner.text()
    assert account().address == "alice@sip.example.com"


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("tel:+1-212-555-0100", "Allowed"),
        ("sip:+19005550100@sip.example.com;user=phone", "Not allowed"),
    ],
)
def test_main_window_call_link_goes_to_the_dial_pad_and_is_not_called(
    qtbot, bridge, fake_engine, tmp_path, url, verdict
) -> None:
    win = _window(qtbot, context(bridge, tmp_path))
    assert win.open_link(url)
    assert win.tabs.currentWidget() is win.dial_pad
    assert win.dial_pad.number_edit.text() == url
    assert win.dial_pad.verdict_label.text().startswith(verdict)
    qtbot.wait(50)
    assert fake_engine.commands(cmd.MakeCall) == []  # a link never calls by itself


def test_main_window_refuses_links_that_are_not_calls(qtbot, bridge, fake_engine, tmp_path):
    win = _window(qtbot, context(bridge, tmp_path))
    assert not win.open_link("https://evil.example/?tel:+19005550100")
    assert win.dial_pad.number_edit.text() == ""
