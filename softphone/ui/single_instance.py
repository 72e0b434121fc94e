"""One desktop app per user and profile: a second `softphone gui [URL]` hands its
arguments to the running one and exits. GUI thread.

The first instance listens on a `QLocalServer` whose name only its user can reach:
on Linux and macOS a socket in a private folder (`$XDG_RUNTIME_DIR/softphone`, else
`/tmp/softphone-<uid>`, created 0700 and refused when another user owns it or others
may enter it), the socket itself user-only (`UserAccessOption`); on Windows a named
pipe named after the user, user-only as well. The name carries a digest of the
settings file's path, so a second profile (another `XDG_CONFIG_HOME`) is its own app.

A later start connects, sends one JSON line `{"v": 1, "url": ...}` and waits for
`ok`. A socket left behind by a crash refuses connections: it is removed and the
new start listens in its place. What arrives is only ever a request to show the
window and put a link on the dial pad; the running app judges the link as it
judges a clicked one (`links.link_target`, then the dial policy on the dial pad).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

import platformdirs
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

PROTOCOL = 1
MAX_MESSAGE = 8192  # bytes; a call link is at most links.MAX_LINK characters
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
_UNIX_PATH_MAX = 100  # sockaddr_un holds 104-108 bytes depending on the system


class SingleInstanceError(Exception):
    """No private place for the socket: the app runs without single-instance."""


def _private_folder(base: Path) -> Path:
    """`base` created 0700 when missing; refused when not ours or open to others."""
    base.mkdir(mode=0o700, parents=False, exist_ok=True)
    st = base.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise SingleInstanceError(f"{base} is not a folder of this user")
    if st.st_mode & 0o077:
        raise SingleInstanceError(f"{base} is open to other users (mode {st.st_mode & 0o777:o})")
    return base


def server_name(settings_file: Path, env: dict[str, str] | None = None) -> str:
    """The local server's name for this user and settings file."""
    env = os.environ if env is None else env
    digest = hashlib.sha256(str(settings_file.resolve()).encode()).hexdigest()[:16]
    if sys.platform.startswith("win"):
        user = hashlib.sha256(getpass.getuser().encode()).hexdigest()[:16]
        return f"softphone-{user}-{digest}"
    runtime = env.get("XDG_RUNTIME_DIR")
    folder = None
    if runtime and Path(runtime).is_dir():
        candidate = Path(runtime) / "softphone"
        if len(str(candidate / f"gui-{digest}")) <= _UNIX_PATH_MAX:
            folder = _private_folder(candidate)
    if folder is None:
        folder = _private_folder(Path(tempfile.gettempdir()) / f"softphone-{os.getuid()}")
    return str(folder / f"gui-{digest}")


def default_settings_file() -> Path:
    """`config.settings.settings_path()`, without importing the settings model (and the
    dial policy with it): a second start hands over before loading the app."""
    return Path(platformdirs.user_config_dir("softphone")) / "settings.json"


def hand_over(url: str | None) -> bool:
    """A start of `softphone gui`: True when a running app took `url` (this process
    then exits); False when this process is to be the app."""
    try:
        name = server_name(default_settings_file())
    except (OSError, SingleInstanceError):
        return False
    return forward(name, url)


def encode(url: str | None) -> bytes:
    return json.dumps({"v": PROTOCOL, "url": url}).encode() + b"\n"


def decode(data: bytes) -> str | None:
    """The URL a later start sent (None: just show the window). ValueError if malformed."""
    doc = json.loads(data.decode())
    if not isinstance(doc, dict) or doc.get("v") != PROTOCOL:
        raise ValueError("unknown message")
    url = doc.get("url")
    if url is not None and not isinstance(url, str):
        raise ValueError("url is not text")
    return url


def forward(name: str, url: str | None) -> bool:
    """A later start: hand `url` to the running app. True when it took it; False when
    no app is listening (or it did not answer)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(encode(url))
    socket.flush()
    reply = b""
    while True:
        reply += bytes(socket.readAll().data())
        if b"\n" in reply or len(reply) > 16:
            break
        if not socket.waitForReadyRead(REPLY_TIMEOUT_MS):
            reply += bytes(socket.readAll().data())  # what came with the close
            break
    socket.disconnectFromServer()
    return reply.startswith(b"ok")


class InstanceServer(QObject):
    """The running app's end: emits `activationRequested(url or None)` per later start."""

    activationRequested = Signal(object)  # str | None

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Listen; a stale socket (nobody answers on it) is replaced. False when another
        instance is listening already. (Asked first: with socket options set, Qt
        creates the socket aside and renames it over any file in its way, live or not.)"""
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.disconnectFromServer()
            return False  # a live instance
        if Path(self.name).exists():
            log.info("single instance: replacing a stale socket left by an earlier run")
            QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("single instance: cannot listen: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    @Slot()
    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.disconnected.connect(self._on_socket_disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    @Slot()
    def _on_socket_ready_read(self) -> None:
        self._read(self.sender())

    @Slot()
    def _on_socket_disconnected(self) -> None:
        socket = self.sender()
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        try:
            url = decode(line[:MAX_MESSAGE])
        except ValueError as e:  # json.JSONDecodeError and UnicodeDecodeError too
            log.warning("single instance: ignored a malformed message: %s", e)
            socket.abort()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        self.activationRequested.emit(url)
