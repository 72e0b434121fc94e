"""The local contact directory: every contact in memory, stored encrypted, searchable.

Any thread. Reads (get, search, find_by_number, is_approved) never touch the disk.
A change is written to the encrypted database (`LocalDatabase`) in one transaction
and reaches memory and the search index only after that transaction committed, so
the directory never shows what the disk does not have. Two locks: changes are
serialised by a writer lock held through the database write and its fsync, while
memory is guarded by a second lock held only to read it or to apply a committed
change. So a reader (the engine asking whether a caller is approved while an import
runs) never waits for the disk. Changes block on the fsync: keep them off the GUI
thread.

Numbers are kept as written and, where they have one, in E.164 form, read with the
active profile's region by `policy.numbers.classify` (so "(212) 555-0123" in the US
and "+1 212 555 0123" are the same number). Callers are matched on that form, or on
the digits for numbers without one (an extension "4711" matches `sip:4711@pbx`), and
on SIP addresses compared as user@host, case-insensitively, whatever the scheme
(sip/sips), port or parameters.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from softphone.directory.fields import (
    InvalidContactError,
    clean_contact,
    display_label,
    uri_key,
)
from softphone.directory.merge import MergeReport, plan_merges
from softphone.directory.search import ContactIndex, Match, digits_of, fold
from softphone.policy.numbers import DialPlan, TargetKind, classify
from softphone.storage.database import Contact, LocalDatabase

__all__ = ["ContactDirectory", "ImportReport", "InvalidContactError", "display_label"]


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int  # contacts written by the import
    merged: MergeReport  # duplicates then merged (into older contacts or one another)

    @property
    def contacts_now(self) -> int:
        """How many contacts the import left in the directory, net of merges."""
        return self.added - self.merged.removed_count


class ContactDirectory:
    """The user's contacts. `region`: ISO 3166 code from the active profile."""

    def __init__(self, db: LocalDatabase, region: str = "US") -> None:
        self._db = db
        self._plan = DialPlan(region=region)
        self._lock = threading.RLock()  # memory: held briefly, never across disk I/O
        self._write_lock = threading.RLock()  # changes, one at a time, through their fsync
        self._contacts: dict[int, Contact] = {}
        self._numbers: dict[str, set[int]] = {}
        self._uris: dict[str, set[int]] = {}
        with _bulk():
            stored = db.list_contacts()
            loaded = []
            for contact in stored:
                loaded.append(self._fill_e164(contact))
                self._remember(loaded[-1])  # right after: classify's cache still has it
            # Contacts from a schema-1 file (or saved under no region) gain their E.164
            # numbers once, in one transaction.
            changed = [c for c, s in zip(loaded, stored, strict=True) if c is not s]
            if changed:
                with db.transaction():
                    for contact in changed:
                        db.update_contact(contact)
            self.index = ContactIndex(loaded)

    @property
    def region(self) -> str:
        return self._plan.region

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._contacts)

    def get(self, contact_id: int) -> Contact | None:
        return self._contacts.get(contact_id)

    def list(self) -> list[Contact]:
        """Every contact, by folded name."""
        with self._lock:
            return sorted(self._contacts.values(), key=_by_name)

    def favourites(self) -> list[Contact]:
        with self._lock:
            return sorted((c for c in self._contacts.values() if c.favourite), key=_by_name)

    def search(self, query: str, limit: int = 20) -> list[Match]:
        with self._lock:
            return self.index.search(query, limit)

    def find_by_number(self, text: str) -> list[Contact]:
        """Contacts with this number, in any formatting (or as a tel:/sip: URI)."""
        with self._lock:
            key = self._number_key(text)
            return self._collect(self._numbers.get(key, ()) if key else ())

    def find_by_uri(self, text: str) -> list[Contact]:
        """Contacts with this SIP address (user@host; scheme, port and params ignored)."""
        with self._lock:
            key = uri_key(text)
            return self._collect(self._uris.get(key, ()) if key else ())

    def contacts_for_caller(self, uri_or_number: str) -> list[Contact]:
        """Who a caller is: a From URI or name-addr, a tel: URI or a number."""
        address = _addr_spec(uri_or_number)
        with self._lock:
            found = {c.id: c for c in self.find_by_number(address)}
            found.update((c.id, c) for c in self.find_by_uri(address))
            return sorted(found.values(), key=_by_name)

    def is_approved(self, uri_or_number: str) -> bool:
        """Whether the caller is a contact marked approved (for "approved contacts only")."""
        return any(c.approved for c in self.contacts_for_caller(uri_or_number))

    # -- changing ----------------------------------------------------------------------

    def normalise(self, contact: Contact) -> Contact:
        """`contact` as the directory stores it: clean fields, E.164 numbers recomputed."""
        clean = clean_contact(contact)
        numbers = tuple(replace(n, e164=self._e164(n.original)) for n in clean.numbers)
        return replace(clean, numbers=numbers)

    def add(self, contact: Contact) -> Contact:
        return self.add_many([contact])[0]

    def add_many(self, contacts: Iterable[Contact]) -> list[Contact]:
        """Add all, in one transaction; an invalid contact raises and adds none."""
        with _bulk():
            prepared = [self.normalise(c) for c in contacts]
        with self._write_lock, _bulk():
            added = self._db.add_contacts(prepared)
            self._after_write(added, ())
        return added

    def update(self, contact: Contact) -> Contact:
        """Store new values for a contact (`contact.id` names it)."""
        prepared = self.normalise(contact)
        with self._write_lock:
            stored = self._db.update_contact(prepared)
            self._after_write([stored], ())
        return stored

    def delete(self, contact_id: int) -> bool:
        with self._write_lock:
            deleted = self._db.delete_contact(contact_id)
            self._after_write((), [contact_id])
        return deleted

    def merge_duplicates(self, among: Collection[int] | None = None) -> MergeReport:
        """Merge contacts that share an E.164 number (rules in `directory.merge`).

        With `among`, only the groups that include one of those contact ids.
        """
        with self._write_lock:
            with self._db.transaction():
                report = self._write_merges(list(self._contacts.values()), among)
            self._apply_merges(report)
        return report

    def import_contacts(self, contacts: Iterable[Contact], *, merge: bool = True) -> ImportReport:
        """Add parsed contacts and merge the duplicates they bring, in one transaction."""
        with _bulk():
            prepared = [self.normalise(c) for c in contacts]
        with self._write_lock, _bulk():
            with self._db.transaction():
                added = self._db.add_contacts(prepared)
                report = MergeReport()
                if merge:
                    everyone = [*self._contacts.values(), *added]
                    report = self._write_merges(everyone, {c.id for c in added})
            kept, removed = _merged(report)
            with self._lock:  # readers see the import and its merges at once
                self._apply(added, ())
                self._apply(kept, removed)
        return ImportReport(len(added), report)

    # -- internals -----------------------------------------------------------------------

    def _write_merges(
        self, contacts: Iterable[Contact], among: Collection[int] | None
    ) -> MergeReport:
        """Write the merges into the open transaction; memory follows after the commit."""
        report = plan_merges(contacts, among)
        for group in report.groups:
            self._db.update_contact(group.kept)
            for contact_id in group.removed:
                self._db.delete_contact(contact_id)
        return report

    def _apply_merges(self, report: MergeReport) -> None:
        self._after_write(*_merged(report))

    def _after_write(self, stored: Iterable[Contact], removed: Iterable[int]) -> None:
        """Memory and index follow a committed write (the writer lock is held, so the
        memory read by the write itself could not change meanwhile)."""
        stored = list(stored)
        with self._lock:
            self._apply(stored, removed)

    def _apply(self, stored: list[Contact], removed: Iterable[int]) -> None:
        for contact_id in removed:
            self._forget(contact_id)
            self.index.remove(contact_id)
        for contact in stored:
            self._forget(contact.id)  # type: ignore[arg-type]
            self._remember(contact)
        self.index.add_many(stored)

    def _remember(self, contact: Contact) -> None:
        self._contacts[contact.id] = contact  # type: ignore[index]
        for key in self._keys(contact, self._numbers_of):
            self._numbers.setdefault(key, set()).add(contact.id)  # type: ignore[arg-type]
        for key in self._keys(contact, _uris_of):
            self._uris.setdefault(key, set()).add(contact.id)  # type: ignore[arg-type]

    def _forget(self, contact_id: int) -> None:
        contact = self._contacts.pop(contact_id, None)
        if contact is None:
            return
        for table, keys in (
            (self._numbers, self._keys(contact, self._numbers_of)),
            (self._uris, self._keys(contact, _uris_of)),
        ):
            for key in keys:
                ids = table.get(key)
                if ids is not None:
                    ids.discard(contact_id)
                    if not ids:
                        del table[key]

    @staticmethod
    def _keys(contact: Contact, of: Callable[[Contact], Iterable[str | None]]) -> set[str]:
        return {k for k in of(contact) if k}

    def _numbers_of(self, contact: Contact) -> Iterable[str | None]:
        for entry in contact.numbers:
            yield entry.e164 or self._number_key(entry.original)
        for uri in contact.uris:  # sip:+12125550123@gw;user=phone is a number too
            user = (uri_key(uri) or "").partition("@")[0]
            if user.lstrip("+")[:1].isdigit():  # only such users can be numbers
                yield self._number_key(uri)

    def _number_key(self, text: str) -> str | None:
        """E.164 when the text has it, else "digits:" + the digits dialled (extensions)."""
        target = classify(text, self._plan)
        if target.e164:
            return target.e164
        if target.kind is not TargetKind.NUMBER:
            return None
        digits = target.digits
        if not digits and ":" not in text:  # "x4711", "ext. 12": no number to classify
            digits = digits_of(text)
        return f"digits:{digits}" if digits else None

    def _e164(self, original: str) -> str | None:
        return classify(original, self._plan).e164

    def _fill_e164(self, contact: Contact) -> Contact:
        if all(n.e164 for n in contact.numbers):
            return contact
        numbers = tuple(
            n if n.e164 else replace(n, e164=self._e164(n.original)) for n in contact.numbers
        )
        if all(a.e164 == b.e164 for a, b in zip(numbers, contact.numbers, strict=True)):
            return contact
        return replace(contact, numbers=numbers)

    def _collect(self, ids: Iterable[int]) -> list[Contact]:
        return sorted((self._contacts[i] for i in ids), key=_by_name)


def _merged(report: MergeReport) -> tuple[list[Contact], list[int]]:
    """(contacts kept, ids removed) by a merge."""
    return [g.kept for g in report.groups], [i for g in report.groups for i in g.removed]


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while many contacts are built at once.

    Loading or importing 100,000 contacts creates millions of objects, and CPython's
    collector then keeps rescanning all of them: 40 % of the load time at that size.
    Nothing built here forms reference cycles, so the pause frees nothing late; the
    previous state is restored after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _uris_of(contact: Contact) -> Iterable[str | None]:
    return (uri_key(u) for u in contact.uris)


def _addr_spec(text: str) -> str:
    """The URI inside a name-addr (`"Bob" <sip:bob@host>;tag=x`), else the text itself."""
    text = text.strip()
    if "<" in text:
        start = text.index("<") + 1
        end = text.find(">", start)
        return text[start : end if end >= 0 else None].strip()
    return text


def _by_name(contact: Contact) -> tuple[str, int]:
    return (fold(contact.display_name), contact.id or 0)
