"""vCard import and export (3.0 and 4.0, RFC 2426 and RFC 6350; 2.1 read), with vobject.

Pure functions, any thread; callers store the result (`ContactDirectory.import_contacts`).

Mapping: FN is the name (else N, else ORG); ORG is "organisation;department"; each TEL
is a number as written, its label from TYPE (home, work, cell, …) or, for Apple's
grouped custom labels, from the group's X-ABLabel; sip:/sips: addresses come from
IMPP, X-SIP, URL and sip: TEL values (other IMPP services are ignored); CATEGORIES are
the tags; NOTE the note; X-SOFTPHONE-FAVOURITE and X-SOFTPHONE-APPROVED our flags.
Photos, addresses, e-mail and the rest are not kept.

All or nothing: the whole file is checked first — line structure, BEGIN/END pairs,
property syntax, then each card's values — and the first problem raises
`ContactImportError` with the card's number and line. Only then are contacts returned.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import vobject

from softphone.directory.fields import InvalidContactError, sip_uri
from softphone.directory.formats import MAX_LINE_CHARS, ContactImportError, checked, decode, flag
from softphone.storage.database import Contact, PhoneEntry

VERSIONS = ("3.0", "4.0")
_READABLE = {"2.1", "3.0", "4.0"}
# TYPE values written as TYPE; any other label travels as Apple's item-group X-ABLabel.
_TYPES = {"home", "work", "cell", "fax", "pager", "text", "video", "main", "iphone", "other"}
_NOT_LABELS = {"pref", "voice", "internet", "x-pref"}
_PROPERTY = re.compile(r'[\w-]+(?:\.[\w-]+)?(?:;(?:[^:"]|"[^"]*")*)?:')
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_QP = re.compile(r"ENCODING=QUOTED-PRINTABLE", re.IGNORECASE)
# A logical line (with its folded continuations) of a property we read as one value.
_SINGLE_VALUED = re.compile(
    r"^((?:[\w-]+\.)?(?:FN|NOTE|TEL|IMPP|URL|X-SIP|X-ABLABEL|X-SOFTPHONE-[\w-]+)(?:;[^:\r\n]*)?:)"
    r"([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_BARE_COMMA = re.compile(r"(?<!\\)((?:\\\\)*),")


@dataclass(frozen=True, slots=True)
class _Card:
    number: int  # 1-based, in file order
    line: int  # where its BEGIN:VCARD is


def read_vcards(data: bytes | str, source: str = "vCard file") -> list[Contact]:
    """Every card of `data` as a (not yet stored) contact; or ContactImportError."""
    text = decode(data, source)
    cards = _scan(text, source)
    text = _escape_commas(text)
    quoted_printable = bool(_QP.search(text))
    # vobject reads the whole stream itself; handing it the string through `_Whole`
    # avoids StringIO's copy (4 bytes a character). Quoted-printable (vCard 2.1)
    # needs its line-by-line reader, so a real StringIO then.
    stream = io.StringIO(text) if quoted_printable else _Whole(text)
    components = vobject.readComponents(stream, allowQP=quoted_printable)
    contacts = []
    for card in cards:
        try:
            component = next(components)
        # vobject raises ParseError, ValueError, TypeError, binascii.Error, … on hostile
        # input; whatever it is, it is this card's problem and stops the import.
        except Exception as exc:
            problem = _problem(exc)
            raise ContactImportError(source, problem, card=card.number, line=card.line) from None
        contacts.append(_contact(component, card, source))
    return contacts


def _escape_commas(text: str) -> str:
    """Escape the bare commas of single values ("TEL:+1 212 555 0100, ext 12").

    The RFCs want "\\," there, but not every exporter writes it, and vobject reads a
    bare comma as the end of the value and silently drops the rest.
    """

    def escape(match: re.Match[str]) -> str:
        if "," not in match.group(2):
            return match.group(0)
        return match.group(1) + _BARE_COMMA.sub(r"\1\\,", match.group(2))

    return _SINGLE_VALUED.sub(escape, text)


class _Whole:
    def __init__(self, text: str) -> None:
        self._text = text

    def read(self, size: int = -1) -> str:
        return self._text


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) without its CRLF, LF or CR ending; no list of all lines."""
    if "\n" not in text:
        text = text.replace("\r", "\n")
    number, pos, end = 1, 0, len(text)
    while pos < end:
        stop = text.find("\n", pos)
        stop = end if stop < 0 else stop
        yield number, text[pos : stop - 1 if stop > pos and text[stop - 1] == "\r" else stop]
        number, pos = number + 1, stop + 1


def _scan(text: str, source: str) -> list[_Card]:
    """The cards of the file, after checking its structure line by line."""
    cards: list[_Card] = []
    current: _Card | None = None
    pending: tuple[int, list[str]] | None = None  # the logical line being unfolded
    qp_soft_break = False

    def fail(problem: str, line: int) -> ContactImportError:
        number = current.number if current else None
        return ContactImportError(source, problem, card=number, line=line)

    def check(logical: tuple[int, list[str]] | None) -> None:
        if logical is not None and not _PROPERTY.match("".join(logical[1])):
            raise fail(f"not a vCard property: {_show(logical[1][0])}", logical[0])

    for number, line in _lines(text):
        if len(line) > MAX_LINE_CHARS:
            raise fail(f"a line of {len(line):,} characters (at most {MAX_LINE_CHARS:,})", number)
        if current is not None and pending is not None and (qp_soft_break or line[:1] in " \t"):
            pending[1].append(line[1:] if line[:1] in " \t" and not qp_soft_break else line)
            qp_soft_break = qp_soft_break and line.endswith("=")
            continue
        if not line.strip():
            continue
        word = line.strip().upper()
        if current is None:
            if word != "BEGIN:VCARD":
                raise fail(f"expected BEGIN:VCARD, found {_show(line)}", number)
            current, pending = _Card(len(cards) + 1, number), None
            continue
        check(pending)
        if word == "END:VCARD":
            cards.append(current)
            current, pending = None, None
        elif word.startswith("BEGIN:"):
            raise fail("BEGIN inside a card (nested cards are not supported)", number)
        else:
            pending = (number, [line])
            qp_soft_break = bool(_QP.search(line.split(":", 1)[0])) and line.endswith("=")
    if current is not None:
        raise ContactImportError(
            source,
            "no END:VCARD: the file ends inside this card",
            card=current.number,
            line=current.line,
        )
    if not cards:
        raise ContactImportError(source, "no vCard in the file (nothing begins with BEGIN:VCARD)")
    return cards


def _contact(component: vobject.base.Component, card: _Card, source: str) -> Contact:
    where = {"card": card.number, "line": card.line}
    props = component.contents
    version = _first(props, "version")
    if version and version not in _READABLE:
        raise ContactImportError(source, f"vCard version {version} is not supported", **where)
    organisation, department = _org(props)
    try:
        contact = Contact(
            display_name=_name(props) or organisation or "",
            organisation=organisation,
            department=department,
            numbers=tuple(_numbers(props)),
            uris=tuple(_uris(props)),
            tags=tuple(t for line in props.get("categories", []) for t in _list(line.value)),
            note="\n".join(_text(line.value) for line in props.get("note", [])) or None,
            favourite=flag(_first(props, "x-softphone-favourite"), "X-SOFTPHONE-FAVOURITE"),
            approved=flag(_first(props, "x-softphone-approved"), "X-SOFTPHONE-APPROVED"),
        )
    except (InvalidContactError, ValueError) as exc:
        raise ContactImportError(source, str(exc), **where) from None
    if not contact.display_name.strip():
        raise ContactImportError(source, "no name (FN, N or ORG)", **where)
    return checked(contact, source, **where)


def _first(props: dict, name: str) -> str:
    lines = props.get(name, [])
    return _text(lines[0].value).strip() if lines else ""


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    if not isinstance(value, str):
        raise ValueError(f"unexpected {type(value).__name__} value")
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _list(value: object) -> list[str]:
    return [_text(v) for v in value] if isinstance(value, list | tuple) else [_text(value)]


def _name(props: dict) -> str:
    if full := _first(props, "fn"):
        return full
    for line in props.get("n", []):
        name = line.value
        parts = [name.prefix, name.given, name.additional, name.family, name.suffix]
        if joined := " ".join(p for part in parts for p in _list(part) if p.strip()):
            return joined
    return ""


def _org(props: dict) -> tuple[str | None, str | None]:
    lines = props.get("org", [])
    if not lines:
        return None, None
    units = [u.strip() for u in _list(lines[0].value)]
    department = ", ".join(u for u in units[1:] if u)
    return units[0] or None, department or None


def _numbers(props: dict) -> Iterator[PhoneEntry]:
    labels = {
        line.group.lower(): _APPLE_LABEL.sub(r"\1", _text(line.value).strip())
        for line in props.get("x-ablabel", [])
        if line.group
    }
    for line in props.get("tel", []):
        value = _text(line.value).strip()
        if not value or value.lower().startswith(("sip:", "sips:")):
            continue
        if value.lower().startswith("tel:") and ";" not in value:
            value = value[4:]  # keep a tel: URI's parameters (;ext=…) for the dialler
        label = labels.get((line.group or "").lower()) or _type_label(line)
        yield PhoneEntry(value, None, label or None)


def _type_label(line: vobject.base.ContentLine) -> str:
    # vCard 2.1 writes bare parameters (TEL;CELL;PREF:…), which vobject keeps apart.
    types = [t for v in line.params.get("TYPE", []) for t in v.split(",")]
    types += line.singletonparams
    return ",".join(
        dict.fromkeys(t.strip().lower() for t in types if t.strip().lower() not in _NOT_LABELS)
    )


def _uris(props: dict) -> Iterator[str]:
    for name in ("impp", "x-sip", "url", "tel"):
        for line in props.get(name, []):
            value = _text(line.value).strip()
            service = "".join(line.params.get("X-SERVICE-TYPE", [])).lower()
            if value.lower().startswith(("sip:", "sips:")) or (
                value and (name == "x-sip" or service == "sip")
            ):
                yield sip_uri(value)


def _problem(exc: Exception) -> str:
    detail = str(exc).strip() or type(exc).__name__
    # vobject's own line numbers count from its own idea of the stream; ours is the card's.
    detail = re.sub(r"^At line \d+: ", "", detail)
    return f"unreadable: {_show(detail)}"


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "…")


# -- export ----------------------------------------------------------------------------


def write_vcards(contacts: Iterable[Contact], version: str = "3.0") -> str:
    """The contacts as one vCard file (CRLF lines, folded at 75 octets)."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {', '.join(VERSIONS)}")
    return "".join(_card(c, version).serialize() for c in contacts)


def _card(contact: Contact, version: str) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = version
    card.add("fn").value = contact.display_name
    given, _, family = contact.display_name.rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if contact.organisation or contact.department:
        units = [contact.organisation or ""] + ([contact.department] if contact.department else [])
        card.add("org").value = units
    for i, entry in enumerate(contact.numbers, start=1):
        label = entry.label
        standard = label in _TYPES
        tel = card.add("tel", group=f"item{i}" if label and not standard else None)
        tel.value = entry.original
        if standard:
            tel.type_param = label
        elif label:
            card.add("x-ablabel", group=f"item{i}").value = label
    for uri in contact.uris:
        card.add("impp").value = uri
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    if contact.note:
        card.add("note").value = contact.note
    if contact.favourite:
        card.add("x-softphone-favourite").value = "1"
    if contact.approved:
        card.add("x-softphone-approved").value = "1"
    return card
