"""A hostile SIP hop between the two apps rewrites the end-to-end negotiation.

carol (a second softphone process) reaches Kamailio through `TamperingProxy`, a TLS
relay holding the test bed's own server certificate: a SIP server that turned
hostile, which is exactly who SDES cannot keep out and end-to-end encryption must.
Whatever it rewrites, the result must be a DTLS failure, a commitment failure or two
different SAS values — never a call shown as verified, never an unencrypted call.
"""

from __future__ import annotations

import base64
import os
import re

import pytest
from engine_peer import EnginePeer
from sip_tamper_proxy import TamperingProxy, with_body
from test_calls import CAROL, media_of, place

from softphone.e2e import wire
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.policy.end_to_end import LABEL_TO_SERVER

pytestmark = pytest.mark.integration

FORGED = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def body_of(message: str) -> str:
    return message.partition("\r\n\r\n")[2]


def rewrite_body(message: str, change) -> str:
    body = body_of(message)
    new = change(body)
    return message if new == body else with_body(message, new)


def forge_fingerprint(message: str, to_client: bool) -> str:
    if not (to_client and message.startswith("INVITE ")):
        return message
    fake = ":".join(f"{b:02X}" for b in os.urandom(32))
    return rewrite_body(
        message,
        lambda b: re.sub(r"a=fingerprint:sha-256 [0-9A-F:]+", f"a=fingerprint:sha-256 {fake}", b),
    )


def forge_commit(message: str, to_client: bool) -> str:
    if not (to_client and message.startswith("INVITE ")):
        return message
    return rewrite_body(
        message, lambda b: re.sub(r"a=x-e2e-commit:\S+", f"a=x-e2e-commit:{FORGED}", b)
    )


def forge_nonce(message: str, to_client: bool) -> str:
    if to_client or not message.startswith("SIP/2.0 200"):
        return message
    return rewrite_body(
        message, lambda b: re.sub(r"a=x-e2e-nonce:\S+", f"a=x-e2e-nonce:{FORGED}", b)
    )


def forge_reveal(message: str, to_client: bool) -> str:
    if not (to_client and message.startswith("MESSAGE ")):
        return message
    return rewrite_body(message, lambda b: re.sub(r"reveal \S+", f"reveal {FORGED}", b))


def strip_e2e(message: str, to_client: bool) -> str:
    """Downgrade: remove the end-to-end lines from the offer."""
    if not (to_client and message.startswith("INVITE ")):
        return message

    def strip(body: str) -> str:
        if wire.E2E_PROTO not in body:
            return body
        sdp = wire.Sdp.parse(body)
        sdp.sections = [s for s in sdp.sections if not wire.is_e2e(s)]
        sdp.session = [line for line in sdp.session if not line.startswith("a=group:")]
        return sdp.text()

    return rewrite_body(message, strip)


@pytest.fixture
def through_proxy(peers, testbed):
    """Start carol (a second softphone) behind a tampering proxy: returns a factory."""
    peers.peer("stop", "carol", check=False)
    made = []
    certs = os.path.dirname(testbed.ca_file)

    def start(rewrite, config=None):
        proxy = TamperingProxy(
            ("127.0.0.1", int(testbed.env["SIP_TLS_PORT"])),
            testbed.ca_file,
            os.path.join(certs, "server.crt"),
            os.path.join(certs, "server.key"),
            rewrite,
        )
        uri = f"sip:127.0.0.1:{proxy.port};transport=tls"
        profile = {"port": proxy.port, "registrar": uri, "outbound_proxy": uri + ";lr"}
        # Now and then (2 CI runs in ~10) the peer's pjsua logs "Unable to create/send
        # REGISTER: Object is busy (PJSIP_EBUSY)" behind this proxy and never reports an
        # outcome. Not understood yet (perhaps pjsua's Contact rewrite: the registrar sees
        # the proxy's address, not the Contact's); these tests are about the call, so a
        # peer that did not register is started again (twice at most: a CI run saw two
        # in a row), and the retry is said.
        for attempt in (1, 2, 3):
            app = EnginePeer(config)
            try:
                app.register("carol", "carol-secret", profile=profile)
            except TimeoutError:
                app.close()
                if attempt == 3:
                    proxy.stop()
                    raise
                print("\ncarol did not register behind the tampering proxy: starting again")
                continue
            made.append((proxy, app))
            return proxy, app
        raise AssertionError("unreachable")

    yield start
    for proxy, app in made:
        app.close()
        proxy.stop()


def call_carol(alice, carol):
    call_id = place(alice, CAROL, tone=1000)
    arrived = carol.wait("CallDidArrive")
    carol.command("Answer", call_id=arrived["call_id"], source={"tone_hz": [600]})
    return call_id, arrived["call_id"]


def never_verified(alice, carol, call_id):
    assert not alice.seen(
        ev.CallVerificationDidChange, lambda e: e.call_id == call_id and e.verified
    )
    assert not alice.seen(
        ev.CallMediaDidChange, lambda e: e.call_id == call_id and e.media.verified
    )
    assert not carol.seen("CallVerificationDidChange", lambda e: e["verified"])
    assert not carol.seen("CallMediaDidChange", lambda e: e["media"]["verified"])
    for e in alice.seen(ev.CallMediaDidChange, lambda e: e.call_id == call_id):
        assert e.media.encrypted
    for e in carol.seen("CallMediaDidChange"):
        assert e["media"]["encrypted"]


def test_forged_fingerprint_fails(alice, through_proxy):
    proxy, carol = through_proxy(forge_fingerprint)
    call_id, _ = call_carol(alice, carol)
    failed = carol.wait("CallSecurityDidFail", timeout=20)
    # the commitment binds the fingerprint, and DTLS checks it: whichever notices first
    assert "commitment" in failed["reason"] or "certificate does not match" in failed["reason"], (
        failed
    )
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=20)
    assert proxy.rewritten >= 1  # the hop really changed something
    never_verified(alice, carol, call_id)


def test_forged_commitment_is_a_commitment_failure(alice, through_proxy):
    proxy, carol = through_proxy(forge_commit)
    call_id, _ = call_carol(alice, carol)
    failed = carol.wait("CallSecurityDidFail", timeout=20)
    assert "commitment check failed" in failed["reason"]
    verdict = carol.wait("CallVerificationDidChange")
    assert not verdict["verified"] and "commitment" in verdict["reason"]
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=20)
    assert proxy.rewritten >= 1  # the hop really changed something
    never_verified(alice, carol, call_id)


def test_forged_reveal_is_a_commitment_failure(alice, through_proxy):
    proxy, carol = through_proxy(forge_reveal)
    call_id, _ = call_carol(alice, carol)
    failed = carol.wait("CallSecurityDidFail", timeout=20)
    assert "commitment check failed" in failed["reason"]
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id, timeout=20)
    assert proxy.rewritten >= 1  # the hop really changed something
    never_verified(alice, carol, call_id)


def test_forged_answer_nonce_gives_different_sas_and_the_users_end_it(alice, through_proxy):
    proxy, carol = through_proxy(forge_nonce)
    call_id, _ = call_carol(alice, carol)
    ours = alice.wait_for(ev.CallSasDidBecomeReady, lambda e: e.call_id == call_id, timeout=20)
    theirs = carol.wait("CallSasDidBecomeReady", timeout=20)
    assert ours.sas != theirs["sas"]  # 2^-20 chance of a false failure per run
    alice.submit(cmd.ConfirmSas(call_id, False))  # the users read different strings
    ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert "did not match" in ended.security_failure
    carol.wait("CallDidEnd")
    assert proxy.rewritten >= 1  # the hop really changed something
    never_verified(alice, carol, call_id)


def test_stripped_e2e_lines_give_an_sdes_call_labelled_as_such(alice, through_proxy):
    proxy, carol = through_proxy(strip_e2e)
    call_id, _ = call_carol(alice, carol)
    media = media_of(alice, call_id).media
    assert media.keying == "sdes" and not media.end_to_end and media.label == LABEL_TO_SERVER
    theirs = carol.wait("CallMediaDidChange")["media"]
    assert theirs["keying"] == "sdes" and not theirs["end_to_end"]
    alice.submit(cmd.Hangup(call_id))
    alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert not alice.seen(ev.CallSasDidBecomeReady)
    assert proxy.rewritten >= 1


def test_stripped_e2e_lines_are_refused_when_the_contact_requires_e2e(alice, through_proxy):
    config = {"peers": {"alice@127.0.0.1": {"requirement": "required"}}}
    proxy, carol = through_proxy(strip_e2e, config)
    call_id = place(alice, CAROL)
    failed = carol.wait("CallSecurityDidFail", timeout=15)
    assert "required" in failed["reason"] and "only SDES" in failed["reason"]
    ended = alice.wait_for(ev.CallDidEnd, lambda e: e.call_id == call_id)
    assert ended.code == 488
    assert not carol.seen("CallDidArrive")
    assert proxy.rewritten >= 1
