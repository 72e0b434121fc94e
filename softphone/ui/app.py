"""The desktop app's composition root: builds the services, wires them, shuts down in order.

Main (GUI) thread. Order at start: the bridge, on a `DeferredEngine`; the secret
store (the OS keyring, or the encrypted file unlocked with `SOFTPHONE_STORE_PASSPHRASE`
or the unlock dialog); the PIN authority and the call policy from the administrator's
policy file; the encrypted database and the history recorder; the main window; the
first-run wizard when there is no settings file yet. The engine itself (pjsua2) is
imported and started on a worker thread once the main window has been painted
(`start_engine`, at the latest `ENGINE_START_LATEST_MS` after it was shown): what
was subscribed, set and submitted before is handed to it then, in order. The
database is the one the CLI uses (`storage.locations.database_path`). At the end, in
reverse: windows (which hang up), the bridge, the engine (hangs up, unregisters,
destroys pjsua2 on its own thread), the camera, the peer trust, the recorder, the
database.

End to end: the engine sends video from the camera chosen in the settings
(`CameraFeed`, opened only while a call window has the camera on); once the
database is open, `PeerTrust` (backed by it) is the engine's `e2e_peers` lookup and
records each verification; the account's identity comes from the secret store
(`ui.account`).

Start-up problems that must not stop the app (no store, a damaged database, an engine
that did not start) are shown and the app runs without what they would have given; a
policy file that cannot be read stops it, as in the CLI, because running without the
administrator's rules would be wrong.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from softphone.config.admin_policy import PolicyFileError, load_admin_policy
from softphone.config.profile import ProfileError, SipProfile, find_profile, load_profile
from softphone.config.settings import (
    Settings,
    SettingsError,
    VideoSettings,
    effective_settings,
    load_settings,
    quarantine_settings,
    settings_path,
)
from softphone.e2e.trust import PeerTrust
from softphone.engine import commands as cmd
from softphone.engine.gate import CallPolicy
from softphone.history.recorder import HistoryRecorder
from softphone.media.camera import CameraMode, open_camera
from softphone.media.camera_feed import CameraFeed
from softphone.policy.inbound import InboundMode
from softphone.security.credentials import PASSPHRASE_ENV, data_dir
from softphone.security.secret_store import (
    SECRETS_FILE_NAME,
    SecretStore,
    SecretStoreError,
    open_secret_store,
)
from softphone.storage.database import DatabaseError, LocalDatabase
from softphone.storage.locations import database_path
from softphone.tasks.policy import call_policy, local_caller_facts, pin_authority
from softphone.ui.app_icons import app_icon
from softphone.ui.bridge import EngineBridge, JobResult
from softphone.ui.context import UiContext
from softphone.ui.deferred_engine import DeferredEngine
from softphone.ui.i18n import translate
from softphone.ui.main_window import MainWindow
from softphone.ui.single_instance import InstanceServer, SingleInstanceError, forward, server_name
from softphone.ui.theme import follow_color_scheme
from softphone.ui.translations import language, use_language
from softphone.ui.unlock_dialog import UnlockDialog
from softphone.ui.wizard import FirstRunWizard

log = logging.getLogger(__name__)

# The engine starts once the main window has painted, or this long after it was shown
# (a window started minimized is not painted).
ENGINE_START_LATEST_MS = 1000


class _AskTheUser(Exception):
    """No passphrase from the environment: the unlock dialog asks."""


def _passphrase_from_environment() -> str:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise _AskTheUser
    return passphrase


class GuiApp:
    """Everything the desktop app runs, built by `start()` and torn down by `shutdown()`."""

    def __init__(self, *, interactive: bool = True, settings_file: Path | None = None) -> None:
        self.interactive = interactive  # False (tests): no modal dialog, ever
        self.settings_file = settings_file or settings_path()
        self.engine: DeferredEngine | None = None  # the real engine once it runs
        self.bridge: EngineBridge | None = None
        self.ctx: UiContext | None = None
        self.window: MainWindow | None = None
        self.wizard: FirstRunWizard | None = None
        self.policy: CallPolicy | None = None  # the administrator's rules, the caller facts
        self.trust: PeerTrust | None = None  # end-to-end verification, in the database
        self.camera: CameraFeed | None = None
        self.problems: list[str] = []
        self._engine_starting = False

    def start(self) -> MainWindow:
        admin = load_admin_policy()  # PolicyFileError: the caller reports it
        settings = self._load_settings()
        # Before any window is built; the administrator's lock wins over the user's choice.
        use_language(language(effective_settings(settings, admin).settings.language))
        QApplication.setApplicationDisplayName(translate("GuiApp", "Softphone"))
        first_run = not self.settings_file.exists()
        self.camera = CameraFeed(self._open_camera)
        self.engine = DeferredEngine(self._build_engine)
        self.bridge = EngineBridge(self.engine)
        store = self._open_store()
        pins = None
        if store is not None:
            try:
                pins = pin_authority(store)
            except SecretStoreError as e:
                self.problems.append(
                    translate("GuiApp", "authorization codes unavailable: {error}").format(error=e)
                )
        effective = effective_settings(settings, admin).settings
        self.policy = call_policy(admin, None, pins)
        self.apply_inbound_mode(effective.inbound_mode)
        database = self._open_database(store)
        recorder = HistoryRecorder(database, effective.history) if database else None
        if recorder is not None:
            self.engine.subscribe(recorder.on_event)
        if database is not None:
            self.trust = PeerTrust(database)
            self.engine.subscribe(self.trust.on_event)
            self.policy = replace(self.policy, e2e_peers=self.trust.lookup)
            self.apply_inbound_mode(effective.inbound_mode)
        directory, schedule = None, None
        profile = self._first_profile(settings)
        if database is not None and profile is not None:
            # "Approved contacts only" and "scheduled participants only" need both.
            facts, directory, schedule = local_caller_facts(database, profile)
            self.policy = replace(self.policy, caller_facts=facts)
            self.apply_inbound_mode(effective.inbound_mode)
        self.ctx = UiContext(
            self.bridge,
            admin=admin,
            settings=settings,
            settings_file=self.settings_file,
            store=store,
            database=database,
            recorder=recorder,
            trust=self.trust,
            camera=self.camera,
            pins=pins,
            directory=directory,
            schedule=schedule,
            apply_inbound_mode=self.apply_inbound_mode,
            sound_devices=True,
        )
        # The devices chosen in settings, in force before the first call or ring (the
        # engine also starts watching for devices coming and going).
        self.engine.submit(cmd.SetAudioDevices.from_settings(effective.audio))
        self.window = MainWindow(self.ctx)
        if first_run:
            self.wizard = FirstRunWizard(self.ctx, self.window)
            self.wizard.finished.connect(self.window.on_setup_finished)
        return self.window

    def _build_engine(self):
        """Worker thread (`DeferredEngine.start`): the import is most of the time."""
        from softphone.engine import Engine

        return Engine(video_source=self.camera.engine_source)

    def start_engine(self) -> None:
        """Import and start the engine on a worker thread (once; the main window is
        shown by now). A failure is shown; the app runs on without calls."""
        if self.bridge is None or self.engine is None or self._engine_starting:
            return
        self._engine_starting = True
        self.bridge.run_in_background(self.engine.start, self._done_engine_start)

    def _done_engine_start(self, result: JobResult) -> None:
        if not result.ok:
            log.error("the engine did not start: %s", result.error)
            if self.window is not None:
                self.window.say(
                    translate("GuiApp", "The calling engine did not start: {error}").format(
                        error=result.error
                    ),
                    "error",
                )

    def apply_inbound_mode(self, mode: InboundMode) -> None:
        """ "Who may call me" in force: the same policy (and caller facts), this mode."""
        if self.engine is None or self.policy is None:
            return
        inbound = replace(self.policy.inbound, mode=mode)
        self.engine.set_policy(replace(self.policy, inbound=inbound))

    def show(self) -> None:
        """Show the main window, and the first-run wizard over it when it is the first run;
        the engine starts once the window has painted."""
        _AfterFirstPaint(self.window, self.start_engine)
        QTimer.singleShot(ENGINE_START_LATEST_MS, self.window, self.start_engine)
        self.window.show()
        if self.wizard is not None:
            self.wizard.open()
        else:
            self.window.start()
        if self.problems:
            self.window.say("\n".join(self.problems), "error")

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.close()
        if self.bridge is not None:
            self.bridge.close()
        if self.engine is not None:
            self.engine.stop()
        if self.camera is not None:
            self.camera.stop()
        if self.trust is not None:
            self.trust.close()
        ctx = self.ctx
        if ctx is not None and ctx.schedule is not None:
            ctx.schedule.close()
        if ctx is not None and ctx.recorder is not None:
            ctx.recorder.close()
        if ctx is not None and ctx.database is not None:
            ctx.database.close()

    # -- start-up steps --------------------------------------------------------------

    def _open_camera(self):
        """Worker thread (`CameraFeed.start`): the camera the settings name now."""
        video = self.ctx.effective.settings.video if self.ctx else VideoSettings()
        return open_camera(video.camera, CameraMode(video.width, video.height, video.fps))

    def _load_settings(self) -> Settings:
        try:
            return load_settings(self.settings_file)
        except SettingsError as e:
            moved = quarantine_settings(self.settings_file)
            self.problems.append(
                translate("GuiApp", "{error} — moved aside to {file}; starting afresh").format(
                    error=e, file=moved.name
                )
            )
            return Settings()

    def _first_profile(self, settings: Settings) -> SipProfile | None:
        """The profile of the first account (its region reads the contacts' numbers)."""
        for account in settings.accounts:
            try:
                return load_profile(find_profile(account.profile))
            except ProfileError as e:
                self.problems.append(
                    translate("GuiApp", "account profile: {error}").format(error=e)
                )
        return None

    def _open_store(self) -> SecretStore | None:
        """The OS keyring; else the encrypted file, unlocked by a session that
        `softphone secrets unlock` left, by SOFTPHONE_STORE_PASSPHRASE, or by the dialog."""
        try:
            return open_secret_store(data_dir(), _passphrase_from_environment)
        except _AskTheUser:
            pass
        except SecretStoreError as e:
            self.problems.append(f"{PASSPHRASE_ENV}: {e}")
        path = data_dir() / SECRETS_FILE_NAME
        if not self.interactive:
            self.problems.append(
                translate("GuiApp", "the secret store is locked: passwords and history unavailable")
            )
            return None
        dialog = UnlockDialog(self.bridge, path)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.store
        self.problems.append(
            translate("GuiApp", "the secret store is locked: passwords and history unavailable")
        )
        return None

    def _open_database(self, store: SecretStore | None) -> LocalDatabase | None:
        if store is None:
            return None
        try:
            return LocalDatabase.open(database_path(), store)
        except (DatabaseError, SecretStoreError) as e:
            self.problems.append(
                translate("GuiApp", "call history unavailable: {error}").format(error=e)
            )
            return None


class _AfterFirstPaint(QObject):
    """Calls `then` in the event-loop turn after `widget`'s first paint, once."""

    def __init__(self, widget: QObject, then) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def run_gui(argv: list[str] | None = None, dial: str | None = None) -> int:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("softphone")
    app.setApplicationDisplayName("Softphone")
    app.setDesktopFileName("softphone")  # Wayland: the icon and name of softphone.desktop
    app.setWindowIcon(app_icon())
    follow_color_scheme(app)
    use_language(language())  # SOFTPHONE_LANG or the system's, until the settings are read
    server = _claim_instance(dial)
    if server is None:
        return 0  # the running app took the link and came to the front
    gui = GuiApp()
    try:
        gui.start()
    except PolicyFileError as e:
        QMessageBox.critical(
            None,
            translate("GuiApp", "Softphone"),
            translate("GuiApp", "The administrator's policy file is invalid:\n{error}").format(
                error=e
            ),
        )
        gui.shutdown()
        return 2
    # Ctrl-C in the terminal quits in order; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    tick = QTimer(interval=300)
    tick.timeout.connect(lambda: None)
    tick.start()
    gui.show()
    if dial:
        gui.window.open_link(dial)
    if isinstance(server, InstanceServer):
        server.activationRequested.connect(gui.window.on_activation_requested)
    try:
        return app.exec()
    finally:
        if isinstance(server, InstanceServer):
            server.close()
        gui.shutdown()


def _claim_instance(dial: str | None) -> InstanceServer | bool | None:
    """The single-instance server this app listens on; None when an app already runs
    (it was handed `dial`); False when there is no private place for one (the app then
    runs on its own, as before)."""
    try:
        name = server_name(settings_path())
    except (OSError, SingleInstanceError) as e:
        log.warning("single instance unavailable: %s", e)
        return False
    if forward(name, dial):
        return None
    server = InstanceServer(name)
    if server.listen():
        return server
    # Another start won the race to listen: hand it the link after all.
    return None if forward(name, dial) else False
