"""What the contact import formats share: the error, text decoding, limits, yes/no values.

Pure functions, any thread. Importers parse and validate a whole file before anything
is stored; the first problem raises `ContactImportError` naming the file, the card or
row, the line where known, and what is wrong, and nothing is imported.
"""

from __future__ import annotations

import codecs

from softphone.directory.fields import InvalidContactError, clean_contact
from softphone.storage.database import Contact

MAX_FILE_CHARS = 256 * 1024 * 1024  # ~1 million contacts; beyond that it is not an address book
MAX_LINE_CHARS = 1024 * 1024  # an embedded photo fits; a runaway binary blob does not
_TRUE = {"1", "yes", "true", "y", "x"}
_FALSE = {"", "0", "no", "false", "n"}


class ContactImportError(ValueError):
    """A file that cannot be imported; nothing from it was stored."""

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        card: int | None = None,
        row: int | None = None,
        line: int | None = None,
    ) -> None:
        where = [f"card {card}" if card else "", f"row {row}" if row else ""]
        place = " ".join(w for w in where if w)
        if line:
            place = f"{place} (line {line})" if place else f"line {line}"
        super().__init__(f"{source}: {place}: {problem}" if place else f"{source}: {problem}")
        self.source = source
        self.problem = problem
        self.card = card
        self.row = row
        self.line = line


def decode(data: bytes | str, source: str) -> str:
    """The text of an import file: UTF-8 (BOM or not) or UTF-16 with a BOM.

    Anything else is refused with the line of the first undecodable byte, rather than
    guessed at: a wrong guess would store mangled names without a word of warning.
    """
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        encoding = "utf-16" if utf16 else "utf-8-sig"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1  # for UTF-16 an estimate
            byte = data[exc.start]
            raise ContactImportError(
                source,
                f"not {'UTF-16' if utf16 else 'UTF-8'} text (byte 0x{byte:02x}); "
                "save the file as UTF-8 and import it again",
                line=line,
            ) from None
    if len(text) > MAX_FILE_CHARS:
        raise ContactImportError(source, f"larger than {MAX_FILE_CHARS // 2**20} MiB of text")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ContactImportError(source, "binary data (a NUL character), not text", line=line)
    return text


def flag(value: str, what: str) -> bool:
    """A yes/no value as written in a file: 1/0, yes/no, true/false, empty for no."""
    text = value.strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{what} must be yes or no (1/0, true/false), got {value[:20]!r}")


def checked(contact: Contact, source: str, **where: int | None) -> Contact:
    """`clean_contact`, its complaint turned into an import error at `where`."""
    try:
        return clean_contact(contact)
    except InvalidContactError as exc:
        raise ContactImportError(source, str(exc), **where) from None
