"""Privacy mode set by the administrator: read strictly, wins over the user, shown locked."""

from __future__ import annotations

import pytest

from softphone.config.admin_policy import PolicyFileError, parse_admin_policy
from softphone.config.settings import PrivacySettings, Settings, effective_settings


def test_privacy_policy_locks_privacy_mode_over_the_users_choice() -> None:
    admin = parse_admin_policy(
        "version = 1\n[privacy]\nshow_caller_in_notifications = false\n", "policy.toml"
    )
    assert admin.privacy.show_caller_in_notifications is False
    user = Settings(privacy=PrivacySettings(show_caller_in_notifications=True))
    effective = effective_settings(user, admin)
    assert effective.settings.privacy.show_caller_in_notifications is False
    assert "privacy.show_caller_in_notifications" in effective.locked


def test_privacy_policy_absent_leaves_the_user_free() -> None:
    admin = parse_admin_policy("version = 1\n", "policy.toml")
    user = Settings(privacy=PrivacySettings(show_caller_in_notifications=False))
    effective = effective_settings(user, admin)
    assert effective.settings.privacy.show_caller_in_notifications is False
    assert effective.locked == {}


def test_privacy_policy_rejects_a_quoted_flag_and_unknown_keys() -> None:
    with pytest.raises(PolicyFileError, match=r"privacy\.show_caller_in_notifications"):
        parse_admin_policy('version = 1\n[privacy]\nshow_caller_in_notifications = "no"\n')
    with pytest.raises(PolicyFileError, match=r"privacy\.show_caller"):
        parse_admin_policy("version = 1\n[privacy]\nshow_caller = false\n")
