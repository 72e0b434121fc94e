"""The administrator's policy file: dial permissions, inbound policy, transfers, history,
privacy mode, the microphone's processing, video at the start of calls and the desktop
app's language.

Pure Python, any thread. An installer (MSI, package, configuration management) puts
`policy.toml` in the machine-wide configuration folder (`site_policy_path()`:
`C:\\ProgramData\\softphone\\policy.toml`, `/etc/xdg/softphone/policy.toml`, ...), or
points `SOFTPHONE_POLICY` at a file. Users cannot override what it sets; everything
it sets is shown as locked. Without a file the built-in defaults apply
(`BUILTIN_POLICY`): premium and unreadable numbers refused, everything else allowed.

Like profiles, the file is validated strictly: unknown keys, wrong types, unknown
number classes, prefixes without digits and block entries that cannot be read are
`PolicyFileError`s naming the file and the dotted key. It never holds a secret (the
PIN hash lives in the secret store).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from softphone.policy.dialing import BUILTIN_ROLES, DialPolicy, RoleRules, normalise_prefix
from softphone.policy.inbound import InboundMode, InboundPolicy
from softphone.policy.numbers import DialPlan, NumberClass, classify
from softphone.policy.numbers import NumberClass as C
from softphone.policy.signalling import TransferPolicy

POLICY_VERSION = 1
ENV_VAR = "SOFTPHONE_POLICY"
_KEYS: dict[str, tuple[str, ...]] = {
    "dialing": ("default_role", "roles"),
    "inbound": ("mode", "block", "refuse_anonymous"),
    "transfers": ("accept", "allowed_domains"),
    "history": ("keep", "retention_days"),
    "privacy": ("show_caller_in_notifications",),
    "audio": ("echo_cancellation", "noise_suppression", "auto_gain"),
    "video": ("start_calls_with_video",),
    "ui": ("language",),
}
# The desktop app's languages (`softphone.ui.translations.LANGUAGES`, held equal by a
# test); "system" in the policy file: the operating system's, for every user.
UI_LANGUAGES = ("en", "zh_CN")
SYSTEM_LANGUAGE = "system"
_ROLE_KEYS = ("allow", "pin", "deny_prefixes", "allow_exceptions", "allowed_domains")


class PolicyFileError(ValueError):
    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class HistoryPolicy:
    keep: bool = True  # False: "don't keep history"
    retention_days: int | None = None  # None: keep until the user deletes


@dataclass(frozen=True)
class PrivacyPolicy:
    # False: "privacy mode", no caller name or number in notifications or the tray
    show_caller_in_notifications: bool = True


@dataclass(frozen=True)
class AudioPolicy:
    # the microphone's processing; a key the file sets is locked for the user
    echo_cancellation: bool = True
    noise_suppression: bool = True
    auto_gain: bool = True


@dataclass(frozen=True)
class VideoPolicy:
    start_calls_with_video: bool = False  # seed 000, "Limit Features": video on at start


@dataclass(frozen=True)
class UiPolicy:
    language: str | None = None  # one of UI_LANGUAGES; None: the system's


@dataclass(frozen=True)
class AdminPolicy:
    dialing: DialPolicy = field(default_factory=lambda: DialPolicy(dict(BUILTIN_ROLES)))
    inbound: InboundPolicy = field(default_factory=InboundPolicy)
    transfers: TransferPolicy = field(default_factory=TransferPolicy)
    history: HistoryPolicy = field(default_factory=HistoryPolicy)
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    audio: AudioPolicy = field(default_factory=AudioPolicy)
    video: VideoPolicy = field(default_factory=VideoPolicy)
    ui: UiPolicy = field(default_factory=UiPolicy)
    source: Path | None = None  # None: built-in defaults
    locked: frozenset[str] = frozenset()  # dotted keys the file set: shown as locked


def site_policy_path() -> Path:
    return Path(platformdirs.site_config_dir("softphone")) / "policy.toml"


def active_policy_path() -> Path | None:
    """`SOFTPHONE_POLICY` if set, else the machine-wide file if it exists."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    path = site_policy_path()
    return path if path.is_file() else None


def load_admin_policy(path: Path | None = None) -> AdminPolicy:
    """The given file, else the active one, else the built-in defaults."""
    path = path if path is not None else active_policy_path()
    if path is None:
        return AdminPolicy()
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise PolicyFileError(str(path), "", "no such file") from None
    except UnicodeDecodeError as e:
        raise PolicyFileError(str(path), "", f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise PolicyFileError(str(path), "", f"cannot read: {e.strerror or e}") from None
    return parse_admin_policy(text, str(path), Path(path))


def parse_admin_policy(
    text: str, source: str = "<string>", path: Path | None = None
) -> AdminPolicy:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyFileError(source, "", f"not valid TOML: {e}") from None
    r = _Reader(source)
    r.version(doc)
    for name, value in doc.items():
        if name == "version":
            continue
        if name not in _KEYS:
            raise r.error(name, f"unknown table (known: {', '.join(_KEYS)})")
        r.table(name, value, _KEYS[name])
    dialing = _dialing(r, doc.get("dialing", {}))
    return AdminPolicy(
        dialing=dialing,
        inbound=_inbound(r, doc.get("inbound", {})),
        transfers=_transfers(r, doc.get("transfers", {})),
        history=_history(r, doc.get("history", {})),
        privacy=_privacy(r, doc.get("privacy", {})),
        audio=AudioPolicy(**{k: r.flag(f"audio.{k}", v) for k, v in doc.get("audio", {}).items()}),
        video=VideoPolicy(**{k: r.flag(f"video.{k}", v) for k, v in doc.get("video", {}).items()}),
        ui=_ui(r, doc.get("ui", {})),
        source=path,
        locked=frozenset(f"{t}.{k}" for t, v in doc.items() if isinstance(v, dict) for k in v),
    )


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, problem: str) -> PolicyFileError:
        return PolicyFileError(self.source, key, problem)

    def version(self, doc: dict[str, Any]) -> None:
        version = doc.get("version")
        if type(version) is not int:
            raise self.error("version", f"required: put `version = {POLICY_VERSION}` first")
        if version != POLICY_VERSION:
            raise self.error(
                "version", f"version {version} is not understood (this softphone reads 1)"
            )

    def table(self, name: str, value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(name, f"must be a table ([{name}])")
        for key in value:
            if key not in keys:
                raise self.error(f"{name}.{key}", f"unknown key (known: {', '.join(keys)})")
        return value

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings")
        return tuple(value)

    def flag(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false (no quotes)")
        return value

    def classes(self, key: str, value: Any) -> frozenset[NumberClass]:
        names = self.strings(key, value)
        known = {c.value for c in NumberClass}
        for name in names:
            if name not in known:
                raise self.error(key, f'unknown number class "{name}" (known: {", ".join(known)})')
        return frozenset(NumberClass(n) for n in names)


# Prefixes are normalised per dial plan at decision time; here they only have to read.
_CHECK_PLAN = DialPlan(region="US")


def _dialing(r: _Reader, table: dict[str, Any]) -> DialPolicy:
    roles = dict(BUILTIN_ROLES)
    raw_roles = table.get("roles", {})
    if not isinstance(raw_roles, dict):
        raise r.error("dialing.roles", "must be a table of roles ([dialing.roles.NAME])")
    for name, spec in raw_roles.items():
        roles[name] = _role(r, f"dialing.roles.{name}", name, spec)
    default = table.get("default_role", "default")
    if not isinstance(default, str) or default not in roles:
        raise r.error(
            "dialing.default_role", f"must name a role (known: {', '.join(sorted(roles))})"
        )
    return DialPolicy(roles=roles, default_role=default)


def _role(r: _Reader, key: str, name: str, spec: Any) -> RoleRules:
    spec = r.table(key, spec, _ROLE_KEYS)
    allow = r.classes(f"{key}.allow", spec.get("allow", []))
    pin = r.classes(f"{key}.pin", spec.get("pin", []))
    if C.EMERGENCY in pin:
        raise r.error(f"{key}.pin", "emergency calls never need a PIN")
    both = allow & pin
    if both:
        listed = ", ".join(sorted(c.value for c in both))
        raise r.error(key, f"{listed} is in both allow and pin; pick one")
    prefixes = {}
    for list_key in ("deny_prefixes", "allow_exceptions"):
        prefixes[list_key] = r.strings(f"{key}.{list_key}", spec.get(list_key, []))
        for entry in prefixes[list_key]:
            try:
                normalise_prefix(entry, _CHECK_PLAN)
            except ValueError as e:
                raise r.error(f"{key}.{list_key}", str(e)) from None
    return RoleRules(
        name=name,
        allow=allow,
        pin=pin,
        deny_prefixes=prefixes["deny_prefixes"],
        allow_exceptions=prefixes["allow_exceptions"],
        allowed_domains=r.strings(f"{key}.allowed_domains", spec.get("allowed_domains", [])),
    )


def _inbound(r: _Reader, table: dict[str, Any]) -> InboundPolicy:
    mode = table.get("mode", "anyone")
    known = [m.value for m in InboundMode]
    if mode not in known:
        raise r.error("inbound.mode", f'must be one of {", ".join(known)}, got "{mode}"')
    block = r.strings("inbound.block", table.get("block", []))
    for entry in block:
        if not entry.startswith("@"):
            spec = entry if ":" in entry or "@" not in entry else f"sip:{entry}"
            if not classify(spec, _CHECK_PLAN).key:
                raise r.error("inbound.block", f'"{entry}" is not a number or SIP address')
    return InboundPolicy(
        mode=InboundMode(mode),
        block=block,
        refuse_anonymous=r.flag("inbound.refuse_anonymous", table.get("refuse_anonymous", False)),
    )


def _transfers(r: _Reader, table: dict[str, Any]) -> TransferPolicy:
    return TransferPolicy(
        accept_transfers=r.flag("transfers.accept", table.get("accept", False)),
        allowed_domains=r.strings("transfers.allowed_domains", table.get("allowed_domains", [])),
    )


def _history(r: _Reader, table: dict[str, Any]) -> HistoryPolicy:
    keep = r.flag("history.keep", table.get("keep", True))
    days = table.get("retention_days")
    if days is not None and (type(days) is not int or not 1 <= days <= 3650):
        raise r.error("history.retention_days", "must be a whole number of days, 1 to 3650")
    return HistoryPolicy(keep=keep, retention_days=days)


def _privacy(r: _Reader, table: dict[str, Any]) -> PrivacyPolicy:
    key = "show_caller_in_notifications"
    return PrivacyPolicy(r.flag(f"privacy.{key}", table.get(key, True)))


def _ui(r: _Reader, table: dict[str, Any]) -> UiPolicy:
    language = table.get("language", SYSTEM_LANGUAGE)
    known = (SYSTEM_LANGUAGE, *UI_LANGUAGES)
    if language not in known:
        raise r.error("ui.language", f'must be one of {", ".join(known)}, got "{language}"')
    return UiPolicy(None if language == SYSTEM_LANGUAGE else language)
