"""Unit tests for softphone.engine.codecs: a profile's codec order as pjmedia priorities."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import pytest

from softphone.engine.codecs import CodecOrder, priorities

# Codec ids as pjsua2's codecEnum2() lists them in the pjsua2-python wheel.
AVAILABLE = [
    "opus/48000/2",
    "speex/16000/1",
    "speex/8000/1",
    "speex/32000/1",
    "iLBC/8000/1",
    "GSM/8000/1",
    "PCMU/8000/1",
    "PCMA/8000/1",
    "G722/16000/1",
    "G7221/16000/1",
    "G7221/32000/1",
    "L16/44100/1",
]


def enabled(table: dict[str, int]) -> list[str]:
    """Codec ids by priority, highest first, disabled ones left out."""
    return [c for c, p in sorted(table.items(), key=lambda kv: -kv[1]) if p > 0]


# ------------------------------------------------------------------ priorities


def test_codecs_priorities_follow_wanted_order() -> None:
    table = priorities(AVAILABLE, ("opus", "G722", "PCMU", "PCMA"))
    assert table["opus/48000/2"] == 255
    assert table["G722/16000/1"] == 254
    assert table["PCMU/8000/1"] == 253
    assert table["PCMA/8000/1"] == 252
    assert enabled(table) == ["opus/48000/2", "G722/16000/1", "PCMU/8000/1", "PCMA/8000/1"]


def test_codecs_unlisted_codecs_are_disabled() -> None:
    table = priorities(AVAILABLE, ("PCMU",))
    assert set(table) == set(AVAILABLE)
    assert {c for c, p in table.items() if p == 0} == set(AVAILABLE) - {"PCMU/8000/1"}


def test_codecs_names_are_case_insensitive() -> None:
    assert priorities(AVAILABLE, ("pcmu", "Opus", "ILBC")) == priorities(
        AVAILABLE, ("PCMU", "opus", "iLBC")
    )
    assert enabled(priorities(AVAILABLE, ("pcmu", "Opus", "ILBC"))) == [
        "PCMU/8000/1",
        "opus/48000/2",
        "iLBC/8000/1",
    ]


def test_codecs_name_with_rate_matches_only_that_rate() -> None:
    table = priorities(AVAILABLE, ("speex/16000",))
    assert enabled(table) == ["speex/16000/1"]
    assert table["speex/8000/1"] == 0
    assert table["speex/32000/1"] == 0


def test_codecs_full_id_matches() -> None:
    assert enabled(priorities(AVAILABLE, ("G7221/32000/1",))) == ["G7221/32000/1"]


def test_codecs_bare_name_matches_every_rate() -> None:
    table = priorities(AVAILABLE, ("speex", "PCMU"))
    assert table["speex/16000/1"] == table["speex/8000/1"] == table["speex/32000/1"] == 255
    assert table["PCMU/8000/1"] == 254


def test_codecs_name_is_not_a_prefix_match() -> None:
    # "G722" must not enable G.722.1 ("G7221"), nor "speex/1600" speex/16000.
    assert enabled(priorities(AVAILABLE, ("G722",))) == ["G722/16000/1"]
    assert enabled(priorities(AVAILABLE, ("speex/1600",))) == []


def test_codecs_earlier_mention_wins() -> None:
    table = priorities(AVAILABLE, ("speex/8000", "PCMU", "speex"))
    assert table["speex/8000/1"] == 255  # not lowered by the later bare "speex"
    assert table["PCMU/8000/1"] == 254
    assert table["speex/16000/1"] == table["speex/32000/1"] == 253


def test_codecs_unknown_names_are_skipped_but_use_a_rank() -> None:
    table = priorities(AVAILABLE, ("AMR-WB", "PCMA"))
    assert enabled(table) == ["PCMA/8000/1"]
    assert table["PCMA/8000/1"] == 254


def test_codecs_nothing_wanted_disables_everything() -> None:
    assert set(priorities(AVAILABLE, ()).values()) == {0}


def test_codecs_long_lists_never_disable_a_wanted_codec() -> None:
    wanted = (*(f"x{i}" for i in range(300)), "PCMU")
    assert priorities(AVAILABLE, wanted)["PCMU/8000/1"] == 1


def test_codecs_no_codecs_available() -> None:
    assert priorities([], ("PCMU",)) == {}


# ------------------------------------------------------------------ CodecOrder


@dataclass
class FakeCodecInfo:
    codecId: str  # pjsua2's attribute name
    priority: int = 128


@dataclass
class FakeEndpoint:
    """The two pjsua2.Endpoint methods CodecOrder uses, recording every call."""

    codec_ids: list[str]
    calls: list[tuple[str, int]] = field(default_factory=list)
    enums: int = 0

    def codecEnum2(self) -> list[FakeCodecInfo]:  # pjsua2's names
        self.enums += 1
        return [FakeCodecInfo(c) for c in self.codec_ids]

    def codecSetPriority(self, codec_id: str, priority: int) -> None:
        assert codec_id in self.codec_ids, codec_id
        assert 0 <= priority <= 255
        self.calls.append((codec_id, priority))

    @property
    def table(self) -> dict[str, int]:
        return dict(self.calls)


@pytest.fixture
def endpoint() -> FakeEndpoint:
    return FakeEndpoint(list(AVAILABLE))


def test_codecs_order_applies_every_codec(endpoint: FakeEndpoint) -> None:
    CodecOrder(endpoint).apply(("opus", "PCMU"))
    assert [c for c, _ in endpoint.calls] == AVAILABLE  # each set once, disabled ones too
    assert enabled(endpoint.table) == ["opus/48000/2", "PCMU/8000/1"]
    assert endpoint.table["PCMA/8000/1"] == 0


def test_codecs_order_is_case_insensitive_and_rate_specific(endpoint: FakeEndpoint) -> None:
    CodecOrder(endpoint).apply(("SPEEX/16000", "pcma"))
    assert enabled(endpoint.table) == ["speex/16000/1", "PCMA/8000/1"]


def test_codecs_order_not_reapplied_when_unchanged(endpoint: FakeEndpoint) -> None:
    order = CodecOrder(endpoint)
    order.apply(("PCMU", "PCMA"))
    first = list(endpoint.calls)
    order.apply(("PCMU", "PCMA"))
    assert endpoint.calls == first
    assert endpoint.enums == 1


def test_codecs_order_reapplied_when_changed_and_changed_back(endpoint: FakeEndpoint) -> None:
    # One table for the whole endpoint: each account's order must be put back.
    order = CodecOrder(endpoint)
    order.apply(("PCMU", "PCMA"))
    order.apply(("opus",))
    assert enabled(endpoint.table) == ["opus/48000/2"]
    order.apply(("PCMU", "PCMA"))
    assert enabled(endpoint.table) == ["PCMU/8000/1", "PCMA/8000/1"]
    assert endpoint.enums == 3


def test_codecs_order_same_codecs_other_order_is_a_change(endpoint: FakeEndpoint) -> None:
    order = CodecOrder(endpoint)
    order.apply(("PCMU", "PCMA"))
    order.apply(("PCMA", "PCMU"))
    assert enabled(endpoint.table) == ["PCMA/8000/1", "PCMU/8000/1"]


def test_codecs_order_nothing_available_raises_and_changes_nothing(
    endpoint: FakeEndpoint,
) -> None:
    order = CodecOrder(endpoint)
    with pytest.raises(ValueError, match="none of the profile's codecs") as info:
        order.apply(("AMR", "EVS"))
    message = str(info.value)
    assert "'AMR'" in message and "'EVS'" in message
    assert "PCMU/8000/1" in message  # says what this build does have
    assert endpoint.calls == []  # the previous table stays in force


def test_codecs_order_failed_apply_keeps_previous_order(endpoint: FakeEndpoint) -> None:
    order = CodecOrder(endpoint)
    order.apply(("PCMU",))
    with pytest.raises(ValueError):
        order.apply(("AMR",))
    with pytest.raises(ValueError):
        order.apply(("AMR",))  # reported every time, not remembered as applied
    assert enabled(endpoint.table) == ["PCMU/8000/1"]
    calls = len(endpoint.calls)
    order.apply(("PCMU",))  # still in force, so nothing to redo
    assert len(endpoint.calls) == calls


def test_codecs_order_on_endpoint_without_codecs() -> None:
    with pytest.raises(ValueError, match="this build has: \\)"):
        CodecOrder(FakeEndpoint([])).apply(("PCMU",))


@pytest.mark.skipif(sys.platform != "linux", reason="seen exported by the Linux wheel only")
def test_g722_level_setter_is_found_in_this_wheel() -> None:
    from softphone.engine import codecs

    codecs._g722_pcm_shift_setter.cache_clear()
    assert codecs._g722_pcm_shift_setter() is not None


def test_a_build_without_the_g722_level_setter_is_logged_once_and_left_alone(
    monkeypatch, caplog
) -> None:
    import logging

    from softphone.engine import codecs

    class NoSuchSymbol:  # what ctypes gives for a library that does not export it
        def __getattr__(self, name: str):
            raise AttributeError(f"undefined symbol: {name}")

    monkeypatch.setattr(codecs.ctypes, "CDLL", lambda _path: NoSuchSymbol())
    codecs._g722_pcm_shift_setter.cache_clear()
    try:
        with caplog.at_level(logging.INFO, logger=codecs.__name__):
            assert codecs.match_g722_level_to_spandsp() is False
            assert codecs.match_g722_level_to_spandsp() is False
    finally:
        codecs._g722_pcm_shift_setter.cache_clear()
    notes = [r for r in caplog.records if "G.722 level" in r.getMessage()]
    assert [r.levelname for r in notes] == ["INFO"], notes


@pytest.mark.parametrize(
    ("installed", "shift_0_status", "shifts", "active"),
    [
        (True, 0, [0], True),  # our decode scales; pjmedia's codec does not
        (True, 70004, [0, 1], False),  # pjmedia refused 0: it scales, ours passes through
        (False, 0, [1], False),  # no decode of ours: pjmedia at spandsp's level
    ],
)
def test_g722_scaling_is_done_by_exactly_one_side(
    monkeypatch, installed, shift_0_status, shifts, active
) -> None:
    from softphone.engine import codecs, g722_precision

    asked, activated = [], []

    def setter(shift: int) -> int:
        asked.append(shift)
        return shift_0_status if shift == 0 else 0

    monkeypatch.setattr(codecs, "_g722_pcm_shift_setter", lambda: setter)
    monkeypatch.setattr(g722_precision, "install", lambda: installed)
    monkeypatch.setattr(g722_precision, "activate", activated.append)
    assert codecs.match_g722_level_to_spandsp() is True
    assert asked == shifts
    assert activated == [active]
