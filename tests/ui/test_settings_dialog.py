"""Settings: locked settings are visible but disabled with the reason; the password goes
to the secret store and only a reference to the settings file; certificate details."""

from __future__ import annotations

import json

import pytest
from helpers_ui import context
from PySide6.QtCore import Qt

from softphone.config.admin_policy import parse_admin_policy
from softphone.config.settings import HistorySettings, Settings, load_settings
from softphone.engine import events as ev
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.settings_dialog import SettingsDialog

POLICY = """version = 1
[history]
keep = true
retention_days = 30
[privacy]
show_caller_in_notifications = false
"""
FINGERPRINT = ":".join(f"{i:02X}" for i in range(32))  # 00:01:...:1F


@pytest.fixture
def store(tmp_path):
    return EncryptedFileStore.create(tmp_path / "secrets.json.enc", "a passphrase", scrypt_n=2**10)


def _dialog(qtbot, ctx, registration=None) -> SettingsDialog:
    dialog = SettingsDialog(ctx, registration)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_settings_locked_by_the_administrator_are_shown_disabled_with_the_reason(
    qtbot, bridge, tmp_path, screenshot
) -> None:
    admin = parse_admin_policy(POLICY, "/etc/xdg/softphone/policy.toml", tmp_path / "policy.toml")
    user = Settings(history=HistorySettings(keep=True, retention_days=None))
    dialog = _dialog(qtbot, context(bridge, tmp_path, admin=admin, settings=user))
    dialog.tabs.setCurrentIndex(2)
    assert not dialog.retention_spin.isEnabled() and dialog.retention_spin.value() == 30
    assert not dialog.show_caller_check.isEnabled()
    assert not dialog.show_caller_check.isChecked()  # the administrator's value, not the user's
    assert "administrator" in dialog.show_caller_check.toolTip()
    label = dialog.lock_labels["privacy.show_caller_in_notifications"]
    assert label.isVisible() and "policy.toml" in label.text()
    assert not dialog.keep_check.isEnabled()  # the file set history.keep too
    screenshot(dialog, "settings_privacy_locked")
    chosen = dialog.chosen_settings()  # locked keys keep the user's own choice underneath
    assert chosen.history.retention_days is None
    assert chosen.privacy.show_caller_in_notifications is True


def test_settings_unlocked_settings_are_editable(qtbot, bridge, tmp_path) -> None:
    dialog = _dialog(qtbot, context(bridge, tmp_path))
    assert dialog.keep_check.isEnabled() and dialog.show_caller_check.isEnabled()
    assert not any(label.isVisible() for label in dialog.lock_labels.values())
    dialog.show_caller_check.setChecked(False)
    dialog.retention_spin.setValue(90)
    chosen = dialog.chosen_settings()
    assert chosen.privacy.show_caller_in_notifications is False
    assert chosen.history.retention_days == 90


def test_settings_password_goes_to_the_secret_store_never_the_file(
    qtbot, bridge, tmp_path, store, screenshot
) -> None:
    ctx = context(bridge, tmp_path, store=store)
    dialog = _dialog(qtbot, ctx)
    form = dialog.account_form
    form.profile_combo.setCurrentIndex(form.profile_combo.findText("generic-tls"))
    form.username_edit.setText("alice")
    qtbot.keyClicks(form.password_edit, "s3cret-Pw!")
    screenshot(dialog, "settings_account")
    with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert form.password_edit.text() == ""
    text = (tmp_path / "settings.json").read_text()
    assert "s3cret-Pw!" not in text
    doc = json.loads(text)
    assert doc["accounts"][0]["password"] == {"secret_store": "sip/alice@sip.example.com"}
    assert store.get("sip", "alice@sip.example.com").reveal() == "s3cret-Pw!"
    assert load_settings(tmp_path / "settings.json") == ctx.settings
    assert not dialog.isVisible()


def test_settings_password_without_an_open_store_is_refused_and_not_written(
    qtbot, bridge, tmp_path
) -> None:
    dialog = _dialog(qtbot, context(bridge, tmp_path, store=None))
    dialog.account_form.username_edit.setText("alice")
    dialog.account_form.password_edit.setText("s3cret-Pw!")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert "secret store is not open" in dialog.error_label.text()
    assert "s3cret" not in dialog.error_label.text()
    assert not (tmp_path / "settings.json").exists()
    assert dialog.isVisible()


def test_settings_security_shows_the_server_certificate(qtbot, bridge, tmp_path, screenshot):
    reg = ev.AccountRegistrationDidChange(
        "acc1",
        ev.RegistrationState.REGISTERED,
        200,
        "OK",
        300,
        signalling=ev.SignallingSecurity(
            "tls", "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", "sip.example.com", FINGERPRINT
        ),
    )
    dialog = _dialog(qtbot, context(bridge, tmp_path), reg)
    dialog.tabs.setCurrentIndex(1)
    texts = [w.text() for w in dialog.certificate_box.findChildren(type(dialog.error_label))]
    # on two lines of 16 bytes, to compare by eye
    assert f"{FINGERPRINT[:47]}\n{FINGERPRINT[48:]}" in texts
    assert "TLS 1.2, ECDHE-RSA-AES256-GCM-SHA384" in texts
    screenshot(dialog, "settings_security")


def test_settings_security_shows_a_refused_certificate(qtbot, bridge, tmp_path) -> None:
    problem = ev.CertificateProblem(
        "sip.example.com", 5061, ("expired",), (), "CN=sip", "CN=ca", FINGERPRINT, "2020-02-01"
    )
    reg = ev.AccountRegistrationDidChange(
        "acc1", ev.RegistrationState.FAILED, 503, problem.message, certificate=problem
    )
    dialog = _dialog(qtbot, context(bridge, tmp_path), reg)
    texts = [w.text() for w in dialog.certificate_box.findChildren(type(dialog.error_label))]
    assert "REFUSED: server certificate expired" in texts and "2020-02-01" in texts


def test_settings_cancel_writes_nothing(qtbot, bridge, tmp_path) -> None:
    dialog = _dialog(qtbot, context(bridge, tmp_path))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not (tmp_path / "settings.json").exists()
