"""The embedded test peer: an echo endpoint on 127.0.0.1 inside this process.

Engine thread only. pjsua allows one endpoint per process, so the peer is a
second TLS transport (its own listener, its own freshly generated
certificate) and a local account that answers and echoes what it hears. The
caller gets a separate TLS transport whose only trust anchor is that
certificate: the handshake is verified (name and issuer), i.e. pinned, not
skipped. Media is bound to 127.0.0.1: no network is needed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from softphone.config.profile import MediaSettings, SipProfile, TlsSettings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.engine.pjconfig import tls_transport_config
from softphone.security.certificates import generate_self_signed, info_from_pem
from softphone.security.secret import Secret

if TYPE_CHECKING:
    from softphone.engine.accounts import Accounts

LOOPBACK_HOST = "127.0.0.1"
PEER_ACCOUNT_ID = "loopback-peer"


def loopback_profile(keying: tuple[str, ...]) -> SipProfile:
    return SipProfile(
        name="Embedded loopback peer",
        path=None,
        domain=LOOPBACK_HOST,
        server=LOOPBACK_HOST,
        register=False,
        # The embedded echo peer tests pjmedia's SDES path; it has no end-to-end side.
        media=MediaSettings(srtp="mandatory", keying=keying, codecs=("PCMU",), end_to_end="off"),
    )


def start_loopback(accounts: Accounts, c: cmd.StartLoopback) -> ev.LoopbackDidStart:
    """A caller account that trusts only the echo peer's certificate. The peer, and the
    caller-side transport that pins its certificate, are started once per engine and
    reused (a second peer would answer with the first one's Contact, whose certificate
    a new caller does not trust; and pjsua has room for only a few transports)."""
    tls = TlsSettings(verify_server=True, min_version="1.2")
    if accounts.loopback_peer is None or PEER_ACCOUNT_ID not in accounts.ids():
        accounts.loopback_peer = _start_peer(accounts, tls)
    port, cert_pem, caller_tid = accounts.loopback_peer
    uri = f"sip:echo@{LOOPBACK_HOST}:{port};transport=tls"
    caller_profile = replace(loopback_profile(c.keying), port=port)
    caller = accounts.add_local(
        c.caller_account_id,
        caller_profile,
        f"sip:test@{LOOPBACK_HOST}",
        caller_tid,
        media_address=LOOPBACK_HOST,
    )
    caller.server_key = f"{LOOPBACK_HOST}:{port}"
    return ev.LoopbackDidStart(
        c.caller_account_id, uri, info_from_pem(cert_pem).sha256, PEER_ACCOUNT_ID
    )


def _start_peer(accounts: Accounts, tls: TlsSettings) -> tuple[int, str, int]:
    cert_pem, key_pem = generate_self_signed(
        "softphone loopback peer", ip_addresses=(LOOPBACK_HOST,), dns_names=("localhost",)
    )
    peer_tc = tls_transport_config(
        tls,
        ca_pem=cert_pem,
        cert_pem=cert_pem,
        key_pem=Secret(key_pem),
        bound_address=LOOPBACK_HOST,
    )
    peer_tid = accounts.create_listener(peer_tc)
    port = int(accounts.transport_port(peer_tid))
    del key_pem  # only pjsip's copy remains, in memory
    accounts.add_local(
        PEER_ACCOUNT_ID,
        replace(loopback_profile(("sdes",)), port=port),
        f"sip:echo@{LOOPBACK_HOST}:{port}",
        peer_tid,
        echo=True,
        auto_answer=True,
        media_address=LOOPBACK_HOST,
    )
    caller_tc = tls_transport_config(tls, ca_pem=cert_pem, bound_address=LOOPBACK_HOST)
    return port, cert_pem, accounts.create_listener(caller_tc)
