"""What the Contacts tab shows and what its editor builds. Pure, any thread.

The list is favourites first, then by folded name (`directory.search.sort_key`, the
order the directory's own search uses), filtered by what is typed: every word must
start a word of the name, organisation, department, tags or a SIP address; text
without letters is a phone number whose digits must appear in one of the contact's.
The editor's fields become a `Contact` here, checked by the directory's own field
rules (`fields.clean_contact`) before anything is written; what to call is a
contact's numbers (E.164 where known) and SIP addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from softphone.directory.fields import clean_contact, display_label
from softphone.directory.formats import ContactImportError
from softphone.directory.search import digits_of, fold, sort_key
from softphone.storage.database import Contact, PhoneEntry
from softphone.ui.i18n import translate

IMPORT_KINDS = {".vcf": "vcard", ".vcard": "vcard", ".csv": "csv"}
_TAG_SEPARATORS = re.compile(r"[,;]")
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class CallTarget:
    label: str  # "work +1 212 555 0123", "SIP sip:bob@clinic.example"
    target: str  # what CallLauncher dials


def label(contact: Contact) -> str:
    """ "John Smith – Dermatology", with a star for a favourite."""
    text = display_label(contact)
    return f"★ {text}" if contact.favourite else text


def call_targets(contact: Contact) -> list[CallTarget]:
    """Every way to call `contact`: numbers first (as written in the label, dialled in
    E.164 where the directory read one), then SIP addresses."""
    targets = [
        CallTarget(
            f"{entry.label} {entry.original}" if entry.label else entry.original,
            entry.e164 or entry.original,
        )
        for entry in contact.numbers
    ]
    targets += [CallTarget(f"SIP {uri}", uri) for uri in contact.uris]  # "SIP": a protocol word
    return targets


def ordered(contacts: Iterable[Contact]) -> list[Contact]:
    return sorted(contacts, key=sort_key)


def _words(contact: Contact) -> list[str]:
    fields = [contact.display_name, contact.organisation or "", contact.department or ""]
    fields += list(contact.tags)
    fields += [u.split(":", 1)[-1] for u in contact.uris]
    return [w for f in fields for w in _WORDS.findall(fold(f))]


def matches(contact: Contact, text: str) -> bool:
    """Whether the Contacts tab's filter `text` keeps `contact`. Text without letters is
    one phone number in any formatting ("555 01", "(212)"); otherwise every word must
    start a word of the contact."""
    folded = fold(text)
    digits = digits_of(folded)
    if digits and not any(ch.isalpha() for ch in folded):
        forms = [digits_of(n.original) for n in contact.numbers]
        forms += [digits_of(n.e164 or "") for n in contact.numbers]
        return any(digits in form for form in forms if form)
    words = _words(contact)
    for token in folded.split():
        parts = _WORDS.findall(token)
        if not all(any(w.startswith(p) for w in words) for p in parts):
            return False
    return True


def visible(contacts: Iterable[Contact], text: str, favourites_only: bool) -> list[Contact]:
    """The list as shown: filtered, favourites first, then by name."""
    chosen = (
        c for c in contacts if (c.favourite or not favourites_only) and matches(c, text.strip())
    )
    return ordered(chosen)


# -- the editor -------------------------------------------------------------------------


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags as typed: separated by commas (or semicolons)."""
    return tuple(t.strip() for t in _TAG_SEPARATORS.split(text) if t.strip())


def parse_uris(text: str) -> tuple[str, ...]:
    """SIP addresses, one a line (commas and spaces also separate them)."""
    return tuple(u for u in re.split(r"[\s,]+", text) if u)


def build_contact(
    base: Contact | None,
    *,
    name: str,
    organisation: str,
    department: str,
    numbers: Sequence[tuple[str, str]],  # (label, number) rows; empty rows are skipped
    uris: str,
    tags: str,
    favourite: bool,
    approved: bool,
    note: str,
) -> Contact:
    """The edited contact (same id as `base`), or `InvalidContactError` saying why."""
    entries = tuple(
        PhoneEntry(number.strip(), None, row_label.strip() or None)
        for row_label, number in numbers
        if number.strip()
    )
    contact = Contact(
        display_name=name,
        organisation=organisation,
        department=department,
        numbers=entries,
        uris=parse_uris(uris),
        tags=parse_tags(tags),
        note=note,
        favourite=favourite,
        approved=approved,
    )
    if base is not None:
        contact = replace(contact, id=base.id, created=base.created)
    return clean_contact(contact)


# -- import and export -----------------------------------------------------------------


def file_kind(name: str) -> str | None:
    """ "vcard" or "csv" from a file name's extension, else None."""
    dot = name.rfind(".")
    return IMPORT_KINDS.get(name[dot:].lower()) if dot >= 0 else None


def import_problem(error: BaseException) -> str:
    """What the Contacts tab says when an import failed: nothing was imported."""
    if isinstance(error, ContactImportError):
        return translate("ContactText", "Nothing was imported. {error}").format(error=error)
    if isinstance(error, OSError):
        return translate(
            "ContactText", "Nothing was imported: cannot read the file ({error})."
        ).format(error=error.strerror or error)
    return translate("ContactText", "Nothing was imported: {error}").format(error=error)


def merge_summary(groups: int, removed: int) -> str:
    if not groups:
        return translate("ContactText", "No duplicates found (contacts sharing a phone number).")
    merged = translate("ContactText", "Merged %n contacts into {groups}:", None, removed + groups)
    gone = translate("ContactText", "%n duplicates removed.", None, removed)
    return translate("ContactText", "{merged} {removed}").format(
        merged=merged.format(groups=groups), removed=gone
    )
