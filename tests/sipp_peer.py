"""SIPp as a scripted SIP peer registered at the test bed's Kamailio (UDP, no TLS).

Importable as `sipp_peer` (like `helpers`). SIPp cannot register and then
receive a call with another Call-ID in one scenario (a client-mode SIPp drops
"out of the blue" requests), so a peer is two runs from the same UDP port:
`register.xml` registers the user (Kamailio remembers the source address of
the REGISTER), then a call scenario runs from that port (a UAS waits there for the INVITE).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "integration" / "sipp"
SIPP = shutil.which("sipp") or "/usr/bin/sipp"


def udp_ports_in_use() -> set[int]:
    ports = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local = line.split()[1]
            ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def free_udp_port(span: int = 1, low: int = 20000, high: int = 40000) -> int:
    """A port p with p .. p+span-1 all free on 127.0.0.1 (checked by binding)."""
    for _ in range(200):
        port = random.randrange(low, high - span, 2)
        socks = []
        try:
            for p in range(port, port + span):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free UDP port")


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


class SippPeer:
    """One SIPp user agent: `register()`, then `start(scenario)`, then `wait()`; `stop()` always."""

    def __init__(
        self,
        workdir: Path,
        user: str,
        password: str,
        proxy: str = "127.0.0.1:5060",
        keys: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.user = user
        self.password = password
        self.proxy = proxy
        self.keys = dict(keys or {})
        self.port = free_udp_port()
        self.media_port = free_udp_port(span=4)
        self.proc: subprocess.Popen | None = None
        self.scenario: Path | None = None
        self.returncode: int | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    @property
    def contact(self) -> str:
        return f"<sip:{self.user}@127.0.0.1:{self.port};transport=udp>"

    def _args(self, scenario: Path, name: str, keys: dict[str, str], timeout: int) -> list[str]:
        args = [
            SIPP, self.proxy, "-sf", str(scenario),
            "-i", "127.0.0.1", "-p", str(self.port), "-mp", str(self.media_port),
            "-m", "1", "-s", self.user, "-au", self.user, "-ap", self.password,
            "-nostdin", "-timeout", f"{timeout}s", "-timeout_error",
            "-recv_timeout", "10000", "-max_retrans", "4",
            "-trace_msg", "-message_file", str(self.workdir / f"{name}.messages.log"),
            "-trace_err", "-error_file", str(self.workdir / f"{name}.errors.log"),
            "-trace_logs", "-log_file", str(self.workdir / f"{name}.log"),
        ]  # fmt: skip
        for key, value in keys.items():
            args += ["-key", key, value]
        return args

    def _run(self, name: str, keys: dict[str, str], timeout: int = 10) -> None:
        proc = subprocess.run(
            self._args(SCENARIOS / "register.xml", name, keys, timeout),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout + 5,
        )
        if proc.returncode != 0:
            raise AssertionError(
                f"sipp {name} failed ({proc.returncode}): {proc.stderr[-1000:]}\n"
                + _read(self.workdir / f"{name}.messages.log")[-3000:]
            )

    def register(self) -> None:
        """Drop every binding of the user (stale ones would fork calls), then bind this port."""
        self._run("unregister-all", {"contact": "*", "expires": "0"})
        self._run("register", {"contact": self.contact, "expires": "60"})

    def unregister(self) -> None:
        self._run("unregister", {"contact": self.contact, "expires": "0"})

    def start(self, scenario: str, timeout: int = 25) -> None:
        """Run a call scenario (tests/integration/sipp/*.xml) from the registered port."""
        self.scenario = SCENARIOS / scenario
        with open(self.workdir / "call.stdout", "w") as screen:  # SIPp's screen, for debugging
            self.proc = subprocess.Popen(
                self._args(self.scenario, "call", self.keys, timeout),
                stdin=subprocess.DEVNULL,
                stdout=screen,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() kills exactly it
            )
        deadline = time.monotonic() + 5
        while self.port not in udp_ports_in_use():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"sipp did not start listening:\n{self.report()}")
            time.sleep(0.02)

    def wait(self, timeout: float = 15) -> int:
        assert self.proc is not None
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(
                f"sipp still running after {timeout} s:\n{self.report()}"
            ) from None
        return self.returncode

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def close(self) -> None:
        """Stop SIPp and remove its binding, so later calls to the user do not fork to it."""
        self.stop()
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.unregister()

    def __enter__(self) -> SippPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def messages(self) -> str:
        return _read(self.workdir / "call.messages.log")

    @property
    def log(self) -> str:
        return _read(self.workdir / "call.log")

    def report(self) -> str:
        errors = _read(self.workdir / "call.errors.log")
        return (
            f"--- sipp exit {self.returncode}, scenario {self.scenario}\n"
            f"--- log actions:\n{self.log}\n--- errors:\n{errors[-3000:]}\n"
            f"--- messages:\n{self.messages[-12000:]}"
        )
