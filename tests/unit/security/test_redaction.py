"""Nothing secret may reach a log: SIP credentials, SRTP keys, passwords."""

from __future__ import annotations

import io
import json
import logging
import threading
import time

import pytest

from softphone.security import redaction
from softphone.security.redaction import (
    MARKER,
    RedactingFilter,
    add_handler,
    install,
    redact,
    register_secret,
)
from softphone.security.secret import Secret

RESPONSE = "6629fae49393a05397450978507c4ef1"
REGISTER = (
    "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/TLS 127.0.0.1:40312;rport;branch=z9hG4bKPj5a1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@127.0.0.1>;tag=8d7a\r\n"
    "To: <sip:alice@127.0.0.1>\r\n"
    "Call-ID: 3f9c2b7e-reg@127.0.0.1\r\n"
    "CSeq: 2 REGISTER\r\n"
    'Authorization: Digest username="alice", realm="127.0.0.1", nonce="Zx1a2b3c4d",\r\n'
    f' uri="sip:127.0.0.1", response="{RESPONSE}", algorithm=MD5,\r\n'
    ' cnonce="q9w8e7", qop=auth, nc=00000001\r\n'
    "Contact: <sip:alice@127.0.0.1:40312;transport=tls>\r\n"
    "Content-Length: 0\r\n\r\n"
)
KEY_1 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
KEY_2 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIz"
KEY_3 = "NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj"
FINGERPRINT = "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"
INVITE = (
    "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
    "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: call-77@127.0.0.1\r\n"
    'Proxy-Authorization: Digest username="alice", realm="127.0.0.1", nonce="n0",'
    f' uri="sip:bob@127.0.0.1", response="{RESPONSE}"\r\n'
    "Content-Type: application/sdp\r\n\r\n"
    "v=0\r\n"
    "o=- 3912 3912 IN IP4 127.0.0.1\r\n"
    "m=audio 4000 RTP/SAVP 0 8 101\r\n"
    f"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{KEY_1}|2^20|1:4;inline:{KEY_2}|2^20|2:4\r\n"
    f"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{KEY_3}\r\n"
    f"a=fingerprint:sha-1 {FINGERPRINT}\r\n"
    "a=ice-ufrag:F7gI\r\n"
    "a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
)


@pytest.fixture(autouse=True)
def empty_registry():
    redaction.clear_registered_secrets()
    yield
    redaction.clear_registered_secrets()


@pytest.fixture
def captured():
    """A logger with one handler writing to a buffer, filtered like the app's."""
    logger = logging.getLogger("test_redaction.captured")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    add_handler(logger, handler)
    yield logger, stream
    logger.removeHandler(handler)


def test_redaction_register_digest_credentials_are_removed() -> None:
    out = redact(REGISTER)
    assert RESPONSE not in out
    assert "cnonce" not in out and 'username="alice"' not in out
    assert f"Authorization: Digest {MARKER}\r\nContact:" in out


def test_redaction_register_keeps_routing_headers() -> None:
    out = redact(REGISTER)
    for line in REGISTER.split("\r\n"):
        if line.startswith(("Via:", "From:", "To:", "Call-ID:", "CSeq:", "Contact:")):
            assert line in out


def test_redaction_proxy_authorization_is_removed_case_insensitively() -> None:
    text = f'proxy-authorization:DIGEST username="alice", response="{RESPONSE}"'
    assert redact(text) == f"proxy-authorization:DIGEST {MARKER}"
    assert RESPONSE not in redact(INVITE)
    assert f"Proxy-Authorization: Digest {MARKER}\r\n" in redact(INVITE)


def test_redaction_challenge_nonce_is_public() -> None:
    challenge = 'WWW-Authenticate: Digest realm="127.0.0.1", nonce="Zx1a2b3c4d", qop="auth"'
    proxy = 'Proxy-Authenticate: Digest realm="127.0.0.1", nonce="Zx1a2b3c4d"'
    assert redact(challenge) == challenge
    assert redact(proxy) == proxy


def test_redaction_folded_header_stops_at_next_header() -> None:
    text = "Authorization:\r\n Digest username=x,\r\n\tresponse=abc123\r\nCall-ID: keep"
    out = redact(text)
    assert "abc123" not in out and "username" not in out
    assert out.endswith("\r\nCall-ID: keep")


def test_redaction_bare_token_is_removed_whole() -> None:
    assert redact("Authorization: dG9rZW4+c2VjcmV0==") == f"Authorization: {MARKER}"
    assert redact("authorization: Bearer eyJ0.x.y") == f"authorization: Bearer {MARKER}"


def test_redaction_repr_of_bytes_stops_at_escaped_newline() -> None:
    out = redact(repr(REGISTER.encode()))
    assert RESPONSE not in out
    assert "Contact: <sip:alice@127.0.0.1:40312;transport=tls>" in out


def test_redaction_sdp_crypto_keys_all_removed() -> None:
    out = redact(INVITE)
    for key in (KEY_1, KEY_2, KEY_3):
        assert key not in out
    assert f"inline:{MARKER}|2^20|1:4;inline:{MARKER}|2^20|2:4\r\n" in out
    assert f"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{MARKER}\r\n" in out


def test_redaction_sdp_public_attributes_survive() -> None:
    out = redact(INVITE)
    assert f"a=fingerprint:sha-1 {FINGERPRINT}" in out
    assert "a=ice-ufrag:F7gI" in out
    assert "m=audio 4000 RTP/SAVP 0 8 101" in out
    assert "Call-ID: call-77@127.0.0.1" in out


def test_redaction_sdp_ice_password_and_k_line_removed() -> None:
    out = redact(INVITE + "k=base64:c2VjcmV0a2V5\r\n")
    assert "x9cml/YzichV2+XlhiMu8g" not in out and "c2VjcmV0a2V5" not in out
    assert "retry k=3" in redact("retry k=3")  # not an SDP line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter22&user=alice", f"password={MARKER}&user=alice"),
        ("passwd: hunter22 accepted", f"passwd: {MARKER} accepted"),
        ("auth_pass=hunter22;user=alice", f"auth_pass={MARKER};user=alice"),
        ("pin=4711", f"pin={MARKER}"),
        ("secret = hunter22", f"secret = {MARKER}"),
        ("PASSWORD=hunter22", f"PASSWORD={MARKER}"),
        ("sip_password='hunt er'", f"sip_password='{MARKER}'"),
        ('password="unterminated', f"password={MARKER}"),
        ("spin=3 mapping=4 pinned=1", "spin=3 mapping=4 pinned=1"),
    ],
)
def test_redaction_key_value_forms(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redaction_json_stays_valid_json() -> None:
    document = json.dumps(
        {
            "user": "alice",
            "password": 'hun"ter2',
            "auth_pass": "x y z",
            "Authorization": f'Digest username="alice", response="{RESPONSE}"',
        }
    )
    out = redact(document)
    parsed = json.loads(out)
    assert parsed == {
        "user": "alice",
        "password": MARKER,
        "auth_pass": MARKER,
        "Authorization": f"Digest {MARKER}",
    }


def test_redaction_python_dict_repr() -> None:
    out = redact(str({"account": "alice", "password": "hunter22"}))
    assert out == f"{{'account': 'alice', 'password': '{MARKER}'}}"


def test_redaction_registered_secret_anywhere() -> None:
    register_secret("alice-secret")
    out = redact("login as alice failed (tried alice-secret over TLS)")
    assert out == f"login as alice failed (tried {MARKER} over TLS)"


def test_redaction_registered_secret_encoded_forms() -> None:
    register_secret('p@ss w"rd')
    assert redact("sip:alice:p%40ss%20w%22rd@host") == f"sip:alice:{MARKER}@host"
    assert redact('{"x": "p@ss w\\"rd"}') == f'{{"x": "{MARKER}"}}'


def test_redaction_registered_secret_object_and_special_characters() -> None:
    register_secret(Secret("a+b*c(d"))
    assert redact("x a+b*c(d y") == f"x {MARKER} y"


def test_redaction_secret_containing_another_is_removed_whole() -> None:
    register_secret("inner-secret")
    register_secret("outer-inner-secret-tail")
    assert redact("a outer-inner-secret-tail b inner-secret") == f"a {MARKER} b {MARKER}"


def test_redaction_many_long_secrets_each_removed() -> None:
    """Identity keys are registered per account: dozens of PEM blocks, each found."""
    keys = [f"-----BEGIN PRIVATE KEY-----\\n{i:04d}{'Q' * 240}" for i in range(40)]
    for key in keys:
        register_secret(key)
    for key in keys:
        assert redact(f"loaded {key} ok") == f"loaded {MARKER} ok"


def test_redaction_short_secrets_are_ignored() -> None:
    register_secret("123")
    register_secret("DACT")  # inside the marker: would break idempotence
    assert redact("call 123 done") == "call 123 done"
    assert redact(redact("REDACT")) == "REDACT"


def test_redaction_unregister() -> None:
    register_secret("temporary-pass")
    redaction.unregister_secret("temporary-pass")
    assert redact("temporary-pass") == "temporary-pass"


def test_redaction_registration_is_thread_safe() -> None:
    values = [f"secret-value-{i:03d}" for i in range(200)]
    threads = [
        threading.Thread(target=lambda chunk=values[i::4]: [register_secret(v) for v in chunk])
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = " ".join(values)
    assert redact(text) == " ".join([MARKER] * len(values))


@pytest.mark.parametrize("text", [REGISTER, INVITE, '{"password": "x"}', "pin: 12345"])
def test_redaction_is_idempotent(text: str) -> None:
    register_secret("alice-secret")
    once = redact(text + " alice-secret")
    assert redact(once) == once


def test_redaction_filter_formats_args_then_redacts(captured) -> None:
    logger, stream = captured
    logger.info("sent %d bytes:\n%s", len(REGISTER), REGISTER)
    out = stream.getvalue()
    assert RESPONSE not in out
    assert f"sent {len(REGISTER)} bytes:" in out
    assert "Call-ID: 3f9c2b7e-reg@127.0.0.1" in out


def test_redaction_filter_multiline_record(captured) -> None:
    logger, stream = captured
    logger.debug("SDP offer\n%s\nend", INVITE)
    out = stream.getvalue()
    assert KEY_1 not in out and KEY_3 not in out
    assert out.rstrip().endswith("end")


def test_redaction_filter_exception_message(captured) -> None:
    logger, stream = captured
    register_secret("alice-secret")
    try:
        raise ValueError("login failed: password=hunter22, keyring gave alice-secret")
    except ValueError:
        logger.exception("account %s", "alice")
    out = stream.getvalue()
    assert "hunter22" not in out and "alice-secret" not in out
    assert "ValueError: login failed: password=[REDACTED]" in out
    assert "Traceback" in out


def test_redaction_filter_unformattable_args_do_not_leak(captured) -> None:
    logger, stream = captured
    logger.warning("%d items", "password=hunter22")
    out = stream.getvalue()
    assert "hunter22" not in out
    assert "could not be formatted" in out


def test_redaction_filter_never_raises(monkeypatch) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pin=12345", None, None)
    monkeypatch.setattr(redaction, "redact", lambda text: 1 / 0)
    assert RedactingFilter().filter(record) is True
    assert "12345" not in record.getMessage()


def test_redaction_filter_on_handler_sees_child_logger_records() -> None:
    parent = logging.getLogger("test_redaction.parent")
    parent.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    parent.addHandler(handler)
    try:
        install(parent)
        logging.getLogger("test_redaction.parent.engine").warning("password=hunter22")
    finally:
        parent.removeHandler(handler)
    assert stream.getvalue() == f"password={MARKER}\n"


def test_redaction_install_is_idempotent() -> None:
    logger = logging.getLogger("test_redaction.install")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        install(logger)
        install(logger)
        add_handler(logger, handler)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


def test_redaction_install_on_root_covers_last_resort(monkeypatch) -> None:
    handler = logging.StreamHandler(io.StringIO())
    monkeypatch.setattr(logging, "lastResort", handler)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # leave pytest's handlers alone
    install()
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)


@pytest.mark.parametrize(
    "hostile",
    [
        "password" * 50_000,
        "secret." * 50_000 + "=x",
        "Authorization:" + "\r\n x" * 20_000,
        'password="' + "x" * 200_000,
        "a" * 500_000,
    ],
)
def test_redaction_hostile_input_takes_linear_time(hostile: str) -> None:
    """A peer controls much of what is logged; redaction must not become a DoS."""
    started = time.perf_counter()
    redact(hostile)
    assert time.perf_counter() - started < 2.0


def test_pjsip_srtp_master_keys_at_level_5_are_removed():
    line = (
        "srtp0x7f5b781672e0  ......TX: AES_256_CM_HMAC_SHA1_80 "
        "key=v/9cgtryUzx/CyZF0wKlIupYBWbF+VYiFvG2FuG7GinOriiEEknR0QvRmE+62Q=="
    )
    out = redact(line)
    assert "v/9cgtry" not in out
    assert "AES_256_CM_HMAC_SHA1_80 key=[REDACTED]" in out
