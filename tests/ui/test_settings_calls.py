"""Settings → Calls: "who may call me" saved and put into force in the engine (locked when
the administrator sets it), signing out between appointments (AutoSignOut on the real
schedule), reminder minutes; and the app applying the mode with its caller facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers import MemoryStore
from helpers_ui import context, open_database
from PySide6.QtCore import Qt

from softphone.config.admin_policy import parse_admin_policy
from softphone.config.settings import (
    AccountSettings,
    ScheduleSettings,
    SecretRef,
    Settings,
    load_settings,
)
from softphone.engine import commands as cmd
from softphone.engine.gate import CallPolicy, dial_plan
from softphone.policy.inbound import CallerFacts, InboundMode
from softphone.schedule.appointment import Appointment
from softphone.schedule.live import LiveSchedule
from softphone.storage.appointments import AppointmentStore
from softphone.ui.app import GuiApp
from softphone.ui.main_window import MainWindow
from softphone.ui.settings_dialog import SettingsDialog

NOW = datetime.now(UTC).replace(microsecond=0)


def _save(qtbot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def test_settings_calls_saved_and_put_into_force(qtbot, bridge, tmp_path, screenshot) -> None:
    applied: list[InboundMode] = []
    ctx = context(bridge, tmp_path, apply_inbound_mode=applied.append)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.open_settings()
    dialog = win.settings_dialog
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(3)
    assert dialog.inbound_combo.currentData() == "anyone" and dialog.inbound_combo.isEnabled()
    assert dialog.reminder_spin.value() == 5 and not dialog.sign_out_check.isChecked()
    dialog.inbound_combo.setCurrentIndex(dialog.inbound_combo.findData("scheduled"))
    assert "participant of an appointment" in dialog.inbound_hint.text()
    dialog.reminder_spin.setValue(10)
    screenshot(dialog, "settings_calls")
    _save(qtbot, dialog)
    doc = json.loads((tmp_path / "settings.json").read_text())
    assert doc["inbound"] == "scheduled" and doc["schedule"]["reminder_minutes"] == 10
    assert load_settings(tmp_path / "settings.json").schedule.reminder_minutes == 10
    assert applied == [InboundMode.SCHEDULED]


def test_settings_calls_locked_by_the_administrator(qtbot, bridge, tmp_path) -> None:
    admin = parse_admin_policy(
        "version = 1\n[inbound]\nmode = 'approved'\n", "/etc/xdg/softphone/policy.toml",
        tmp_path / "policy.toml",
    )  # fmt: skip
    applied: list[InboundMode] = []
    user = Settings(inbound_mode=InboundMode.ANYONE)
    ctx = context(bridge, tmp_path, admin=admin, settings=user, apply_inbound_mode=applied.append)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.open_settings()
    dialog = win.settings_dialog
    assert not dialog.inbound_combo.isEnabled()
    assert dialog.inbound_combo.currentData() == "approved"  # the administrator's value
    assert "policy.toml" in dialog.lock_labels["inbound"].text()
    _save(qtbot, dialog)
    assert load_settings(tmp_path / "settings.json").inbound_mode is InboundMode.ANYONE
    assert applied == [InboundMode.APPROVED]  # what is in force is the administrator's


@pytest.fixture
def schedule(tmp_path):
    db = open_database(tmp_path)
    store = AppointmentStore(db)
    from helpers_ui import account

    live = LiveSchedule(store.between, dial_plan(account().profile), refresh_s=3600)
    yield store, live
    live.close()
    db.close()


def _commands(fake_engine) -> list:
    return [c for c in fake_engine.submitted if isinstance(c, cmd.Register | cmd.Unregister)]


def test_sign_out_between_appointments(qtbot, bridge, fake_engine, tmp_path, schedule) -> None:
    store, live = schedule
    ctx = context(bridge, tmp_path, schedule=live)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.sign_out.update()
    assert win.sign_out.auto is None and _commands(fake_engine) == []  # off by default
    ctx.settings = Settings(schedule=ScheduleSettings(sign_out_between=True))
    win.sign_out.update()
    qtbot.waitUntil(lambda: _commands(fake_engine) == [cmd.Unregister("acc1")])
    assert win.today_view.presence_label.text() == "Signed out: no appointment in the coming days"
    store.add(Appointment(NOW + timedelta(minutes=5), timedelta(minutes=30), "sip:pat@x.example"))
    live.refresh(wait=5)
    win.sign_out._on_timer_timeout()  # hand over the new index (every 10 s otherwise)
    qtbot.waitUntil(lambda: _commands(fake_engine)[-1] == cmd.Register("acc1"))
    assert win.today_view.presence_label.text().startswith("Signed in for the appointment now")
    ctx.settings = Settings()
    win.sign_out.update()  # turned off: registered again, no more sign-outs
    assert win.sign_out.auto is None and _commands(fake_engine)[-1] == cmd.Register("acc1")
    assert not win.today_view.presence_label.isVisible()


def test_sign_out_follows_the_settings_dialog(
    qtbot, bridge, fake_engine, tmp_path, schedule
) -> None:
    _store, live = schedule
    secrets = MemoryStore()
    secrets.set("sip", "alice@sip.example.com", "pw")
    user = Settings(
        accounts=(
            AccountSettings("generic-tls", "alice", SecretRef("sip", "alice@sip.example.com")),
        )
    )
    ctx = context(bridge, tmp_path, schedule=live, settings=user, store=secrets, account=None)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.start()
    qtbot.waitUntil(lambda: ctx.account is not None)
    assert win.sign_out.auto is None
    win.open_settings()
    dialog = win.settings_dialog
    dialog.sign_out_check.setChecked(True)
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: win.sign_out.auto is not None)  # for the account added again
    assert win.sign_out.account_id == ctx.account.account_id
    qtbot.waitUntil(lambda: cmd.Unregister(ctx.account.account_id) in _commands(fake_engine))
    win.close()
    assert win.sign_out.auto is None


def test_app_applies_the_mode_with_the_same_caller_facts() -> None:
    class Engine:
        policy: CallPolicy | None = None

        def set_policy(self, policy: CallPolicy) -> None:
            self.policy = policy

    def facts(_caller) -> CallerFacts:
        return CallerFacts(approved=True)

    app = GuiApp(interactive=False)
    app.engine = Engine()  # type: ignore[assignment]
    app.policy = CallPolicy(caller_facts=facts)
    app.apply_inbound_mode(InboundMode.APPROVED)
    assert app.engine.policy.inbound.mode is InboundMode.APPROVED
    assert app.engine.policy.caller_facts is facts
    assert app.policy.inbound.mode is InboundMode.ANYONE  # the base stays as built


def test_settings_dialog_close_button(qtbot, bridge, tmp_path) -> None:
    dialog = SettingsDialog(context(bridge, tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
