"""Keyboard shortcuts for calls, application-wide: answer, decline, hang up, mute.
GUI thread.

The actions live on the main window with `Qt.ApplicationShortcut`, so they work from
whichever of the app's windows is active (the main window while a call rings, the
ringing window, a call window). Each one presses the same button a mouse would, on
the ringing window (the newest) or the call (the active call window, else the newest
call still up), so a shortcut can do nothing a click could not. The menus and the
tray show them; `label_buttons` adds each shortcut to its button's tooltip.

| action | keys |
|---|---|
| Answer the ringing call | Ctrl+Shift+A |
| Decline it (603) | Ctrl+Shift+D |
| Hang up (a ringing call: decline) | Ctrl+Shift+H |
| Mute / unmute | Ctrl+Shift+M |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

if TYPE_CHECKING:
    from softphone.ui.call_window import CallWindow
    from softphone.ui.incoming import IncomingCallDialog
    from softphone.ui.main_window import MainWindow

ANSWER_KEYS = "Ctrl+Shift+A"
DECLINE_KEYS = "Ctrl+Shift+D"
HANGUP_KEYS = "Ctrl+Shift+H"
MUTE_KEYS = "Ctrl+Shift+M"


def with_keys(text: str, action: QAction) -> str:
    """A tooltip that names the action's shortcut as the user's platform writes it."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{text} ({keys})" if text else keys


class CallActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.answer = self._action(self.tr("&Answer"), ANSWER_KEYS, self._on_answer_triggered)
        self.decline = self._action(self.tr("&Decline"), DECLINE_KEYS, self._on_decline_triggered)
        self.hangup = self._action(self.tr("&Hang up"), HANGUP_KEYS, self._on_hangup_triggered)
        self.mute = self._action(self.tr("&Mute"), MUTE_KEYS, self._on_mute_triggered)
        self.actions = (self.answer, self.decline, self.hangup, self.mute)
        self.update()

    def _action(self, text: str, keys: str, slot) -> QAction:
        action = QAction(text, self._window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        self._window.addAction(action)  # a hidden menu-less action still takes its keys
        return action

    # -- what the keys act on --------------------------------------------------------

    def ringing(self) -> IncomingCallDialog | None:
        """The newest ringing window still shown."""
        shown = [d for d in self._window.incoming.values() if d.isVisible()]
        return shown[-1] if shown else None

    def current_call(self) -> CallWindow | None:
        """The active call window when it is one with a call up, else the newest such."""
        up = [w for w in self._window.call_windows.values() if not w.ended]
        active = QApplication.activeWindow()
        for w in up:
            if w is active:
                return w
        return up[-1] if up else None

    @Slot()
    def update(self) -> None:
        """Enable what applies now (called on call events and window changes)."""
        ringing, call = self.ringing() is not None, self.current_call() is not None
        self.answer.setEnabled(ringing)
        self.decline.setEnabled(ringing)
        self.hangup.setEnabled(ringing or call)
        self.mute.setEnabled(call)

    def label_buttons(self, window: QWidget) -> None:
        """Name the shortcuts in the tooltips of a ringing or call window's buttons."""
        for name, action in (
            ("answer_button", self.answer),
            ("decline_button", self.decline),
            ("hangup_button", self.hangup),
            ("mute_button", self.mute),
        ):
            button = getattr(window, name, None)
            if isinstance(button, QPushButton):
                text = button.toolTip() or action.text().replace("&", "")
                button.setToolTip(with_keys(text, action))

    # -- the keys --------------------------------------------------------------------

    @staticmethod
    def _press(button: QPushButton | None) -> bool:
        if button is None or not button.isEnabled():
            return False
        button.click()
        return True

    @Slot()
    def _on_answer_triggered(self) -> None:
        dialog = self.ringing()
        self._press(dialog.answer_button if dialog else None)
        self.update()

    @Slot()
    def _on_decline_triggered(self) -> None:
        dialog = self.ringing()
        self._press(dialog.decline_button if dialog else None)
        self.update()

    @Slot()
    def _on_hangup_triggered(self) -> None:
        call = self.current_call()
        if not self._press(call.hangup_button if call else None):
            dialog = self.ringing()
            self._press(dialog.decline_button if dialog else None)
        self.update()

    @Slot()
    def _on_mute_triggered(self) -> None:
        call = self.current_call()
        self._press(call.mute_button if call else None)
