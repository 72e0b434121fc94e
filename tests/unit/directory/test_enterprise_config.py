"""Enterprise directory configuration, filter escaping and attribute mapping (no network)."""

from __future__ import annotations

import dataclasses

import pytest
from ldap3.operation.search import parse_filter

from softphone.directory.enterprise_config import (
    DEFAULT_FILTER,
    AttributeMapping,
    EnterpriseDirectoryConfig,
    entry_from_attributes,
    escape_filter_value,
    fill_filter,
    search_text,
)

BASE = "ou=people,dc=example,dc=com"


def config(url: str = "ldaps://directory.example.com", **changes) -> EnterpriseDirectoryConfig:
    return EnterpriseDirectoryConfig(url=url, base_dn=changes.pop("base_dn", BASE), **changes)


def _leaves(node) -> int:
    """How many assertions a parsed ldap3 filter has."""
    return sum(_leaves(child) for child in node.elements) if node.elements else 1


# -- escaping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("*", r"\2a"),
        ("(", r"\28"),
        (")", r"\29"),
        ("\\", r"\5c"),
        ("\0", r"\00"),
        # A backslash is escaped once, not again as part of a later escape.
        ("\\2a", r"\5c2a"),
        ("Müller-Lüdenscheidt O'Brien", "Müller-Lüdenscheidt O'Brien"),
        ("+49 (30) 555*", r"+49 \2830\29 555\2a"),
    ],
)
def test_enterprise_config_escapes_rfc4515_characters(text: str, escaped: str) -> None:
    assert escape_filter_value(text) == escaped


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("  Anna\tSchmidt \n", "Anna Schmidt"),
        ("Anna\u00a0 Sch", "Anna Sch"),  # a no-break space is whitespace too
        ("Ann\0a", "Anna"),
        ("\0", ""),
        ("\x1b[2J", "[2J"),
        ("Zoë O'Brien (Sales)", "Zoë O'Brien (Sales)"),
    ],
)
def test_enterprise_config_search_text_is_one_clean_line(typed: str, text: str) -> None:
    assert search_text(typed) == text


def test_enterprise_config_injection_stays_one_assertion_value() -> None:
    attack = "*)(objectClass=*"
    filled = fill_filter("(cn={text}*)", attack)
    assert filled == r"(cn=\2a\29\28objectClass=\2a*)"
    # The default filter keeps its shape: no assertion was added by the user's text.
    plain = parse_filter(fill_filter(DEFAULT_FILTER, "x"), None, True, True, None, False)
    attacked = parse_filter(fill_filter(DEFAULT_FILTER, attack), None, True, True, None, False)
    assert _leaves(attacked) == _leaves(plain)


def test_enterprise_config_fills_every_placeholder() -> None:
    filled = fill_filter(DEFAULT_FILTER, "Ann*")
    assert "{text}" not in filled
    assert filled.count(r"Ann\2a*") == DEFAULT_FILTER.count("{text}") == 8


# -- validation -----------------------------------------------------------------------


def test_enterprise_config_ldaps_and_starttls_endpoints() -> None:
    ldaps = config("ldaps://Directory.Example.com").endpoint
    assert (ldaps.scheme, ldaps.host, ldaps.port, ldaps.encrypted) == (
        "ldaps",
        "directory.example.com",
        636,
        True,
    )
    starttls = config("ldap://dc1.example.com", tls="starttls").endpoint
    assert (starttls.port, starttls.starttls, starttls.encrypted) == (389, True, True)
    assert str(config("ldaps://[2001:db8::1]:3269").endpoint) == "ldaps://[2001:db8::1]:3269"


def test_enterprise_config_plain_ldap_refused_without_opt_in() -> None:
    with pytest.raises(ValueError, match=r"url: ldap:// without StartTLS .* in the clear"):
        config("ldap://dc1.example.com")
    insecure = config("ldap://dc1.example.com", allow_insecure=True).endpoint
    assert not insecure.encrypted


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"url": "http://directory.example.com"}, r"url: must start with ldaps:// or ldap://"),
        ({"url": "ldaps://"}, r"url: no host name"),
        ({"url": "ldaps://dc1.example.com:99999"}, r"url: Port out of range"),
        ({"url": "ldaps://dc1.example.com/dc=example,dc=com"}, r"put the base DN in base_dn"),
        ({"url": "ldaps://admin:pw@dc1.example.com"}, r"user name or password"),
        ({"tls": "starttls"}, r'tls: "starttls" is for ldap:// URLs'),
        ({"tls": "ssl"}, r'tls: must be "starttls" or unset'),
        ({"allow_insecure": "yes"}, r"allow_insecure: must be true or false"),
        ({"base_dn": ""}, r"base_dn: must be a DN"),
        ({"base_dn": "example.com"}, r"base_dn: 'example.com' is not a valid DN"),
        ({"bind_dn": "  "}, r"bind_dn: must be a non-empty DN"),
        ({"search_filter": "(cn=*)"}, r"search_filter: must contain \{text\}"),
        ({"search_filter": "(|(cn={text}*)(sn={text}*)"}, r"search_filter: not a valid"),
        ({"timeout": 0}, r"timeout: must be a whole number from 1 to 300, got 0"),
        ({"timeout": 2.5}, r"timeout: must be a whole number"),
        ({"timeout": True}, r"timeout: must be a whole number"),
        ({"page_size": 0}, r"page_size: must be a whole number"),
        ({"max_results": -1}, r"max_results: must be a whole number"),
        ({"attributes": {"numbers": ["mobile"]}}, r"attributes: must be an AttributeMapping"),
    ],
)
def test_enterprise_config_rejects_bad_values(changes: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        config(**{"url": "ldaps://dc1.example.com", **changes})


def test_enterprise_config_attribute_mapping_validates_names() -> None:
    with pytest.raises(ValueError, match=r"attributes.numbers: must be a tuple"):
        AttributeMapping(numbers=["mobile"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"attributes.sip_uris: must be a tuple"):
        AttributeMapping(sip_uris=("sip address",))
    custom = AttributeMapping(sip_uris=("proxyAddresses",), numbers=("pager", "mobile"))
    assert "proxyAddresses" in custom.requested()
    assert custom.requested().count("mobile") == 1


def test_enterprise_config_has_no_place_for_a_password() -> None:
    names = {f.name for f in dataclasses.fields(EnterpriseDirectoryConfig)}
    assert not {n for n in names if "pass" in n or "secret" in n}
    # Accepted bind names include AD's user@domain form, which is not a DN.
    assert config(bind_dn="reader@example.com").bind_dn == "reader@example.com"


# -- mapping --------------------------------------------------------------------------


def test_enterprise_config_maps_an_ad_style_entry() -> None:
    attributes = {
        "DISPLAYNAME": [b"J\xc3\xbcrgen M\xc3\xbcller"],
        "cn": [b"Juergen Mueller"],
        "company": [b"Example AG"],
        "o": [b"Ignored Because company Comes First"],
        "department": [b"Sales"],
        "telephoneNumber": [b"+49 30 555 0100", b" "],
        "mobile": [b"+49 170 555 0100"],
        "ipPhone": [b"+49 30 555 0100", b"0100"],  # the duplicate is dropped
        "msRTCSIP-PrimaryUserAddress": [b"SIP:juergen.mueller@example.com"],
        "mail": ["juergen.mueller@example.com"],
    }
    entry = entry_from_attributes(
        "CN=Jürgen Müller,OU=Sales,DC=example,DC=com", attributes, AttributeMapping()
    )
    assert entry.display_name == "Jürgen Müller"
    assert entry.organisation == "Example AG"
    assert entry.department == "Sales"
    assert entry.numbers == ("+49 30 555 0100", "+49 170 555 0100", "0100")
    assert entry.sip_uris == ("sip:juergen.mueller@example.com",)
    assert entry.email == "juergen.mueller@example.com"


def test_enterprise_config_maps_fallbacks_options_and_custom_attributes() -> None:
    mapping = AttributeMapping(sip_uris=("msRTCSIP-PrimaryUserAddress", "proxyAddresses"))
    attributes = {
        "cn;lang-de": [b"Anna Schmidt"],  # an attribute option still counts as cn
        "ou": [b"Support"],
        "proxyAddresses": [
            b"SMTP:anna@example.com",
            b"SIP:anna@example.com",
            b"anna.s@example.com",
            b"tel:+4930555",
        ],
        "mail": [b"\xffbroken"],
    }
    entry = entry_from_attributes("uid=anna,dc=example,dc=com", attributes, mapping)
    assert entry.display_name == "Anna Schmidt"
    assert entry.organisation is None
    assert entry.department == "Support"
    assert entry.numbers == ()
    assert entry.sip_uris == ("sip:anna@example.com", "sip:anna.s@example.com")
    assert entry.email == "\ufffdbroken"
    nameless = entry_from_attributes("uid=x,dc=example,dc=com", {}, mapping)
    assert nameless.display_name == "uid=x,dc=example,dc=com"
