"""CSV import and export: the documented columns, round trips, and files that must be refused."""

from __future__ import annotations

import codecs
import random
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.directory.contacts import ContactDirectory
from softphone.directory.csv_io import COLUMNS, read_csv, write_csv
from softphone.directory.fields import clean_contact
from softphone.directory.formats import ContactImportError
from softphone.storage import Contact, LocalDatabase, PhoneEntry

HEADER = "name,organisation,department,numbers,sip_uris,tags,favourite,approved,note\r\n"


def test_csv_documented_columns() -> None:
    assert ",".join(COLUMNS) + "\r\n" == HEADER
    text = (
        HEADER
        + "John Smith,St Elsewhere,Dermatology,"
        + "work=(212) 555-0123;cell=+1 646 555 0199;4711,"
        + "sip:john@clinic.example;sips:js@secure.example,doctors;on-call,yes,1,"
        + '"Prefers mornings,\r\nnot Fridays"\r\n'
    )
    (john,) = read_csv(text.encode(), "contacts.csv")
    assert john == Contact(
        display_name="John Smith",
        organisation="St Elsewhere",
        department="Dermatology",
        numbers=(
            PhoneEntry("(212) 555-0123", None, "work"),
            PhoneEntry("+1 646 555 0199", None, "cell"),
            PhoneEntry("4711"),
        ),
        uris=("sip:john@clinic.example", "sips:js@secure.example"),
        tags=("doctors", "on-call"),
        favourite=True,
        approved=True,
        note="Prefers mornings,\nnot Fridays",
    )


def test_csv_columns_in_any_order_and_only_name_required() -> None:
    text = "Numbers,NAME\r\n+1 212 555 0123,Ann\r\n,Bob\r\n\r\n,,\r\n"
    ann, bob = read_csv(text)
    assert ann == Contact("Ann", numbers=(PhoneEntry("+1 212 555 0123"),))
    assert bob == Contact("Bob")  # blank lines and empty rows are skipped


def test_csv_excel_bom_and_utf16() -> None:
    text = HEADER + "Jörg Müller,,,,,,,,\r\n"
    for data in (codecs.BOM_UTF8 + text.encode(), text.encode("utf-16")):
        assert [c.display_name for c in read_csv(data)] == ["Jörg Müller"]


def _samples() -> list[Contact]:
    rng = random.Random(8)
    contacts = [
        Contact(
            'Odd; Characters, "Quoted" = \\ Name',
            "Org, Inc.",
            "Dept; Two",
            numbers=(
                PhoneEntry("tel:+1-212-555-0123;phone-context=x", None, "a=b;c\\d"),
                PhoneEntry("(212) 555-0199", None, "work"),
                PhoneEntry("4711"),
            ),
            uris=("sip:bob@example.com;transport=tls",),
            tags=("a;b", "c=d", "e\\f", "ünï"),
            note='Line 1\nLine 2, with "quotes"; and = signs',
            favourite=True,
        ),
        Contact("名前", approved=True),
    ]
    contacts += [
        Contact(
            f"Person {i}",
            numbers=tuple(
                PhoneEntry(
                    f"+44 20 7946 {rng.randint(0, 9999):04d}", None, rng.choice([None, "home"])
                )
                for _ in range(rng.randint(0, 3))
            ),
            tags=tuple(rng.sample(["x", "y", "z"], rng.randint(0, 3))),
        )
        for i in range(30)
    ]
    return [clean_contact(c) for c in contacts]


def test_csv_round_trip() -> None:
    contacts = _samples()
    text = write_csv(contacts)
    assert text.startswith(HEADER)
    assert read_csv(text.encode()) == contacts


def test_csv_round_trip_through_directories(tmp_path: Path) -> None:
    with (
        LocalDatabase.open(tmp_path / "a", MemoryStore()) as a,
        LocalDatabase.open(tmp_path / "b", MemoryStore()) as b,
    ):
        source = ContactDirectory(a, "GB")
        source.add_many(_samples())
        target = ContactDirectory(b, "GB")
        target.import_contacts(read_csv(write_csv(source.list())), merge=False)

        def unstored(contacts: list[Contact]) -> list[Contact]:
            return [replace(c, id=None, created=None) for c in contacts]

        assert unstored(target.list()) == unstored(source.list())
        assert any(n.e164 for c in target.list() for n in c.numbers)


@pytest.mark.parametrize(
    ("text", "row", "line", "problem"),
    [
        ("", None, None, "empty file"),
        ("\r\n\r\n", None, None, "empty file"),
        ("organisation,numbers\r\nClinic,123\r\n", None, 1, "no 'name' column"),
        ("name,organization\r\nAnn,Clinic\r\n", None, 1, "unknown column 'organization'"),
        ("name,tags,name\r\nA,b,c\r\n", None, 1, "'name' appears twice"),
        ("name,,tags\r\nA,b,c\r\n", None, 1, "column 2 has no name"),
        (HEADER + "Ann,,,,,,,,\r\nBob,,,\r\n", 2, 3, "4 fields where the header has 9"),
        (HEADER + "Ann,,,,,,,,\r\nBob,,,,,,,,,,\r\n", 2, 3, "11 fields"),
        (HEADER + ",Clinic,,,,,,,\r\n", 1, 2, "name is empty"),
        (HEADER + "Ann,,,,,,maybe,,\r\n", 1, 2, "favourite must be yes or no"),
        (HEADER + "Ann,,,,xmpp:ann@x,,,,\r\n", 1, 2, "not a SIP URI"),
        (HEADER + "Ann,,,=,,,,,\r\n", 1, 2, "empty phone number"),
        (HEADER + 'Ann,,,,,,,,"note\r\nB,,,,,,,,\r\n', 1, 2, "not valid CSV"),
        (HEADER + 'Ann,,,,,,,,"a"b\r\n', 1, 2, "not valid CSV"),
        (HEADER + "Bell\x07,,,,,,,,\r\n", 1, 2, "control characters"),
    ],
)
def test_csv_malformed_file_names_row_and_line(text, row, line, problem) -> None:
    with pytest.raises(ContactImportError, match=problem) as info:
        read_csv(text.encode(), "contacts.csv")
    assert (info.value.row, info.value.line) == (row, line)
    assert str(info.value).startswith("contacts.csv: ")


def test_csv_row_and_line_count_multiline_notes() -> None:
    text = HEADER + 'A,,,,,,,,"one\r\ntwo\r\nthree"\r\nB,,,,,,,,\r\nC,,,,,,no way,,\r\n'
    with pytest.raises(ContactImportError) as info:
        read_csv(text)
    assert (info.value.row, info.value.line) == (3, 6)


def test_csv_binary_garbage_and_wrong_encoding_are_refused() -> None:
    with pytest.raises(ContactImportError, match="not UTF-8 text"):
        read_csv(random.Random(2).randbytes(2048))
    with pytest.raises(ContactImportError, match="binary data"):
        read_csv(HEADER.encode() + b"Ann\x00,,,,,,,,\r\n")
    latin1 = (HEADER + "Ann,,,,,,,,\r\nJörg,,,,,,,,\r\n").encode("latin-1")
    with pytest.raises(ContactImportError, match=r"byte 0xf6") as info:
        read_csv(latin1)
    assert info.value.line == 3


def test_csv_huge_field_is_refused() -> None:
    text = HEADER + "Ann,,,,,,,," + "x" * 200_000 + "\r\n"
    with pytest.raises(ContactImportError, match="field larger than field limit") as info:
        read_csv(text)
    assert info.value.row == 1


def test_csv_unreadable_number_is_kept(tmp_path: Path) -> None:
    (contact,) = read_csv(HEADER + "Ann,,,ask reception;+44 20 7946 0958,,,,,\r\n")
    with LocalDatabase.open(tmp_path / "db", MemoryStore()) as db:
        directory = ContactDirectory(db, "GB")
        directory.import_contacts([contact])
        assert directory.list()[0].numbers == (
            PhoneEntry("ask reception", None),
            PhoneEntry("+44 20 7946 0958", "+442079460958"),
        )


def test_csv_header_only_imports_nothing() -> None:
    assert read_csv(HEADER) == []
