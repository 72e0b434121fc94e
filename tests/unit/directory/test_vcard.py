"""vCard import and export: real exporters' files, round trips, and files that must be refused."""

from __future__ import annotations

import codecs
import random
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import MemoryStore

from softphone.directory.contacts import ContactDirectory
from softphone.directory.fields import clean_contact
from softphone.directory.formats import ContactImportError
from softphone.directory.vcard import read_vcards, write_vcards
from softphone.storage import Contact, LocalDatabase, PhoneEntry

FIXTURES = Path(__file__).parent / "fixtures"


def _read(name: str) -> list[Contact]:
    return read_vcards((FIXTURES / name).read_bytes(), name)


# -- what real exporters write -------------------------------------------------------


def test_vcard_google_contacts_export() -> None:
    john, reception = _read("google-contacts-3.0.vcf")
    assert john == Contact(
        display_name="John Smith",
        organisation="St Elsewhere Hospital",
        department="Dermatology",
        numbers=(
            PhoneEntry("+1 212-555-0123", None, "cell"),
            PhoneEntry("(212) 555-0199", None, "work"),
        ),
        tags=("myContacts", "Doctors"),
        note="Prefers calls after 10am, not on Fridays.",  # "\," unescaped
    )
    # No FN worth the name in N: the organisation is the name's fallback, FN is used.
    assert reception.display_name == "Ravensworth Clinic Reception"
    assert reception.numbers == (PhoneEntry("+44 20 7946 0000", None, "main"),)


def test_vcard_apple_contacts_export() -> None:
    (zoe,) = _read("apple-contacts-3.0.vcf")
    assert zoe == Contact(
        display_name="Dr. Zoë Müller",
        organisation="Ravensworth Clinic",
        department="Cardiology",  # ORG's trailing empty unit dropped
        numbers=(
            PhoneEntry("+44 7911 123456", None, "cell"),  # type=VOICE, type=pref are no labels
            PhoneEntry("020 7946 0958", None, "work"),
            PhoneEntry("4711", None, "Desk"),  # item1.X-ABLabel
        ),
        uris=("sip:zoe.mueller@ravensworth.example",),  # the Skype IMPP is not SIP
        note="On call Tuesdays.\nBleep 2231.",
    )


def test_vcard_thunderbird_and_rfc6350_4_0() -> None:
    jose, simon = _read("thunderbird-4.0.vcf")
    assert jose.display_name == "José Álvarez"
    assert (jose.organisation, jose.department) == ("Clínica Central", "Radiología")
    assert jose.numbers == (
        PhoneEntry("+34 91 123 45 67", None, "work"),
        PhoneEntry("612 34 56 78", None, "cell"),
    )
    assert jose.tags == ("Proveedores", "Radiología")
    assert jose.note == "Línea uno\nLínea dos"
    # RFC 6350's own example: tel: URIs, quoted TYPE lists, IMPP.
    assert simon.numbers == (
        PhoneEntry("tel:+1-418-656-9254;ext=102", None, "work"),  # parameters kept
        PhoneEntry("+1-418-262-6501", None, "work,cell,video,text"),
    )
    assert simon.uris == ("sip:simon.perreault@viagenie.example",)


def test_vcard_android_2_1_quoted_printable() -> None:
    (joerg,) = _read("android-2.1.vcf")
    assert joerg.display_name == "Jörg Müller"
    assert joerg.numbers == (
        PhoneEntry("+49 170 1234567", None, "cell"),  # bare 2.1 parameters
        PhoneEntry("030 123456", None, "home"),
    )
    assert joerg.uris == ("sip:joerg@sip.example",)  # X-SIP without a scheme
    assert joerg.note == "Zimmer 12\nStation B"


def test_vcard_import_normalises_with_the_profile_region(tmp_path: Path) -> None:
    with LocalDatabase.open(tmp_path / "db", MemoryStore()) as db:
        directory = ContactDirectory(db, region="GB")
        report = directory.import_contacts(_read("apple-contacts-3.0.vcf"))
        (zoe,) = directory.list()
        assert report.added == 1
        assert [n.e164 for n in zoe.numbers] == ["+447911123456", "+442079460958", None]
        us = ContactDirectory(db, region="US")
        us.import_contacts(_read("thunderbird-4.0.vcf"), merge=False)
        simon = next(c for c in us.list() if c.display_name == "Simon Perreault")
        assert [n.e164 for n in simon.numbers] == ["+14186569254", "+14182626501"]


# -- round trips ---------------------------------------------------------------------


def _samples() -> list[Contact]:
    rng = random.Random(5)
    contacts = [
        Contact(
            "John Smith",
            "St Elsewhere",
            "Dermatology",
            numbers=(
                PhoneEntry("(212) 555-0123", None, "work"),
                PhoneEntry("4711", None, "Desk phone"),  # a custom label: X-ABLabel
                PhoneEntry("+44 20 7946 0958"),
            ),
            uris=("sip:john.smith@clinic.example", "sips:js@secure.example"),
            tags=("doctors", "a,b;c\\d"),
            note="Commas, semicolons; backslashes \\ and\nnew lines.",
            favourite=True,
            approved=True,
        ),
        Contact("Zoë", department="Only A Department"),
        Contact("Ünïcödé 名前 Ω", organisation="Org; with: odd, chars", note="x" * 500),
        Contact("Single", numbers=(PhoneEntry("tel:+1-418-656-9254;ext=102", None, "cell"),)),
    ]
    for _ in range(40):
        contacts.append(
            Contact(
                f"Person {rng.randint(0, 10**6)} Name",
                numbers=tuple(
                    PhoneEntry(
                        f"+1 212 555 {rng.randint(0, 9999):04d}", None, rng.choice([None, "home"])
                    )
                    for _ in range(rng.randint(0, 3))
                ),
                favourite=rng.random() < 0.5,
            )
        )
    return [clean_contact(c) for c in contacts]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_round_trip(version: str) -> None:
    contacts = _samples()
    text = write_vcards(contacts, version)
    assert text.count(f"VERSION:{version}\r\n") == len(contacts)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded
    assert read_vcards(text.encode()) == contacts
    assert read_vcards(text) == contacts


def test_vcard_round_trip_through_directories(tmp_path: Path) -> None:
    with (
        LocalDatabase.open(tmp_path / "a", MemoryStore()) as a,
        LocalDatabase.open(tmp_path / "b", MemoryStore()) as b,
    ):
        source = ContactDirectory(a, "US")
        source.add_many(_samples())
        exported = write_vcards(source.list(), "4.0").encode()
        target = ContactDirectory(b, "US")
        target.import_contacts(read_vcards(exported), merge=False)

        def unstored(contacts: list[Contact]) -> list[Contact]:
            return [replace(c, id=None, created=None) for c in contacts]

        assert unstored(target.list()) == unstored(source.list())
        assert any(n.e164 for c in target.list() for n in c.numbers)


def test_vcard_export_refuses_unknown_versions() -> None:
    with pytest.raises(ValueError, match=r"3\.0, 4\.0"):
        write_vcards([], "2.1")


# -- files that must be refused, whole -----------------------------------------------

GOOD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good {n}\r\nTEL:+1 212 555 01{n:02d}\r\nEND:VCARD\r\n"


def _two_good() -> str:
    return GOOD.format(n=1) + GOOD.format(n=2)  # lines 1-10


@pytest.mark.parametrize(
    ("text", "card", "line", "problem"),
    [
        (_two_good() + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut\r\n", 3, 11, "no END:VCARD"),
        (
            _two_good() + "BEGIN:VCARD\r\nFN:x\r\nthis is not a property\r\nEND:VCARD\r\n",
            3,
            13,
            "not a vCard property",
        ),
        (_two_good() + "hello\r\n", None, 11, "expected BEGIN:VCARD"),
        (_two_good() + "BEGIN:VCARD\r\nBEGIN:VCARD\r\n", 3, 12, "BEGIN inside a card"),
        (_two_good() + "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:123\r\nEND:VCARD\r\n", 3, 11, "no name"),
        (_two_good() + "BEGIN:VCARD\r\nVERSION:5.0\r\nFN:x\r\nEND:VCARD\r\n", 3, 11, "version 5.0"),
        (
            _two_good() + "BEGIN:VCARD\r\nFN:x\r\nX-SOFTPHONE-APPROVED:maybe\r\nEND:VCARD\r\n",
            3,
            11,
            "APPROVED must be yes or no",
        ),
        (
            _two_good() + "BEGIN:VCARD\r\nFN:x\r\nIMPP:sip:bad user@host\r\nEND:VCARD\r\n",
            3,
            11,
            "not a valid SIP URI",
        ),
        (_two_good() + "BEGIN:VCARD\r\nFN:Bell\x07\r\nEND:VCARD\r\n", 3, 11, "control characters"),
        (
            _two_good() + 'BEGIN:VCARD\r\nFN;TYPE="open:x\r\nEND:VCARD\r\n',
            3,
            12,
            "not a vCard property",
        ),
        (" folded line first\r\n", None, 1, "expected BEGIN:VCARD"),
        ("", None, None, "no vCard in the file"),
        ("\r\n \r\n\r\n", None, None, "no vCard in the file"),
    ],
)
def test_vcard_malformed_file_names_card_and_line(text, card, line, problem) -> None:
    with pytest.raises(ContactImportError, match=problem) as info:
        read_vcards(text.encode(), "contacts.vcf")
    assert (info.value.card, info.value.line) == (card, line)
    assert str(info.value).startswith("contacts.vcf: ")


def test_vcard_binary_garbage_is_refused() -> None:
    garbage = random.Random(1).randbytes(4096)
    with pytest.raises(ContactImportError, match="not UTF-8 text") as info:
        read_vcards(garbage, "photo.jpg")
    assert info.value.line is not None
    with pytest.raises(ContactImportError, match="binary data"):
        read_vcards(_two_good().encode() + b"\x00\x01\x02", "x.vcf")


def test_vcard_wrong_encoding_is_refused_with_its_line() -> None:
    latin1 = (_two_good() + "BEGIN:VCARD\r\nFN:Jörg Müller\r\nEND:VCARD\r\n").encode("latin-1")
    with pytest.raises(ContactImportError, match=r"not UTF-8 text \(byte 0xf6\)") as info:
        read_vcards(latin1, "old.vcf")
    assert info.value.line == 12


def test_vcard_utf16_with_bom_is_read() -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jörg Müller\r\nEND:VCARD\r\n"
    for encoded in (codecs.BOM_UTF16_LE + text.encode("utf-16-le"), text.encode("utf-16")):
        assert [c.display_name for c in read_vcards(encoded)] == ["Jörg Müller"]
    assert [c.display_name for c in read_vcards(codecs.BOM_UTF8 + text.encode())] == ["Jörg Müller"]


def test_vcard_huge_line_is_refused() -> None:
    huge = _two_good() + "BEGIN:VCARD\r\nFN:" + "x" * 2_000_000 + "\r\nEND:VCARD\r\n"
    with pytest.raises(ContactImportError, match="a line of 2,000,003 characters") as info:
        read_vcards(huge)
    assert (info.value.card, info.value.line) == (3, 12)


def test_vcard_unreadable_number_is_kept_not_refused(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\r\nFN:Odd\r\nTEL:call reception, ask for Bob\r\n"
        "TEL:+1 212 555 0123\r\nEND:VCARD\r\n"
    )
    (odd,) = read_vcards(text)
    with LocalDatabase.open(tmp_path / "db", MemoryStore()) as db:
        stored = ContactDirectory(db, "US").import_contacts([odd])
        (contact,) = ContactDirectory(db, "US").list()
    assert stored.added == 1
    assert contact.numbers == (
        PhoneEntry("call reception, ask for Bob", None),
        PhoneEntry("+1 212 555 0123", "+12125550123"),
    )


def test_vcard_refused_file_imports_nothing(tmp_path: Path) -> None:
    with LocalDatabase.open(tmp_path / "db", MemoryStore()) as db:
        directory = ContactDirectory(db, "US")
        broken = (
            _two_good() + "BEGIN:VCARD\r\nFN:x\r\nX-SOFTPHONE-FAVOURITE:perhaps\r\nEND:VCARD\r\n"
        )
        with pytest.raises(ContactImportError):
            directory.import_contacts(read_vcards(broken))
        assert len(directory) == 0 and db.list_contacts() == []


def test_vcard_bare_commas_in_single_values_are_kept() -> None:
    # RFC 2426/6350 want "\," in these values; exporters that forget it must not lose
    # the rest of the value (vobject alone would cut it at the comma).
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Smith, John\r\n"
        "TEL;TYPE=work:+1 212 555 0100, ext 12\r\n"
        "NOTE:first, second\\, third\r\n  and, folded\r\n"
        "CATEGORIES:one,two\r\nEND:VCARD\r\n"
    )
    (contact,) = read_vcards(text)
    assert contact.display_name == "Smith, John"
    assert contact.numbers == (PhoneEntry("+1 212 555 0100, ext 12", None, "work"),)
    assert contact.note == "first, second, third and, folded"
    assert contact.tags == ("one", "two")  # a list property: commas separate
