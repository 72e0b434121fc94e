"""Every interactive control of the main screens has a name a screen reader can say:
its accessible name (set, or what Qt derives: a button's text, a form label that is
its buddy) or its visible text. Walks the main window's tabs and dial pad, a ringing
window, a call window, the settings dialog, the first-run wizard's pages and the
contact and appointment editors."""

from __future__ import annotations

import pytest
from helpers_ui import context, open_database
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QSlider,
    QTabBar,
    QTextEdit,
    QWidget,
)

from softphone.directory.contacts import ContactDirectory
from softphone.engine import events as ev
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.main_window import MainWindow
from softphone.ui.settings_dialog import SettingsDialog
from softphone.ui.wizard import FirstRunWizard

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QDateTimeEdit,
    QPlainTextEdit,
    QTextEdit,
    QSlider,
)
# Controls whose inner widgets are announced as part of them.
PARTS_OF = (QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar, QLineEdit, QScrollBar)


def spoken_name(widget: QWidget) -> str:
    """What assistive technology is told the control is called."""
    iface = QAccessible.queryAccessibleInterface(widget)
    name = iface.text(QAccessible.Text.Name) if iface is not None else ""
    return (name or widget.accessibleName() or "").strip()


def unnamed(root: QWidget) -> list[str]:
    """The interactive controls under `root` (shown or not) that have no name."""
    missing = []
    for w in [root, *root.findChildren(QWidget)]:
        if not isinstance(w, INTERACTIVE):
            continue
        if _part_of_a_control(w) or w.objectName().startswith("qt_"):
            continue  # a combo box list, table header, tab bar scroll button; Qt internals
        if spoken_name(w):
            continue
        missing.append(_describe(w))
    return missing


def _part_of_a_control(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, PARTS_OF):
            return True
        parent = parent.parentWidget()
    return False


def _describe(widget: QWidget) -> str:
    """`Owner.attribute (Type)`: where the control is, to fix it."""
    parent = widget.parentWidget()
    while parent is not None:
        for attr, value in vars(parent).items():
            if value is widget:
                return f"{type(parent).__name__}.{attr} ({type(widget).__name__})"
        parent = parent.parentWidget()
    return f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.window()).__name__}"


@pytest.fixture
def main_window(qtbot, bridge, tmp_path):
    database = open_database(tmp_path)
    directory = ContactDirectory(database)
    win = MainWindow(context(bridge, tmp_path, database=database, directory=directory))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    database.close()


def test_accessibility_main_window_every_tab(qtbot, main_window) -> None:
    win = main_window
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
    assert unnamed(win) == [], unnamed(win)


def test_accessibility_incoming_and_call_windows(qtbot, main_window, fake_engine) -> None:
    win = main_window
    fake_engine.emit(ev.CallDidArrive("in1", "acc1", "sip:bob@example.org", "Bob", False))
    qtbot.waitUntil(lambda: "in1" in win.incoming)
    dialog = win.incoming["in1"]
    assert unnamed(dialog) == []
    dialog.answer_button.click()
    assert unnamed(win.call_windows["in1"]) == []


def test_accessibility_settings_dialog(qtbot, bridge, tmp_path) -> None:
    dialog = SettingsDialog(context(bridge, tmp_path), None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed(dialog) == []


def test_accessibility_wizard(qtbot, bridge, tmp_path) -> None:
    store = EncryptedFileStore.create(tmp_path / "s.enc", "a passphrase", scrypt_n=2**10)
    w = FirstRunWizard(context(bridge, tmp_path, store=store, account=None))
    qtbot.addWidget(w)
    w.show()
    assert unnamed(w) == []


def test_accessibility_contact_and_appointment_editors(qtbot, main_window) -> None:
    from softphone.storage.appointments import AppointmentStore
    from softphone.ui.appointment_dialog import AppointmentDialog
    from softphone.ui.contact_dialog import ContactDialog

    win = main_window
    ctx = win.ctx
    store = AppointmentStore(ctx.database)
    for dialog in (
        ContactDialog(ctx.bridge, ctx.directory, parent=win),
        AppointmentDialog(ctx, store, [], parent=win),
    ):
        qtbot.addWidget(dialog)
        assert unnamed(dialog) == [], (type(dialog).__name__, unnamed(dialog))
