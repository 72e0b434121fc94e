"""A profile's STUN servers reach both media paths (real engine, real peers): pjsua asks
them for its RTP sockets' outside addresses (SDES calls), aioice for the end-to-end
session's (a server-reflexive candidate). Before, `nat.stun_servers` was validated
and then never given to either: a profile setting that did nothing."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import sys
from pathlib import Path

import pytest
from stun_server import StunServer
from test_calls import BOB, hang_up, media_of, place
from test_e2e import carol_app, e2e_call  # noqa: F401  (carol_app is a fixture)

from softphone.security.secret import Secret
from softphone.tasks.register import add_and_register


@pytest.fixture
def stun():
    server = StunServer()
    yield server
    server.close()


@pytest.fixture
def alice_stun(session, testbed_profile, testbed, stun):
    nat = dataclasses.replace(testbed_profile.nat, stun_servers=(stun.server,))
    profile = dataclasses.replace(testbed_profile, nat=nat)
    report = add_and_register(session, profile, "alice", Secret("alice-secret"))
    assert report.ok, report
    return session


def local_udp_ports() -> set[int]:
    """The ports of this process's UDP sockets (Linux: /proc)."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/self/net/udp", "/proc/self/net/udp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_sdes_call_media_asks_the_profiles_stun_server(alice_stun, peers, stun):
    peers.start_peer("bob")
    call_id = place(alice_stun, BOB)
    media = media_of(alice_stun, call_id)
    assert media.media.encrypted
    ours = local_udp_ports()  # this process's UDP sockets, the call's among them
    asked = [addr for addr in stun.asked_by if addr[1] in ours]
    assert len(asked) >= 2, stun.asked_by  # the call's RTP and RTCP sockets
    ended = hang_up(alice_stun, call_id)
    assert ended.security_failure is None


def test_e2e_session_asks_the_profiles_stun_server(alice_stun, carol_app, stun):  # noqa: F811
    before = len(stun.asked_by)
    call_id, _carol_id, media = e2e_call(alice_stun, carol_app)
    assert media.media.end_to_end and media.media.encrypted
    assert len(stun.asked_by) > before  # aioice asked it while gathering
    alice_stun.drain(1.0)
    hang_up(alice_stun, call_id)
    assert carol_app.wait("CallDidEnd")["security_failure"] is None


def test_a_stun_server_that_does_not_answer_costs_no_call(session, testbed_profile, peers):
    """Nothing listens where the profile says: pjsua skips it (stunIgnoreFailure) and
    the call goes out with the socket's own address."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # bound, never read: requests go unanswered
    nat = dataclasses.replace(
        testbed_profile.nat, stun_servers=(f"127.0.0.1:{silent.getsockname()[1]}",)
    )
    profile = dataclasses.replace(testbed_profile, nat=nat)
    try:
        report = add_and_register(session, profile, "alice", Secret("alice-secret"))
        assert report.ok, report
        peers.start_peer("bob")
        call_id = place(session, BOB)
        media = media_of(session, call_id, timeout=30)
        assert media.media.encrypted
        hang_up(session, call_id)
    finally:
        silent.close()


def test_a_profile_with_a_turn_relay_is_refused_with_the_reason(session, testbed_profile):
    """TURN is not wired (no password has a place in the secret store): pjsua would try
    the relay without one and every call's media would fail later, far from why."""
    nat = dataclasses.replace(testbed_profile.nat, turn_server="127.0.0.1:3478")
    profile = dataclasses.replace(testbed_profile, nat=nat)
    report = add_and_register(session, profile, "alice", Secret("alice-secret"))
    assert not report.ok
    assert "TURN relaying (nat.turn_server) is not supported yet" in report.reason, report
    assert session.engine.accounts.count() == 0  # nothing half-made is left behind
