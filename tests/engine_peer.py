"""A second softphone engine in its own process, driven over a pipe (tests only).

pjsua allows one endpoint per process, so an end-to-end call between two of our
apps needs two processes. Run as `python tests/engine_peer.py CONFIG_JSON`; then:

* stdin: one JSON object per line, `{"cmd": "MakeCall", "args": {...}}` (any command
  of `softphone.engine.commands`, by name), `{"op": "register", ...}` or
  `{"op": "stop"}`;
* stdout: one JSON object per line for every engine event
  (`{"event": "CallDidArrive", ...fields}`), plus `{"event": "Registered", ...}`.

`EnginePeer` is the test side: it starts the process and waits for its events.
CONFIG_JSON: {"transfers": bool, "peers": {"user@host": {"requirement": ..,
"verified_fingerprint": "AB:.."}}, "auto_answer": {"tone_hz": [600]}}.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ child process


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Path):
        return str(value)
    return value


def _child(config: dict) -> None:
    sys.path.insert(0, str(REPO))
    from softphone.config.profile import load_profile
    from softphone.engine import commands as cmd
    from softphone.engine.engine import Engine
    from softphone.engine.gate import CallPolicy
    from softphone.policy.end_to_end import E2eMode, PeerE2eFacts
    from softphone.policy.signalling import TransferPolicy
    from softphone.security.secret import Secret
    from softphone.tasks.register import add_and_register
    from softphone.tasks.session import EngineSession

    facts = {
        address: PeerE2eFacts(
            requirement=E2eMode(f["requirement"]) if f.get("requirement") else None,
            verified_fingerprint=bytes.fromhex(f["verified_fingerprint"].replace(":", ""))
            if f.get("verified_fingerprint")
            else None,
        )
        for address, f in config.get("peers", {}).items()
    }
    policy = CallPolicy(
        transfers=TransferPolicy(accept_transfers=bool(config.get("transfers"))),
        e2e_peers=lambda address: facts.get(address, PeerE2eFacts()),
    )
    out_lock = threading.Lock()

    def send(obj: dict) -> None:
        with out_lock:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()

    session = EngineSession(Engine(policy=policy))
    session.engine.subscribe(lambda e: send({"event": type(e).__name__, **_jsonable(e)}))
    auto = config.get("auto_answer")
    if auto is not None:  # answer at once, from the engine's own listener (benchmarks)
        source = cmd.AudioSource(tone_hz=tuple(auto.get("tone_hz", ())))

        def answer(event) -> None:
            if type(event).__name__ == "CallDidArrive":
                session.engine.submit(cmd.Answer(event.call_id, source=source))

        session.engine.subscribe(answer)
    with session:
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("op") == "stop":
                break
            if request.get("op") == "register":
                profile = load_profile(REPO / "sip_profiles" / "testbed.toml")
                # JSON lists become tuples: profiles are frozen and hashed
                media = {
                    k: tuple(v) if isinstance(v, list) else v for k, v in request["media"].items()
                }
                media = dataclasses.replace(profile.media, **media)
                profile = dataclasses.replace(profile, media=media, **request.get("profile", {}))
                identity = None
                if request.get("identity"):
                    from softphone.e2e.identity import DtlsIdentity

                    identity = DtlsIdentity.from_text(request["identity"])
                report = add_and_register(
                    session,
                    profile,
                    request["user"],
                    Secret(request["password"]),
                    e2e_identity=identity,
                )
                send({"event": "Registered", "ok": report.ok, "reason": report.reason})
                continue
            kind = getattr(cmd, request["cmd"])
            args = dict(request.get("args", {}))
            if "source" in args:
                args["source"] = cmd.AudioSource(
                    **{k: tuple(v) if isinstance(v, list) else v for k, v in args["source"].items()}
                )
            for key, value in list(args.items()):
                if isinstance(value, list):
                    args[key] = tuple(value)
            session.submit(kind(**args))


# ------------------------------------------------------------------ test side


class EnginePeer:
    """The test's handle on a child engine process."""

    def __init__(self, config: dict | None = None, env: dict | None = None) -> None:
        self.events: list[dict] = []
        self._inbox: queue.Queue[dict] = queue.Queue()
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__)), json.dumps(config or {})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, **(env or {}), "PYTHONPATH": str(REPO)},
        )
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self) -> None:
        for line in self._proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.events.append(event)
            self._inbox.put(event)

    def _read_err(self) -> None:
        for line in self._proc.stderr:
            self.stderr.append(line)

    def send(self, obj: dict) -> None:
        self._proc.stdin.write(json.dumps(obj) + "\n")
        self._proc.stdin.flush()

    def command(self, name: str, **args: Any) -> None:
        self.send({"cmd": name, "args": args})

    def register(
        self,
        user: str,
        password: str,
        profile: dict | None = None,
        identity: str | None = None,
        **media: Any,
    ) -> None:
        """Register `user` with the testbed profile (`profile` and `media` overrides);
        `identity`: a stored end-to-end identity (key and certificate PEM)."""
        request = {"op": "register", "user": user, "password": password, "media": media}
        self.send({**request, "profile": profile or {}, "identity": identity})
        got = self.wait("Registered", timeout=20)
        assert got["ok"], got

    def wait(self, name: str, match=lambda e: True, timeout: float = 15) -> dict:
        """The first event called `name` matching `match` (earlier ones included)."""
        for event in self.events:
            if event["event"] == name and match(event) and not event.get("_taken"):
                event["_taken"] = True
                return event
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [e["event"] for e in self.events]
                errors = "".join(self.stderr[-20:])
                raise TimeoutError(f"peer: no {name} within {timeout} s; saw {seen}\n{errors}")
            try:
                event = self._inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if event["event"] == name and match(event) and not event.get("_taken"):
                event["_taken"] = True
                return event

    def seen(self, name: str, match=lambda e: True) -> list[dict]:
        return [e for e in self.events if e["event"] == name and match(e)]

    def close(self, timeout: float = 15) -> None:
        if self._proc.poll() is None:
            try:
                self.send({"op": "stop"})
                self._proc.stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})
