"""Call links (URL handler): what a clicked `tel:`/`sip:`/`sips:`/`callto:` link asks for.

Pure, any thread. The operating system starts `softphone gui URL` for these links
(`assets/softphone.desktop` on Linux). The link's text goes to the dial pad, where the
dial policy judges it like anything typed, and nothing is called until the user
presses Call: a web page must not be able to place a call by itself.
"""

from __future__ import annotations

CALL_SCHEMES = frozenset({"tel", "sip", "sips", "callto"})
MAX_LINK = 2048


def link_target(url: str | None) -> str | None:
    """The text to put on the dial pad, or None when `url` is not a call link."""
    if not url:
        return None
    text = url.strip()
    scheme, colon, rest = text.partition(":")
    if not colon or scheme.lower() not in CALL_SCHEMES or not rest.strip("/"):
        return None
    if len(text) > MAX_LINK or any(ord(ch) < 32 for ch in text):
        return None
    return text
