"""Search as you type in the main window: contacts from the directory's index (searched off
the GUI thread) and the call history, clickable to call through the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers_ui import context, open_database
from PySide6.QtCore import Qt

from softphone.directory.contacts import ContactDirectory
from softphone.engine import commands as cmd
from softphone.storage.database import CallRecord, Contact, Direction, PhoneEntry
from softphone.ui.main_window import MainWindow
from softphone.ui.search import KindRole, TargetRole

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def window(qtbot, bridge, tmp_path):
    db = open_database(tmp_path)
    directory = ContactDirectory(db, "US")
    directory.add_many(
        [
            Contact("John Smith", department="Dermatology",
                    numbers=(PhoneEntry("(212) 555-0123", label="work"),),
                    uris=("sip:jsmith@sip.example.com",)),
            Contact("Joanna Smithers", organisation="Clinic", favourite=True,
                    numbers=(PhoneEntry("+1 212 555 0188"),)),
            Contact("Premium Smith", numbers=(PhoneEntry("+1 900 555 0100"),)),
        ]
    )  # fmt: skip
    for minutes, peer in enumerate(
        ["sip:+12125550123@sip.example.com;user=phone", "sip:smithy@sip.example.com"]
    ):
        db.add_call(
            CallRecord(T0 + timedelta(minutes=minutes), 30.0, Direction.INCOMING, "answered",
                       True, False, peer)
        )  # fmt: skip
    win = MainWindow(context(bridge, tmp_path, database=db, directory=directory))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.history_view.reload()
    qtbot.waitUntil(lambda: win.history_model.rowCount() == 2)
    yield win
    db.close()


def _rows(win) -> list[tuple[str, str, str]]:
    r = win.search.results
    return [
        (r.item(i).text(), r.item(i).data(TargetRole), r.item(i).data(KindRole))
        for i in range(r.count())
    ]


def test_search_lists_contacts_first_then_history_and_calls(
    qtbot, window, fake_engine, screenshot
) -> None:
    qtbot.keyClicks(window.search.search_edit, "smi")
    qtbot.waitUntil(lambda: any(kind == "contact" for *_, kind in _rows(window)))
    rows = _rows(window)
    assert [label for label, *_ in rows] == [
        "Joanna Smithers – Clinic · +1 212 555 0188",  # favourite first
        "John Smith – Dermatology · work (212) 555-0123",
        "John Smith – Dermatology · SIP sip:jsmith@sip.example.com",
        "Premium Smith · +1 900 555 0100",
        rows[4][0],
    ]
    assert rows[4][1:] == ("sip:smithy@sip.example.com", "history")
    assert window.search.results.item(0).font().bold()
    screenshot(window, "main_window_search")
    qtbot.keyClick(window.search.search_edit, Qt.Key.Key_Return)
    window.search.results.setCurrentRow(4)
    qtbot.keyClick(window.search.search_edit, Qt.Key.Key_Return)
    assert [c.uri for c in fake_engine.commands(cmd.MakeCall)] == [
        "+12125550188",
        "sip:smithy@sip.example.com",
    ]


def test_search_by_number_shows_the_contact_not_the_same_peer_twice(qtbot, window) -> None:
    qtbot.keyClicks(window.search.search_edit, "555-0123")
    qtbot.waitUntil(lambda: any(kind == "contact" for *_, kind in _rows(window)))
    rows = _rows(window)
    assert [(t, k) for _, t, k in rows] == [("+12125550123", "contact")]


def test_search_keeps_only_the_answer_for_what_is_typed_now(qtbot, window) -> None:
    edit = window.search.search_edit
    for text in ("j", "jo", "joa", "joan"):
        edit.setText(text)  # faster than the worker: earlier answers must be dropped
    qtbot.waitUntil(lambda: any(kind == "contact" for *_, kind in _rows(window)))
    qtbot.wait(100)
    assert [label for label, *_ in _rows(window)] == ["Joanna Smithers – Clinic · +1 212 555 0188"]


def test_search_denied_contact_number_is_refused(qtbot, window, fake_engine) -> None:
    qtbot.keyClicks(window.search.search_edit, "premium")
    qtbot.waitUntil(lambda: window.search.results.count() == 1)
    item = window.search.results.item(0)
    window.search.results.itemActivated.emit(item)
    assert fake_engine.commands(cmd.MakeCall) == []
    assert "premium" in window.banner.text()


def test_search_sees_a_contact_added_in_the_contacts_tab(qtbot, window) -> None:
    qtbot.keyClicks(window.search.search_edit, "zed")
    qtbot.wait(100)
    assert window.search.results.count() == 0
    view = window.contacts_view
    dialog = view.open_editor(None)
    dialog.name_edit.setText("Zed Zulu")
    dialog.numbers_table.item(0, 1).setText("+1 212 555 0199")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.search.results.count() == 1)
    assert _rows(window)[0][1] == "+12125550199"
