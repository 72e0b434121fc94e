"""Search-as-you-type: number formats, folding, ranking, and the index against a reference.

The reference below is the documented matching rule written the slow, obvious way (one
contact at a time, plain string operations, phonenumbers for the national forms). The
index, with its segments, caches and numpy masks, must return exactly what it does.
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

import phonenumbers
import pytest
from phonenumbers import PhoneMetadata

from softphone.directory.search import (
    ContactIndex,
    MatchQuality,
    digits_of,
    fold,
    parse_query,
    sort_key,
)
from softphone.storage.database import Contact, PhoneEntry

# -- the reference -------------------------------------------------------------------


@cache
def _words(text: str | None) -> list[str]:
    words = []
    for word in fold(text or "").split():
        parts = "".join(ch if ch.isalnum() else " " for ch in word).split()
        words += [word, *parts] + (["".join(parts)] if len(parts) > 1 else [])
    return words


@cache
def _uri_words(uri: str) -> list[str]:
    whole = fold(uri.split(":", 1)[1] if uri.lower().startswith(("sip:", "sips:")) else uri)
    user, _, host = whole.partition("@")
    return [whole, user, host, *"".join(ch if ch.isalnum() else " " for ch in whole).split()]


@cache
def _forms(entry: PhoneEntry) -> tuple[set[str], str]:
    written = digits_of(entry.original)
    forms = {written} - {""}
    if not entry.e164:
        return forms, ""
    number = phonenumbers.parse(entry.e164)
    national = phonenumbers.national_significant_number(number)
    region = phonenumbers.region_code_for_country_code(number.country_code)
    trunk = PhoneMetadata.metadata_for_region(region).national_prefix or ""
    return forms | {entry.e164[1:], national, trunk + national}, entry.e164[1:]


def _quality(contact: Contact, kind: str, value: str) -> int | None:
    numbers = [_forms(n) for n in contact.numbers]
    if kind == "e164":
        return 0 if any(e.startswith(value) for _, e in numbers) else None
    forms = [f for fs, _ in numbers for f in fs] if kind == "digits" else []
    names = _words(contact.display_name)
    fields = names + [
        w for f in (contact.organisation, contact.department, *contact.tags) for w in _words(f)
    ]
    everything = fields + [w for u in contact.uris for w in _uri_words(u)]
    if any(w.startswith(value) for w in names + forms):
        return 0
    if any(w.startswith(value) for w in everything):
        return 1
    if len(value) >= 2 and any(value in w for w in fields + forms):
        return 2
    return None


def reference(contacts: list[Contact], query: str, limit: int) -> list[tuple[int, int]]:
    tokens = parse_query(query)
    if not tokens:
        return []
    ranked = []
    for contact in contacts:
        qualities = [_quality(contact, t.kind, t.value) for t in tokens]
        if None not in qualities:
            ranked.append((max(qualities), sort_key(contact), contact.id))
    ranked.sort()
    return [(contact_id, quality) for quality, _, contact_id in ranked[:limit]]


def found(index: ContactIndex, query: str, limit: int = 20) -> list[tuple[int, int]]:
    return [(m.contact.id, int(m.quality)) for m in index.search(query, limit)]


# -- generated directories -----------------------------------------------------------

FIRST = ["John", "Jon", "Joan", "Zoë", "Zoe", "Björn", "Anne-Marie", "José", "Siobhán", "Øyvind"]
LAST = ["Smith", "Smithson", "Goldsmith", "Müller", "Muller", "O'Brien", "Nguyễn", "Łukasz"]
DEPTS = [None, "Dermatology", "Cardiology", "Oncology Ward 7", "Radiology"]
ORGS = [None, "St Elsewhere", "Ravensworth Clinic", "Clínica Central"]
TAGS = ["staff", "on-call", "vip", "Referrals"]


def _number(rng: random.Random) -> PhoneEntry:
    line = rng.randint(100, 199)
    shapes = [
        (f"(212) 555-0{line}", f"+12125550{line}"),
        (f"+1 646 555 0{line}", f"+16465550{line}"),
        (f"0044 20 7946 0{line}", f"+442079460{line}"),
        (f"020 7946 0{line}", f"+442079460{line}"),
        (f"+49 30 901820{line % 100:02d}", f"+493090182{line % 100:02d}"),
        (f"{line + 4600}", None),  # an internal extension
        (f"x{line + 4600}", None),
    ]
    original, e164 = rng.choice(shapes)
    return PhoneEntry(original, e164, rng.choice([None, "work", "cell"]))


def _contact(rng: random.Random, contact_id: int) -> Contact:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    uris = []
    if rng.random() < 0.4:
        uris.append(f"sip:{fold(first)[:3]}.{fold(last)[:4]}{contact_id}@clinic.example")
    if rng.random() < 0.1:
        uris.append(f"sips:{contact_id + 1000}@pbx.example")
    return Contact(
        display_name=f"{first} {last}" if rng.random() < 0.9 else f"Dr {first} {last}",
        organisation=rng.choice(ORGS),
        department=rng.choice(DEPTS),
        numbers=tuple(_number(rng) for _ in range(rng.randint(0, 3))),
        uris=tuple(uris),
        tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
        favourite=rng.random() < 0.15,
        id=contact_id,
    )


def _queries(rng: random.Random, contacts: list[Contact], count: int) -> list[str]:
    queries = ["j", "jo", "smi", "mith", "muller", "müll", "obrien", "o'b", "derm", "ward 7"]
    queries += ["5550", "555-01", "(212)", "+1 212", "+44 20", "020 7946", "0044", "4611", "x46"]
    queries += ["7946 01", "ith", "zz", "46", "1", "+4", "clinic.ex", "sip:jon", "pbx", "dr smi"]
    for _ in range(count):
        contact = rng.choice(contacts)
        words = _words(contact.display_name) + _words(contact.department)
        if contact.numbers and rng.random() < 0.4:
            number = rng.choice(contact.numbers).original
            start = rng.randint(0, max(0, len(number) - 3))
            queries.append(number[start : start + rng.randint(2, 8)])
        elif words:
            word = rng.choice(words)
            start = rng.choice([0, 0, rng.randint(0, max(0, len(word) - 2))])
            queries.append(word[start : start + rng.randint(1, 6)])
    return queries


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_index_agrees_with_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    contacts = [_contact(rng, i) for i in range(1, 601)]
    index = ContactIndex(contacts)
    for query in _queries(rng, contacts, 150):
        limit = rng.choice([1, 5, 20, 1000])
        assert found(index, query, limit) == reference(contacts, query, limit), query


def test_search_index_agrees_after_adds_updates_and_deletes() -> None:
    rng = random.Random(9)
    contacts = {i: _contact(rng, i) for i in range(1, 301)}
    index = ContactIndex(contacts.values())
    next_id = 301
    for step in range(120):
        action = rng.random()
        if action < 0.4:  # one new contact: a small segment of its own
            contacts[next_id] = _contact(rng, next_id)
            index.add(contacts[next_id])
            next_id += 1
        elif action < 0.7:  # an edit: a rename, another number, (un)favourite
            victim = rng.choice(list(contacts))
            contacts[victim] = replace(_contact(rng, victim), favourite=rng.random() < 0.5)
            index.add(contacts[victim])
        else:
            victim = rng.choice(list(contacts))
            del contacts[victim]
            assert index.remove(victim) is True
            assert index.remove(victim) is False
        if step % 10 == 0:
            for query in _queries(rng, list(contacts.values()), 10):
                assert found(index, query) == reference(list(contacts.values()), query, 20)
    assert len(index) == len(contacts)
    assert len(index._segments) <= 9  # small segments were merged along the way
    for query in _queries(rng, list(contacts.values()), 60):
        assert found(index, query) == reference(list(contacts.values()), query, 20), query


def test_search_typing_reuses_work_without_changing_results() -> None:
    rng = random.Random(4)
    contacts = [_contact(rng, i) for i in range(1, 401)]
    typed = ContactIndex(contacts)
    for text in ["john smithson", "dr siob", "+1 646 555 01", "020 7946 01", "mith", "ward 7"]:
        steps = [text[:n] for n in range(1, len(text) + 1)]
        for query in steps + steps[::-1]:  # typing, then deleting back
            assert found(typed, query) == reference(contacts, query, 20), query
    segment = typed._segments[0]
    assert segment._masks and segment._infix_terms  # the caches really were used


# -- number formats ------------------------------------------------------------------


@pytest.fixture
def numbers_index() -> ContactIndex:
    contacts = [
        Contact("John Smith", numbers=(PhoneEntry("(212) 555-0123", "+12125550123"),), id=1),
        Contact("Jane Roe", numbers=(PhoneEntry("+1 646 555 0199", "+16465550199"),), id=2),
        Contact("Lon Don", numbers=(PhoneEntry("020 7946 0958", "+442079460958"),), id=3),
        Contact("Ext Ension", numbers=(PhoneEntry("4711"),), id=4),
        Contact("Abroad Dialled", numbers=(PhoneEntry("011 49 30 901820", "+4930901820"),), id=5),
    ]
    return ContactIndex(contacts)


@pytest.mark.parametrize(
    "query",
    [
        "5550123",
        "555-0123",
        "555 0123",
        "555.0123",
        "(212)",
        "212",
        "212-555",
        "(212) 555-0123",
        "2125550123",
        "12125550123",
        "+12125550123",
        "+1 212",
        "+1-212-555-0123",
        "+1 (212) 555-0123",
        "٢١٢٥٥٥٠١٢٣",  # Arabic-Indic digits
        "２１２５５５",  # full-width digits
        "0123",
        "50123",
    ],
)
def test_search_finds_a_number_in_any_formatting(numbers_index: ContactIndex, query: str) -> None:
    matches = numbers_index.search(query)
    assert [m.contact.id for m in matches] == [1]
    assert matches[0].number.original == "(212) 555-0123"


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("+44 20 7946", [3]),  # E.164, anchored
        ("020 7946", [3]),  # the national form with its trunk prefix
        ("2079460958", [3]),
        ("7946 0958", [3]),
        ("4711", [4]),  # an extension: its digits as written
        ("47", [4]),
        ("+49 30", [5]),
        ("011 49", [5]),  # as originally written, international prefix included
        ("555", [1, 2]),
        ("+1", [1, 2]),
        ("+44", [3]),
        ("+4", [3, 5]),
        ("+2", []),  # anchored: "+2…" is no number here even though "2…" is
        ("9999", []),
        ("+", []),
        ("()", []),
    ],
)
def test_search_number_matches(numbers_index: ContactIndex, query: str, ids: list[int]) -> None:
    assert sorted(m.contact.id for m in numbers_index.search(query)) == ids


def test_search_number_prefix_ranks_before_number_infix(numbers_index: ContactIndex) -> None:
    # "0123": no number starts with it, John's contains it. "646": Jane's national
    # number starts with it.
    assert [(m.contact.id, m.quality) for m in numbers_index.search("646")] == [
        (2, MatchQuality.NAME_PREFIX)
    ]
    assert [(m.contact.id, m.quality) for m in numbers_index.search("0123")] == [
        (1, MatchQuality.SUBSTRING)
    ]
    # One digit is matched at the start of a number only; from two on, anywhere.
    assert numbers_index.search("5") == []
    assert [(m.contact.id, m.quality) for m in numbers_index.search("55")] == [
        (2, MatchQuality.SUBSTRING),  # "Jane Roe" < "John Smith"
        (1, MatchQuality.SUBSTRING),
    ]


# -- text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Müller", "muller"),
        ("ZOË", "zoe"),
        ("Øyvind", "oyvind"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("Ｊｏｈｎ", "john"),
        ("Nguyễn", "nguyen"),
        ("José ٢٣", "jose 23"),
    ],
)
def test_search_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.fixture
def people() -> list[Contact]:
    return [
        Contact("Anna Smith", department="Dermatology", id=1),
        Contact("Bob Goldsmith", department="Smithing", id=2),
        Contact("Cara Smith", favourite=True, id=3),
        Contact("Dan Smithson", organisation="Smith & Co", id=4),
        Contact("Zoë Müller", uris=("sip:zoe.m@clinic.example",), tags=("on-call",), id=5),
        Contact("Eoin O'Brien", id=6),
    ]


def test_search_ranks_name_prefix_then_word_prefix_then_infix(people) -> None:
    index = ContactIndex(people)
    matches = index.search("smith")
    assert [(m.contact.display_name, m.quality) for m in matches] == [
        ("Cara Smith", MatchQuality.NAME_PREFIX),  # a favourite first among equals
        ("Anna Smith", MatchQuality.NAME_PREFIX),
        ("Dan Smithson", MatchQuality.NAME_PREFIX),
        ("Bob Goldsmith", MatchQuality.WORD_PREFIX),  # via "Smithing"
    ]
    assert [m.contact.id for m in index.search("goldsm")] == [2]
    assert [(m.contact.id, m.quality) for m in index.search("mith")] == [
        (3, MatchQuality.SUBSTRING),
        (1, MatchQuality.SUBSTRING),
        (2, MatchQuality.SUBSTRING),
        (4, MatchQuality.SUBSTRING),
    ]


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("zoe", [5]),
        ("ZOË", [5]),
        ("muller", [5]),
        ("MÜLL", [5]),
        ("obrien", [6]),
        ("o'brien", [6]),
        ("brien", [6]),
        ("on-call", [5]),
        ("call", [5]),
        ("zoe.m", [5]),  # the URI's user part
        ("sip:zoe", [5]),
        ("clinic.example", [5]),  # its host
        ("zoe.m@clinic", [5]),
        ("smith, anna", [1]),  # punctuation around a word is not part of it
        ("anna derm", [1]),  # every token must match, each anywhere
        ("anna cardio", []),
        ("", []),
        ("   ", []),
        ("x" * 500, []),
    ],
)
def test_search_text_matches(people, query: str, ids: list[int]) -> None:
    assert sorted(m.contact.id for m in ContactIndex(people).search(query)) == ids


def test_search_limit_and_empty_index(people) -> None:
    index = ContactIndex(people)
    assert len(index.search("s", limit=2)) == 2
    assert index.search("s", limit=0) == []
    assert ContactIndex().search("anything") == []


def test_search_updates_show_at_once(people) -> None:
    index = ContactIndex(people)
    index.add(replace(people[0], display_name="Annabel Jones"))
    assert [m.contact.id for m in index.search("annabel")] == [1]
    assert 1 not in [m.contact.id for m in index.search("anna smith")]
    index.remove(3)
    assert [m.contact.id for m in index.search("cara")] == []
    with pytest.raises(ValueError, match="id"):
        index.add(Contact("No Id"))
    index.add_many([Contact("Twice Old", id=9), Contact("Twice New", id=9)])
    assert [m.contact.display_name for m in index.search("twice")] == ["Twice New"]


@pytest.mark.parametrize(
    ("query", "tokens"),
    [
        ("+1 (212) 555-0123", [("e164", "12125550123")]),
        ("(212) 555-0123", [("digits", "2125550123")]),
        ("John  SMITH", [("text", "john"), ("text", "smith")]),
        ("smith 212", [("text", "smith"), ("digits", "212")]),
        ("tel:+1212", [("e164", "1212")]),
        ("sips:Bob@Example.com", [("text", "bob@example.com")]),
        ("-- ()", []),
    ],
)
def test_search_parse_query(query: str, tokens: list[tuple[str, str]]) -> None:
    assert [(t.kind, t.value) for t in parse_query(query)] == tokens


def test_search_many_deletions_rebuild_the_index_from_live_contacts() -> None:
    rng = random.Random(12)
    contacts = {i: _contact(rng, i) for i in range(1, 1101)}
    index = ContactIndex(contacts.values())
    victims = rng.sample(list(contacts), 1001)
    for victim in victims[:1000]:
        del contacts[victim]
        index.remove(victim)
    assert [s.size for s in index._segments] == [1100]  # dead records only cleared bits
    del contacts[victims[1000]]
    index.remove(victims[1000])
    assert [s.size for s in index._segments] == [99]  # past the threshold: rebuilt
    for query in _queries(rng, list(contacts.values()), 40):
        assert found(index, query) == reference(list(contacts.values()), query, 20), query
