"""Bad input from the network: malformed SIP and calls over the wrong transport."""

from __future__ import annotations

import os
import socket

import pytest
from test_calls import BOB, hang_up, media_of, place

from softphone.engine import events as ev

pytestmark = pytest.mark.integration


def _local_udp_port(s) -> int:
    # the engine's only UDP SIP socket: its wake-up transport on 127.0.0.1
    return s.engine._waker._addr[1]


def _invite(port: int, sdp_profile: str = "RTP/SAVP") -> bytes:
    body = (
        "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio 40000 {sdp_profile} 0\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
    )
    return (
        f"INVITE sip:alice@127.0.0.1:{port} SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-hostile-1\r\n"
        "From: <sip:mallory@127.0.0.1>;tag=m1\r\nTo: <sip:alice@127.0.0.1>\r\n"
        "Call-ID: hostile-1@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
        "Contact: <sip:mallory@127.0.0.1:5999>\r\nMax-Forwards: 70\r\n"
        f"Content-Type: application/sdp\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def test_invite_over_plain_udp_to_a_tls_account_is_refused(alice):
    reply_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    reply_sock.bind(("127.0.0.1", 5999))
    reply_sock.settimeout(5)
    try:
        reply_sock.sendto(_invite(_local_udp_port(alice)), ("127.0.0.1", _local_udp_port(alice)))
        # pjsua refuses SDES over a non-TLS hop itself (srtpSecureSignaling);
        # our own transport check is the second line behind it.
        refused = alice.wait_for((ev.IncomingCallWasRefused, ev.CallSecurityDidFail))
        if isinstance(refused, ev.IncomingCallWasRefused):
            assert refused.code >= 400 and "encryption" in refused.reason
        assert not alice.seen(ev.CallDidArrive)
        assert not alice.seen(ev.CallMediaDidChange)
    finally:
        reply_sock.close()


def test_garbage_datagrams_do_not_disturb_the_engine(alice, peers):
    port = _local_udp_port(alice)
    junk = [
        os.urandom(200),
        b"INVITE sip:alice SIP/2.0\r\n" + b"Via: " + b"A" * 3000 + b"\r\n\r\n",
        b"SIP/2.0 200 OK\r\nCSeq: banana\r\n\r\n" + b"x" * 40,
        b"\xff\xfe" * 100,
        _invite(port).replace(b"Content-Length: ", b"Content-Length: 99999"),
    ]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for packet in junk * 10:
            sock.sendto(packet, ("127.0.0.1", port))
    alice.drain(0.5)
    peers.start_peer("bob")
    call_id = place(alice, BOB)
    assert media_of(alice, call_id).media.encrypted
    hang_up(alice, call_id)
