"""The main window: account status, search, dial pad, today's appointments, contacts,
history; it opens the call windows.

GUI thread. Every way of calling (dial pad, search result, a contact, an appointment's
"Call now", history "call back") goes to the one `CallLauncher`. Calls on our account
open an in-call window when they start (outgoing) or when answered (incoming); a
ringing call opens the incoming-call window and, where a system tray exists, a tray
message — both without the caller in privacy mode. Calls for an appointment carry it
to their windows (`AppointmentCalls`), and when one ends the after-call window says
what was stored and offers a follow-up. Appointment reminders show in the tray and
the banner. Once started, it keeps one call window built ahead (`SpareCallWindow`),
so a call's window opens without building one then.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from softphone.config.settings import Settings
from softphone.engine import events as ev
from softphone.schedule.appointment import Appointment, AppointmentStatus
from softphone.ui import theme
from softphone.ui.account import AccountController
from softphone.ui.account_status import AccountStatusBar
from softphone.ui.after_call_dialog import AfterCallDialog
from softphone.ui.appointment_calls import AppointmentCalls
from softphone.ui.call_actions import CallActions
from softphone.ui.call_flow import CallLauncher
from softphone.ui.call_window import CallWindow, SpareCallWindow
from softphone.ui.contacts_view import ContactsView
from softphone.ui.context import UiContext
from softphone.ui.dial_pad import DialPad
from softphone.ui.history_model import HistoryModel
from softphone.ui.history_view import HistoryView
from softphone.ui.incoming import IncomingCallDialog
from softphone.ui.links import link_target
from softphone.ui.reason_text import call_end_reason, dial_refusal
from softphone.ui.search import SearchPanel, SearchProvider
from softphone.ui.search_text import search_contacts
from softphone.ui.settings_dialog import SettingsDialog
from softphone.ui.sign_out import SignOutController
from softphone.ui.test_call_panel import TestCallDialog
from softphone.ui.today_view import TodayView
from softphone.ui.tray import TrayIcon

# The spare call window is built this long after `start` (the first paint and the
# history's and contacts' reads go first).
SPARE_AFTER_START_MS = 100


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: UiContext,
        search_provider: SearchProvider | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Softphone"))
        self.launcher = CallLauncher(ctx, self)
        self.accounts = AccountController(ctx, self)
        self.status_bar_widget = AccountStatusBar()
        self.history_model = HistoryModel(self)
        self.search = SearchPanel(search_provider or self.history_model.matches)
        if ctx.directory is not None:
            self.search.set_contact_search(
                ctx.bridge, functools.partial(search_contacts, ctx.directory)
            )
        self.dial_pad = DialPad(ctx.dial_advice)
        self.history_view = HistoryView(ctx, self.history_model)
        self.contacts_view = ContactsView(ctx)
        self.appointment_calls = AppointmentCalls(ctx, self.launcher, self)
        self.today_view = TodayView(ctx, self.appointment_calls)
        self.sign_out = SignOutController(ctx, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.dial_pad, self.tr("Dial pad"))
        self.tabs.addTab(self.today_view, self.tr("Today"))
        self.tabs.addTab(self.contacts_view, self.tr("Contacts"))
        self.tabs.addTab(self.history_view, self.tr("History"))
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.status_bar_widget)
        layout.addWidget(self.search)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.resize(560, 660)
        self.call_windows: dict[str, CallWindow] = {}
        self.incoming: dict[str, IncomingCallDialog] = {}
        self.after_call: dict[str, AfterCallDialog] = {}
        self.connected: set[str] = set()  # our calls that were answered
        self.settings_dialog: SettingsDialog | None = None
        self.test_call_dialog: TestCallDialog | None = None
        self.tray: TrayIcon | None = None
        self.last_notification: tuple[str, str] | None = None
        self.call_actions = CallActions(self)
        self.spare_call_window = SpareCallWindow(ctx, self.launcher, self)
        self._build_menus()
        self._connect()
        self.status_bar_widget.show_status(self.accounts.status)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Softphone"))
        self.settings_action = QAction(self.tr("&Settings…"), self)
        # Qt has no Preferences keys on X11 without a desktop theme: Ctrl+, there.
        preferences = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        self.settings_action.setShortcuts(preferences or [QKeySequence("Ctrl+,")])
        self.test_call_action = QAction(self.tr("Encrypted &test call…"), self)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        for action in (self.settings_action, self.test_call_action, self.quit_action):
            menu.addAction(action)
        calls = self.menuBar().addMenu(self.tr("&Call"))
        calls.addActions(list(self.call_actions.actions))
        self.settings_action.triggered.connect(self.open_settings)
        self.test_call_action.triggered.connect(self.open_test_call)
        self.quit_action.triggered.connect(self.close)

    def _connect(self) -> None:
        for source in (self.dial_pad, self.search, self.history_view, self.contacts_view):
            source.callRequested.connect(self._on_call_requested)
        self.launcher.callRefused.connect(self._on_launcher_call_refused)
        self.contacts_view.contactsChanged.connect(self.search.refresh)
        self.history_model.modelReset.connect(self.search.refresh)
        self.contacts_view.contactsChanged.connect(self.today_view.reload)
        self.today_view.reminderDue.connect(self._on_today_view_reminder_due)
        self.appointment_calls.appointmentCallEnded.connect(self._on_appointment_call_ended)
        self.accounts.statusChanged.connect(self.status_bar_widget.show_status)
        self.accounts.accountChanged.connect(self.dial_pad.refresh)
        self.accounts.accountChanged.connect(self.sign_out.update)
        self.sign_out.stateChanged.connect(self.today_view.set_presence)
        self.status_bar_widget.retryRequested.connect(self.accounts.retry)
        b = self.ctx.bridge
        b.callStarted.connect(self._on_call_did_start)
        b.callArrived.connect(self._on_call_did_arrive)
        b.callDialRefused.connect(self._on_call_dial_was_refused)
        b.callStateChanged.connect(self._on_call_state_did_change)
        b.callEnded.connect(self._on_call_did_end)
        b.eventArrived.connect(self.call_actions.update)  # after the handlers above

    def start(self) -> None:
        """Hand the account to the engine and read the history."""
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = TrayIcon(self)
            self.tray.show()
        self.accounts.connect_from_settings()
        self.history_view.reload()
        self.contacts_view.reload()
        self.today_view.reload()
        self.spare_call_window.prepare(SPARE_AFTER_START_MS)

    @Slot(int)
    def on_setup_finished(self, _result: int) -> None:
        """The first-run wizard closed (finished or cancelled): start with what it saved."""
        self.start()

    def open_link(self, url: str) -> bool:
        """A clicked call link: onto the dial pad, judged there; never called by itself."""
        target = link_target(url)
        if target is None:
            self.say(self.tr("Not a call link: {url}").format(url=url[:80]), "error")
            return False
        self.tabs.setCurrentWidget(self.dial_pad)
        self.dial_pad.set_number(target)
        self.raise_()
        self.activateWindow()
        return True

    @Slot(object)
    def on_activation_requested(self, url: str | None) -> None:
        """Another `softphone gui [URL]` started: come to the front, take its link."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        if url:
            self.open_link(url)

    def say(self, text: str, kind: str = "info") -> None:
        self.banner.setText(text)
        theme.paint(self.banner, kind, pad=4)
        self.banner.setVisible(bool(text))

    def _ours(self, account_id: str) -> bool:
        return self.ctx.account is not None and account_id == self.ctx.account.account_id

    # -- actions ---------------------------------------------------------------------

    @Slot(str)
    def _on_call_requested(self, target: str) -> None:
        self.say("")
        self.launcher.place(target, self)

    @Slot(str)
    def _on_launcher_call_refused(self, reason: str) -> None:
        self.say(self.tr("Not called: {reason}").format(reason=reason), "error")
        if self.tabs.currentWidget() is self.dial_pad:
            self.dial_pad.show_refusal(reason)

    @Slot(str, str)
    def _on_today_view_reminder_due(self, title: str, message: str) -> None:
        self.say(self.tr("{title} — {message}").format(title=title, message=message), "busy")
        self.last_notification = (title, message)
        if self.tray is not None:
            self.tray.showMessage(title, message)
        QApplication.alert(self)

    @Slot(str, object)
    def _on_appointment_call_ended(self, call_id: str, appointment: Appointment) -> None:
        connected = appointment.status is AppointmentStatus.DONE
        self.open_after_call(call_id, appointment, evaluate=connected and self._can_evaluate())

    def _can_evaluate(self) -> bool:
        ctx = self.ctx
        keep = ctx.effective.settings.history.keep
        return keep and ctx.recorder is not None and ctx.database is not None

    def open_after_call(
        self, call_id: str, appointment: Appointment | None, *, evaluate: bool = False
    ) -> AfterCallDialog:
        dialog = AfterCallDialog(self.ctx, call_id, appointment, evaluate=evaluate, parent=self)
        dialog.ratingStored.connect(self.history_view.reload)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.followUpAdded.connect(self.today_view.reload)
        dialog.finished.connect(self._on_after_call_finished)
        self.after_call[call_id] = dialog
        dialog.show()
        return dialog

    @Slot()
    def _on_after_call_finished(self) -> None:
        self.after_call = {k: d for k, d in self.after_call.items() if d is not self.sender()}

    @Slot()
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.ctx, self.accounts.last_registration, self)
        dialog.settingsSaved.connect(self._on_settings_saved)
        self.settings_dialog = dialog
        dialog.open()

    @Slot()
    def open_test_call(self) -> None:
        if self.test_call_dialog is None:
            self.test_call_dialog = TestCallDialog(self.ctx.bridge, self)
        self.test_call_dialog.show()
        self.test_call_dialog.raise_()

    @Slot(object)
    def _on_settings_saved(self, settings: Settings) -> None:
        effective = self.ctx.effective.settings
        if self.ctx.recorder is not None:
            self.ctx.recorder.set_settings(effective.history)
        if self.ctx.apply_inbound_mode is not None:
            self.ctx.apply_inbound_mode(effective.inbound_mode)
        self.accounts.connect_from_settings()
        self.spare_call_window.renew(SPARE_AFTER_START_MS)  # in the language now in force
        self.sign_out.update()
        self.today_view.check_reminders()
        self.history_view.reload()

    # -- engine events ---------------------------------------------------------------

    @Slot(object)
    def _on_call_did_start(self, e: ev.CallDidStart) -> None:
        if self._ours(e.account_id) and e.direction is ev.Direction.OUTGOING:
            self._open_call_window(e.call_id, e.remote_uri)

    @Slot(object)
    def _on_call_did_arrive(self, e: ev.CallDidArrive) -> None:
        if not self._ours(e.account_id):
            return
        appointment = self.appointment_calls.appointment_for_caller(e.remote_uri)
        if appointment is not None:
            self.appointment_calls.attach_incoming(e.call_id, appointment)
        dialog = IncomingCallDialog(self.ctx, e, self, appointment=appointment)
        dialog.answered.connect(self._on_incoming_answered)
        self.call_actions.label_buttons(dialog)
        self.incoming[e.call_id] = dialog
        dialog.show()
        self.last_notification = (dialog.text.title, dialog.text.caller)
        if self.tray is not None:
            self.tray.showMessage(*self.last_notification)
            self.tray.setToolTip(self.tr("Softphone — {what}").format(what=dialog.text.title))

    @Slot(str)
    def _on_incoming_answered(self, call_id: str) -> None:
        dialog = self.incoming.pop(call_id, None)
        if dialog is not None:
            self._open_call_window(call_id, dialog.remote_uri)

    @Slot(object)
    def _on_call_dial_was_refused(self, e: ev.CallDialWasRefused) -> None:
        if e.path == "call":
            self.say(self.tr("Not called: {reason}").format(reason=dial_refusal(e)), "error")

    @Slot(object)
    def _on_call_state_did_change(self, e: ev.CallStateDidChange) -> None:
        if e.state is ev.CallState.CONFIRMED and e.call_id in self.call_windows:
            self.connected.add(e.call_id)

    @Slot(object)
    def _on_call_did_end(self, e: ev.CallDidEnd) -> None:
        self.incoming.pop(e.call_id, None)
        window = self.call_windows.get(e.call_id)
        connected = e.call_id in self.connected
        self.connected.discard(e.call_id)
        # An appointment's call asks once its outcome is stored (_on_appointment_call_ended).
        plain = window is not None and window.appointment is None
        if plain and connected and self._can_evaluate():
            self.open_after_call(e.call_id, None, evaluate=True)
        failed = e.security_failure or (e.code >= 300 and e.code != 487)
        if window is not None and not connected and failed:
            # The call window closes by itself: the reason stays here, without the peer.
            why = call_end_reason(e) or e.code
            self.say(self.tr("Call not connected: {reason}").format(reason=why), "error")
        if self.tray is not None and not self.incoming:
            self.tray.setToolTip(self.tr("Softphone"))

    def _open_call_window(self, call_id: str, remote_uri: str) -> CallWindow:
        appointment = self.appointment_calls.appointment_for_call(call_id)
        # The spare built ahead; when it is not ready yet, one built now (as before spares).
        window = self.spare_call_window.take() or CallWindow(self.ctx, self.launcher, None)
        window.bind(call_id, remote_uri, appointment=appointment)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.windowClosed.connect(self._on_call_window_closed)
        self.call_windows[call_id] = window
        self.call_actions.label_buttons(window)
        window.show()
        self.call_actions.update()
        return window

    @Slot(str)
    def _on_call_window_closed(self, call_id: str) -> None:
        self.call_windows.pop(call_id, None)
        self.call_actions.update()

    def closeEvent(self, event) -> None:
        self.spare_call_window.close()
        for window in list(self.call_windows.values()):
            window.close()
        self.sign_out.shutdown()
        self.accounts.shutdown()
        super().closeEvent(event)
