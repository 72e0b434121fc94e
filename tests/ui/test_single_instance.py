"""One app per user and profile: a second `softphone gui URL` (a real process) hands the
link to the running app and exits 0; a socket left by a crash is taken over; the
socket's folder is private; malformed messages are ignored."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers_ui import context

from softphone.config.settings import settings_path
from softphone.ui.main_window import MainWindow
from softphone.ui.single_instance import (
    InstanceServer,
    SingleInstanceError,
    forward,
    server_name,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runtime_dir(monkeypatch):
    """A short private XDG_RUNTIME_DIR (socket paths are limited to ~100 bytes)."""
    path = tempfile.mkdtemp(prefix="sp-run-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", path)
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def server(qtbot, runtime_dir):
    s = InstanceServer(server_name(settings_path()))
    assert s.listen()
    yield s
    s.close()


def _forward_from_another_process(qtbot, name: str, url: str | None) -> int:
    """`forward` in a real second process (it blocks, and holds the GIL while it waits,
    so it cannot share this process with the server's event loop); its exit code: 0
    when the running app took the message."""
    code = (
        "import sys; from PySide6.QtCore import QCoreApplication; app = QCoreApplication([]); "
        "from softphone.ui.single_instance import forward; "
        "sys.exit(0 if forward(sys.argv[1], sys.argv[2] or None) else 1)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, name, url or ""],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.wait()


def test_single_instance_second_process_hands_its_link_to_the_running_app(
    qtbot, bridge, tmp_path, server
) -> None:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    server.activationRequested.connect(win.on_activation_requested)
    win.show()
    win.tabs.setCurrentIndex(win.tabs.count() - 1)
    win.showMinimized()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "softphone", "sip:bob@example.org"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    finally:
        if proc.poll() is None:
            proc.kill()
    _out, err = proc.communicate()
    assert proc.returncode == 0, err
    # The running app came to the front with the link on the dial pad, not dialled.
    assert win.isVisible() and not win.isMinimized()
    assert win.tabs.currentWidget() is win.dial_pad
    assert win.dial_pad.number_edit.text() == "sip:bob@example.org"
    assert bridge._engine.submitted == []


def test_single_instance_first_start_gets_no_answer(runtime_dir) -> None:
    assert forward(server_name(settings_path()), None) is False


def test_single_instance_stale_socket_after_a_crash_is_taken_over(qtbot, runtime_dir) -> None:
    name = server_name(settings_path())
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(name)  # what a killed app leaves: the file, nobody listening
    crashed.close()
    assert Path(name).exists()
    s = InstanceServer(name)
    try:
        assert s.listen()
        got: list[object] = []
        s.activationRequested.connect(got.append)
        assert _forward_from_another_process(qtbot, name, "tel:+12125550100") == 0
        assert got == ["tel:+12125550100"]
    finally:
        s.close()


def test_single_instance_a_second_server_does_not_steal_a_live_one(qtbot, server) -> None:
    other = InstanceServer(server.name)
    assert other.listen() is False


def test_single_instance_socket_is_private(server, runtime_dir) -> None:
    folder = Path(server.name).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(server.name).stat().st_mode) & 0o077 == 0


def test_single_instance_open_folder_is_refused(runtime_dir) -> None:
    (runtime_dir / "softphone").mkdir(mode=0o755)
    os.chmod(runtime_dir / "softphone", 0o755)
    with pytest.raises(SingleInstanceError, match="open to other users"):
        server_name(settings_path())


def test_single_instance_per_settings_file(runtime_dir, tmp_path) -> None:
    assert server_name(tmp_path / "a.json") != server_name(tmp_path / "b.json")


def test_single_instance_malformed_message_is_ignored(qtbot, server) -> None:
    got: list[object] = []
    server.activationRequested.connect(got.append)
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    raw.connect(server.name)
    raw.sendall(b'{"v": 99, "url": "sip:x@y"}\n')
    qtbot.wait(200)
    raw.close()
    assert _forward_from_another_process(qtbot, server.name, None) == 0
    assert got == [None]


def test_single_instance_settings_file_is_the_settings_models() -> None:
    from softphone.ui.single_instance import default_settings_file

    assert default_settings_file() == settings_path()
