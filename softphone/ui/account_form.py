"""The account fields (profile, user name, password), shared by Settings and the wizard.

GUI thread for `AccountForm`; `store_account` runs on a worker thread (profile file,
secret store, settings file). The password goes to the secret store; the settings
file gets only a `SecretRef` naming where it is (`config.settings`). The field is
cleared as soon as it is read, and the password is never shown again: an account
that has one says "stored" instead.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from softphone.config.profile import ProfileError, find_profile, list_profiles, load_profile
from softphone.config.settings import AccountSettings, SecretRef, Settings, save_settings
from softphone.security.credentials import SIP_SERVICE, secret_name
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore
from softphone.ui.i18n import translate


class AccountFormError(Exception):
    """The account cannot be saved; the message says why (never with the password)."""


def store_account(
    settings: Settings,
    store: SecretStore | None,
    profile_name: str,
    username: str,
    password: Secret | None,
    settings_file: Path | None,
) -> Settings:
    """Worker thread: the settings with this account (or none if `username` is empty),
    the password put in the secret store; saved. Returns what was saved."""
    username = username.strip()
    if not username:
        saved = replace(settings, accounts=())
        save_settings(saved, settings_file)
        return saved
    try:
        profile = load_profile(find_profile(profile_name))
    except ProfileError as e:
        raise AccountFormError(
            translate("AccountForm", "profile: {error}").format(error=e)
        ) from None
    name = secret_name(username, profile.domain)
    ref: SecretRef | None = None
    if password:
        if store is None:
            raise AccountFormError(
                translate(
                    "AccountForm",
                    "the secret store is not open: unlock it to save a password (it is never "
                    "written to the settings file)",
                )
            )
        store.set(SIP_SERVICE, name, password)
        ref = SecretRef(SIP_SERVICE, name)
    elif store is not None and store.get(SIP_SERVICE, name) is not None:
        ref = SecretRef(SIP_SERVICE, name)  # one stored earlier for this user and domain
    account = AccountSettings(profile=profile_name, username=username, password=ref)
    saved = replace(settings, accounts=(account,))
    save_settings(saved, settings_file)
    return saved


def store_description(store: SecretStore | None) -> str:
    if store is None:
        return translate(
            "AccountForm", "Secret store NOT open: passwords cannot be saved until it is unlocked."
        )
    path = getattr(store, "path", None)
    if path is not None:
        return translate("AccountForm", "Passwords are kept in the encrypted file {path}.").format(
            path=path
        )
    return translate("AccountForm", "Passwords are kept in the operating system's keyring.")


class AccountForm(QWidget):
    def __init__(
        self, settings: Settings, store: SecretStore | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        current = settings.accounts[0] if settings.accounts else None
        self.profile_combo = QComboBox()
        for path in list_profiles():
            self.profile_combo.addItem(path.stem, str(path))
        if current is None:
            self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findText("generic-tls")))
        else:
            index = self.profile_combo.findText(Path(current.profile).stem)
            if index < 0:
                self.profile_combo.addItem(current.profile, current.profile)
                index = self.profile_combo.count() - 1
            self.profile_combo.setCurrentIndex(index)
        self.profile_label = QLabel("")
        self.profile_label.setWordWrap(True)
        self.username_edit = QLineEdit(current.username if current else "")
        self.username_edit.setPlaceholderText(self.tr("your SIP user name"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(
            self.tr("stored — type a new one to replace it")
            if current is not None and current.password is not None
            else self.tr("password")
        )
        self.store_label = QLabel(store_description(store))
        self.store_label.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Service profile:"), self.profile_combo)
        form.addRow("", self.profile_label)
        form.addRow(self.tr("User name:"), self.username_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow("", self.store_label)
        self.profile_combo.currentIndexChanged.connect(self._on_profile_combo_changed)
        self._on_profile_combo_changed()

    @property
    def profile_name(self) -> str:
        return self.profile_combo.currentText()

    def take_password(self) -> Secret | None:
        """The typed password as a Secret (None if empty); the field is cleared."""
        text = self.password_edit.text()
        self.password_edit.clear()
        return Secret(text) if text else None

    @Slot()
    def _on_profile_combo_changed(self, *_args: object) -> None:
        path = self.profile_combo.currentData()
        if not path:
            self.profile_label.setText("")
            return
        try:
            p = load_profile(path)
        except ProfileError as e:
            self.profile_label.setText(
                self.tr("This profile cannot be used: {error}").format(error=e)
            )
            return
        verify = self.tr("verified") if p.tls.verify_server else self.tr("NOT verified")
        self.profile_label.setText(
            self.tr(
                "{profile} — {transport} to {server}:{port}, server certificate {verify}, "
                "SRTP {srtp}"
            ).format(
                profile=p.description or p.name,
                transport=p.transport.upper(),
                server=p.server,
                port=p.port,
                verify=verify,
                srtp=p.media.srtp,
            )
        )
