"""The contact dialog's end-to-end part on a real encrypted database: the contact's own
requirement (kept by PeerTrust per SIP address, written off the GUI thread) and what
was verified (short fingerprint and day, or the last mismatch)."""

from __future__ import annotations

import pytest
from helpers_ui import context, open_database

from softphone.directory.contacts import ContactDirectory
from softphone.e2e.trust import PeerTrust
from softphone.engine import events as ev
from softphone.policy.end_to_end import E2eMode
from softphone.storage.database import Contact
from softphone.ui.contact_dialog import ContactDialog
from softphone.ui.main_window import MainWindow

FP = ":".join(["5E"] * 32)


@pytest.fixture
def stores(tmp_path):
    db = open_database(tmp_path)
    trust = PeerTrust(db)
    yield db, ContactDirectory(db, "US"), trust
    trust.close()
    db.close()


def test_contact_e2e_requirement_saved_and_verified_state_shown(
    qtbot, bridge, stores, screenshot
) -> None:
    _db, directory, trust = stores
    carol = directory.add(Contact(display_name="Carol Jones", uris=("sip:carol@example.com",)))
    trust.on_event(ev.CallVerificationDidChange("c1", "carol@example.com", FP, True, "confirmed"))
    assert trust.flush()
    dialog = ContactDialog(bridge, directory, carol, trust=trust)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "verified on" in dialog.verified_label.text())
    text = dialog.verified_label.text()
    assert text.startswith("carol@example.com: verified on ")
    assert "identity 5E:5E:5E:5E:5E:5E:5E:5E…" in text
    assert dialog.e2e_combo.currentData() is None and dialog.e2e_combo.isEnabled()
    assert dialog.e2e_combo.accessibleName() == "End-to-end encryption for this contact"
    assert dialog.verified_label.accessibleName() == "End-to-end verification"
    dialog.e2e_combo.setCurrentIndex(dialog.e2e_combo.findData("required"))
    screenshot(dialog, "contact_e2e")
    with qtbot.waitSignal(dialog.contactSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert trust.lookup("carol@example.com").requirement is E2eMode.REQUIRED
    # opened again: the stored choice is shown; back to the profile's
    again = ContactDialog(bridge, directory, carol, trust=trust)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.e2e_combo.currentData() == "required")
    again.e2e_combo.setCurrentIndex(again.e2e_combo.findData(None))
    with qtbot.waitSignal(again.contactSaved, timeout=5000):
        again.buttons.button(again.buttons.StandardButton.Save).click()
    assert trust.lookup("carol@example.com").requirement is None
    assert trust.lookup("carol@example.com").verified_fingerprint is not None


def test_contact_e2e_without_sip_address_or_database(qtbot, bridge, stores) -> None:
    _db, directory, trust = stores
    dan = directory.add(Contact(display_name="Dan"))
    dialog = ContactDialog(bridge, directory, dan, trust=trust)
    qtbot.addWidget(dialog)
    assert "has none yet" in dialog.verified_label.text()
    with qtbot.waitSignal(dialog.contactSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert trust.peers(["sip:dan@example.com"]) == []
    locked = ContactDialog(bridge, directory, dan)
    qtbot.addWidget(locked)
    assert not locked.e2e_combo.isEnabled() and "not open" in locked.verified_label.text()


def test_contact_e2e_the_contacts_tab_passes_the_trust(qtbot, bridge, tmp_path, stores) -> None:
    db, directory, trust = stores
    win = MainWindow(context(bridge, tmp_path, database=db, directory=directory, trust=trust))
    qtbot.addWidget(win)
    dialog = win.contacts_view.open_editor(None)
    assert dialog.e2e_combo.isEnabled()
    dialog.reject()
