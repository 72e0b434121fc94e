"""Registration and call-setup times, this softphone beside baresip, in one run.

    python bench/call_setup.py [--runs 20] [--json]

Needs the SIP test bed (../shared/testbed/up). For each side:

* registration: a fresh client each run (new TLS connection, 401 challenge,
  REGISTER again), timed by the client itself and, neutrally, by Kamailio's
  sipdump (first REGISTER received -> 200 OK sent); and client-side on an
  open connection: our AddAccount -> REGISTERED event beside baresip's
  `uanew` -> REGISTER_OK event (ctrl_tcp);
* call setup: the same callee (baresip "bob", auto-answer, SDES-SRTP) called
  by us (alice) and by baresip (carol), timed by each client (INVITE ->
  CONFIRMED; for us also -> first RTP received) and neutrally by Kamailio
  (INVITE received -> ACK received).

Medians and ratios (ours / baresip's) are printed; targets from issue #2:
setup <= 0.25x baresip, registration <= 1.0x baresip.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from softphone.config.profile import load_profile  # noqa: E402
from softphone.engine import commands as cmd  # noqa: E402
from softphone.engine import events as ev  # noqa: E402
from softphone.security.secret import Secret  # noqa: E402
from softphone.tasks.register import add_and_register  # noqa: E402
from softphone.tasks.session import EngineSession  # noqa: E402

SHARED = Path(os.environ.get("SOFTPHONE_SHARED_DIR", REPO.parent / "shared"))
TESTBED_DIR = Path(os.environ.get("TESTBED_DIR", "/tmp/sip-testbed"))
PEER = SHARED / "testbed" / "peer"


# ------------------------------------------------------------------ sipdump


@dataclass(frozen=True)
class SipRecord:
    tag: str  # "rcv" or "snd" (as seen by Kamailio)
    time: float
    first_line: str
    call_id: str
    cseq: str
    user_agent: str
    from_uri: str


def read_sipdump(since: float) -> list[SipRecord]:
    records = []
    for path in sorted((TESTBED_DIR / "kamailio" / "sipdump").glob("*.data")):
        if path.stat().st_mtime < since:
            continue
        for chunk in path.read_text(errors="replace").split("====================\n"):
            record = _parse_record(chunk)
            if record and record.time >= since:
                records.append(record)
    return sorted(records, key=lambda r: r.time)


def _parse_record(chunk: str) -> SipRecord | None:
    head, sep, body = chunk.partition("~~~~~~~~~~~~~~~~~~~~\n")
    if not sep:
        return None
    fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)

    def header(name: str) -> str:
        m = re.search(rf"^{name}:\s*(.*)$", body, re.MULTILINE | re.IGNORECASE)
        return m.group(1).strip() if m else ""

    return SipRecord(
        fields.get("tag", ""),
        float(fields.get("time", 0)),
        body.split("\n", 1)[0].strip(),
        header("Call-ID"),
        header("CSeq"),
        header("User-Agent"),
        header("From"),
    )


def proxy_registration_ms(records: list[SipRecord], call_id: str) -> float | None:
    mine = [r for r in records if r.call_id == call_id]
    start = next(
        (r.time for r in mine if r.tag == "rcv" and r.first_line.startswith("REGISTER")), None
    )
    done = next(
        (r.time for r in mine if r.tag == "snd" and r.first_line.startswith("SIP/2.0 200")), None
    )
    return None if start is None or done is None else (done - start) * 1000


def proxy_setup_ms(records: list[SipRecord], call_id: str) -> float | None:
    """First INVITE received -> the ACK that confirms the 200 OK (the 407 is ACKed too)."""
    mine = [r for r in records if r.call_id == call_id]
    invites = [r.time for r in mine if r.tag == "rcv" and r.first_line.startswith("INVITE")]
    answered = [
        r.time
        for r in mine
        if r.tag == "snd" and r.first_line.startswith("SIP/2.0 200") and r.cseq.endswith("INVITE")
    ]
    if not invites or not answered:
        return None
    acks = [
        r.time
        for r in mine
        if r.tag == "rcv" and r.first_line.startswith("ACK") and r.time > answered[0]
    ]
    return (acks[0] - invites[0]) * 1000 if acks else None


def call_ids_of(records: list[SipRecord], method: str, agent: str, user: str) -> list[str]:
    """Call-IDs of requests `user` sent through the proxy with this User-Agent."""
    seen: list[str] = []
    for r in records:
        ok = r.tag == "rcv" and r.first_line.startswith(method) and f"sip:{user}@" in r.from_uri
        if ok and agent in r.user_agent and r.call_id not in seen:
            seen.append(r.call_id)
    return seen


# ------------------------------------------------------------------- peers


def peer(*args: str) -> str:
    proc = subprocess.run([str(PEER), *args], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and args[0] not in ("stop", "hangup"):
        raise RuntimeError(f"peer {' '.join(args)}: {proc.stdout}{proc.stderr}")
    return proc.stdout + proc.stderr


# ----------------------------------------------------------- baresip ctrl


class BaresipCtrl:
    """baresip's ctrl_tcp (JSON in netstrings): commands and the events they cause."""

    def __init__(self, port: int) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self._buf = b""

    def send(self, command: str, params: str = "") -> None:
        body = json.dumps({"command": command, "params": params, "token": "bench"}).encode()
        self._sock.sendall(str(len(body)).encode() + b":" + body + b",")

    def wait(self, done) -> dict:
        while True:
            while b":" in self._buf:
                size, _, rest = self._buf.partition(b":")
                if len(rest) < int(size) + 1:
                    break
                body, self._buf = rest[: int(size)], rest[int(size) + 1 :]
                message = json.loads(body)
                if done(message):
                    return message
            self._buf += self._sock.recv(65536)

    def close(self) -> None:
        self._sock.close()


def baresip_warm_registrations(runs: int) -> list[float]:
    """Client-side: `uanew` -> REGISTER_OK event, on baresip's open TLS connection."""
    return [
        (end - start) * 1000 for start, end in baresip_registration_windows(runs, time.monotonic)
    ]


def baresip_registration_windows(runs: int, clock) -> list[tuple[float, float]]:
    """(start, end) by `clock` of `runs` registrations of baresip's carol, each a
    `uadel` + `uanew` on its control socket over its open TLS connection (one more
    first, not returned: it opens the connection)."""
    peer("start", "carol")
    env = dict(
        line.split("=", 1) for line in (TESTBED_DIR / "env").read_text().splitlines() if "=" in line
    )
    password = env["SIP_CAROL_PASSWORD"].strip('"')
    aor = (
        f"<sip:carol@127.0.0.1;transport=tls>;auth_pass={password};regint=600;"
        'outbound="sip:127.0.0.1:5061;transport=tls";mediaenc=srtp-mand'
    )
    ctrl = BaresipCtrl(4443)
    windows = []
    try:
        for _ in range(runs + 1):
            ctrl.send("uadel", "sip:carol@127.0.0.1")
            ctrl.wait(lambda m: "response" in m)
            time.sleep(0.1)
            start = clock()
            ctrl.send("uanew", aor)
            got = ctrl.wait(lambda m: m.get("type") in ("REGISTER_OK", "REGISTER_FAIL"))
            assert got["type"] == "REGISTER_OK", got
            windows.append((start, clock()))
    finally:
        ctrl.close()
        peer("stop", "carol")
    return windows[1:]


# ----------------------------------------------------------------- ours


def our_registrations(runs: int) -> list[float]:
    profile = load_profile(REPO / "sip_profiles" / "testbed.toml")
    times = []
    for _ in range(runs):
        with EngineSession() as s:  # a fresh client: new TLS connection each time
            s.wait_for(ev.EngineDidStart)
            start = time.monotonic()
            report = add_and_register(s, profile, "alice", Secret("alice-secret"))
            assert report.ok, report
            times.append((s.history[-1].at - start) * 1000)
    return times


def our_warm_registrations(runs: int) -> list[float]:
    """Client-side: AddAccount -> REGISTERED, on our already open TLS connection."""
    profile = load_profile(REPO / "sip_profiles" / "testbed.toml")
    times = []
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        for i in range(runs + 1):
            start = time.monotonic()
            report = add_and_register(s, profile, "alice", Secret("alice-secret"), f"w{i}")
            assert report.ok, report
            times.append((s.history[-1].at - start) * 1000)
            s.submit(cmd.RemoveAccount(f"w{i}"))
            s.drain(0.1)
    return times[1:]  # the first one opened the connection


def our_calls(runs: int) -> tuple[list[float], list[float]]:
    profile = load_profile(REPO / "sip_profiles" / "testbed.toml")
    setup, first_rtp = [], []
    with EngineSession() as s:
        s.wait_for(ev.EngineDidStart)
        assert add_and_register(s, profile, "alice", Secret("alice-secret")).ok
        for _ in range(runs):
            call_id = s.new_id("bench")
            s.submit(cmd.MakeCall(call_id, "acc", "sip:bob@127.0.0.1"))
            s.wait_for(ev.CallMediaDidChange, lambda e, c=call_id: e.call_id == c)
            s.drain(0.3)
            s.submit(cmd.Hangup(call_id))
            ended = s.wait_for(ev.CallDidEnd, lambda e, c=call_id: e.call_id == c)
            assert ended.media and ended.media.encrypted
            setup.append(ended.setup_ms)
            first_rtp.append(ended.first_rtp_ms)
            s.drain(0.2)
    return setup, first_rtp


# -------------------------------------------------------------- baresip


def baresip_registrations(runs: int) -> None:
    for _ in range(runs):
        peer("stop", "carol")
        peer("start", "carol")
    peer("stop", "carol")


def baresip_calls(runs: int) -> list[float]:
    peer("start", "carol")
    times = []
    for _ in range(runs):
        out = peer("dial", "carol", "sip:bob@127.0.0.1", "--wait", "10")
        times.append(float(re.search(r"established in (\d+) ms", out).group(1)))
        time.sleep(0.3)
        peer("hangup", "carol")
        time.sleep(0.2)
    peer("stop", "carol")
    return times


# ----------------------------------------------------------------- report


def median(values: list[float | None]) -> float | None:
    clean = [v for v in values if v is not None]
    return round(statistics.median(clean), 2) if clean else None


def spread(values: list[float | None]) -> str:
    clean = sorted(v for v in values if v is not None)
    if not clean:
        return "-"
    return f"n={len(clean)} min={clean[0]:.2f} max={clean[-1]:.2f}"


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours is not None and theirs else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    subprocess.run([str(SHARED / "testbed" / "up")], capture_output=True, check=True)
    peer("stop", "bob")
    peer("stop", "carol")

    since = time.time()
    ours_reg = our_registrations(args.runs)
    baresip_registrations(args.runs)
    ours_warm = our_warm_registrations(args.runs)
    theirs_warm = baresip_warm_registrations(args.runs)
    peer("start", "bob")
    ours_setup, ours_rtp = our_calls(args.runs)
    theirs_setup = baresip_calls(args.runs)
    peer("stop", "bob")
    time.sleep(0.5)
    records = read_sipdump(since)

    def at_proxy(measure, method: str, agent: str, user: str) -> list[float | None]:
        return [measure(records, c) for c in call_ids_of(records, method, agent, user)]

    proxy = {
        "ours_reg": at_proxy(proxy_registration_ms, "REGISTER", "softphone", "alice"),
        "theirs_reg": at_proxy(proxy_registration_ms, "REGISTER", "baresip", "carol"),
        "ours_setup": at_proxy(proxy_setup_ms, "INVITE", "softphone", "alice"),
        "theirs_setup": at_proxy(proxy_setup_ms, "INVITE", "baresip", "carol"),
    }
    result = {
        "runs": args.runs,
        "registration_ms": {
            "ours_client": median(ours_reg),
            "ours_at_proxy": median(proxy["ours_reg"]),
            "baresip_at_proxy": median(proxy["theirs_reg"]),
            "ours_client_warm": median(ours_warm),
            "baresip_client_warm": median(theirs_warm),
        },
        "call_setup_ms": {
            "ours_invite_to_confirmed": median(ours_setup),
            "ours_invite_to_first_rtp": median(ours_rtp),
            "baresip_peer_dial": median(theirs_setup),
            "ours_at_proxy_invite_to_ack": median(proxy["ours_setup"]),
            "baresip_at_proxy_invite_to_ack": median(proxy["theirs_setup"]),
        },
    }
    reg, setup = result["registration_ms"], result["call_setup_ms"]
    result["ratios"] = {
        "registration_at_proxy": ratio(reg["ours_at_proxy"], reg["baresip_at_proxy"]),
        "registration_client_warm": ratio(reg["ours_client_warm"], reg["baresip_client_warm"]),
        "setup_confirmed_vs_peer_dial": ratio(
            setup["ours_invite_to_confirmed"], setup["baresip_peer_dial"]
        ),
        "setup_at_proxy": ratio(
            setup["ours_at_proxy_invite_to_ack"], setup["baresip_at_proxy_invite_to_ack"]
        ),
    }
    result["spread"] = {
        "ours_invite_to_confirmed": spread(ours_setup),
        "baresip_peer_dial": spread(theirs_setup),
        "ours_at_proxy_invite_to_ack": spread(proxy["ours_setup"]),
        "baresip_at_proxy_invite_to_ack": spread(proxy["theirs_setup"]),
        "ours_registration_at_proxy": spread(proxy["ours_reg"]),
        "baresip_registration_at_proxy": spread(proxy["theirs_reg"]),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"runs: {args.runs} each (medians, ms)")
        for section in ("registration_ms", "call_setup_ms", "ratios", "spread"):
            print(section)
            for key, value in result[section].items():
                print(f"  {key:34} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
