"""Call links from the URL handler, and the desktop file that registers it."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from softphone.ui.links import link_target

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tel:+1-212-555-0100", "tel:+1-212-555-0100"),
        ("  SIP:bob@example.com  ", "SIP:bob@example.com"),
        ("sips:bob@example.com;transport=tls", "sips:bob@example.com;transport=tls"),
        ("callto://+12125550100", "callto://+12125550100"),
        ("https://example.com/tel:+1", None),
        ("javascript:alert(1)", None),
        ("tel:", None),
        ("callto://", None),
        ("tel:+1212\n5550100", None),
        ("tel:" + "1" * 3000, None),
        ("", None),
        (None, None),
    ],
)
def test_link_target(url, expected) -> None:
    assert link_target(url) == expected


def test_desktop_file_registers_the_call_schemes() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(REPO / "assets" / "softphone.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "softphone gui %u"
    schemes = {m.split("/", 1)[1] for m in desktop["MimeType"].strip(";").split(";")}
    assert schemes == {"tel", "sip", "sips", "callto"}
