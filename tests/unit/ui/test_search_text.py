"""The search field's rows: contacts from the directory index, then history without repeats."""

from __future__ import annotations

from softphone.directory.search import ContactIndex, Match, MatchQuality
from softphone.storage.database import Contact, PhoneEntry
from softphone.ui.search_text import SearchRow, combine, contact_rows, peer_keys

JOHN = Contact(
    "John Smith",
    department="Dermatology",
    numbers=(
        PhoneEntry("(212) 555-0123", "+12125550123", "work"),
        PhoneEntry("+1 646 555 0199", "+16465550199", "cell"),
    ),
    uris=("sip:john@clinic.example",),
    id=1,
)
JANE = Contact("Jane Doe", numbers=(PhoneEntry("4711"),), favourite=True, id=2)


def test_search_contact_found_by_name_lists_each_way_to_call() -> None:
    rows = contact_rows([Match(JOHN, MatchQuality.NAME_PREFIX)])
    assert rows == [
        SearchRow("John Smith – Dermatology · work (212) 555-0123", "+12125550123", "contact"),
        SearchRow("John Smith – Dermatology · cell +1 646 555 0199", "+16465550199", "contact"),
        SearchRow("John Smith – Dermatology · SIP sip:john@clinic.example",
                  "sip:john@clinic.example", "contact"),
    ]  # fmt: skip


def test_search_contact_found_by_number_lists_that_number() -> None:
    index = ContactIndex([JOHN, JANE])
    rows = contact_rows(index.search("646 555"))
    assert [r.target for r in rows] == ["+16465550199"]
    assert contact_rows(index.search("j"))[0].label.startswith("Jane Doe")  # favourite first


def test_search_contact_rows_are_capped() -> None:
    assert len(contact_rows([Match(JOHN, MatchQuality.NAME_PREFIX)] * 10, limit=4)) == 4


def test_search_history_rows_follow_without_a_peer_a_contact_offers() -> None:
    contacts = contact_rows([Match(JOHN, MatchQuality.NAME_PREFIX)])
    history = [
        ("+12125550123@sip.example.com — outgoing", "sip:+12125550123@sip.example.com;user=phone"),
        ("john@clinic.example — incoming", "sips:John@clinic.example:5061"),
        ("bob@sip.example.com — missed", "sip:bob@sip.example.com"),
        ("bob again", "sip:bob@sip.example.com;transport=tls"),
    ]
    rows = combine(contacts, history)
    assert [r.kind for r in rows] == ["contact"] * 3 + ["history"]
    assert rows[-1].target == "sip:bob@sip.example.com"


def test_search_peer_keys() -> None:
    assert peer_keys("+1 (212) 555-0123") == {"#12125550123"}
    assert peer_keys("sip:+12125550123@gw;user=phone") == {"+12125550123@gw", "#12125550123"}
    assert peer_keys("sip:bob@10.0.0.1") == {"bob@10.0.0.1"}
    assert peer_keys("12") == {"12"}
