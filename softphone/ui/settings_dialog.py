"""Settings: the account, security (certificates, what is locked), privacy, calls
(who may call me, signing out between appointments, reminders), audio devices
(`settings_audio`), the camera (`settings_camera`) and the app's language. GUI thread.

The language: "System default" or a language named in its own words. Saving installs
the new translation at once, so every window opened from then on speaks it; windows
already open built most of their words once, when they were made (there is no
re-translation of live widgets: every widget sets its text in its constructor), so
they may keep the old language, or mix the two as their status lines refresh, until
the app starts again. The page says so, in the language in use and in the one
chosen. `SOFTPHONE_LANG` still wins, and the page says that too when it is set.

What the administrator's policy file set is shown with its value, disabled, with
the reason beside it and as a tooltip (`Effective.locked`); saving keeps the user's
own choice for those keys underneath, so removing the policy later gives it back.
Saving runs on a worker thread (secret store, settings file) and only then closes;
the sound devices saved are then put into force at once (`SetAudioDevices`, calls in
progress included).
"""

from __future__ import annotations

import functools
from dataclasses import replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from softphone.config.settings import (
    HistorySettings,
    PrivacySettings,
    ScheduleSettings,
    Settings,
    effective_settings,
)
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.policy.inbound import InboundMode
from softphone.ui import theme
from softphone.ui.account_form import AccountForm, AccountFormError, store_account
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate
from softphone.ui.security_text import tls_name
from softphone.ui.settings_audio import AudioPage
from softphone.ui.settings_camera import CameraPage
from softphone.ui.status_text import certificate_words
from softphone.ui.translations import (
    LANG_ENV,
    LANGUAGES,
    NATIVE_NAMES,
    current_language,
    environment_language,
    language,
    system_language,
    translate_in,
    use_language,
)

LOCK_MARK = QT_TRANSLATE_NOOP("SettingsDialog", "Locked")
INBOUND_CHOICES = (
    (InboundMode.ANYONE, QT_TRANSLATE_NOOP("SettingsDialog", "Anyone")),
    (InboundMode.APPROVED, QT_TRANSLATE_NOOP("SettingsDialog", "Approved contacts only")),
    (InboundMode.SCHEDULED, QT_TRANSLATE_NOOP("SettingsDialog", "Scheduled participants only")),
)
INBOUND_HINTS = {
    InboundMode.ANYONE: QT_TRANSLATE_NOOP(
        "SettingsDialog", "Every caller rings (except the administrator's block list)."
    ),
    InboundMode.APPROVED: QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "Only contacts marked “approved” ring; others are declined "
        "(603) before they ring, and the refusal is kept in the history.",
    ),
    InboundMode.SCHEDULED: QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "Only the participant of an appointment rings, from 10 minutes "
        "before it starts until 15 minutes after it ends; others hear “temporarily "
        "unavailable” (480).",
    ),
}
LANGUAGE_NOTE = QT_TRANSLATE_NOOP(
    "SettingsDialog",
    "Takes full effect after a restart: windows opened after saving use the new "
    "language at once; windows already open may keep the old one until the app "
    "starts again.",
)


def _selectable(text: str, mono: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if mono:
        label.setStyleSheet("font-family: 'DejaVu Sans Mono', monospace;")
    return label


def fingerprint_lines(sha256: str | None) -> str:
    """A 32-byte fingerprint on two lines of 16, easier to compare by eye."""
    if not sha256:
        return "?"
    parts = sha256.split(":")
    return "\n".join(":".join(parts[i : i + 16]) for i in range(0, len(parts), 16))


class SettingsDialog(QDialog):
    settingsSaved = Signal(object)  # the Settings written

    def __init__(
        self,
        ctx: UiContext,
        registration: ev.AccountRegistrationDidChange | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(self.tr("Settings"))
        self.effective = ctx.effective
        self.tabs = QTabWidget()
        self.account_form = AccountForm(ctx.settings, ctx.store)
        self.tabs.addTab(self.account_form, self.tr("Account"))
        self.tabs.addTab(self._security_page(registration), self.tr("Security"))
        self.tabs.addTab(self._privacy_page(), self.tr("Privacy"))
        self.tabs.addTab(self._calls_page(), self.tr("Calls"))
        self.audio_page = AudioPage(ctx, self._lock_row)
        self.tabs.addTab(self.audio_page, self.tr("Audio"))
        self.camera_page = CameraPage(ctx, self._lock_row)
        self.tabs.addTab(self.camera_page, self.tr("Camera"))
        self.tabs.addTab(self._language_page(), self.tr("Language"))
        self.audio_page.testCallRequested.connect(self._on_audio_page_test_call_requested)
        self.test_call_dialog = None
        self._devices_tried = False  # the engine was given the audio page's unsaved choice
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumSize(620, 460)

    # -- pages -----------------------------------------------------------------------

    def _security_page(self, reg: ev.AccountRegistrationDidChange | None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        server = QGroupBox(self.tr("Server certificate (as seen at the last registration)"))
        form = QFormLayout(server)
        sig = reg.signalling if reg is not None else None
        problem = reg.certificate if reg is not None else None
        if sig is not None and sig.encrypted:
            form.addRow(
                self.tr("Connection:"), _selectable(f"{tls_name(sig.tls_version)}, {sig.cipher}")
            )
            form.addRow(self.tr("Issued to:"), _selectable(sig.peer_subject or "?"))
            form.addRow("SHA-256:", _selectable(fingerprint_lines(sig.peer_sha256), mono=True))
        elif problem is not None:
            refused = _selectable(
                self.tr("REFUSED: {problem}").format(problem=certificate_words(problem.kinds))
            )
            theme.paint(refused, "error", pad=4)
            form.addRow(self.tr("Status:"), refused)
            form.addRow(self.tr("Server:"), _selectable(f"{problem.host}:{problem.port}"))
            form.addRow(self.tr("Subject:"), _selectable(problem.subject or "?"))
            form.addRow(self.tr("Issuer:"), _selectable(problem.issuer or "?"))
            form.addRow(self.tr("Valid until:"), _selectable(problem.not_after or "?"))
            form.addRow("SHA-256:", _selectable(fingerprint_lines(problem.sha256), mono=True))
        else:
            form.addRow(_selectable(self.tr("Not connected yet: register to see the certificate.")))
        self.certificate_box = server
        layout.addWidget(server)
        account = self._ctx.account
        if account is not None:
            p = account.profile
            box = QGroupBox(self.tr("Profile {name}").format(name=p.name))
            pf = QFormLayout(box)
            pf.addRow(
                self.tr("Signalling:"),
                _selectable(
                    self.tr("{transport} to {server}:{port}").format(
                        transport=p.transport.upper(), server=p.server, port=p.port
                    )
                ),
            )
            check = (
                self.tr("certificate and host name verified")
                if p.tls.verify_server
                else (self.tr("NOT verified (the administrator opted out)"))
            )
            pf.addRow(self.tr("Server check:"), _selectable(check))
            pf.addRow(self.tr("Minimum TLS:"), _selectable(p.tls.min_version))
            pf.addRow(
                self.tr("Trusted CAs:"), _selectable(str(p.tls.ca_file or self.tr("the system's")))
            )
            media = self.tr("SRTP {srtp}, keying {keying}").format(
                srtp=p.media.srtp, keying=", ".join(p.media.keying)
            )
            pf.addRow(self.tr("Media:"), _selectable(media))
            layout.addWidget(box)
        policy = QGroupBox(self.tr("Administrator's policy"))
        pol = QVBoxLayout(policy)
        source = self._ctx.admin.source
        pol.addWidget(
            _selectable(
                self.tr("Policy file: {file}").format(file=source)
                if source
                else self.tr("No policy file: built-in defaults")
            )
        )
        locked = self.effective.locked
        pol.addWidget(
            _selectable(
                self.tr("Locked settings: {keys}").format(keys=", ".join(sorted(locked)))
                if locked
                else self.tr("Nothing is locked.")
            )
        )
        layout.addWidget(policy)
        layout.addStretch(1)
        return page

    def _privacy_page(self) -> QWidget:
        s = self.effective.settings
        page = QWidget()
        form = QFormLayout(page)
        self.keep_check = QCheckBox(
            self.tr("Keep a call history (stored encrypted on this computer)")
        )
        self.keep_check.setChecked(s.history.keep)
        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(0, 3650)
        self.retention_spin.setSpecialValueText(self.tr("until I delete it"))
        self.retention_spin.setSuffix(self.tr(" days"))
        self.retention_spin.setValue(s.history.retention_days or 0)
        self.show_caller_check = QCheckBox(
            self.tr("Show the caller's name and number in notifications")
        )
        self.show_caller_check.setChecked(s.privacy.show_caller_in_notifications)
        self.lock_labels: dict[str, QLabel] = {}
        form.addRow(self.keep_check)
        form.addRow(self._lock_row("history.keep", self.keep_check))
        form.addRow(self.tr("Keep history for:"), self.retention_spin)
        form.addRow(self._lock_row("history.retention_days", self.retention_spin))
        form.addRow(self.show_caller_check)
        form.addRow(self._lock_row("privacy.show_caller_in_notifications", self.show_caller_check))
        hint = QLabel(
            self.tr(
                "Off is privacy mode: a ringing call shows only “Incoming call”, in the window "
                "and in the tray, so nobody nearby learns who is calling."
            )
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    def _calls_page(self) -> QWidget:
        s = self.effective.settings
        page = QWidget()
        form = QFormLayout(page)
        self.inbound_combo = QComboBox()
        for mode, text in INBOUND_CHOICES:
            self.inbound_combo.addItem(self.tr(text), mode.value)
        self.inbound_combo.setCurrentIndex(self.inbound_combo.findData(s.inbound_mode.value))
        self.inbound_hint = QLabel("")
        self.inbound_hint.setWordWrap(True)
        self.sign_out_check = QCheckBox(self.tr("Sign out between appointments"))
        self.sign_out_check.setChecked(s.schedule.sign_out_between)
        sign_out_hint = QLabel(
            self.tr(
                "Registered only while an appointment's window is open, so nobody can reach "
                "you when no call is scheduled. A call in progress is never cut."
            )
        )
        sign_out_hint.setWordWrap(True)
        self.reminder_spin = QSpinBox()
        self.reminder_spin.setRange(0, 120)
        self.reminder_spin.setSpecialValueText(self.tr("no reminder"))
        self.reminder_spin.setSuffix(self.tr(" min before"))
        self.reminder_spin.setValue(s.schedule.reminder_minutes)
        form.addRow(self.tr("Who may call me:"), self.inbound_combo)
        form.addRow("", self.inbound_hint)
        form.addRow(self._lock_row("inbound", self.inbound_combo))
        form.addRow(self.sign_out_check)
        form.addRow(sign_out_hint)
        form.addRow(self.tr("Appointment reminder:"), self.reminder_spin)
        self.inbound_combo.currentIndexChanged.connect(self._on_inbound_combo_changed)
        self._on_inbound_combo_changed()
        return page

    def _language_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        combo = self.language_combo = QComboBox()
        system = NATIVE_NAMES[system_language()]
        combo.addItem(self.tr("System default ({language})").format(language=system), None)
        for lang in LANGUAGES:
            combo.addItem(NATIVE_NAMES[lang], lang)  # in its own language, never translated
        combo.setCurrentIndex(max(0, combo.findData(self.effective.settings.language)))
        hint = QLabel(
            self.tr(
                "The language of this app's windows, menus and messages. The command "
                "line (softphone …) always speaks English."
            )
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        form.addRow(self.tr("Language:"), combo)
        form.addRow(self._lock_row("language", combo))
        self.language_note = QLabel("")
        self.language_note.setWordWrap(True)
        form.addRow(self.language_note)
        self.language_env_note = QLabel("")
        self.language_env_note.setWordWrap(True)
        env = environment_language()
        if env:
            self.language_env_note.setText(
                self.tr(
                    "{variable}={value} is set for this run: it decides the language, "
                    "whatever is chosen here."
                ).format(variable=LANG_ENV, value=env)
            )
            theme.paint_text(self.language_env_note, "busy")
        self.language_env_note.setVisible(bool(env))
        form.addRow(self.language_env_note)
        combo.currentIndexChanged.connect(self._on_language_combo_changed)
        self._on_language_combo_changed()
        return page

    def chosen_language(self) -> str:
        """The language the choice on the Language page would speak."""
        return language(self.language_combo.currentData())

    @Slot()
    def _on_language_combo_changed(self, *_args: object) -> None:
        chosen, now = self.chosen_language(), current_language()
        if chosen == now:
            self.language_note.setText(self.tr("This is the language in use."))
            return
        # Said in the language in use and in the one chosen: whoever picks a language
        # may not read the other.
        lines = [self.tr(LANGUAGE_NOTE), translate_in(chosen, "SettingsDialog", LANGUAGE_NOTE)]
        self.language_note.setText("\n\n".join(dict.fromkeys(lines)))

    @Slot()
    def _on_inbound_combo_changed(self, *_args: object) -> None:
        mode = InboundMode(self.inbound_combo.currentData())
        self.inbound_hint.setText(self.tr(INBOUND_HINTS[mode]))

    def _lock_row(self, key: str, widget: QWidget) -> QLabel:
        why = self.effective.locked.get(key)
        label = QLabel(
            self.tr("{locked}: {why}").format(locked=self.tr(LOCK_MARK), why=why) if why else ""
        )
        label.setWordWrap(True)
        label.setVisible(bool(why))
        if why:
            widget.setEnabled(False)
            widget.setToolTip(self.tr("{locked}: {why}").format(locked=self.tr(LOCK_MARK), why=why))
            theme.paint_text(label, "busy")  # readable in light and dark
        self.lock_labels[key] = label
        return label

    # -- saving ----------------------------------------------------------------------

    def chosen_settings(self) -> Settings:
        """The user's settings with this dialog's choices; locked keys keep the user's own."""
        user, locked = self._ctx.settings, self.effective.locked
        history = HistorySettings(
            keep=user.history.keep if "history.keep" in locked else self.keep_check.isChecked(),
            retention_days=(
                user.history.retention_days
                if "history.retention_days" in locked
                else (self.retention_spin.value() or None)
            ),
        )
        privacy = PrivacySettings(
            show_caller_in_notifications=(
                user.privacy.show_caller_in_notifications
                if "privacy.show_caller_in_notifications" in locked
                else self.show_caller_check.isChecked()
            )
        )
        inbound = (
            user.inbound_mode
            if "inbound" in locked
            else InboundMode(self.inbound_combo.currentData())
        )
        schedule = ScheduleSettings(
            reminder_minutes=self.reminder_spin.value(),
            sign_out_between=self.sign_out_check.isChecked(),
        )
        return replace(
            user,
            history=history,
            privacy=privacy,
            inbound_mode=inbound,
            schedule=schedule,
            audio=self.audio_page.chosen(user.audio, locked),
            video=self.camera_page.chosen(user.video, locked),
            language=user.language if "language" in locked else self.language_combo.currentData(),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        form = self.account_form
        job = functools.partial(
            store_account,
            self.chosen_settings(),
            self._ctx.store,
            form.profile_name,
            form.username_edit.text(),
            form.take_password(),
            self._ctx.settings_file,
        )
        self.buttons.setEnabled(False)
        self._ctx.bridge.run_in_background(job, self._done_save)

    def _done_save(self, result: JobResult) -> None:
        self.buttons.setEnabled(True)
        if not result.ok:
            error = result.error
            message = (
                str(error)
                if isinstance(error, AccountFormError)
                else (f"{type(error).__name__}: {error}")
            )
            self.error_label.setText(self.tr("Not saved: {reason}").format(reason=message))
            theme.paint(self.error_label, "error", pad=4)
            self.error_label.show()
            theme.grow_to_fit(self)
            return
        self._ctx.settings = result.value
        self._devices_tried = False
        self._apply_audio(result.value)
        self._apply_language(result.value)
        self.settingsSaved.emit(result.value)
        self.accept()

    def _apply_language(self, settings: Settings) -> None:
        """The saved language, for every window opened from now on (see the module)."""
        chosen = effective_settings(settings, self._ctx.admin).settings.language
        if language(chosen) != current_language():
            use_language(language(chosen))
            QApplication.setApplicationDisplayName(translate("GuiApp", "Softphone"))

    def _apply_audio(self, settings: Settings) -> None:
        audio = effective_settings(settings, self._ctx.admin).settings.audio
        self._ctx.bridge.submit(cmd.SetAudioDevices.from_settings(audio))

    @Slot()
    def _on_audio_page_test_call_requested(self) -> None:
        """The encrypted echo test call, through the devices this page shows now."""
        from softphone.ui.test_call_panel import TestCallDialog

        self._devices_tried = True
        self._apply_audio(self.chosen_settings())
        self.audio_page.stop_meter()  # the call takes the microphone
        if self.test_call_dialog is None:
            self.test_call_dialog = TestCallDialog(self._ctx.bridge, self, devices=True)
        self.test_call_dialog.show()
        self.test_call_dialog.raise_()

    def done(self, result: int) -> None:
        self.audio_page.shutdown()
        self.camera_page.shutdown()
        if self._devices_tried:  # cancelled after a test call: the saved devices again
            self._devices_tried = False
            self._apply_audio(self._ctx.settings)
        super().done(result)
