"""The system tray icon: the state at a glance and quick actions. GUI thread.

Its icon follows `app_icons.tray_state`: a ringing call, a call in progress, else the
account (registered, not registered, an error). Its menu shows the window and holds
the call actions with their shortcuts (answer, decline, hang up, mute: enabled only
when they apply), Settings and Quit. A click on the icon brings the window to the
front. Messages (a call ringing, a reminder) and the tooltip stay the main window's:
it knows what privacy mode lets them say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from softphone.ui.app_icons import status_icon, tray_state

if TYPE_CHECKING:
    from softphone.ui.main_window import MainWindow


class TrayIcon(QSystemTrayIcon):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.state = ""
        self.setToolTip("Softphone")
        self.menu = QMenu(window)
        self.show_action = QAction(self.tr("&Show Softphone"), self)
        self.show_action.triggered.connect(self._on_show_action_triggered)
        self.menu.addAction(self.show_action)
        self.menu.addSeparator()
        self.menu.addActions(list(window.call_actions.actions))
        self.menu.addSeparator()
        self.menu.addAction(window.settings_action)
        self.menu.addAction(window.quit_action)
        self.menu.aboutToShow.connect(window.call_actions.update)
        self.setContextMenu(self.menu)
        self.activated.connect(self._on_activated)
        window.accounts.statusChanged.connect(self.refresh)
        window.ctx.bridge.eventArrived.connect(self.refresh)  # after the window's handlers
        self.refresh()

    @Slot()
    def refresh(self, *_args) -> None:
        w = self._window
        state = tray_state(
            w.accounts.status.severity.value,
            ringing=bool(w.incoming),
            in_call=any(not c.ended for c in w.call_windows.values()),
        )
        if state != self.state:
            self.state = state
            self.setIcon(status_icon(state))

    @Slot()
    def _on_show_action_triggered(self) -> None:
        self._window.on_activation_requested(None)

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._window.on_activation_requested(None)
