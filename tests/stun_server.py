"""A STUN server on 127.0.0.1 for tests (RFC 5389 Binding only): answers each Binding
request with the address it came from, and remembers who asked.

Real enough for a client: the request is parsed and the answer built by aioice's STUN
codec (the one aiortc's ICE uses), with XOR-MAPPED-ADDRESS and MAPPED-ADDRESS (pjnath
reads either) and a FINGERPRINT.
"""

from __future__ import annotations

import socket
import threading

from aioice import stun


class StunServer:
    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.address = self._sock.getsockname()
        self.asked_by: list[tuple[str, int]] = []  # source address of each Binding request
        self._running = True
        self._thread = threading.Thread(target=self._serve, name="test-stun", daemon=True)
        self._thread.start()

    @property
    def server(self) -> str:
        """As a profile names it: host:port."""
        return f"{self.address[0]}:{self.address[1]}"

    def _serve(self) -> None:
        while self._running:
            try:
                data, addr = self._sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                request = stun.parse_message(data)
            except ValueError:
                continue  # not STUN
            if request.message_method != stun.Method.BINDING:
                continue
            if request.message_class != stun.Class.REQUEST:
                continue
            self.asked_by.append(addr)
            response = stun.Message(
                message_method=stun.Method.BINDING,
                message_class=stun.Class.RESPONSE,
                transaction_id=request.transaction_id,
            )
            response.attributes["XOR-MAPPED-ADDRESS"] = addr
            response.attributes["MAPPED-ADDRESS"] = addr
            response.add_fingerprint()
            self._sock.sendto(bytes(response), addr)

    def close(self) -> None:
        self._running = False
        self._thread.join(2)
        self._sock.close()
