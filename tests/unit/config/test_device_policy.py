"""The administrator's [audio] and [video] tables: read strictly, win over the user, shown
locked; what they do not set stays the user's."""

from __future__ import annotations

import pytest

from softphone.config.admin_policy import PolicyFileError, parse_admin_policy
from softphone.config.settings import AudioSettings, Settings, VideoSettings, effective_settings


def test_device_policy_locks_video_at_start_and_the_processing_it_sets() -> None:
    admin = parse_admin_policy(
        "version = 1\n[video]\nstart_calls_with_video = false\n[audio]\necho_cancellation = true\n",
        "policy.toml",
    )
    user = Settings(
        audio=AudioSettings(microphone="Headset", echo_cancellation=False, auto_gain=False),
        video=VideoSettings(start_calls_with_video=True),
    )
    effective = effective_settings(user, admin)
    assert effective.settings.video.start_calls_with_video is False
    assert effective.settings.audio.echo_cancellation is True
    assert effective.settings.audio.auto_gain is False  # not in the file: the user's
    assert effective.settings.audio.microphone == "Headset"
    assert set(effective.locked) == {"video.start_calls_with_video", "audio.echo_cancellation"}


def test_device_policy_absent_leaves_the_user_free() -> None:
    user = Settings(video=VideoSettings(start_calls_with_video=True))
    effective = effective_settings(user, parse_admin_policy("version = 1\n"))
    assert effective.settings.video.start_calls_with_video is True
    assert effective.locked == {}


def test_device_policy_rejects_quoted_flags_and_unknown_keys() -> None:
    with pytest.raises(PolicyFileError, match=r"video\.start_calls_with_video"):
        parse_admin_policy('version = 1\n[video]\nstart_calls_with_video = "no"\n')
    with pytest.raises(PolicyFileError, match=r"audio\.microphone"):
        parse_admin_policy('version = 1\n[audio]\nmicrophone = "Headset"\n')
