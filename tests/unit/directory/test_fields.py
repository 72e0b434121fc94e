"""Contact fields: SIP addresses compared as user@host, canonical URIs, clean text."""

from __future__ import annotations

import pytest

from softphone.directory.fields import InvalidContactError, sip_uri, uri_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("sip:bob@example.com", "bob@example.com"),
        ("sips:Bob@Example.COM", "bob@example.com"),
        ("SIP:bob@example.com:5061;transport=tls", "bob@example.com"),
        ("sip:bob@example.com;user=phone?subject=x", "bob@example.com"),
        ('"Bob B." <sip:bob@example.com>;tag=a83', "bob@example.com"),
        ("<sips:bob@example.com:5061>", "bob@example.com"),
        ("sip:bob:secret@example.com", "bob@example.com"),
        ("sip:b%6Fb@example.com", "bob@example.com"),
        ("sip:+12125550123@gw.example;user=phone", "+12125550123@gw.example"),
        ("sip:alice@[2001:db8::1]:5060", "alice@[2001:db8::1]"),
        ("sip:example.com", "@example.com"),
        ("sip:bob@example.com.", "bob@example.com"),
        ("tel:+12125550123", None),
        ("bob@example.com", None),
        ("sip:bob@", None),
        ("sip:bob@@example.com", None),
        ("sip:bob@exa mple.com", None),
        ("", None),
    ],
)
def test_fields_uri_key(text: str, key: str | None) -> None:
    assert uri_key(text) == key


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("sip:bob@example.com", "sip:bob@example.com"),
        ("SIPS:Bob@Example.com", "sips:Bob@Example.com"),
        ("bob@example.com", "sip:bob@example.com"),
        ("  <sip:bob@example.com>  ", "sip:bob@example.com"),
    ],
)
def test_fields_sip_uri_canonical(text: str, canonical: str) -> None:
    assert sip_uri(text) == canonical


@pytest.mark.parametrize(
    "text", ["tel:+1212", "xmpp:bob@example.com", "sip:bob smith@example.com", "bob", "sip:"]
)
def test_fields_sip_uri_refuses(text: str) -> None:
    with pytest.raises(InvalidContactError):
        sip_uri(text)
