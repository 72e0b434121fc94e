"""Unlocking the encrypted secret store: a wrong passphrase is told and changes nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.unlock_dialog import UnlockDialog


def _dialog(qtbot, bridge, path) -> UnlockDialog:
    dialog = UnlockDialog(bridge, path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_unlock_wrong_then_right_passphrase(qtbot, bridge, tmp_path, screenshot) -> None:
    path = tmp_path / "secrets.json.enc"
    created = EncryptedFileStore.create(path, "correct horse", scrypt_n=2**10)
    created.set("sip", "alice@example.com", "pw-1")
    before = path.read_bytes()
    dialog = _dialog(qtbot, bridge, path)
    assert not dialog.creating and not dialog.again_edit.isVisible()
    qtbot.keyClicks(dialog.passphrase_edit, "wrong horse")
    qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Return)
    assert dialog.passphrase_edit.text() == ""
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.error_label.text())
    assert "nothing was changed" in dialog.error_label.text()
    assert "wrong horse" not in dialog.error_label.text()
    assert path.read_bytes() == before and dialog.store is None and dialog.isVisible()
    screenshot(dialog, "unlock_wrong_passphrase")
    qtbot.keyClicks(dialog.passphrase_edit, "correct horse")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Return)
    assert dialog.store.get("sip", "alice@example.com").reveal() == "pw-1"
    assert path.read_bytes() == before


def test_unlock_creates_the_store_the_first_time(qtbot, bridge, tmp_path) -> None:
    path = tmp_path / "new" / "secrets.json.enc"
    dialog = _dialog(qtbot, bridge, path)
    assert dialog.creating and dialog.again_edit.isVisible()
    dialog.passphrase_edit.setText("long enough 1")
    dialog.again_edit.setText("long enough 2")
    dialog.unlock_button.click()
    assert "differ" in dialog.error_label.text() and not path.exists()
    dialog.passphrase_edit.setText("short")
    dialog.again_edit.setText("short")
    dialog.unlock_button.click()
    assert "at least" in dialog.error_label.text() and not path.exists()
    dialog.passphrase_edit.setText("long enough 1")
    dialog.again_edit.setText("long enough 1")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.unlock_button.click()
    assert path.exists() and not dialog.store.is_locked
    reopened = EncryptedFileStore(path)
    reopened.unlock("long enough 1")


def test_unlock_continue_without(qtbot, bridge, tmp_path) -> None:
    path = tmp_path / "secrets.json.enc"
    EncryptedFileStore.create(path, "correct horse", scrypt_n=2**10)
    dialog = _dialog(qtbot, bridge, path)
    with qtbot.waitSignal(dialog.rejected):
        dialog.skip_button.click()
    assert dialog.store is None
