"""The user's settings file, and what is in force once the administrator's policy applies.

Any thread (file I/O: keep it off the GUI thread). `settings.json` lives in the user
configuration folder (`settings_path()`). It names accounts by profile and user and
*refers* to their passwords in the secret store (`SecretRef`: service and name);
it never holds a password, PIN, key or passphrase. `save_settings` refuses to write a
value the redactor knows as a secret, so a bug cannot put one there.

Writes are atomic (temporary file, fsync, rename) with mode 0600. A damaged or
foreign file raises `SettingsError` naming the file and key and is left untouched;
`quarantine_settings` moves it aside when the caller decides to start afresh.

`effective_settings(user, admin)` merges the administrator's policy over the user's
choices: what the policy file set wins and is reported as locked (with the policy
file as the reason), so the UI can show it disabled.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from softphone.config.admin_policy import AdminPolicy
from softphone.policy.inbound import InboundMode
from softphone.security import redaction

SETTINGS_VERSION = 1


class SettingsError(ValueError):
    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class SecretRef:
    """Where a secret lives in the secret store; the reference, never the value."""

    service: str
    name: str


@dataclass(frozen=True)
class AccountSettings:
    profile: str  # a profile name or file (see `config.profile.find_profile`)
    username: str
    password: SecretRef | None = None
    enabled: bool = True


@dataclass(frozen=True)
class HistorySettings:
    keep: bool = True
    retention_days: int | None = None  # None: until the user deletes


@dataclass(frozen=True)
class PrivacySettings:
    show_caller_in_notifications: bool = True  # off: "Incoming call", no name or number


@dataclass(frozen=True)
class AudioSettings:
    """Sound devices by name (never index: indices change as devices come and go);
    None follows the system default. The capture processing is on by default."""

    microphone: str | None = None
    speaker: str | None = None
    ringer: str | None = None
    echo_cancellation: bool = True
    noise_suppression: bool = True
    auto_gain: bool = True


@dataclass(frozen=True)
class VideoSettings:
    """The camera by name (None: the first one), the mode asked of it, and the policy
    whether calls start with video on."""

    camera: str | None = None
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    start_calls_with_video: bool = False


@dataclass(frozen=True)
class ScheduleSettings:
    reminder_minutes: int = 5  # notify this long before an appointment; 0: no reminder
    sign_out_between: bool = False  # registered only around appointments (seed 000)


MAX_REMINDER_MINUTES = 24 * 60


@dataclass(frozen=True)
class Settings:
    accounts: tuple[AccountSettings, ...] = ()
    history: HistorySettings = field(default_factory=HistorySettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    video: VideoSettings = field(default_factory=VideoSettings)
    inbound_mode: InboundMode = InboundMode.ANYONE
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    # The desktop app's language ("en", "zh_CN"); None: the system's (SOFTPHONE_LANG wins).
    language: str | None = None


@dataclass(frozen=True)
class Effective:
    settings: Settings
    locked: dict[str, str]  # dotted setting -> why it is locked


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir("softphone")) / "settings.json"


# -- reading ---------------------------------------------------------------------------


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, or the defaults when there is no file yet."""
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as e:
        raise SettingsError(str(path), "", f"cannot read: {e.strerror or e}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SettingsError(str(path), "", f"damaged (not JSON text): {e}") from None
    return _from_doc(_Reader(str(path)), doc)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> SettingsError:
        return SettingsError(self.source, key, problem)

    def table(self, key: str, value: Any, known: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be an object")
        unknown = set(value) - known
        if unknown:
            raise self.fail(f"{key}.{sorted(unknown)[0]}", "unknown setting")
        return value

    def typed(self, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {getattr(kind, '__name__', kind)}")
        return value


def _from_doc(r: _Reader, doc: Any) -> Settings:
    if not isinstance(doc, dict) or doc.get("format") != "softphone-settings":
        raise r.fail("", "not a softphone settings file")
    version = doc.get("version")
    if version != SETTINGS_VERSION:
        raise r.fail("version", f"version {version!r} is not understood (this reads 1)")
    r.table(
        "",
        doc,
        {
            "format",
            "version",
            "accounts",
            "history",
            "privacy",
            "audio",
            "video",
            "inbound",
            "schedule",
            "language",
        },
    )
    accounts = doc.get("accounts", [])
    if not isinstance(accounts, list):
        raise r.fail("accounts", "must be a list")
    history = r.table("history", doc.get("history", {}), {"keep", "retention_days"})
    privacy = r.table("privacy", doc.get("privacy", {}), {"show_caller_in_notifications"})
    audio = r.table(
        "audio",
        doc.get("audio", {}),
        {"microphone", "speaker", "ringer", *_AUDIO_SWITCHES},
    )
    video = r.table(
        "video",
        doc.get("video", {}),
        {"camera", "width", "height", "fps", "start_calls_with_video"},
    )
    inbound = doc.get("inbound", InboundMode.ANYONE.value)
    if inbound not in {m.value for m in InboundMode}:
        raise r.fail("inbound", f"unknown mode {inbound!r}")
    schedule = r.table(
        "schedule", doc.get("schedule", {}), {"reminder_minutes", "sign_out_between"}
    )
    reminder = r.typed("schedule.reminder_minutes", schedule.get("reminder_minutes", 5), int)
    if not 0 <= reminder <= MAX_REMINDER_MINUTES:
        raise r.fail("schedule.reminder_minutes", f"must be 0 to {MAX_REMINDER_MINUTES}")
    language = r.typed("language", doc.get("language"), (str, type(None)))
    days = history.get("retention_days")
    if days is not None and (r.typed("history.retention_days", days, int) < 1):
        raise r.fail("history.retention_days", "must be at least 1 day")
    return Settings(
        accounts=tuple(_account(r, f"accounts[{i}]", a) for i, a in enumerate(accounts)),
        history=HistorySettings(r.typed("history.keep", history.get("keep", True), bool), days),
        privacy=PrivacySettings(
            r.typed(
                "privacy.show_caller_in_notifications",
                privacy.get("show_caller_in_notifications", True),
                bool,
            )
        ),
        audio=AudioSettings(
            **{
                k: r.typed(f"audio.{k}", audio.get(k), (str, type(None)))
                for k in ("microphone", "speaker", "ringer")
            },
            **{k: r.typed(f"audio.{k}", audio.get(k, True), bool) for k in _AUDIO_SWITCHES},
        ),
        video=_video(r, video),
        inbound_mode=InboundMode(inbound),
        schedule=ScheduleSettings(
            reminder_minutes=reminder,
            sign_out_between=r.typed(
                "schedule.sign_out_between", schedule.get("sign_out_between", False), bool
            ),
        ),
        language=language or None,
    )


def _video(r: _Reader, video: dict[str, Any]) -> VideoSettings:
    d = VideoSettings()
    out = VideoSettings(
        camera=r.typed("video.camera", video.get("camera"), (str, type(None))),
        width=r.typed("video.width", video.get("width", d.width), int),
        height=r.typed("video.height", video.get("height", d.height), int),
        fps=float(r.typed("video.fps", video.get("fps", d.fps), (int, float))),
        start_calls_with_video=r.typed(
            "video.start_calls_with_video",
            video.get("start_calls_with_video", d.start_calls_with_video),
            bool,
        ),
    )
    if out.width <= 0 or out.height <= 0 or out.fps <= 0:
        raise r.fail("video", "width, height and fps must be positive")
    return out


_AUDIO_SWITCHES = ("echo_cancellation", "noise_suppression", "auto_gain")


def _account(r: _Reader, key: str, value: Any) -> AccountSettings:
    value = r.table(key, value, {"profile", "username", "password", "enabled"})
    ref = value.get("password")
    if ref is not None:
        ref = r.table(f"{key}.password", ref, {"secret_store"})
        store_ref = r.typed(f"{key}.password.secret_store", ref.get("secret_store"), str)
        service, slash, name = store_ref.partition("/")
        if not slash or not service or not name:
            raise r.fail(f"{key}.password.secret_store", "must be SERVICE/NAME")
        ref = SecretRef(service, name)
    return AccountSettings(
        profile=r.typed(f"{key}.profile", value.get("profile"), str),
        username=r.typed(f"{key}.username", value.get("username"), str),
        password=ref,
        enabled=r.typed(f"{key}.enabled", value.get("enabled", True), bool),
    )


# -- writing ---------------------------------------------------------------------------


def to_doc(settings: Settings) -> dict[str, Any]:
    return {
        "format": "softphone-settings",
        "version": SETTINGS_VERSION,
        "accounts": [
            {
                "profile": a.profile,
                "username": a.username,
                "enabled": a.enabled,
                **(
                    {"password": {"secret_store": f"{a.password.service}/{a.password.name}"}}
                    if a.password
                    else {}
                ),
            }
            for a in settings.accounts
        ],
        "history": asdict(settings.history),
        "privacy": asdict(settings.privacy),
        "audio": asdict(settings.audio),
        "video": asdict(settings.video),
        "inbound": settings.inbound_mode.value,
        "schedule": asdict(settings.schedule),
        **({"language": settings.language} if settings.language else {}),
    }


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings_path()
    text = json.dumps(to_doc(settings), indent=2, sort_keys=True) + "\n"
    if redaction.contains_registered_secret(text):
        # A value known as a secret (a password, the data key...) would reach the file:
        # refuse, naming no value.
        raise SettingsError(str(path), "", "refusing to write a secret into the settings file")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def quarantine_settings(path: Path | None = None) -> Path:
    """Move a damaged settings file aside (never deleted); returns its new name."""
    path = path or settings_path()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    os.rename(path, target)
    return target


# -- what is in force ------------------------------------------------------------------


def effective_settings(user: Settings, admin: AdminPolicy) -> Effective:
    why = f"set by the administrator ({admin.source})"
    locked: dict[str, str] = {}
    history = user.history
    if "history.keep" in admin.locked:
        history = replace(history, keep=admin.history.keep)
        locked["history.keep"] = why
    if "history.retention_days" in admin.locked:
        history = replace(history, retention_days=admin.history.retention_days)
        locked["history.retention_days"] = why
    inbound = user.inbound_mode
    if "inbound.mode" in admin.locked:
        inbound = admin.inbound.mode
        locked["inbound"] = why
    privacy = user.privacy
    if "privacy.show_caller_in_notifications" in admin.locked:
        privacy = replace(
            privacy, show_caller_in_notifications=admin.privacy.show_caller_in_notifications
        )
        locked["privacy.show_caller_in_notifications"] = why
    audio = user.audio
    for key in ("echo_cancellation", "noise_suppression", "auto_gain"):
        if f"audio.{key}" in admin.locked:
            audio = replace(audio, **{key: getattr(admin.audio, key)})
            locked[f"audio.{key}"] = why
    video = user.video
    if "video.start_calls_with_video" in admin.locked:
        video = replace(video, start_calls_with_video=admin.video.start_calls_with_video)
        locked["video.start_calls_with_video"] = why
    language = user.language
    if "ui.language" in admin.locked:
        language = admin.ui.language
        locked["language"] = why
    return Effective(
        replace(
            user,
            history=history,
            inbound_mode=inbound,
            privacy=privacy,
            audio=audio,
            video=video,
            language=language,
        ),
        locked,
    )
