"""AudioRtp (softphone.e2e.rtp) between two ends over 127.0.0.1, with real SRTP
sessions: what goes on the wire is SRTP and decrypts to the RTP we meant, forged and
replayed packets are never played, the rest is handed to aioice on the loop, and
nothing is sent once it stops. aiortc's objects are stood in for by the few
attributes AudioRtp uses (the real ones are exercised in test_media)."""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

pylibsrtp = pytest.importorskip("pylibsrtp")

from softphone.e2e.rtp import (  # noqa: E402
    AudioRtp,
    InOrder,
    ReceiveStats,
    is_audio_rtp,
    rtp_header,
    rtp_payload,
)

P = pylibsrtp.Policy
OPUS = 111


def session(key: bytes, direction: int) -> pylibsrtp.Session:
    return pylibsrtp.Session(
        P(key=key, ssrc_type=direction, srtp_profile=P.SRTP_PROFILE_AEAD_AES_256_GCM)
    )


class FakeTransport:  # asyncio's datagram transport, as far as AudioRtp goes
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reading = True
        self.calls: list[str] = []

    def get_extra_info(self, name: str):
        assert name == "socket"
        return self.sock  # TransportSocket offers dup() too

    def pause_reading(self) -> None:
        self.reading = False
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.reading = True
        self.calls.append("resume")

    def is_closing(self) -> bool:
        return False


class FakeProtocol:  # aioice's StunProtocol
    def __init__(self, sock: socket.socket) -> None:
        self.transport = FakeTransport(sock)
        self.seen: list[bytes] = []

    def datagram_received(self, data: bytes, addr) -> None:
        self.seen.append(data)


class FakeDtls:  # aiortc's RTCDtlsTransport
    def __init__(self, tx, rx, sock: socket.socket, remote) -> None:
        self._tx_srtp, self._rx_srtp = tx, rx
        protocol = FakeProtocol(sock)
        pair = type("Pair", (), {"protocol": protocol, "remote_addr": remote})()
        connection = type("Connection", (), {"_protocols": [protocol], "_nominated": {1: pair}})
        self.transport = type("Ice", (), {"_connection": connection()})()
        self.state = "connected"
        self.listeners: list = []

    def on(self, event, listener) -> None:
        self.listeners.append(listener)

    def remove_listener(self, event, listener) -> None:
        self.listeners.remove(listener)


class FakeSender:  # aiortc's RTCRtpSender: its SSRC and the counters its RTCP reports
    def __init__(self) -> None:
        self._ssrc = 0x1234ABCD
        self._RTCRtpSender__packet_count = 0
        self._RTCRtpSender__octet_count = 0
        self._RTCRtpSender__ntp_timestamp = 0
        self._RTCRtpSender__rtp_timestamp = 0


class End:
    def __init__(self, tx_key: bytes, rx_key: bytes, sock: socket.socket, remote, pull=True):
        self.sock = sock
        self.dtls = FakeDtls(
            session(tx_key, P.SSRC_ANY_OUTBOUND), session(rx_key, P.SSRC_ANY_INBOUND), sock, remote
        )
        self.sender = FakeSender()
        self.got: list[tuple[int, bytes]] = []
        self.rtp = AudioRtp(
            dtls=self.dtls,
            sender=self.sender,
            payload_type=OPUS,
            payload_types=frozenset({OPUS}),
            rtp_clock_rate=48000,
            frame_clock_rate=16000,
            encode=lambda pcm: b"opus:" + pcm[:8],
            deliver=lambda pt, _seq, payload: self.got.append((pt, payload)),
            pull=pull,
        )

    @property
    def protocol(self) -> FakeProtocol:
        return self.dtls.transport._connection._protocols[0]


def udp() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    return s


def pair(pull=True) -> tuple[End, End, socket.socket]:
    a_sock, b_sock = udp(), udp()
    k1, k2 = os.urandom(44), os.urandom(44)
    a = End(k1, k2, a_sock, b_sock.getsockname(), pull)
    b = End(k2, k1, b_sock, a_sock.getsockname(), pull)
    return a, b, b_sock


async def settle(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)


def test_rtp_payload_skips_csrcs_extension_and_padding() -> None:
    plain = rtp_header(OPUS, 7, 960, 1, marker=True) + b"payload"
    assert rtp_payload(plain) == (OPUS, 7, 960, b"payload")
    # 1 CSRC, a one-word header extension, 3 bytes of padding
    first = bytes([0x80 | 0x20 | 0x10 | 0x01])
    extension = b"\xbe\xde\x00\x01" + b"EXT!"
    packet = first + plain[1:12] + b"CSRC" + extension + b"data" + b"\x00\x00\x03"
    assert rtp_payload(packet) == (OPUS, 7, 960, b"data")
    assert rtp_payload(b"\x80" * 11) is None  # too short
    assert rtp_payload(b"\x40" + plain[1:]) is None  # not version 2
    bad_padding = bytes([0xA0]) + plain[1:12] + b"\x09"
    assert rtp_payload(bad_padding) is None


def test_what_is_taken_for_audio() -> None:
    audio = rtp_header(OPUS, 1, 0, 1, marker=False) + b"x" * 20
    assert is_audio_rtp(audio, frozenset({OPUS}))
    assert is_audio_rtp(rtp_header(OPUS, 1, 0, 1, marker=True) + b"x" * 20, frozenset({OPUS}))
    assert not is_audio_rtp(audio, frozenset({0}))  # another payload type: video, say
    assert not is_audio_rtp(b"\x80\xc8" + b"x" * 30, frozenset({OPUS, 72}))  # RTCP SR
    assert not is_audio_rtp(b"\x16\xfe\xfd" + b"x" * 30, frozenset({OPUS}))  # DTLS
    assert not is_audio_rtp(b"\x00\x01\x00\x00" + b"x" * 30, frozenset({OPUS}))  # STUN


def test_in_order_and_receive_stats() -> None:
    gate = InOrder()
    assert [gate.accept(s) for s in (65534, 65535, 0, 0, 65535, 2)] == [
        True, True, True, False, False, True
    ]  # fmt: skip
    stats = ReceiveStats(48000)
    for n, seq in enumerate((65534, 65535, 1, 2)):  # 0 lost, across the wrap
        stats.add(seq, seq * 960 % 2**32, 100 + 0.02 * n + (0.02 if seq == 1 else 0))
    assert stats.packets == 4 and stats.lost == 1
    assert stats.jitter >= 0


def test_send_is_srtp_and_decrypts_to_our_rtp() -> None:
    async def run() -> None:
        a, b, b_sock = pair()
        a.rtp.start(sending=True)
        b_rx = b.dtls._rx_srtp  # b's inbound session (b's AudioRtp is not started)
        for n in range(3):
            a.rtp.send(bytes([n]) * 640)
        wire = [b_sock.recvfrom(2048)[0] for _ in range(3)]
        plains = [b_rx.unprotect(w) for w in wire]
        for n, (w, plain) in enumerate(zip(wire, plains, strict=True)):
            assert b"opus:" not in w  # encrypted on the wire
            pt, _seq, _ts, payload = rtp_payload(plain)
            assert payload == b"opus:" + bytes([n]) * 8 and pt == OPUS
            assert plain[1] & 0x80 == (0x80 if n == 0 else 0)  # marker: the first only
            assert int.from_bytes(plain[8:12], "big") == a.sender._ssrc
        seqs = [rtp_payload(p)[1] for p in plains]
        stamps = [rtp_payload(p)[2] for p in plains]
        assert seqs[1] == (seqs[0] + 1) % 65536 and (stamps[1] - stamps[0]) % 2**32 == 960
        assert a.sender._RTCRtpSender__packet_count == 3  # aiortc's RTCP reports say so
        a.rtp.stop()
        a.rtp.send(b"\x00" * 640)  # stopped: nothing leaves
        with pytest.raises(BlockingIOError):
            b_sock.recvfrom(2048)

    asyncio.run(run())


def test_pull_plays_authentic_audio_only_and_hands_the_rest_to_aioice() -> None:
    async def run() -> None:
        a, b, b_sock = pair()
        a.rtp.start(sending=True)
        b.rtp.start(sending=False)
        assert b.protocol.transport.calls == ["pause"]  # the clock reads it, not the loop
        a.rtp.send(b"\x01" * 640)
        a.rtp.send(b"\x02" * 640)
        await settle()
        b.rtp.pull()
        assert [p for _, p in b.got] == [b"opus:" + b"\x01" * 8, b"opus:" + b"\x02" * 8]
        # forged, plaintext and stray datagrams
        a_only = udp()
        plain = rtp_header(OPUS, 5, 0, a.sender._ssrc, marker=False) + b"opus:evil"
        fake_tx = session(os.urandom(44), P.SSRC_ANY_OUTBOUND)  # not the call's key
        a_only.sendto(fake_tx.protect(plain), b_sock.getsockname())
        a_only.sendto(plain, b_sock.getsockname())  # plaintext RTP: never played
        a_only.sendto(b"\x00\x01\x00\x00" + b"s" * 20, b_sock.getsockname())  # STUN
        a_only.sendto(b"\x80\xc9" + b"r" * 30, b_sock.getsockname())  # RTCP
        await settle()
        b.rtp.pull()
        await settle()  # what it handed to aioice runs on the loop
        assert len(b.got) == 2  # nothing of it was played
        assert b.rtp.dropped == 2
        assert b.protocol.seen == [b"\x00\x01\x00\x00" + b"s" * 20, b"\x80\xc9" + b"r" * 30]
        b.rtp.stop()
        assert b.protocol.transport.calls == ["pause", "resume"]
        assert b.dtls._rx_srtp.__class__ is pylibsrtp.Session  # aiortc's own again
        a_only.close()

    asyncio.run(run())


def test_the_loop_reads_again_when_nobody_pulls() -> None:
    async def run() -> None:
        _a, b, _ = pair()
        b.rtp.start(sending=False)
        assert b.protocol.transport.calls == ["pause"]
        await asyncio.sleep(0.45)  # no pjmedia clock here: nobody pulls
        assert b.protocol.transport.calls == ["pause", "resume"]
        for _ in range(20):  # the clock is back: a pull every 20 ms
            b.rtp.pull()
            await asyncio.sleep(0.02)
        assert b.protocol.transport.calls == ["pause", "resume", "pause"]
        b.rtp.stop()

    asyncio.run(run())


def test_hold_sends_nothing_and_a_video_call_is_read_by_the_loop() -> None:
    async def run() -> None:
        a, b, b_sock = pair(pull=False)
        a.rtp.start(sending=True)
        assert a.protocol.transport.calls == []  # with video the loop reads everything
        a.rtp.set_sending(False)
        a.rtp.send(b"\x01" * 640)
        with pytest.raises(BlockingIOError):
            b_sock.recvfrom(2048)
        a.rtp.set_sending(True)
        a.rtp.send(b"\x01" * 640)
        wire, _ = b_sock.recvfrom(2048)
        b.rtp.start(sending=False)
        b.protocol.datagram_received(wire, None)  # as asyncio would, on the loop
        assert [p for _, p in b.got] == [b"opus:" + b"\x01" * 8]
        b.protocol.datagram_received(wire, None)  # the same packet again: a replay
        assert len(b.got) == 1 and b.rtp.dropped == 1
        a.rtp.stop()
        b.rtp.stop()

    asyncio.run(run())


def test_a_packet_read_before_stop_is_not_decrypted_after_it() -> None:
    """`pull` reads under the lock and decrypts after it: if the call stops between
    the two, the session is aiortc's alone again (used on the loop without our lock),
    and libsrtp's sessions are not thread-safe. The packet is let go untouched."""

    async def run() -> None:
        a, b, b_sock = pair()
        a.rtp.start(sending=True)
        b.rtp.start(sending=False)
        a.rtp.send(b"\x01" * 640)
        wire, _ = b_sock.recvfrom(2048)  # what `pull` had read when the call stopped
        b.rtp.stop()
        b.rtp._receive(wire)
        assert b.got == [] and b.rtp.dropped == 0
        # libsrtp never saw it: aiortc's session still takes it (no replay)
        assert rtp_payload(b.dtls._rx_srtp.unprotect(wire))[3] == b"opus:" + b"\x01" * 8
        a.rtp.stop()

    asyncio.run(run())
