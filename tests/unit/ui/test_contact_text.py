"""The Contacts tab's pure logic: labels, order, filter, call targets, the editor's contact."""

from __future__ import annotations

import pytest

from softphone.directory.fields import InvalidContactError
from softphone.directory.formats import ContactImportError
from softphone.storage.database import Contact, PhoneEntry
from softphone.ui.contact_text import (
    build_contact,
    call_targets,
    file_kind,
    import_problem,
    label,
    matches,
    merge_summary,
    parse_tags,
    parse_uris,
    visible,
)

JOHN = Contact(
    "John Smith",
    "St Mary's",
    "Dermatology",
    (PhoneEntry("(212) 555-0123", "+12125550123", "work"), PhoneEntry("4711", None, None)),
    ("sip:john.smith@clinic.example",),
    ("staff", "Skin"),
    id=1,
)
ANNA = Contact("Anna Müller", "Clinic", None, favourite=True, id=2)
BOB = Contact("bob", uris=("sips:bob@pbx.example",), id=3)


def test_contact_label_department_or_organisation_and_star() -> None:
    assert label(JOHN) == "John Smith – Dermatology"
    assert label(ANNA) == "★ Anna Müller – Clinic"
    assert label(BOB) == "bob"


def test_contact_targets_numbers_first_e164_when_known_then_sip() -> None:
    targets = call_targets(JOHN)
    assert [(t.label, t.target) for t in targets] == [
        ("work (212) 555-0123", "+12125550123"),
        ("4711", "4711"),
        ("SIP sip:john.smith@clinic.example", "sip:john.smith@clinic.example"),
    ]
    assert call_targets(Contact("Nobody")) == []


def test_contact_list_favourites_first_then_folded_name() -> None:
    assert [c.id for c in visible([JOHN, BOB, ANNA], "", False)] == [2, 3, 1]
    assert [c.id for c in visible([JOHN, BOB, ANNA], "", True)] == [2]


@pytest.mark.parametrize(
    ("text", "john", "anna"),
    [
        ("jo", True, False),
        ("smi derm", True, False),
        ("skin", True, False),  # a tag
        ("clinic", True, True),  # John's SIP host, Anna's organisation
        ("muller", False, True),  # diacritics folded
        ("555 01", True, False),  # digits of a number, any spacing
        ("2125550123", True, False),
        ("mith", False, False),  # words match from their start only
        ("john xyz", False, False),  # every word must match
    ],
)
def test_contact_filter(text: str, john: bool, anna: bool) -> None:
    assert matches(JOHN, text) is john
    assert matches(ANNA, text) is anna


def test_contact_editor_builds_a_clean_contact_with_the_same_id() -> None:
    edited = build_contact(
        JOHN,
        name="  John Smith ",
        organisation="St Mary's",
        department="",
        numbers=[("cell", " +1 646 555 0199 "), ("", ""), ("", "4711")],
        uris="john@clinic.example\nsips:j.s@clinic.example, ",
        tags="staff, Staff; derm ,",
        favourite=True,
        approved=True,
        note="",
    )
    assert edited.id == 1 and edited.display_name == "John Smith"
    assert edited.department is None and edited.note is None
    assert edited.numbers == (PhoneEntry("+1 646 555 0199", None, "cell"), PhoneEntry("4711"))
    assert edited.uris == ("sip:john@clinic.example", "sips:j.s@clinic.example")
    assert edited.tags == ("staff", "derm")
    assert edited.favourite and edited.approved


@pytest.mark.parametrize(
    ("fields", "problem"),
    [({"name": " "}, "name is empty"), ({"uris": "mailto:x@y"}, "not a SIP URI")],
)
def test_contact_editor_refuses_bad_fields(fields: dict, problem: str) -> None:
    values = dict(
        name="X", organisation="", department="", numbers=[], uris="", tags="",
        favourite=False, approved=False, note="",
    )  # fmt: skip
    values.update(fields)
    with pytest.raises(InvalidContactError, match=problem):
        build_contact(None, **values)


def test_contact_parsers() -> None:
    assert parse_tags("a, b;c ,, ") == ("a", "b", "c")
    assert parse_uris(" sip:a@x \n\nsip:b@y,sip:c@z") == ("sip:a@x", "sip:b@y", "sip:c@z")


def test_contact_import_texts() -> None:
    assert file_kind("Export.VCF") == "vcard" and file_kind("a.csv") == "csv"
    assert file_kind("a.txt") is None and file_kind("vcf") is None
    error = ContactImportError("book.vcf", "no FN", card=2, line=9)
    assert import_problem(error) == "Nothing was imported. book.vcf: card 2 (line 9): no FN"
    assert import_problem(FileNotFoundError(2, "No such file")).startswith(
        "Nothing was imported: cannot read the file (No such file)"
    )
    assert merge_summary(0, 0).startswith("No duplicates")
    assert merge_summary(2, 3) == "Merged 5 contacts into 2: 3 duplicates removed."
