"""The SIP account the app runs: handed to the engine from the settings, and its status.

GUI thread; the profile and the password are read on a worker thread (files, the
secret store). The password goes from the secret store into `AddAccount` as a
`Secret` and nowhere else. `statusChanged` carries a `StatusText` for the status
line: registered (with the TLS version), connecting, or not registered and why —
from the engine's `AccountRegistrationDidChange`, or from a problem found before the
engine was asked (no password stored, profile unreadable, store locked).

The account's long-term end-to-end identity (`e2e.identity`: the certificate its
contacts verify) is read from the secret store — made there on first use — on the
same worker thread, as the CLI does (`cli.calls._e2e_identity`), and goes into
`AddAccount` with it. It is loaded even when the profile's end-to-end mode is "off",
since a contact may require end to end. Without it (store locked, stored identity
damaged) the engine makes one for this run only: calls still work, but contacts
cannot recognise it later; `identity_problem` says why.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from softphone.config.profile import ProfileError, SipProfile, find_profile, load_profile
from softphone.config.settings import AccountSettings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore, SecretStoreError
from softphone.ui.bridge import JobResult
from softphone.ui.context import AccountInfo, UiContext
from softphone.ui.i18n import translate
from softphone.ui.status_text import (
    Severity,
    StatusText,
    no_account,
    registration_status,
    setup_problem,
)

if TYPE_CHECKING:
    from softphone.e2e.identity import DtlsIdentity

log = logging.getLogger(__name__)


class AccountSetupError(Exception):
    """The account cannot be handed to the engine; the message says why."""


def load_account(
    acc: AccountSettings, store: SecretStore | None
) -> tuple[SipProfile, Secret | None]:
    """Worker thread: the account's profile and its password from the secret store."""
    try:
        profile = load_profile(find_profile(acc.profile))
    except ProfileError as e:
        raise AccountSetupError(translate("Account", "profile: {error}").format(error=e)) from None
    if acc.password is None:
        return profile, None
    if store is None:
        raise AccountSetupError(
            translate("Account", "the secret store is not open, so the password is not available")
        )
    try:
        password = store.get(acc.password.service, acc.password.name)
    except SecretStoreError as e:
        raise AccountSetupError(
            translate("Account", "secret store: {error}").format(error=e)
        ) from None
    return profile, password


def load_identity(
    profile: SipProfile, username: str, store: SecretStore | None
) -> tuple[DtlsIdentity | None, str | None]:
    """Worker thread: the account's end-to-end identity, or None and why not."""
    # Here, on the worker: cryptography's x509 is not needed before the first window.
    from softphone.e2e.identity import IdentityError, load_or_create

    if store is None:
        return None, "the secret store is not open"
    try:
        return load_or_create(store, f"{username}@{profile.domain}")[0], None
    except (IdentityError, SecretStoreError) as e:
        return None, str(e)


def load_engine_account(
    acc: AccountSettings, store: SecretStore | None
) -> tuple[SipProfile, Secret | None, DtlsIdentity | None, str | None]:
    """Worker thread: what `AddAccount` needs — profile, password, identity (and why
    there is no identity, if there is none)."""
    profile, password = load_account(acc, store)
    return (profile, password, *load_identity(profile, acc.username, store))


class AccountController(QObject):
    statusChanged = Signal(object)  # StatusText
    accountChanged = Signal()  # UiContext.account was set or cleared

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.status: StatusText = no_account()
        self.last_registration: ev.AccountRegistrationDidChange | None = None
        self._setup_failed = False
        self.identity_problem: str | None = None
        ctx.bridge.registrationChanged.connect(self._on_account_registration_did_change)
        ctx.bridge.commandFailed.connect(self._on_command_did_fail)

    def connect_from_settings(self) -> None:
        """(Re)start the first enabled account of the settings, or show there is none."""
        self._drop_current()
        accounts = [a for a in self._ctx.settings.accounts if a.enabled]
        if not accounts:
            self._set_status(no_account())
            return
        acc = accounts[0]
        opening = self.tr("Opening account {user}…").format(user=acc.username)
        self._set_status(StatusText(Severity.BUSY, opening))
        job = functools.partial(load_engine_account, acc, self._ctx.store)
        self._ctx.bridge.run_in_background(job, functools.partial(self._done_load, acc))

    def retry(self) -> None:
        account = self._ctx.account
        if self._setup_failed or account is None:
            self.connect_from_settings()
            return
        connecting = self.tr("Connecting {address}…").format(address=account.address)
        self._set_status(StatusText(Severity.BUSY, connecting))
        self._ctx.bridge.submit(cmd.Register(account.account_id))

    def shutdown(self) -> None:
        self._drop_current()

    def _done_load(self, acc: AccountSettings, result: JobResult) -> None:
        if not result.ok:
            error = result.error
            why = str(error) if isinstance(error, AccountSetupError) else repr(error)
            self._fail_setup(why)
            return
        profile, password, identity, self.identity_problem = result.value
        if self.identity_problem:
            log.warning(
                "end-to-end identity not kept for this run: %s (contacts cannot recognise it)",
                self.identity_problem,
            )
        if acc.password is not None and password is None:
            self._fail_setup(
                self.tr("no password stored for {address}: enter it in Settings").format(
                    address=f"{acc.username}@{profile.domain}"
                )
            )
            return
        self._setup_failed = False
        account_id = self._ctx.bridge.new_id("acc")
        self._ctx.account = AccountInfo(account_id, profile, acc.username)
        self.accountChanged.emit()
        connecting = self.tr("Connecting {address}…").format(
            address=f"{acc.username}@{profile.domain}"
        )
        self._set_status(StatusText(Severity.BUSY, connecting))
        self._ctx.bridge.submit(
            cmd.AddAccount(
                account_id,
                profile,
                acc.username,
                password,
                register=profile.register,
                e2e_identity=identity,
            )
        )

    def _fail_setup(self, why: str) -> None:
        self._setup_failed = True
        self._set_status(setup_problem(why))

    def _drop_current(self) -> None:
        account = self._ctx.account
        if account is not None:
            self._ctx.bridge.submit(cmd.RemoveAccount(account.account_id))
            self._ctx.account = None
            self.last_registration = None
            self.accountChanged.emit()

    def _set_status(self, status: StatusText) -> None:
        self.status = status
        self.statusChanged.emit(status)

    @Slot(object)
    def _on_account_registration_did_change(self, e: ev.AccountRegistrationDidChange) -> None:
        account = self._ctx.account
        if account is None or e.account_id != account.account_id:
            return
        self.last_registration = e
        self._set_status(registration_status(account.address, e))

    @Slot(object)
    def _on_command_did_fail(self, e: ev.CommandDidFail) -> None:
        account = self._ctx.account
        if account is not None and e.account_id == account.account_id:
            self._set_status(setup_problem(e.error))
