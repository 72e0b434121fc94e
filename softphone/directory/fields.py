"""What a contact's fields may hold, and their canonical form.

Pure functions, any thread. Shared by the directory (every add and update) and the
importers (which must reject a bad card or row with its number before anything is
written). Nothing here needs the dialling region: E.164 normalisation is the
directory's job (`ContactDirectory.normalise`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote

from softphone.storage.database import Contact, PhoneEntry

MAX_TEXT = 1000  # a name, organisation, department, tag, label, number or URI
MAX_NOTE = 100_000
MAX_ITEMS = 200  # numbers, URIs or tags on one contact
_SIP_SCHEME = re.compile(r"^(sips?):", re.IGNORECASE)
# Unicode category Cc: C0 and C1 controls and DEL; a note may keep its new lines and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HOST = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\]")


class InvalidContactError(ValueError):
    """A contact field holds something a contact cannot have; the message says which."""


def display_label(contact: Contact) -> str:
    """How a contact is shown in lists: "John Smith – Dermatology"."""
    detail = contact.department or contact.organisation
    return f"{contact.display_name} – {detail}" if detail else contact.display_name


def clean_contact(contact: Contact) -> Contact:
    """`contact` with trimmed text, canonical URIs and unique tags; or InvalidContactError."""
    name = _text(contact.display_name, "name")
    if not name:
        raise InvalidContactError("the name is empty")
    numbers = tuple(_number(n) for n in contact.numbers)
    uris = tuple(dict.fromkeys(sip_uri(u) for u in contact.uris))
    tags = _unique_tags(contact.tags)
    for what, items in (("numbers", numbers), ("SIP URIs", uris), ("tags", tags)):
        if len(items) > MAX_ITEMS:
            raise InvalidContactError(f"more than {MAX_ITEMS} {what}")
    return replace(
        contact,
        display_name=name,
        organisation=_text(contact.organisation, "organisation") or None,
        department=_text(contact.department, "department") or None,
        numbers=numbers,
        uris=uris,
        tags=tags,
        note=_text(contact.note, "note", MAX_NOTE, multiline=True) or None,
        favourite=bool(contact.favourite),
        approved=bool(contact.approved),
    )


def _text(value: str | None, what: str, limit: int = MAX_TEXT, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidContactError(f"the {what} is not text")
    value = value.strip()
    if len(value) > limit:
        raise InvalidContactError(f"the {what} is longer than {limit} characters")
    if (_CONTROL_IN_TEXT if multiline else _CONTROL).search(value):
        raise InvalidContactError(f"control characters in the {what}")
    return value


def _unique_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Trimmed, without empties or repeats ("Staff" and "staff" are one tag: the first)."""
    unique: dict[str, str] = {}
    for tag in tags:
        text = _text(tag, "tag")
        if text:
            unique.setdefault(text.casefold(), text)
    return tuple(unique.values())


def _number(entry: PhoneEntry) -> PhoneEntry:
    if not isinstance(entry, PhoneEntry):
        raise InvalidContactError(f"a number must be a PhoneEntry, not {type(entry).__name__}")
    original = _text(entry.original, "number")
    if not original:
        raise InvalidContactError("an empty phone number")
    label = _text(entry.label, "number label") or None
    return PhoneEntry(original, entry.e164, label)


def sip_uri(text: str) -> str:
    """The canonical form of a SIP URI: scheme added to a bare user@host, lower-cased.

    Raises InvalidContactError for anything that is not a sip:/sips: URI with a host.
    """
    uri = _text(text, "SIP URI")
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1].strip()
    if not _SIP_SCHEME.match(uri) and "@" in uri and ":" not in uri.split("@")[0]:
        uri = "sip:" + uri
    scheme = _SIP_SCHEME.match(uri)
    if scheme is None:
        raise InvalidContactError(f"not a SIP URI (sip: or sips:): {_show(uri)}")
    if any(ch.isspace() for ch in uri) or uri_key(uri) is None:
        raise InvalidContactError(f"not a valid SIP URI: {_show(uri)}")
    return scheme.group(1).lower() + uri[scheme.end(1) :]


def uri_key(text: str) -> str | None:
    """What identifies a SIP address: "user@host", case-folded, without scheme or params.

    sip: and sips: are the same address; the port, URI parameters and headers are
    ignored. Accepts a name-addr (`"Bob" <sip:bob@example.com>;tag=1`) as found in a
    From header. None for anything that is not a sip:/sips: URI with a host.
    """
    text = text.strip()
    if "<" in text:
        start = text.index("<") + 1
        end = text.find(">", start)
        text = text[start : end if end >= 0 else None]
    scheme = _SIP_SCHEME.match(text.strip())
    if scheme is None:
        return None
    body = text.strip()[scheme.end() :].split("?", 1)[0]
    userinfo, at, hostport = body.rpartition("@")
    host = _host(hostport.split(";", 1)[0])
    if not _HOST.fullmatch(host) or "@" in userinfo:
        return None
    user = unquote(userinfo.split(":", 1)[0].split(";", 1)[0]) if at else ""
    return f"{user.casefold()}@{host}"


def _host(hostport: str) -> str:
    host = hostport.strip()
    if host.startswith("["):  # IPv6 reference, maybe with a port after it
        end = host.find("]")
        return host[: end + 1].lower() if end > 0 else ""
    return host.rsplit(":", 1)[0].rstrip(".").lower() if host else ""


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "…")
