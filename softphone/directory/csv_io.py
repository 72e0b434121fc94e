"""Contacts as CSV: one header row, one contact a row (RFC 4180 quoting, UTF-8).

Pure functions, any thread; callers store the result (`ContactDirectory.import_contacts`).

Columns (header names, any order; only `name` is required, a missing column is empty):

    name,organisation,department,numbers,sip_uris,tags,favourite,approved,note

`numbers`, `sip_uris` and `tags` hold several values separated by ";". A number may
carry a label before "=": `work=+1 212 555 0123;cell=(646) 555-0199`. A literal ";",
"=" or "\\" inside a value is written "\\;", "\\=", "\\\\". `favourite` and `approved`
are yes/no (also 1/0, true/false; empty is no). `note` may span lines (quoted).

All or nothing: an unknown or repeated column, a row with more or fewer fields than
the header, or a bad value raises `ContactImportError` naming the row and its line,
and nothing is imported. Numbers that cannot be read are kept as written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from softphone.directory.formats import ContactImportError, checked, decode, flag
from softphone.storage.database import Contact, PhoneEntry

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = (
    "name",
    "organisation",
    "department",
    "numbers",
    "sip_uris",
    "tags",
    "favourite",
    "approved",
    "note",
)
_SEPARATOR = re.compile(r"(?<!\\)(?:\\\\)*;")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def read_csv(data: bytes | str, source: str = "CSV file") -> list[Contact]:
    """Every row of `data` as a (not yet stored) contact; or ContactImportError."""
    text = decode(data, source)
    if not text.strip():
        raise ContactImportError(source, f"empty file (expected a header: {','.join(COLUMNS)})")
    # csv's own limit on a field (128 KiB, process-wide; not changed here) stops a
    # runaway field: a note may have up to fields.MAX_NOTE characters, well within it.
    return _rows(csv.reader(io.StringIO(text, newline=""), strict=True), source)


def _rows(reader: Reader, source: str) -> list[Contact]:
    header = _header(_next(reader, source, 0, 1), source)
    contacts = []
    row_number, line = 0, reader.line_num + 1
    while (fields := _next(reader, source, row_number + 1, line)) is not None:
        row_number += 1
        if any(f.strip() for f in fields):
            where = {"row": row_number, "line": line}
            if len(fields) != len(header):
                problem = f"{len(fields)} fields where the header has {len(header)}"
                raise ContactImportError(source, problem, **where)
            contacts.append(_contact(dict(zip(header, fields, strict=True)), source, where))
        line = reader.line_num + 1
    return contacts


def _next(reader: Reader, source: str, row: int, line: int) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as exc:
        raise ContactImportError(
            source, f"not valid CSV: {exc}", row=row or None, line=line
        ) from None


def _header(fields: list[str] | None, source: str) -> list[str]:
    names = [f.strip().casefold() for f in fields or []]
    if "" in names:
        column = names.index("") + 1
        raise ContactImportError(source, f"column {column} has no name in the header", line=1)
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise ContactImportError(
            source,
            f"unknown column {unknown[0]!r} (the columns are {','.join(COLUMNS)})",
            line=1,
        )
    repeated = {n for n in names if names.count(n) > 1}
    if repeated:
        raise ContactImportError(source, f"column {sorted(repeated)[0]!r} appears twice", line=1)
    if "name" not in names:
        raise ContactImportError(source, "the header has no 'name' column", line=1)
    return names


def _contact(row: dict[str, str], source: str, where: dict[str, int]) -> Contact:
    def cell(name: str) -> str:
        return row.get(name, "").strip()

    try:
        contact = Contact(
            display_name=cell("name"),
            organisation=cell("organisation") or None,
            department=cell("department") or None,
            numbers=tuple(_number(item) for item in _split(cell("numbers"))),
            uris=tuple(_unescape(u) for u in _split(cell("sip_uris"))),
            tags=tuple(_unescape(t) for t in _split(cell("tags"))),
            note=row.get("note", "").replace("\r\n", "\n").strip() or None,
            favourite=flag(cell("favourite"), "favourite"),
            approved=flag(cell("approved"), "approved"),
        )
    except ValueError as exc:
        raise ContactImportError(source, str(exc), **where) from None
    return checked(contact, source, **where)


def _split(text: str) -> list[str]:
    """Values separated by unescaped ";" (still escaped), without empty ones."""
    if "\\" not in text:
        return [v.strip() for v in text.split(";") if v.strip()]
    values, start = [], 0
    for match in _SEPARATOR.finditer(text):
        values.append(text[start : match.end() - 1])
        start = match.end()
    values.append(text[start:])
    return [v.strip() for v in values if v.strip()]


def _number(item: str) -> PhoneEntry:
    label, equals, number = _partition_unescaped(item, "=")
    if not equals:
        return PhoneEntry(_unescape(item).strip())
    return PhoneEntry(_unescape(number).strip(), None, _unescape(label).strip() or None)


def _partition_unescaped(text: str, separator: str) -> tuple[str, str, str]:
    escaped = False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            return text[:i], separator, text[i + 1 :]
    return text, "", ""


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("=", "\\=")


# -- export ----------------------------------------------------------------------------


def write_csv(contacts: Iterable[Contact]) -> str:
    """The contacts as CSV with the full header (CRLF line ends, UTF-8 text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in contacts:
        numbers = (
            f"{_escape(n.label)}={_escape(n.original)}" if n.label else _escape(n.original)
            for n in c.numbers
        )
        writer.writerow(
            [
                c.display_name,
                c.organisation or "",
                c.department or "",
                ";".join(numbers),
                ";".join(_escape(u) for u in c.uris),
                ";".join(_escape(t) for t in c.tags),
                "yes" if c.favourite else "no",
                "yes" if c.approved else "no",
                c.note or "",
            ]
        )
    return out.getvalue()
