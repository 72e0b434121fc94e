"""`tasks.e2e_peers`: addresses as the CLI takes them, rows as it shows them."""

from __future__ import annotations

import pytest
from helpers import MemoryStore

from softphone.policy.end_to_end import E2eMode
from softphone.storage.database import Contact
from softphone.tasks import e2e_peers as tasks


@pytest.mark.parametrize(
    ("given", "address"),
    [
        ("bob@example.com", "bob@example.com"),
        ('"Bob" <sips:Bob@Example.COM:5061;transport=tls>', "bob@example.com"),
        ("sip:alice@[2001:db8::1]:5061", "alice@[2001:db8::1]"),
    ],
)
def test_normalise_takes_addresses_and_uris(given, address):
    assert tasks.normalise(given) == address


@pytest.mark.parametrize("given", ["", "   ", "sip:@example.com", "bob@", "a b@example.com"])
def test_normalise_refuses_what_names_no_peer(given):
    with pytest.raises(tasks.PeerAddressError):
        tasks.normalise(given)


def test_rows_show_requirements_contacts_and_no_off(tmp_path):
    with tasks.peers(MemoryStore(), tmp_path / "db.sqlite3") as (db, peers):
        tasks.set_requirement(db, peers, "bob@example.com", E2eMode.REQUIRED)
        db.add_contact(Contact(display_name="Bob", uris=("sip:bob@example.com",)))
        (row,) = tasks.rows(db, peers)
        assert (row.address, row.contact, row.requirement, row.fingerprint) == (
            "bob@example.com",
            "Bob",
            "required",
            None,
        )
        assert tasks.rows(db, peers, "nobody@example.com") == []
        with pytest.raises(tasks.PeerAddressError):
            tasks.set_requirement(db, peers, "bob@example.com", E2eMode.OFF)
        assert tasks.forget(db, peers, "bob@example.com")
        assert not tasks.forget(db, peers, "bob@example.com")
        assert [e.event for e in db.list_audit()].count("e2e requirement set") == 1
