"""What an incoming-call notification says, with privacy mode. Pure, any thread.

Privacy mode (`PrivacySettings.show_caller_in_notifications` off, possibly locked by
the administrator) keeps the caller's name and number out of every notification,
the ringing window and the tray: a bystander sees only "Incoming call".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from softphone.engine.events import CallDidArrive
from softphone.ui.i18n import translate

_URI_USER_HOST = re.compile(r"sips?:([^@;>]+)@([^;>]+)", re.IGNORECASE)


@dataclass(frozen=True)
class CallerText:
    title: str  # never holds the caller
    caller: str  # name and address, or the privacy notice
    waiting: str  # "" or what answering will do to the current call


def caller_address(remote_uri: str) -> str:
    """`"Alice" <sip:alice@example.com;transport=tls>` -> `alice@example.com`."""
    m = _URI_USER_HOST.search(remote_uri)
    if m:
        return f"{m.group(1)}@{m.group(2)}"
    return remote_uri.strip().strip("<>")


def incoming_text(event: CallDidArrive, show_caller: bool) -> CallerText:
    if show_caller:
        address = caller_address(event.remote_uri)
        name = event.remote_display.strip()
        caller = f"{name} ({address})" if name and name != address else address
    else:
        caller = translate("NotifyText", "Caller hidden (privacy mode)")
    waiting = (
        translate("NotifyText", "You are already in a call: answering puts that call on hold.")
        if event.waiting
        else ""
    )
    return CallerText(translate("NotifyText", "Incoming call"), caller, waiting)
