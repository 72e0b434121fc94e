"""Incoming-call notification text; privacy mode hides the caller."""

from __future__ import annotations

from softphone.engine.events import CallDidArrive
from softphone.ui.notify_text import caller_address, incoming_text

ARRIVE = CallDidArrive(
    "in1", "acc", '"Dr Alice" <sip:alice@clinic.example;transport=tls>', "Dr Alice", False
)


def test_notify_shows_name_and_address() -> None:
    text = incoming_text(ARRIVE, show_caller=True)
    assert text.caller == "Dr Alice (alice@clinic.example)"
    assert text.title == "Incoming call" and text.waiting == ""


def test_notify_privacy_mode_hides_name_and_number_everywhere() -> None:
    text = incoming_text(ARRIVE, show_caller=False)
    joined = " ".join((text.title, text.caller, text.waiting))
    assert "Alice" not in joined and "clinic" not in joined
    assert "privacy" in text.caller


def test_notify_call_waiting_says_what_answering_does() -> None:
    from dataclasses import replace

    text = incoming_text(replace(ARRIVE, waiting=True), show_caller=True)
    assert "on hold" in text.waiting


def test_caller_address_forms() -> None:
    assert caller_address("sip:+12125550100@pbx;user=phone") == "+12125550100@pbx"
    assert caller_address("<tel:+12125550100>") == "tel:+12125550100"
