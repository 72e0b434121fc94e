"""Contacts tab on a real encrypted database: add/edit/delete through the dialog (written
off the GUI thread), favourites first and the filter, vCard/CSV import (a bad card is
named and nothing is imported) and export, merging duplicates, calling through the
policy."""

from __future__ import annotations

import stat

import pytest
from helpers_ui import context, open_database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from softphone.directory.contacts import ContactDirectory
from softphone.directory.vcard import read_vcards
from softphone.engine import commands as cmd
from softphone.storage.database import Contact, PhoneEntry
from softphone.ui.main_window import MainWindow

GOOD_VCARD = """BEGIN:VCARD
VERSION:3.0
FN:Carol Jones
ORG:Hospital;Cardiology
TEL;TYPE=work:+1 212 555 0177
END:VCARD
"""
BAD_VCARD = (
    GOOD_VCARD
    + """BEGIN:VCARD
VERSION:3.0
FN:Dan Broken
X-SIP:mailto:dan@example.com
TEL;TYPE=work:+1 212 555 0178
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Eve
END:VCARD
"""
)


@pytest.fixture
def database(tmp_path):
    db = open_database(tmp_path)
    yield db
    db.close()


@pytest.fixture
def directory(database):
    return ContactDirectory(database, "US")


@pytest.fixture
def window(qtbot, bridge, tmp_path, database, directory):
    win = MainWindow(context(bridge, tmp_path, database=database, directory=directory))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.tabs.setCurrentWidget(win.contacts_view)
    return win


def _labels(view) -> list[str]:
    return [view.model.index(i).data() for i in range(view.model.rowCount())]


def test_contacts_add_through_the_dialog_and_call(
    qtbot, window, directory, fake_engine, screenshot
) -> None:
    view = window.contacts_view
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.name_edit, "John Smith")
    qtbot.keyClicks(dialog.organisation_edit, "St Mary's")
    qtbot.keyClicks(dialog.department_edit, "Dermatology")
    dialog.numbers_table.item(0, 1).setText("(212) 555-0123")
    qtbot.mouseClick(dialog.add_number_button, Qt.MouseButton.LeftButton)
    dialog.numbers_table.item(1, 1).setText("+1 646 555 0199")
    dialog.uris_edit.setPlainText("john.smith@sip.example.com\nsips:jsmith@pbx.example")
    qtbot.keyClicks(dialog.tags_edit, "staff, skin")
    dialog.favourite_check.setChecked(True)
    dialog.approved_check.setChecked(True)
    dialog.note_edit.setPlainText("Prefers mornings")
    screenshot(dialog, "contact_dialog")
    with qtbot.waitSignal(dialog.contactSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    [stored] = directory.list()
    assert stored.numbers[0] == PhoneEntry("(212) 555-0123", "+12125550123", "work")
    assert stored.numbers[1].label == "cell" and stored.numbers[1].e164 == "+16465550199"
    assert stored.uris == ("sip:john.smith@sip.example.com", "sips:jsmith@pbx.example")
    assert stored.tags == ("staff", "skin") and stored.favourite and stored.approved
    assert directory.is_approved("sip:+12125550123@sip.example.com;user=phone")
    qtbot.waitUntil(lambda: _labels(view) == ["★ John Smith – Dermatology"])
    assert view.selected() == stored  # the new contact is selected
    assert view.call_button.text() == "Call work (212) 555-0123"
    assert [a.text() for a in view.call_menu.actions()][2] == (
        "Call SIP sip:john.smith@sip.example.com"
    )
    screenshot(window, "contacts_tab")
    qtbot.mouseClick(view.call_button, Qt.MouseButton.LeftButton)
    view.call_menu.actions()[2].trigger()
    calls = fake_engine.commands(cmd.MakeCall)
    assert [c.uri for c in calls] == ["+12125550123", "sip:john.smith@sip.example.com"]


def test_contacts_bad_field_is_named_and_nothing_is_written(qtbot, window, directory) -> None:
    view = window.contacts_view
    dialog = view.open_editor(None)
    qtbot.keyClicks(dialog.name_edit, "Mallory")
    dialog.uris_edit.setPlainText("mailto:mallory@example.com")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible() and "not a SIP URI" in dialog.error_label.text()
    qtbot.wait(50)
    assert len(directory) == 0


def test_contacts_edit_delete_favourites_and_filter(qtbot, window, directory) -> None:
    directory.add_many(
        [
            Contact("Zoe Adams", department="Radiology", numbers=(PhoneEntry("+1 212 555 0100"),)),
            Contact("Bob Brown", organisation="Clinic", favourite=True),
            Contact("Amy Clark", tags=("nurse",)),
        ]
    )
    view = window.contacts_view
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    assert _labels(view) == ["★ Bob Brown – Clinic", "Amy Clark", "Zoe Adams – Radiology"]
    view.favourites_check.setChecked(True)
    assert _labels(view) == ["★ Bob Brown – Clinic"]
    view.favourites_check.setChecked(False)
    qtbot.keyClicks(view.filter_edit, "nur")
    assert _labels(view) == ["Amy Clark"]
    view.filter_edit.clear()
    qtbot.keyClicks(view.filter_edit, "555 01")
    assert _labels(view) == ["Zoe Adams – Radiology"]
    view.filter_edit.clear()
    view.select(directory.list()[2].id)  # Zoe
    assert view.selected().display_name == "Zoe Adams"
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert dialog.name_edit.text() == "Zoe Adams" and dialog.number_rows() == [
        ("", "+1 212 555 0100")
    ]
    dialog.favourite_check.setChecked(True)
    with qtbot.waitSignal(dialog.contactSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: _labels(view)[1] == "★ Zoe Adams – Radiology")
    assert len(directory) == 3
    view.select(next(c.id for c in directory.list() if c.display_name == "Amy Clark"))
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    box = view.confirm_box
    assert "Amy Clark" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    assert [c.display_name for c in directory.list()] == ["Bob Brown", "Zoe Adams"]
    assert "deleted" in view.message_label.text()


def test_contacts_import_error_names_the_card_and_imports_nothing(
    qtbot, window, directory, tmp_path, monkeypatch
) -> None:
    view = window.contacts_view
    bad = tmp_path / "book.vcf"
    bad.write_text(BAD_VCARD)
    monkeypatch.setattr(
        "softphone.ui.contacts_view.QFileDialog.getOpenFileName", lambda *a: (str(bad), "")
    )
    view.import_action.trigger()
    qtbot.waitUntil(lambda: "Nothing was imported" in view.message_label.text())
    text = view.message_label.text()
    assert "book.vcf: card 2 (line 7)" in text and "mailto" in text
    assert view.message_label.property("kind") == "error"
    assert len(directory) == 0
    good = tmp_path / "book.csv"
    good.write_text(
        "name,department,numbers,favourite\n"
        "Carol Jones,Cardiology,work=+1 212 555 0177,yes\n"
        "Carol J.,,(212) 555-0177,no\n"
        "Dan Lee,,4711,no\n"
    )
    view.import_from(good)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    assert "Imported 3 contacts, 1 merged" in view.message_label.text()
    carol = directory.find_by_number("+12125550177")
    assert [c.display_name for c in carol] == ["Carol Jones"]


def test_contacts_export_vcard_and_csv_round_trip(qtbot, window, directory, tmp_path) -> None:
    directory.add(Contact("Carol Jones", department="Cardiology", uris=("sip:carol@h.example",)))
    view = window.contacts_view
    target = tmp_path / "out.vcf"
    view.export_to(target)
    qtbot.waitUntil(lambda: "Exported 1 contact " in view.message_label.text())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    [back] = read_vcards(target.read_bytes())
    assert back.display_name == "Carol Jones" and back.uris == ("sip:carol@h.example",)
    csv_target = tmp_path / "out.csv"
    view.export_to(csv_target)
    qtbot.waitUntil(lambda: csv_target.exists())
    assert csv_target.read_text().splitlines()[1].startswith("Carol Jones,,Cardiology,")


def test_contacts_merge_duplicates(qtbot, window, directory) -> None:
    directory.add_many(
        [
            Contact("Carol Jones", numbers=(PhoneEntry("+1 212 555 0177"),), tags=("a",)),
            Contact("C. Jones", numbers=(PhoneEntry("(212) 555-0177"),), approved=True),
            Contact("Dan Lee", numbers=(PhoneEntry("+1 212 555 0188"),)),
        ]
    )
    view = window.contacts_view
    view.merge_action.trigger()
    qtbot.waitUntil(lambda: "Merged" in view.message_label.text())
    assert view.message_label.text() == "Merged 2 contacts into 1: 1 duplicate removed."
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    carol = next(c for c in directory.list() if c.display_name == "Carol Jones")
    assert carol.approved and carol.tags == ("a",)


def test_contacts_denied_number_is_not_called(qtbot, window, directory, fake_engine) -> None:
    directory.add(Contact("Premium Line", numbers=(PhoneEntry("+1 900 555 0100"),)))
    view = window.contacts_view
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.select(directory.list()[0].id)
    qtbot.mouseClick(view.call_button, Qt.MouseButton.LeftButton)
    assert fake_engine.commands(cmd.MakeCall) == []
    assert "premium" in window.banner.text()


def test_contacts_without_a_directory_say_why(qtbot, bridge, tmp_path) -> None:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    view = win.contacts_view
    assert "unavailable" in view.message_label.text() and not view.add_button.isEnabled()
