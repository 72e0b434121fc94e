"""The administrator's policy file: parsing, defaults, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.config.admin_policy import (
    AdminPolicy,
    PolicyFileError,
    active_policy_path,
    load_admin_policy,
    parse_admin_policy,
)
from softphone.policy.dialing import decide_dial
from softphone.policy.inbound import InboundMode
from softphone.policy.numbers import DialPlan, NumberClass

FULL = """
version = 1
[dialing]
default_role = "clinician"
[dialing.roles.clinician]
allow = ["internal", "sip", "national", "mobile", "toll_free"]
pin = ["international"]
deny_prefixes = ["+1 876"]
allow_exceptions = ["+44 20 7946 0000"]
allowed_domains = ["partner.example"]
[inbound]
mode = "approved"
block = ["+1 212 555 0199", "@spam.example", "mallory@evil.example"]
refuse_anonymous = true
[transfers]
accept = true
allowed_domains = ["pbx.example.com"]
[history]
keep = true
retention_days = 30
"""
US = DialPlan("US")


def test_full_file() -> None:
    policy = parse_admin_policy(FULL, "policy.toml")
    role = policy.dialing.role(None)
    assert role.name == "clinician"
    assert NumberClass.INTERNATIONAL in role.pin
    assert decide_dial("+44 20 7946 0000", US, role).allowed  # the exception
    assert decide_dial("+44 20 7946 0001", US, role).verdict == "needs_pin"
    assert not decide_dial("+1 876 555 1234", US, role).allowed
    assert policy.inbound.mode is InboundMode.APPROVED
    assert policy.inbound.refuse_anonymous
    assert policy.transfers.accept_transfers
    assert policy.history.retention_days == 30
    assert "history.retention_days" in policy.locked
    assert "kiosk" in policy.dialing.roles  # built-in roles stay available


def test_no_file_means_builtin_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SOFTPHONE_POLICY", raising=False)
    monkeypatch.setattr(
        "softphone.config.admin_policy.site_policy_path", lambda: tmp_path / "none.toml"
    )
    assert active_policy_path() is None
    policy = load_admin_policy()
    assert policy == AdminPolicy()
    assert not policy.locked
    assert policy.dialing.role(None).name == "default"


def test_env_var_points_at_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(FULL)
    monkeypatch.setenv("SOFTPHONE_POLICY", str(path))
    assert load_admin_policy().source == path


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("", "version", "required"),
        ("version = 2", "version", "not understood"),
        ("version = 1\n[dialling]", "dialling", "unknown table"),
        ("version = 1\n[dialing]\ndefault_role = 'boss'", "dialing.default_role", "must name"),
        ("version = 1\n[dialing.roles.x]\nallow = ['nationall']", "dialing.roles.x.allow",
         'unknown number class "nationall"'),
        ("version = 1\n[dialing.roles.x]\npin = ['emergency']", "dialing.roles.x.pin",
         "never need a PIN"),
        ("version = 1\n[dialing.roles.x]\nallow = ['mobile']\npin = ['mobile']",
         "dialing.roles.x", "both allow and pin"),
        ("version = 1\n[dialing.roles.x]\ndeny_prefixes = ['abc']",
         "dialing.roles.x.deny_prefixes", "no digits"),
        ("version = 1\n[dialing.roles.x]\nallow = 'mobile'", "dialing.roles.x.allow",
         "list of strings"),
        ("version = 1\n[dialing.roles.x]\npassword = 'x'", "dialing.roles.x.password",
         "unknown key"),
        ("version = 1\n[inbound]\nmode = 'friends'", "inbound.mode", "must be one of"),
        ("version = 1\n[inbound]\nblock = ['hello']", "inbound.block", "not a number"),
        ("version = 1\n[transfers]\naccept = 'yes'", "transfers.accept", "true or false"),
        ("version = 1\n[history]\nretention_days = 0", "history.retention_days", "1 to 3650"),
        ("version = 1\n[history", "", "not valid TOML"),
    ],
)  # fmt: skip
def test_errors_name_the_key(text: str, key: str, problem: str) -> None:
    with pytest.raises(PolicyFileError) as info:
        parse_admin_policy(text, "policy.toml")
    assert info.value.key == key
    assert problem in str(info.value)
    assert str(info.value).startswith("policy.toml: ")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no such file"):
        load_admin_policy(tmp_path / "missing.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PolicyFileError, match="not UTF-8"):
        load_admin_policy(binary)


def test_admin_policy_ui_language_is_locked_and_checked() -> None:
    from softphone.config.admin_policy import SYSTEM_LANGUAGE, UI_LANGUAGES
    from softphone.config.settings import Settings, effective_settings

    policy = parse_admin_policy('version = 1\n[ui]\nlanguage = "zh_CN"\n', "p.toml", Path("p"))
    assert policy.ui.language == "zh_CN" and policy.locked == {"ui.language"}
    effective = effective_settings(Settings(language="en"), policy)
    assert effective.settings.language == "zh_CN"
    assert "administrator" in effective.locked["language"]
    system = parse_admin_policy(f'version = 1\n[ui]\nlanguage = "{SYSTEM_LANGUAGE}"\n')
    assert effective_settings(Settings(language="en"), system).settings.language is None
    assert effective_settings(Settings(language="en"), AdminPolicy()).locked == {}
    with pytest.raises(PolicyFileError) as e:
        parse_admin_policy('version = 1\n[ui]\nlanguage = "fr"\n')
    assert e.value.key == "ui.language" and "zh_CN" in e.value.problem
    with pytest.raises(PolicyFileError, match=r"ui\.theme"):
        parse_admin_policy('version = 1\n[ui]\ntheme = "dark"\n')
    try:
        from softphone.ui.translations import LANGUAGES
    except ImportError:  # pragma: no cover
        return
    assert UI_LANGUAGES == LANGUAGES  # the policy file accepts what the app can speak
