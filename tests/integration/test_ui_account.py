"""The desktop app's account status through the real Kamailio test bed: registered with
TLS and the server's real fingerprint, an expired certificate and a wrong password named
in the status line. A real engine, a real window (pytest-qt under Xvfb)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the gui extra is not installed")

from softphone.config.settings import AccountSettings, SecretRef, Settings
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.context import UiContext
from softphone.ui.main_window import MainWindow
from softphone.ui.settings_dialog import SettingsDialog, fingerprint_lines

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "ui" / "screenshots"


def _openssl_sha256(cert_file: str) -> str:
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert_file],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().split("=", 1)[1].upper()


def _window(qtbot, bridge, tmp_path: Path, port: int, password: str) -> MainWindow:
    text = (REPO / "sip_profiles" / "testbed.toml").read_text()
    profile = tmp_path / "testbed-here.toml"
    profile.write_text(text.replace("5061", str(port)))
    store = EncryptedFileStore.create(tmp_path / "s.enc", "a passphrase", scrypt_n=2**10)
    store.set("sip", "alice@127.0.0.1", password)
    account = AccountSettings(str(profile), "alice", SecretRef("sip", "alice@127.0.0.1"))
    ctx = UiContext(bridge, settings=Settings(accounts=(account,)), store=store)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start()
    return win


def test_ui_account_registers_over_tls_and_shows_the_real_fingerprint(
    qtbot, bridge, testbed, tmp_path
) -> None:
    win = _window(qtbot, bridge, tmp_path, int(testbed.env["SIP_TLS_PORT"]), "alice-secret")
    status = win.status_bar_widget.text_label
    qtbot.waitUntil(lambda: status.text().startswith("Registered"), timeout=15_000)
    assert status.text() == "Registered as alice@127.0.0.1 — TLS 1.2"
    dialog = SettingsDialog(win.ctx, win.accounts.last_registration, win)
    qtbot.addWidget(dialog)
    texts = [w.text() for w in dialog.certificate_box.findChildren(type(status))]
    assert fingerprint_lines(_openssl_sha256(testbed.env["TLS_SERVER_CERT"])) in texts


def test_ui_account_expired_certificate_is_named(qtbot, bridge, testbed, tmp_path) -> None:
    port = int(testbed.env["SIP_TLS_EXPIRED_PORT"])
    win = _window(qtbot, bridge, tmp_path, port, "alice-secret")
    status = win.status_bar_widget
    qtbot.waitUntil(lambda: "Not registered" in status.text_label.text(), timeout=15_000)
    assert status.text_label.text().startswith("Not registered: server certificate expired on ")
    assert _openssl_sha256(testbed.env["TLS_EXPIRED_CERT"]) in status.toolTip()
    assert status.retry_button.isVisible()
    SCREENSHOTS.mkdir(exist_ok=True)
    win.grab().save(str(SCREENSHOTS / "main_window_expired_certificate.png"))


def test_ui_account_wrong_password_is_named(qtbot, bridge, testbed, tmp_path) -> None:
    win = _window(qtbot, bridge, tmp_path, int(testbed.env["SIP_TLS_PORT"]), "not-the-password")
    text = win.status_bar_widget.text_label
    qtbot.waitUntil(lambda: "Not registered" in text.text(), timeout=15_000)
    assert "wrong user name or password" in text.text()
    assert "not-the-password" not in text.text() + win.status_bar_widget.toolTip()
