"""The app's icons: hand-written SVGs shipped in the package (`softphone/ui/icons/`),
loaded as scalable `QIcon`s (Qt's SVG icon engine renders them sharp at any device
pixel ratio), and which status icon the tray shows. GUI thread (`tray_state` is pure).

Linux desktops find the app icon by the name in `assets/softphone.desktop`
(`Icon=softphone`) once `softphone.svg` is installed as
`~/.local/share/icons/hicolor/scalable/apps/softphone.svg` (README, "Desktop app").
"""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon

STATES = ("registered", "unregistered", "error", "ringing", "in-call")


def icon_path(name: str) -> Path:
    """The SVG file `name` (without `.svg`) inside the package."""
    return Path(str(files("softphone.ui") / "icons" / f"{name}.svg"))


@functools.cache
def app_icon() -> QIcon:
    return QIcon(str(icon_path("softphone")))


@functools.cache
def status_icon(state: str) -> QIcon:
    if state not in STATES:
        raise ValueError(f"no status icon {state!r}")
    return QIcon(str(icon_path(f"status-{state}")))


def tray_state(severity: str, *, ringing: bool, in_call: bool) -> str:
    """The tray's state: a ringing call first, then a call in progress, then the
    account (`status_text.Severity` value: ok, busy, error, info)."""
    if ringing:
        return "ringing"
    if in_call:
        return "in-call"
    return {"ok": "registered", "error": "error"}.get(severity, "unregistered")
