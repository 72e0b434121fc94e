"""Directions of the end-to-end lines in re-offers and answers, and the spoiled SDP."""

from __future__ import annotations

import pytest

from softphone.e2e import wire
from softphone.engine.e2e_calls import _direction, _spoil


class Offer:
    def __init__(self, direction: str) -> None:
        self.direction = direction


@pytest.mark.parametrize(
    ("local_hold", "offered", "expected"),
    [
        (False, None, "sendrecv"),  # our re-offer
        (True, None, "sendonly"),  # our hold
        (False, "sendrecv", "sendrecv"),
        (False, "sendonly", "recvonly"),  # the peer holds us
        (False, "inactive", "inactive"),
        (False, "recvonly", "sendonly"),
        (True, "sendrecv", "sendonly"),  # we hold while answering
        (True, "sendonly", "inactive"),  # both hold
    ],
)
def test_direction(local_hold, offered, expected):
    assert _direction(local_hold, Offer(offered) if offered else None) == expected


def test_spoiled_sdp_starts_no_media():
    sdp = (
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n"
        "m=audio 4000 RTP/SAVP 0\r\nc=IN IP4 1.2.3.4\r\na=sendrecv\r\n"
        "m=audio 4002 RTP/SAVP 0\r\nc=IN IP4 1.2.3.4\r\n"
    )
    spoiled = wire.Sdp.parse(_spoil(sdp))
    assert [wire.direction(s) for s in spoiled.sections] == ["inactive", "inactive"]
