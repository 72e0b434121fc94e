"""Configuration of the enterprise directory, the search filter, and result mapping.

Pure and thread-safe: frozen dataclasses validated on creation (a bad value raises
`ValueError` naming the field), RFC 4515 escaping of what the user typed, and the
mapping of one LDAP entry's attributes to a `DirectoryEntry`. No network here; see
`enterprise.py` for the connection.
"""

from __future__ import annotations

import unicodedata
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ldap3.core import exceptions as lx
from ldap3.operation.search import parse_filter
from ldap3.utils.dn import parse_dn

TEXT_PLACEHOLDER = "{text}"
# Who: AD users and contacts (objectCategory=person; AD computers derive from person
# too, but their category is computer) and inetOrgPerson entries (OpenLDAP and most
# other servers). Each server evaluates the other's term as undefined, which is false
# inside the OR; a NOT around an unknown term would be undefined, hence no
# (!(objectClass=computer)). What: a prefix of a name, mail address or number. AD
# administrators may add (!(userAccountControl:1.2.840.113556.1.4.803:=2)) to hide
# disabled accounts.
DEFAULT_FILTER = (
    "(&(|(objectCategory=person)(objectClass=inetOrgPerson))"
    "(|(displayName={text}*)(cn={text}*)(sn={text}*)(givenName={text}*)(mail={text}*)"
    "(telephoneNumber={text}*)(mobile={text}*)(ipPhone={text}*)))"
)
_DEFAULT_PORTS = {"ldap": 389, "ldaps": 636}
# RFC 4515 3: the characters that would end or change an assertion value.
_FILTER_ESCAPES = str.maketrans({"\\": r"\5c", "*": r"\2a", "(": r"\28", ")": r"\29", "\0": r"\00"})


# -- configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeMapping:
    """Which LDAP attributes fill each field; for single values the first present wins.

    The defaults read both Active Directory (company, department, ipPhone,
    msRTCSIP-PrimaryUserAddress) and inetOrgPerson directories (o, ou); a server ignores
    requested attributes it does not know.
    """

    display_name: tuple[str, ...] = ("displayName", "cn")
    organisation: tuple[str, ...] = ("company", "o")
    department: tuple[str, ...] = ("department", "ou")
    numbers: tuple[str, ...] = ("telephoneNumber", "mobile", "ipPhone")
    sip_uris: tuple[str, ...] = ("msRTCSIP-PrimaryUserAddress",)
    email: tuple[str, ...] = ("mail",)

    def __post_init__(self) -> None:
        for name in ("display_name", "organisation", "department", "numbers", "sip_uris", "email"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(_is_attribute_name(a) for a in value):
                raise ValueError(f"attributes.{name}: must be a tuple of attribute names")

    def requested(self) -> list[str]:
        names = (
            self.display_name
            + self.organisation
            + self.department
            + self.numbers
            + self.sip_uris
            + self.email
        )
        return list(dict.fromkeys(names))


def _is_attribute_name(name: object) -> bool:
    # RFC 4512 descr: a letter, then letters, digits and hyphens.
    return (
        isinstance(name, str)
        and name[:1].isascii()
        and name[:1].isalpha()
        and all(c.isascii() and (c.isalnum() or c == "-") for c in name)
    )


@dataclass(frozen=True)
class EnterpriseDirectoryConfig:
    """Where and how to search; holds no credentials (the password is a `Secret`).

    `url` is `ldaps://host[:636]`, or `ldap://host[:389]` with `tls="starttls"`.
    `timeout` (whole seconds) bounds each step: name resolution, connect, handshake and
    each answer from the server; the server is also asked to give up a search after it.
    """

    url: str
    base_dn: str
    tls: str | None = None  # "starttls" with ldap://; ldaps:// is TLS already
    allow_insecure: bool = False  # administrator opt-in to plain ldap:// (no TLS at all)
    bind_dn: str | None = None  # None: anonymous bind
    ca_file: str | None = None  # None: the system's trusted CAs
    search_filter: str = DEFAULT_FILTER
    attributes: AttributeMapping = field(default_factory=AttributeMapping)
    timeout: int = 5
    page_size: int = 200
    max_results: int = 200

    def __post_init__(self) -> None:
        problem = (
            _url_problem(self.url, self.tls, self.allow_insecure)
            or _dn_problem("base_dn", self.base_dn)
            or _bind_dn_problem(self.bind_dn)
            or _filter_problem(self.search_filter)
            or _count_problem("timeout", self.timeout, 1, 300)
            or _count_problem("page_size", self.page_size, 1, 10_000)
            or _count_problem("max_results", self.max_results, 1, 100_000)
        )
        if problem:
            raise ValueError(problem)
        if not isinstance(self.allow_insecure, bool):
            raise ValueError(f"allow_insecure: must be true or false, got {self.allow_insecure!r}")
        if not isinstance(self.attributes, AttributeMapping):
            raise ValueError("attributes: must be an AttributeMapping")

    @property
    def endpoint(self) -> Endpoint:
        return _parse_url(self.url, self.tls)


@dataclass(frozen=True)
class Endpoint:
    scheme: str  # "ldap" | "ldaps"
    host: str  # without IPv6 brackets
    port: int
    starttls: bool

    @property
    def encrypted(self) -> bool:
        return self.scheme == "ldaps" or self.starttls

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _parse_url(url: str, tls: str | None) -> Endpoint:
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)  # .port raises ValueError if bad
    return Endpoint(scheme, parts.hostname or "", port, tls == "starttls")


def _url_problem(url: str, tls: str | None, allow_insecure: bool) -> str | None:
    if not isinstance(url, str):
        return "url: must be a string like ldaps://directory.example.com"
    try:
        parts = urllib.parse.urlsplit(url.strip())
        endpoint = _parse_url(url, tls)
    except ValueError as exc:
        return f"url: {exc}"
    if endpoint.scheme not in _DEFAULT_PORTS:
        return f"url: must start with ldaps:// or ldap://, got {url!r}"
    if not endpoint.host:
        return f"url: no host name in {url!r}"
    if parts.username or parts.password:
        return "url: must not contain a user name or password"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "url: only scheme, host and port; put the base DN in base_dn"
    if tls not in (None, "starttls"):
        return f'tls: must be "starttls" or unset, got {tls!r}'
    if tls == "starttls" and endpoint.scheme == "ldaps":
        return 'tls: "starttls" is for ldap:// URLs; ldaps:// is encrypted already'
    if not endpoint.encrypted and not allow_insecure:
        return (
            "url: ldap:// without StartTLS would send the bind password and every search "
            'in the clear; use ldaps://, or tls = "starttls", or (administrators only) '
            "allow_insecure = true"
        )
    return None


def _dn_problem(name: str, dn: object) -> str | None:
    if not isinstance(dn, str) or not dn.strip():
        return f"{name}: must be a DN such as dc=example,dc=com"
    try:
        parse_dn(dn)
    except lx.LDAPInvalidDnError as exc:
        return f"{name}: {dn!r} is not a valid DN ({exc})"
    return None


def _bind_dn_problem(bind_dn: object) -> str | None:
    # Not parsed as a DN: Active Directory also takes user@domain and DOMAIN\user.
    if bind_dn is None or (isinstance(bind_dn, str) and bind_dn.strip()):
        return None
    return "bind_dn: must be a non-empty DN (or user@domain for AD), or unset for anonymous"


def _filter_problem(template: object) -> str | None:
    if not isinstance(template, str) or TEXT_PLACEHOLDER not in template:
        return f"search_filter: must contain {TEXT_PLACEHOLDER} where the user's text goes"
    try:
        parse_filter(fill_filter(template, "x"), None, False, False, None, False)
    except lx.LDAPInvalidFilterError as exc:
        return f"search_filter: not a valid LDAP filter ({exc})"
    return None


def _count_problem(name: str, value: object, low: int, high: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{name}: must be a whole number from {low} to {high}, got {value!r}"
    return None


def search_text(typed: str) -> str:
    """What the user typed, as one line: whitespace runs become one space and control
    characters go. slapd ends an assertion value at a NUL, even an escaped one, so "\\0"
    would otherwise match everyone."""
    kept = "".join(c for c in typed if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(kept.split())


def escape_filter_value(text: str) -> str:
    """`text` as an RFC 4515 assertion value: it can only ever match literally."""
    return text.translate(_FILTER_ESCAPES)


def fill_filter(template: str, text: str) -> str:
    """The search filter for what the user typed (escaped; never a filter of its own)."""
    return template.replace(TEXT_PLACEHOLDER, escape_filter_value(text))


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    dn: str
    display_name: str
    organisation: str | None
    department: str | None
    numbers: tuple[str, ...]
    sip_uris: tuple[str, ...]
    email: str | None


def entry_from_attributes(
    dn: str, attributes: Mapping[str, Sequence[bytes | str]], mapping: AttributeMapping
) -> DirectoryEntry:
    """Map one search result; attribute names match case-insensitively, options
    (`cn;lang-de`) count as their attribute."""
    values: dict[str, list[str]] = {}
    for name, raw in attributes.items():
        values.setdefault(name.split(";")[0].lower(), []).extend(_texts(raw))

    def all_of(names: tuple[str, ...]) -> list[str]:
        return [v for name in names for v in values.get(name.lower(), [])]

    def first(names: tuple[str, ...]) -> str | None:
        return next(iter(all_of(names)), None)

    sip_uris = (_sip_uri(v) for v in all_of(mapping.sip_uris))
    return DirectoryEntry(
        dn=dn,
        display_name=first(mapping.display_name) or dn,
        organisation=first(mapping.organisation),
        department=first(mapping.department),
        numbers=tuple(dict.fromkeys(all_of(mapping.numbers))),
        sip_uris=tuple(dict.fromkeys(uri for uri in sip_uris if uri)),
        email=first(mapping.email),
    )


def _texts(raw: Sequence[bytes | str] | bytes | str) -> list[str]:
    items = [raw] if isinstance(raw, bytes | str) else raw
    decoded = (v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in items)
    return [text for text in (d.strip() for d in decoded) if text]


def _sip_uri(value: str) -> str | None:
    """A SIP URI from a directory value: AD writes "sip:a@b", some write "SIP:" or a
    bare "a@b". Values with any other scheme are not SIP addresses."""
    scheme, colon, rest = value.partition(":")
    if colon and scheme.lower() in ("sip", "sips") and rest:
        return f"{scheme.lower()}:{rest}"
    if "@" in value and ":" not in value.split("@", 1)[0]:
        return f"sip:{value}"
    return None
