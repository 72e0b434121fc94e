"""Finding and combining duplicate contacts: those that share a normalised number.

Pure functions, any thread; `ContactDirectory.merge_duplicates` stores the result.

Only E.164 numbers tie contacts together: an extension such as "4711" can belong to
different people on different PBXs, so equal digits without a country are not proof.
Contacts tied directly or through a chain (A shares a number with B, B another with
C) form one group. The oldest contact (lowest id) survives and keeps its name and
creation time; it gains the others' numbers, SIP URIs and tags (without repeats),
their organisation and department where it had none, favourite and approved if any
of them was, and all their notes, joined. The others are removed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from softphone.directory.fields import uri_key
from softphone.directory.search import digits_of
from softphone.storage.database import Contact, PhoneEntry


@dataclass(frozen=True, slots=True)
class MergedGroup:
    kept: Contact  # the survivor, with everything merged into it
    removed: tuple[int, ...]  # ids of the contacts merged into it
    shared_numbers: tuple[str, ...]  # the E.164 numbers that tied the group


@dataclass(frozen=True, slots=True)
class MergeReport:
    groups: tuple[MergedGroup, ...] = ()

    @property
    def removed_count(self) -> int:
        return sum(len(g.removed) for g in self.groups)


def plan_merges(contacts: Iterable[Contact], among: Collection[int] | None = None) -> MergeReport:
    """The merges to make; with `among`, only groups that include one of those ids."""
    by_id = {c.id: c for c in contacts if c.id is not None}
    parent = {i: i for i in by_id}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    shared: set[str] = set()
    for contact_id in sorted(by_id):
        for entry in by_id[contact_id].numbers:
            if not entry.e164:
                continue
            first = owner.setdefault(entry.e164, contact_id)
            if first != contact_id:
                shared.add(entry.e164)
                a, b = root(first), root(contact_id)
                parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for contact_id in sorted(by_id):
        members.setdefault(root(contact_id), []).append(contact_id)
    groups = []
    for ids in members.values():
        if len(ids) < 2 or (among is not None and not any(i in among for i in ids)):
            continue
        group = [by_id[i] for i in ids]
        numbers = {n.e164 for c in group for n in c.numbers if n.e164 in shared}
        groups.append(MergedGroup(merge_contacts(group), tuple(ids[1:]), tuple(sorted(numbers))))
    return MergeReport(tuple(groups))


def merge_contacts(contacts: Sequence[Contact]) -> Contact:
    """The first contact with the others merged into it."""
    first = contacts[0]
    notes = dict.fromkeys(c.note.strip() for c in contacts if c.note and c.note.strip())
    return replace(
        first,
        organisation=next((c.organisation for c in contacts if c.organisation), None),
        department=next((c.department for c in contacts if c.department), None),
        numbers=_unique_numbers(n for c in contacts for n in c.numbers),
        uris=_unique([u for c in contacts for u in c.uris], key=lambda u: uri_key(u) or u),
        tags=_unique([t for c in contacts for t in c.tags], key=str.casefold),
        note="\n".join(notes) or None,
        favourite=any(c.favourite for c in contacts),
        approved=any(c.approved for c in contacts),
    )


def _unique_numbers(entries: Iterable[PhoneEntry]) -> tuple[PhoneEntry, ...]:
    """One entry per number (E.164, else its digits); the first wins, a label fills in."""
    kept: dict[str, PhoneEntry] = {}
    for entry in entries:
        key = entry.e164 or digits_of(entry.original) or entry.original
        have = kept.get(key)
        if have is None:
            kept[key] = entry
        elif have.label is None and entry.label:
            kept[key] = replace(have, label=entry.label)
    return tuple(kept.values())


def _unique(items: Iterable[str], key: Callable[[str], str]) -> tuple[str, ...]:
    kept: dict[str, str] = {}
    for item in items:
        kept.setdefault(key(item), item)
    return tuple(kept.values())
