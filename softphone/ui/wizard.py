"""First run: pick a profile or skip, check the server's certificate, place the test call.

GUI thread. Works with no SIP account at all: "Skip" goes straight to the embedded
encrypted test call (`TestCallPanel`), which needs nothing but this app. With an
account, the connection page saves it (password to the secret store), registers,
and shows the server certificate's TLS version and SHA-256 fingerprint to compare
with the one the administrator published — or why registration failed. Finishing
saves the settings, so the wizard does not come back.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from softphone.config.settings import save_settings
from softphone.engine import events as ev
from softphone.ui import theme
from softphone.ui.account import AccountController
from softphone.ui.account_form import AccountForm, AccountFormError, store_account
from softphone.ui.bridge import JobResult
from softphone.ui.context import UiContext
from softphone.ui.security_text import tls_name
from softphone.ui.settings_dialog import fingerprint_lines
from softphone.ui.status_text import StatusText, certificate_problem_text
from softphone.ui.test_call_panel import TestCallPanel

ACCOUNT_PAGE, CONNECTION_PAGE, TEST_CALL_PAGE = range(3)


class AccountPage(QWizardPage):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.setTitle(self.tr("Your SIP account"))
        self.setSubTitle(self.tr("Pick your service's profile and sign in — or skip this for now."))
        self.have_radio = QRadioButton(self.tr("I have an account"))
        self.skip_radio = QRadioButton(
            self.tr("Skip: no account yet (the test call works without one)")
        )
        self.form = AccountForm(ctx.settings, ctx.store)
        layout = QVBoxLayout(self)
        layout.addWidget(self.have_radio)
        layout.addWidget(self.form)
        layout.addWidget(self.skip_radio)
        self.have_radio.toggled.connect(self._on_have_radio_toggled)
        self.form.username_edit.textChanged.connect(self.completeChanged)
        self.have_radio.setChecked(bool(ctx.settings.accounts))
        self.skip_radio.setChecked(not ctx.settings.accounts)
        self._on_have_radio_toggled(self.have_radio.isChecked())

    @property
    def skipped(self) -> bool:
        return self.skip_radio.isChecked()

    @Slot(bool)
    def _on_have_radio_toggled(self, have: bool) -> None:
        self.form.setEnabled(have)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.skipped or bool(self.form.username_edit.text().strip())

    def nextId(self) -> int:
        return TEST_CALL_PAGE if self.skipped else CONNECTION_PAGE


class ConnectionPage(QWizardPage):
    def __init__(self, ctx: UiContext, account_page: AccountPage) -> None:
        super().__init__()
        self._ctx = ctx
        self._account_page = account_page
        self.setTitle(self.tr("Connecting"))
        self.setSubTitle(self.tr("Saving the account and registering with the server."))
        self.controller = AccountController(ctx, self)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.certificate_label = QLabel("")
        self.certificate_label.setWordWrap(True)
        self.certificate_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label = QLabel("")
        self.fingerprint_label.setStyleSheet("font-family: 'DejaVu Sans Mono', monospace;")
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.certificate_label)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.controller.statusChanged.connect(self._on_controller_status_changed)
        ctx.bridge.registrationChanged.connect(self._on_account_registration_did_change)
        self.retry_button.clicked.connect(self.controller.retry)

    def initializePage(self) -> None:
        form = self._account_page.form
        self.certificate_label.setText("")
        self.fingerprint_label.setText("")
        self.status_label.setText(self.tr("Saving…"))
        job = functools.partial(
            store_account,
            self._ctx.settings,
            self._ctx.store,
            form.profile_name,
            form.username_edit.text(),
            form.take_password(),
            self._ctx.settings_file,
        )
        self._ctx.bridge.run_in_background(job, self._done_save)

    def cleanupPage(self) -> None:  # Back: let go of the account
        self.controller.shutdown()

    def _done_save(self, result: JobResult) -> None:
        if not result.ok:
            error = result.error
            why = str(error) if isinstance(error, AccountFormError) else type(error).__name__
            self.status_label.setText(self.tr("Not saved: {reason}").format(reason=why))
            theme.paint(self.status_label, "error", pad=4)
            return
        self._ctx.settings = result.value
        self.controller.connect_from_settings()

    @Slot(object)
    def _on_controller_status_changed(self, status: StatusText) -> None:
        self.status_label.setText(status.text)
        self.status_label.setToolTip(status.detail)
        theme.paint(self.status_label, status.severity.value, pad=4)
        self.retry_button.setVisible(status.can_retry)

    @Slot(object)
    def _on_account_registration_did_change(self, e: ev.AccountRegistrationDidChange) -> None:
        account = self._ctx.account
        if account is None or e.account_id != account.account_id:
            return
        sig = e.signalling
        if sig is not None and sig.encrypted and sig.peer_sha256:
            self.certificate_label.setText(
                self.tr(
                    "Server certificate ({tls}), issued to {subject}. Compare its SHA-256 "
                    "fingerprint with the one your administrator published:"
                ).format(tls=tls_name(sig.tls_version), subject=sig.peer_subject or "?")
            )
            self.fingerprint_label.setText(fingerprint_lines(sig.peer_sha256))
        elif e.certificate is not None:
            self.certificate_label.setText(certificate_problem_text(e.certificate))
            self.fingerprint_label.setText("")


class TestCallPage(QWizardPage):
    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.setTitle(self.tr("Encrypted test call"))
        self.setSubTitle(self.tr("A real TLS + SRTP call to an echo peer inside this app."))
        self.panel = TestCallPanel(ctx.bridge)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)


class FirstRunWizard(QWizard):
    setupFinished = Signal(object)  # the Settings saved

    def __init__(self, ctx: UiContext, parent=None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(self.tr("Set up the softphone"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.account_page = AccountPage(ctx)
        self.connection_page = ConnectionPage(ctx, self.account_page)
        self.test_call_page = TestCallPage(ctx)
        self.setPage(ACCOUNT_PAGE, self.account_page)
        self.setPage(CONNECTION_PAGE, self.connection_page)
        self.setPage(TEST_CALL_PAGE, self.test_call_page)
        self.setMinimumSize(640, 520)
        self._saving = ctx.settings

    def accept(self) -> None:
        settings = self._ctx.settings
        if self.account_page.skipped:
            settings = replace(settings, accounts=())
        job = functools.partial(save_settings, settings, self._ctx.settings_file)
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self._saving = settings
        self._ctx.bridge.run_in_background(job, self._done_finish)

    def reject(self) -> None:  # cancelled: the main window starts from the saved settings
        self.connection_page.controller.shutdown()
        super().reject()

    def _done_finish(self, result: JobResult) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if not result.ok:
            self.test_call_page.panel.progress_label.setText(
                self.tr("Could not save the settings: {error}").format(error=result.error)
            )
            return
        self.connection_page.controller.shutdown()  # the main window takes over
        self._ctx.settings = self._saving
        self.setupFinished.emit(self._saving)
        super().accept()
