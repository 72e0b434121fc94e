"""The user's settings file: round trip, secrets refused, damage reported, admin locks."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from softphone.config.admin_policy import AdminPolicy, parse_admin_policy
from softphone.config.settings import (
    AccountSettings,
    AudioSettings,
    HistorySettings,
    ScheduleSettings,
    SecretRef,
    Settings,
    SettingsError,
    effective_settings,
    load_settings,
    quarantine_settings,
    save_settings,
)
from softphone.policy.inbound import InboundMode
from softphone.security import redaction

FULL = Settings(
    accounts=(AccountSettings("testbed", "alice", SecretRef("sip", "alice@127.0.0.1")),),
    history=HistorySettings(keep=True, retention_days=30),
    audio=AudioSettings(microphone="USB Headset", echo_cancellation=False),
    inbound_mode=InboundMode.APPROVED,
    schedule=ScheduleSettings(reminder_minutes=15, sign_out_between=True),
)


def test_round_trip_and_file_mode(tmp_path: Path) -> None:
    path = save_settings(FULL, tmp_path / "cfg" / "settings.json")
    assert load_settings(path) == FULL
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert doc["accounts"][0]["password"] == {"secret_store": "sip/alice@127.0.0.1"}
    assert list(tmp_path.joinpath("cfg").iterdir()) == [path]  # no temporary file left
    assert doc["schedule"] == {"reminder_minutes": 15, "sign_out_between": True}


def test_schedule_settings_default_and_older_files(tmp_path: Path) -> None:
    assert Settings().schedule == ScheduleSettings(reminder_minutes=5, sign_out_between=False)
    path = tmp_path / "settings.json"
    path.write_text('{"format": "softphone-settings", "version": 1, "inbound": "anyone"}')
    assert load_settings(path).schedule == ScheduleSettings()  # written before the setting


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.json") == Settings()


def test_a_registered_secret_is_never_written(tmp_path: Path) -> None:
    redaction.register_secret("hunter2-hunter2")
    try:
        bad = Settings(accounts=(AccountSettings("testbed", "hunter2-hunter2"),))
        with pytest.raises(SettingsError, match="refusing to write a secret") as info:
            save_settings(bad, tmp_path / "settings.json")
        assert "hunter2" not in str(info.value)
        assert not (tmp_path / "settings.json").exists()
    finally:
        redaction.unregister_secret("hunter2-hunter2")


@pytest.mark.parametrize(
    ("content", "key", "problem"),
    [
        (b"\x00\xff garbage", "", "damaged"),
        (b"{", "", "damaged"),
        (b"[]", "", "not a softphone settings file"),
        (b'{"format": "softphone-settings", "version": 9}', "version", "not understood"),
        (b'{"format": "softphone-settings", "version": 1, "colour": 1}', ".colour", "unknown"),
        (b'{"format": "softphone-settings", "version": 1, "history": {"keep": "yes"}}',
         "history.keep", "must be bool"),
        (b'{"format": "softphone-settings", "version": 1, "accounts": [{"profile": "x",'
         b' "username": "a", "password": {"secret_store": "noslash"}}]}',
         "accounts[0].password.secret_store", "SERVICE/NAME"),
        (b'{"format": "softphone-settings", "version": 1, "inbound": "friends"}', "inbound",
         "unknown mode"),
        (b'{"format": "softphone-settings", "version": 1, "schedule": {"sign_out_between": 1}}',
         "schedule.sign_out_between", "must be bool"),
        (b'{"format": "softphone-settings", "version": 1, "schedule": {"reminder_minutes": -5}}',
         "schedule.reminder_minutes", "must be 0 to 1440"),
        (b'{"format": "softphone-settings", "version": 1, "schedule": {"snooze": 5}}',
         "schedule.snooze", "unknown setting"),
    ],
)  # fmt: skip
def test_damaged_files_are_reported_and_left_alone(
    tmp_path: Path, content: bytes, key: str, problem: str
) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert info.value.key == key and problem in str(info.value)
    assert path.read_bytes() == content
    moved = quarantine_settings(path)
    assert moved.read_bytes() == content and not path.exists()
    assert load_settings(path) == Settings()


def test_admin_policy_locks_what_it_sets() -> None:
    admin = parse_admin_policy(
        "version = 1\n[history]\nretention_days = 7\n[inbound]\nmode = 'scheduled'\n",
        "/etc/xdg/softphone/policy.toml",
        Path("/etc/xdg/softphone/policy.toml"),
    )
    result = effective_settings(FULL, admin)
    assert result.settings.history.retention_days == 7
    assert result.settings.history.keep is True  # not set by the policy: the user's
    assert result.settings.inbound_mode is InboundMode.SCHEDULED
    assert set(result.locked) == {"history.retention_days", "inbound"}
    assert "/etc/xdg/softphone/policy.toml" in result.locked["inbound"]
    unlocked = effective_settings(FULL, AdminPolicy())
    assert unlocked.settings == FULL and not unlocked.locked


def test_audio_devices_persist_by_name_with_processing_switches(tmp_path: Path) -> None:
    audio = AudioSettings(
        microphone="USB Headset: Audio (hw:2,0)",
        speaker=None,  # follow the system default
        ringer="HDMI 1",
        echo_cancellation=True,
        noise_suppression=False,
        auto_gain=False,
    )
    path = save_settings(Settings(audio=audio), tmp_path / "settings.json")
    doc = json.loads(path.read_text())
    assert doc["audio"]["microphone"] == "USB Headset: Audio (hw:2,0)"  # a name, not an index
    assert load_settings(path).audio == audio
    # files written before the switches existed: processing on
    doc["audio"] = {"microphone": "X"}
    path.write_text(json.dumps(doc))
    old = load_settings(path).audio
    assert old.microphone == "X" and old.noise_suppression and old.auto_gain
    doc["audio"] = {"auto_gain": "yes"}
    path.write_text(json.dumps(doc))
    with pytest.raises(SettingsError, match=r"audio\.auto_gain"):
        load_settings(path)


def test_camera_choice_persists_by_name_with_mode_and_video_policy(tmp_path: Path) -> None:
    from softphone.config.settings import VideoSettings

    video = VideoSettings("HD Webcam C270 #2", 640, 480, 15.0, start_calls_with_video=True)
    path = save_settings(Settings(video=video), tmp_path / "settings.json")
    assert load_settings(path).video == video
    assert Settings().video.start_calls_with_video is False  # video off unless chosen
    doc = json.loads(path.read_text())
    doc["video"]["fps"] = 0
    path.write_text(json.dumps(doc))
    with pytest.raises(SettingsError, match="positive"):
        load_settings(path)


def test_settings_language_round_trip_and_default(tmp_path: Path) -> None:
    assert Settings().language is None
    path = save_settings(Settings(language="zh_CN"), tmp_path / "settings.json")
    assert json.loads(path.read_text())["language"] == "zh_CN"
    assert load_settings(path).language == "zh_CN"
    path = save_settings(Settings(), tmp_path / "settings.json")
    assert "language" not in json.loads(path.read_text())
