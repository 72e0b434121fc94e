"""First run on the real engine: no account, the embedded encrypted test call from the
wizard, then the main window. The whole app as `softphone gui` builds it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from softphone.config.settings import settings_path
from softphone.storage.locations import database_path
from softphone.ui.app import GuiApp
from softphone.ui.security_text import Level


@pytest.fixture
def gui(qtbot, monkeypatch):
    monkeypatch.setenv("SOFTPHONE_STORE_PASSPHRASE", "first run passphrase")
    app = GuiApp(interactive=False)
    yield app
    app.shutdown()


def test_first_run_without_an_account_places_the_encrypted_test_call(
    qtbot, gui, screenshot
) -> None:
    assert not settings_path().exists()
    window = gui.start()
    qtbot.addWidget(window)
    gui.show()
    wizard = gui.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    page = wizard.account_page
    assert page.skipped and page.isComplete()  # no account needed
    screenshot(wizard, "wizard_account")
    wizard.next()
    assert wizard.currentPage() is wizard.test_call_page
    panel = wizard.test_call_page.panel
    with qtbot.waitSignal(panel.finished, timeout=20_000) as done:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert report.passed, report.failures
    assert report.tls_version == "TLSv1.2" and report.srtp_suite and report.keying == "sdes"
    assert report.tone_snr_db > 20 and report.peer_leg_encrypted
    assert panel.badge.level is Level.ENCRYPTED
    text = panel.details_label.text()
    assert report.srtp_suite in text and f"SNR {report.tone_snr_db} dB" in text
    screenshot(wizard, "wizard_test_call")
    with qtbot.waitSignal(wizard.finished, timeout=5000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    doc = json.loads(settings_path().read_text())
    assert doc["accounts"] == []  # saved: the wizard will not come back
    assert "No SIP account" in window.status_bar_widget.text_label.text()
    assert database_path().exists() and gui.ctx.database is not None
    screenshot(window, "main_window_first_run")


def test_second_start_has_no_wizard(qtbot, gui) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(
        json.dumps({"format": "softphone-settings", "version": 1, "accounts": []})
    )
    window = gui.start()
    qtbot.addWidget(window)
    gui.show()
    assert gui.wizard is None and gui.problems == []
    assert window.isVisible()


def test_wrong_store_passphrase_starts_without_secrets_and_says_so(qtbot, gui, monkeypatch) -> None:
    from softphone.security.credentials import data_dir
    from softphone.security.encrypted_file import EncryptedFileStore

    data_dir().mkdir(parents=True)
    EncryptedFileStore.create(data_dir() / "secrets.json.enc", "the real one", scrypt_n=2**10)
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(
        json.dumps({"format": "softphone-settings", "version": 1, "accounts": []})
    )
    window = gui.start()
    qtbot.addWidget(window)
    gui.show()
    assert gui.ctx.store is None and gui.ctx.database is None
    assert any("wrong passphrase" in p for p in gui.problems)
    assert "the real one" not in " ".join(gui.problems) + window.banner.text()
    assert window.banner.isVisible() and "wrong passphrase" in window.banner.text()
