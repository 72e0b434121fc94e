"""`softphone gui` and `python -m softphone` with no arguments; the CLI is unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from softphone.cli import GUI_INSTALL_HINT, default_argv, desktop_session, main

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ""}, "linux", False),
        ({}, "win32", True),
        ({}, "darwin", True),
    ],
)
def test_cli_desktop_session(env: dict, platform: str, expected: bool) -> None:
    assert desktop_session(env, platform) is expected


def test_cli_default_argv_opens_the_gui_only_without_arguments_on_a_desktop() -> None:
    desktop = {"DISPLAY": ":0"}
    assert default_argv([], desktop) == ["gui"]
    assert default_argv([], {}) == []
    assert default_argv(["test-call", "--json"], desktop) == ["test-call", "--json"]


def test_cli_gui_without_pyside6_says_how_to_install(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "PySide6", None)  # import PySide6 -> ImportError
    assert main(["gui"]) == 2
    err = capsys.readouterr().err
    assert GUI_INSTALL_HINT in err and "softphone[gui]" in err


def _run_module(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    blocker = tmp_path / "blocker" / "PySide6"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('PySide6 blocked for this test')\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    clean["PYTHONPATH"] = os.pathsep.join([str(blocker.parent), str(REPO)])
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**clean, **env},
    )


def test_cli_module_without_arguments_on_a_desktop_goes_to_the_gui(tmp_path: Path) -> None:
    proc = _run_module(tmp_path, {"DISPLAY": ":99"})
    assert proc.returncode == 2 and "softphone[gui]" in proc.stderr


def test_cli_module_without_arguments_headless_keeps_the_usage_error(tmp_path: Path) -> None:
    proc = _run_module(tmp_path, {})
    assert proc.returncode == 2
    assert "required: command" in proc.stderr and "PySide6" not in proc.stderr


def test_cli_module_with_arguments_is_the_cli(tmp_path: Path) -> None:
    proc = _run_module(tmp_path, {"DISPLAY": ":99"}, "profile", "list")
    assert proc.returncode == 0 and "generic-tls" in proc.stdout


def test_cli_a_call_link_alone_opens_it_in_the_gui() -> None:
    from softphone.cli import link_as_gui

    assert link_as_gui(["sip:alice@example.org"]) == ["gui", "sip:alice@example.org"]
    assert link_as_gui(["tel:+1-212-555-0100"]) == ["gui", "tel:+1-212-555-0100"]
    assert link_as_gui(["call", "sip:alice@example.org"]) == ["call", "sip:alice@example.org"]
    assert link_as_gui(["http://example.org"]) == ["http://example.org"]
    assert link_as_gui([]) == []
