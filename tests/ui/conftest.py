"""Fixtures for the desktop UI tests: a real X server (pytest-xvfb), isolated user folders.

pytest-xvfb starts Xvfb before collection when it is installed, so the windows here
are real X11 windows. Without an X server Qt's offscreen platform is the fallback
(stated in the run's header); without PySide6 the whole folder is skipped, unless
SOFTPHONE_REQUIRE_GUI=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from softphone.media.video_slot import VideoSlot, VideoSlots

if os.environ.get("SOFTPHONE_REQUIRE_GUI") == "1":
    import PySide6  # noqa: F401  (CI: a missing GUI stack fails loudly)
else:
    pytest.importorskip("PySide6", reason="the gui extra is not installed")

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.hookimpl(trylast=True)  # after pytest-xvfb has started Xvfb and set DISPLAY
def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_report_header(config: pytest.Config) -> str:
    platform = os.environ.get("QT_QPA_PLATFORM") or f"xcb on DISPLAY={os.environ.get('DISPLAY')}"
    return f"ui: Qt platform {platform}"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings, secrets, database and PIN state under tmp_path; no real keyring."""
    import keyring
    import keyring.core
    from keyring.backends import fail

    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(var, str(tmp_path / sub))
    for var in ("SOFTPHONE_POLICY", "SOFTPHONE_PASSWORD", "SOFTPHONE_STORE_PASSPHRASE"):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.core._keyring_backend
    keyring.set_keyring(fail.Keyring())  # the encrypted-file store, never the real keyring
    yield tmp_path
    keyring.core._keyring_backend = previous


@pytest.fixture(autouse=True)
def english_ui(qapp, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The UI speaks English (with its plural forms) whatever the machine's locale; a test
    that wants another language calls `use_language` itself and is put back here."""
    from softphone.ui.translations import LANG_ENV, use_language

    monkeypatch.setenv(LANG_ENV, "en")
    use_language("en")
    yield
    use_language("en")


class FakeEngine:
    """Stands in for `Engine` where a widget's logic is tested: records commands and
    delivers events from a thread of its own, as the engine thread would."""

    def __init__(self) -> None:
        self.submitted: list[object] = []
        self._listeners: list[Callable[[object], None]] = []
        self._n = 0
        self.video_slots = VideoSlots()  # a test opens one and puts frames, as the media would

    def submit(self, command: object) -> None:
        self.submitted.append(command)

    def subscribe(self, listener: Callable[[object], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[object], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def new_id(self, prefix: str = "c") -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def remote_video(self, call_id: str) -> VideoSlot | None:
        return self.video_slots.get(call_id)

    def emit(self, *events: object) -> None:
        """Deliver `events` in order from another thread (like the engine thread)."""

        def run() -> None:
            for event in events:
                for listener in list(self._listeners):
                    listener(event)

        t = threading.Thread(target=run, name="fake-engine")
        t.start()
        t.join()

    def commands(self, kind: type) -> list:
        return [c for c in self.submitted if isinstance(c, kind)]


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def bridge(qtbot, fake_engine: FakeEngine):
    from softphone.ui.bridge import EngineBridge

    b = EngineBridge(fake_engine)
    yield b
    b.close()


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Save a widget as tests/ui/screenshots/NAME.png (gitignored) for a person to look at."""

    def save(widget, name: str) -> Path:
        from PySide6.QtWidgets import QApplication

        SCREENSHOTS.mkdir(exist_ok=True)
        QApplication.processEvents()
        path = SCREENSHOTS / f"{name}.png"
        assert widget.grab().save(str(path)), f"could not save {path}"
        return path

    return save
