"""The contact directory: stored encrypted, numbers normalised, callers known, duplicates merged."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.directory.contacts import ContactDirectory, display_label
from softphone.directory.fields import InvalidContactError
from softphone.storage import Contact, ContactNotFoundError, LocalDatabase, PhoneEntry


@pytest.fixture
def db(tmp_path: Path):
    with LocalDatabase.open(tmp_path / "local.db", MemoryStore()) as database:
        yield database


@pytest.fixture
def directory(db: LocalDatabase) -> ContactDirectory:
    return ContactDirectory(db, region="US")


def _john(**changes) -> Contact:
    fields = dict(
        display_name="John Smith",
        organisation="St Elsewhere",
        department="Dermatology",
        numbers=(PhoneEntry("(212) 555-0123", label="work"), PhoneEntry("4711", label="desk")),
        uris=("John.Smith@Clinic.example",),
        tags=("doctors",),
        approved=True,
    )
    fields.update(changes)
    return Contact(**fields)


def test_contacts_add_normalises_and_stores(directory: ContactDirectory, db) -> None:
    john = directory.add(_john())
    assert john.id is not None
    assert john.numbers == (
        PhoneEntry("(212) 555-0123", "+12125550123", "work"),
        PhoneEntry("4711", None, "desk"),  # an extension has no E.164 form; kept as written
    )
    assert john.uris == ("sip:John.Smith@Clinic.example",)
    assert directory.get(john.id) == john
    assert db.get_contact(john.id) == john
    assert ContactDirectory(db, "US").list() == [john]  # what a restart finds


def test_contacts_region_decides_how_national_numbers_read(db) -> None:
    gb = ContactDirectory(db, region="GB")
    london = gb.add(Contact("Lon Don", numbers=(PhoneEntry("020 7946 0958"),)))
    assert london.numbers[0].e164 == "+442079460958"
    us = ContactDirectory(db, region="US")
    nyc = us.add(Contact("New York", numbers=(PhoneEntry("212 555 0123"),)))
    assert nyc.numbers[0].e164 == "+12125550123"
    assert [c.display_name for c in us.find_by_number("+44 20 7946 0958")] == ["Lon Don"]


def test_contacts_update_recomputes_and_reindexes(directory: ContactDirectory, db) -> None:
    john = directory.add(_john())
    moved = directory.update(
        replace(john, display_name="Jon Smyth", numbers=(PhoneEntry("646-555-0199"),), uris=())
    )
    assert moved.id == john.id and moved.created == john.created
    assert moved.numbers == (PhoneEntry("646-555-0199", "+16465550199"),)
    assert directory.find_by_number("212 555 0123") == []
    assert directory.find_by_number("+1 646 555 0199") == [moved]
    assert [m.contact.id for m in directory.search("smyth")] == [john.id]
    assert directory.search("john") == []
    assert db.get_contact(john.id) == moved


def test_contacts_update_of_an_unknown_id_changes_nothing(directory: ContactDirectory) -> None:
    john = directory.add(_john())
    directory.delete(john.id)
    with pytest.raises(ContactNotFoundError):
        directory.update(john)
    assert len(directory) == 0 and directory.search("john") == []


def test_contacts_delete(directory: ContactDirectory, db) -> None:
    john = directory.add(_john())
    assert directory.delete(john.id) is True
    assert directory.delete(john.id) is False
    assert directory.get(john.id) is None and db.list_contacts() == []
    assert directory.find_by_number("2125550123") == [] and directory.search("smith") == []
    assert not directory.is_approved("sip:john.smith@clinic.example")


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        (Contact("   "), "name is empty"),
        (Contact("Bell\x07"), "control characters"),
        (Contact("A", uris=("xmpp:a@b",)), "not a SIP URI"),
        (Contact("A", uris=("sip:a b@c",)), "not a valid SIP URI"),
        (Contact("A", numbers=(PhoneEntry("  "),)), "empty phone number"),
        (Contact("A" * 1001), "longer than 1000"),
        (Contact("A", tags=tuple(f"t{i}" for i in range(201))), "more than 200 tags"),
    ],
)
def test_contacts_invalid_fields_are_refused(directory, db, contact, message) -> None:
    with pytest.raises(InvalidContactError, match=message):
        directory.add_many([_john(), contact])
    assert db.list_contacts() == [] and len(directory) == 0


def test_contacts_fields_are_cleaned(directory: ContactDirectory) -> None:
    contact = directory.add(
        Contact(
            "  Ann  ",
            organisation=" ",
            tags=("Staff", "staff", " vip ", ""),
            uris=("<SIPS:ann@x.example>", "sips:ann@x.example"),
            note="  line 1\n\tline 2  ",
        )
    )
    assert contact.display_name == "Ann" and contact.organisation is None
    assert contact.tags == ("Staff", "vip")
    assert contact.uris == ("sips:ann@x.example",)
    assert contact.note == "line 1\n\tline 2"


def test_contacts_favourites_and_display_label(directory: ContactDirectory) -> None:
    directory.add_many(
        [
            _john(favourite=True),
            Contact("Ann Other", organisation="City Clinic", favourite=True),
            Contact("Not Favourite"),
        ]
    )
    favourites = directory.favourites()
    assert [c.display_name for c in favourites] == ["Ann Other", "John Smith"]
    assert [display_label(c) for c in favourites] == [
        "Ann Other – City Clinic",
        "John Smith – Dermatology",
    ]
    assert display_label(Contact("Solo")) == "Solo"


@pytest.mark.parametrize(
    "number",
    [
        "+12125550123",
        "+1 212 555 0123",
        "+1 (212) 555-0123",
        "212-555-0123",
        "(212) 555-0123",
        "212.555.0123",
        "2125550123",
        "1 212 555 0123",
        "011 1 212 555 0123",  # the US international prefix
        "tel:+1-212-555-0123",
        "sip:+12125550123@gw.example;user=phone",
        "sips:2125550123@gw.example",
        "٢١٢٥٥٥٠١٢٣",
        "\u200e+1 212 555 0123",  # a direction mark pasted along
    ],
)
def test_contacts_find_by_number_in_any_formatting(directory: ContactDirectory, number) -> None:
    john = directory.add(_john())
    directory.add(Contact("Other", numbers=(PhoneEntry("+1 212 555 0124"),)))
    assert directory.find_by_number(number) == [john]


def test_contacts_find_by_number_misses(directory: ContactDirectory) -> None:
    directory.add(_john())
    for number in ["+1 212 555 0124", "555-0123", "+44 212 555 0123", "", "sip:john@x"]:
        assert directory.find_by_number(number) == [], number


@pytest.mark.parametrize(
    ("caller", "approved"),
    [
        ("sip:+12125550123@proxy.example;user=phone", True),
        ("tel:+1-212-555-0123", True),
        ('"John" <sip:+12125550123@proxy.example>;tag=8f3a', True),
        ("sip:john.smith@clinic.example", True),
        ("sips:JOHN.SMITH@CLINIC.EXAMPLE:5061;transport=tls", True),
        ("<sip:john.smith@clinic.example?subject=hi>", True),
        ("sip:4711@pbx.example", True),  # the extension
        ("sip:john.smith@other.example", False),
        ("sip:jane@clinic.example", False),
        ("sip:+12125550199@proxy.example;user=phone", False),
        ("sip:4712@pbx.example", False),
        ("anonymous", False),
        ("sip:anonymous@anonymous.invalid", False),
        ("", False),
    ],
)
def test_contacts_is_approved(directory: ContactDirectory, caller: str, approved: bool) -> None:
    directory.add(_john())
    directory.add(Contact("Not Approved", numbers=(PhoneEntry("+1 212 555 0199"),)))
    assert directory.is_approved(caller) is approved


def test_contacts_known_but_not_approved(directory: ContactDirectory) -> None:
    known = directory.add(_john(approved=False))
    assert directory.contacts_for_caller("sip:+12125550123@gw;user=phone") == [known]
    assert directory.is_approved("sip:+12125550123@gw;user=phone") is False
    directory.update(replace(known, approved=True))
    assert directory.is_approved("sip:+12125550123@gw;user=phone") is True


# -- duplicates ----------------------------------------------------------------------


def test_contacts_merge_duplicates_by_normalised_number(directory: ContactDirectory, db) -> None:
    john = directory.add(_john(approved=False, note="first note"))
    again = directory.add(
        Contact(
            "J. Smith",
            department="Cardiology",
            numbers=(PhoneEntry("+1 212-555-0123", label="cell"), PhoneEntry("+1 646 555 0100")),
            uris=("sips:john.smith@clinic.example", "sip:js@home.example"),
            tags=("Doctors", "golf"),
            note="second note",
            favourite=True,
            approved=True,
        )
    )
    # Chained through a third contact by another number.
    third = directory.add(Contact("Smith J", numbers=(PhoneEntry("646.555.0100"),), note="third"))
    unrelated = directory.add(Contact("Other", numbers=(PhoneEntry("+1 212 555 0199"),)))
    report = directory.merge_duplicates()
    assert report.removed_count == 2
    (group,) = report.groups
    assert group.removed == (again.id, third.id)
    assert group.shared_numbers == ("+12125550123", "+16465550100")
    merged = group.kept
    assert merged.id == john.id and merged.display_name == "John Smith"
    assert merged.department == "Dermatology"  # the survivor's own value wins
    assert merged.numbers == (
        PhoneEntry("(212) 555-0123", "+12125550123", "work"),
        PhoneEntry("4711", None, "desk"),
        PhoneEntry("+1 646 555 0100", "+16465550100"),
    )
    assert merged.uris == ("sip:John.Smith@Clinic.example", "sip:js@home.example")
    assert merged.tags == ("doctors", "golf")
    assert merged.note == "first note\nsecond note\nthird"
    assert merged.favourite and merged.approved
    assert [c.id for c in directory.list()] == [john.id, unrelated.id]
    assert db.list_contacts() == directory.list()
    assert directory.find_by_number("646 555 0100") == [merged]
    assert directory.merge_duplicates().groups == ()


def test_contacts_extensions_alone_do_not_merge(directory: ContactDirectory) -> None:
    directory.add(Contact("PBX one", numbers=(PhoneEntry("4711"),)))
    directory.add(Contact("PBX two", numbers=(PhoneEntry("4711"),)))
    assert directory.merge_duplicates().groups == ()
    assert len(directory.find_by_number("4711")) == 2


def test_contacts_merge_only_among(directory: ContactDirectory) -> None:
    a = directory.add(Contact("A", numbers=(PhoneEntry("+12125550100"),)))
    directory.add(Contact("A again", numbers=(PhoneEntry("+12125550100"),)))
    b = directory.add(Contact("B", numbers=(PhoneEntry("+12125550111"),)))
    b2 = directory.add(Contact("B again", numbers=(PhoneEntry("+12125550111"),)))
    report = directory.merge_duplicates(among={b2.id})
    assert [(g.kept.id, g.removed) for g in report.groups] == [(b.id, (b2.id,))]
    assert len(directory.find_by_number("+12125550100")) == 2  # left alone
    assert directory.get(a.id) is not None


def test_contacts_import_merges_into_existing_in_one_transaction(directory, db) -> None:
    john = directory.add(_john())
    report = directory.import_contacts(
        [
            Contact("Johnny", numbers=(PhoneEntry("212 555 0123"),), tags=("imported",)),
            Contact("New Person", numbers=(PhoneEntry("+1 718 555 0100"),)),
        ]
    )
    assert report.added == 2 and report.merged.removed_count == 1 and report.contacts_now == 1
    assert [c.display_name for c in directory.list()] == ["John Smith", "New Person"]
    assert directory.get(john.id).tags == ("doctors", "imported")
    assert db.list_contacts() == directory.list()


def test_contacts_import_failure_leaves_everything_as_it_was(directory, db, monkeypatch) -> None:
    john = directory.add(_john())
    before = db.list_contacts()

    def broken_update(contact):
        raise OSError("disk full")

    monkeypatch.setattr(db, "update_contact", broken_update)  # fails during the merge
    with pytest.raises(OSError, match="disk full"):
        directory.import_contacts([Contact("Dup", numbers=(PhoneEntry("2125550123"),))])
    monkeypatch.undo()
    assert db.list_contacts() == before  # the added rows were rolled back too
    assert directory.list() == [john]
    assert [m.contact.id for m in directory.search("dup")] == []
    assert directory.find_by_number("2125550123") == [john]


def test_contacts_load_fills_missing_e164_once(db) -> None:
    # As a schema-1 file upgrades: national numbers without their E.164 form.
    stored = db.add_contact(Contact("Old", numbers=(PhoneEntry("(212) 555-0123"),)))
    assert stored.numbers[0].e164 is None
    directory = ContactDirectory(db, region="US")
    assert directory.get(stored.id).numbers[0].e164 == "+12125550123"
    assert db.get_contact(stored.id).numbers[0].e164 == "+12125550123"  # written back
    assert directory.find_by_number("+12125550123")[0].id == stored.id


def test_contacts_readers_do_not_wait_for_a_write_on_disk(directory: ContactDirectory, db) -> None:
    """The engine asks `is_approved` for every incoming call: a slow import (its fsync)
    must not hold it up, and what the reader sees is the state before the commit."""
    import threading

    john = directory.add(_john())
    entered, release = threading.Event(), threading.Event()
    real_add = db.add_contacts

    def slow_add(contacts):
        entered.set()
        assert release.wait(10)
        return real_add(contacts)

    db.add_contacts = slow_add
    writer = threading.Thread(
        target=directory.import_contacts, args=([Contact("Ann Other", uris=("ann@x.example",))],)
    )
    writer.start()
    try:
        assert entered.wait(5)
        answered = threading.Event()
        seen: list[object] = []

        def read() -> None:
            seen.append(directory.is_approved("sip:john.smith@clinic.example"))
            seen.append([m.contact.display_name for m in directory.search("ann")])
            answered.set()

        threading.Thread(target=read).start()
        assert answered.wait(2), "a reader waited for the write on disk"
        assert seen == [True, []]  # the import is not visible before it is committed
    finally:
        release.set()
        writer.join(10)
    assert [m.contact.display_name for m in directory.search("ann")] == ["Ann Other"]
    assert directory.get(john.id) == john
