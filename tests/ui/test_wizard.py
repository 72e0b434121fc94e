"""First-run wizard with an account: saved to the secret store, registered, and the
server certificate's fingerprint shown to compare (engine faked; the no-account path
runs on the real engine in test_first_run.py)."""

from __future__ import annotations

import json

import pytest
from helpers_ui import context

from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.wizard import FirstRunWizard

SHA = ":".join(f"{i:02X}" for i in range(32))


@pytest.fixture
def wizard(qtbot, bridge, tmp_path):
    store = EncryptedFileStore.create(tmp_path / "s.enc", "a passphrase", scrypt_n=2**10)
    ctx = context(bridge, tmp_path, store=store, account=None)
    w = FirstRunWizard(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w, ctx, store


def test_wizard_account_is_saved_registered_and_its_certificate_shown(
    qtbot, wizard, fake_engine, tmp_path, screenshot
) -> None:
    w, _ctx, store = wizard
    page = w.account_page
    page.have_radio.setChecked(True)
    assert not page.isComplete()  # a user name is needed
    page.form.profile_combo.setCurrentIndex(page.form.profile_combo.findText("generic-tls"))
    qtbot.keyClicks(page.form.username_edit, "alice")
    qtbot.keyClicks(page.form.password_edit, "pw-wizard-1")
    assert page.isComplete()
    w.next()
    assert w.currentPage() is w.connection_page
    qtbot.waitUntil(lambda: len(fake_engine.commands(cmd.AddAccount)) == 1)
    [add] = fake_engine.commands(cmd.AddAccount)
    assert add.password.reveal() == "pw-wizard-1"
    assert store.get("sip", "alice@sip.example.com").reveal() == "pw-wizard-1"
    assert "pw-wizard-1" not in (tmp_path / "settings.json").read_text()
    sig = ev.SignallingSecurity("tls", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "sip.example.com", SHA)
    fake_engine.emit(
        ev.AccountRegistrationDidChange(
            add.account_id, ev.RegistrationState.REGISTERED, 200, "OK", 300, signalling=sig
        )
    )
    label = w.connection_page.certificate_label
    qtbot.waitUntil(lambda: "SHA-256" in label.text())
    assert w.connection_page.fingerprint_label.text() == f"{SHA[:47]}\n{SHA[48:]}"
    assert "TLS 1.3" in label.text()
    assert "Registered as alice@sip.example.com" in w.connection_page.status_label.text()
    screenshot(w, "wizard_connection")
    w.next()
    assert w.currentPage() is w.test_call_page
    with qtbot.waitSignal(w.finished, timeout=5000):
        w.accept()
    doc = json.loads((tmp_path / "settings.json").read_text())
    assert doc["accounts"][0]["username"] == "alice"
    assert fake_engine.commands(cmd.RemoveAccount) == [cmd.RemoveAccount(add.account_id)]


def test_wizard_registration_failure_says_why_with_retry(qtbot, wizard, fake_engine) -> None:
    w, _ctx, _store = wizard
    w.account_page.have_radio.setChecked(True)
    w.account_page.form.username_edit.setText("alice")
    w.account_page.form.password_edit.setText("wrong")
    w.next()
    qtbot.waitUntil(lambda: len(fake_engine.commands(cmd.AddAccount)) == 1)
    [add] = fake_engine.commands(cmd.AddAccount)
    problem = ev.CertificateProblem(
        "sip.example.com", 5061, ("hostname_mismatch",), (), "CN=other", "CN=ca", SHA, ""
    )
    fake_engine.emit(
        ev.AccountRegistrationDidChange(
            add.account_id, ev.RegistrationState.FAILED, 503, problem.message, certificate=problem
        )
    )
    page = w.connection_page
    qtbot.waitUntil(lambda: "is for another server" in page.status_label.text())
    assert page.retry_button.isVisible()
    assert "refused" in page.certificate_label.text()


def test_wizard_cancel_lets_go_of_the_account(qtbot, wizard, fake_engine) -> None:
    w, _ctx, _store = wizard
    w.account_page.have_radio.setChecked(True)
    w.account_page.form.username_edit.setText("alice")
    w.next()
    qtbot.waitUntil(lambda: len(fake_engine.commands(cmd.AddAccount)) == 1)
    w.reject()
    [add] = fake_engine.commands(cmd.AddAccount)
    assert fake_engine.commands(cmd.RemoveAccount) == [cmd.RemoveAccount(add.account_id)]
