"""A hostile SIP hop for tests: relays SIP over TLS to Kamailio and rewrites messages.

It terminates TLS towards the client with the test bed's server certificate (so a
client verifying the server, as ours does, accepts it: this hop *is* a trusted SIP
server gone bad, the threat end-to-end encryption is for) and opens its own TLS
connection to Kamailio for each client connection. Messages are framed by
Content-Length; `rewrite(text, to_client)` may change any of them (Content-Length
is fixed up afterwards). Keep-alive CRLFs pass through. Threads: one acceptor, two
pumps per connection; `stop()` closes everything.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
from collections.abc import Callable

Rewrite = Callable[[str, bool], str | None]  # None: drop the message

_LENGTH = re.compile(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)", re.IGNORECASE)


def split_messages(buf: bytes) -> tuple[list[bytes], bytes]:
    """Complete SIP messages (and keep-alive CRLFs) at the start of `buf`, and the rest."""
    out = []
    while buf:
        if buf.startswith(b"\r\n"):
            out.append(b"\r\n")
            buf = buf[2:]
            continue
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            break
        found = _LENGTH.search(buf[: end + 2])
        total = end + 4 + (int(found.group(1)) if found else 0)
        if len(buf) < total:
            break
        out.append(buf[:total])
        buf = buf[total:]
    return out, buf


def with_body(message: str, body: str) -> str:
    head, _sep, _old = message.partition("\r\n\r\n")
    length = len(body.encode())
    head = re.sub(
        r"(?im)^(content-length|l)[ \t]*:[ \t]*\d+", lambda m: f"{m.group(1)}: {length}", head
    )
    return f"{head}\r\n\r\n{body}"


class TamperingProxy:
    def __init__(
        self,
        upstream: tuple[str, int],
        ca_file: str,
        cert_file: str,
        key_file: str,
        rewrite: Rewrite,
    ) -> None:
        self._upstream = upstream
        self._rewrite = rewrite
        self._server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._server_ctx.load_cert_chain(cert_file, key_file)
        self._client_ctx = ssl.create_default_context(cafile=ca_file)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self.seen: list[tuple[bool, str]] = []  # (to_client, text) of every message relayed
        self.rewritten = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="tamper-accept").start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _addr = self._listener.accept()
            except OSError:
                return
            try:
                client = self._server_ctx.wrap_socket(raw, server_side=True)
                up_raw = socket.create_connection(self._upstream)
                upstream = self._client_ctx.wrap_socket(up_raw, server_hostname="localhost")
            except (OSError, ssl.SSLError):
                with contextlib.suppress(OSError):
                    raw.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, source: ssl.SSLSocket, sink: ssl.SSLSocket, to_client: bool) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = source.recv(65536)
            except (OSError, ssl.SSLError):
                break
            if not chunk:
                break
            messages, buf = split_messages(buf + chunk)
            for message in messages:
                out = message
                if message != b"\r\n":
                    text = message.decode("utf-8", errors="replace")
                    changed = self._rewrite(text, to_client)
                    with self._lock:
                        self.seen.append((to_client, text))
                        if changed != text:
                            self.rewritten += 1
                    if changed is None:
                        continue
                    out = changed.encode()
                try:
                    sink.sendall(out)
                except (OSError, ssl.SSLError):
                    return
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.close()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()
