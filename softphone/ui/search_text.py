"""What the main window's search field lists: contacts, then the call history. Pure,
any thread (the contact part runs on a worker thread).

Contacts come from the directory's own index (`ContactDirectory.search`, best match
first, favourites first within a quality). A contact found by a number is listed
with that number; one found by name with each way to call it (numbers, then SIP
addresses), up to `PER_CONTACT`. History rows (`history_filter.history_matches`) follow,
without a peer a contact row already offers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from softphone.directory.contacts import ContactDirectory
from softphone.directory.fields import display_label, uri_key
from softphone.directory.search import Match, digits_of
from softphone.ui.contact_text import call_targets

PER_CONTACT = 3
CONTACT_LIMIT = 12


@dataclass(frozen=True)
class SearchRow:
    label: str
    target: str
    kind: str  # "contact" or "history"


def contact_rows(found: Iterable[Match], limit: int = CONTACT_LIMIT) -> list[SearchRow]:
    rows: list[SearchRow] = []
    for match in found:
        name = display_label(match.contact)
        targets = call_targets(match.contact)
        if match.number is not None:
            entry = match.number
            targets = [t for t in targets if t.target == (entry.e164 or entry.original)][:1]
        for target in targets[:PER_CONTACT]:
            rows.append(SearchRow(f"{name} · {target.label}", target.target, "contact"))
        if len(rows) >= limit:
            break
    return rows[:limit]


def search_contacts(directory: ContactDirectory, query: str) -> list[SearchRow]:
    """Worker thread: the contact rows for `query` (the directory takes its lock)."""
    return contact_rows(directory.search(query, CONTACT_LIMIT))


def peer_keys(target: str) -> set[str]:
    """What identifies a callee across forms: user@host for a SIP address, and the
    digits of a number (also of a SIP address's user part, `sip:+1212…@gw`)."""
    address = uri_key(target)
    number = address.split("@", 1)[0] if address else target
    digits = digits_of(number) if not any(ch.isalpha() for ch in number) else ""
    return {k for k in (address, f"#{digits}" if len(digits) >= 3 else "") if k} or {target}


def combine(contacts: list[SearchRow], history: Iterable[tuple[str, str]]) -> list[SearchRow]:
    """Contact rows, then history rows whose peer no contact row already offers."""
    offered = {key for row in contacts for key in peer_keys(row.target)}
    rows = list(contacts)
    for label, target in history:
        keys = peer_keys(target)
        if keys & offered:
            continue
        offered |= keys
        rows.append(SearchRow(label, target, "history"))
    return rows
