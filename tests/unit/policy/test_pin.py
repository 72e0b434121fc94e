"""PIN hashes, guessing limits and dial authorizations."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from softphone.policy.pin import (
    AttemptRules,
    Attempts,
    PinAuthority,
    PinError,
    PinFormatError,
    hash_pin,
    verify_pin,
)
from softphone.security.secret import Secret

FAST = {"n": 2**10}  # keeps the unit tests quick; the default is 2**15


class Clock:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_pin(Secret("4821"), **FAST)


def test_hash_is_salted_and_verifies(stored: str) -> None:
    assert stored.startswith("scrypt$1024$8$1$")
    assert "4821" not in stored
    assert hash_pin(Secret("4821"), **FAST) != stored  # a new salt each time
    assert verify_pin(Secret("4821"), stored)
    assert not verify_pin(Secret("4822"), stored)
    assert not verify_pin(Secret("4821"), "garbage")
    assert not verify_pin(Secret("4821"), "bcrypt$1$2$3$AAAA$AAAA")


def test_default_parameters_are_slow_enough() -> None:
    assert hash_pin(Secret("123456")).startswith("scrypt$32768$8$1$")


@pytest.mark.parametrize("pin", ["", "123", "12a4", "1234567890123", "１２３４", "12 34"])
def test_pin_format(pin: str) -> None:
    with pytest.raises(PinFormatError) as info:
        hash_pin(Secret(pin), **FAST)
    assert pin.strip() == "" or pin not in str(info.value)


def test_attempts_back_off_then_lock_out() -> None:
    rules = AttemptRules(max_failures=4, lockout_s=600, first_delay_s=1)
    a = Attempts()
    waits = []
    for _ in range(4):
        a = a.after_failure(100.0, rules)
        waits.append(a.wait(100.0))
    assert waits == [1, 2, 4, 600]
    assert a.after_lockout(699.0, rules) == a  # still locked
    assert a.after_lockout(700.0, rules) == Attempts()  # a fresh series


def _authority(stored: str, tmp_path: Path, clock: Clock, **kw: object) -> PinAuthority:
    return PinAuthority(stored, tmp_path / "pin-attempts.json", wall=clock, clock=clock, **kw)


def test_right_pin_authorizes_one_target_for_a_while(stored: str, tmp_path: Path) -> None:
    clock = Clock()
    authority = _authority(stored, tmp_path, clock)
    auth = authority.authorize("+442079460000", Secret("4821"))
    assert authority.verify(auth, "+442079460000")
    assert not authority.verify(auth, "+442079460001")
    assert not authority.verify(None, "+442079460000")
    forged = dataclasses.replace(auth, target="+19005550100")
    assert not authority.verify(forged, "+19005550100")
    other = _authority(stored, tmp_path, clock)
    assert not other.verify(auth, "+442079460000")  # the key lives in one process only
    clock.t += 61
    assert not authority.verify(auth, "+442079460000")
    assert "4821" not in repr(auth)


def test_wrong_pins_are_limited_and_the_lockout_survives_a_restart(
    stored: str, tmp_path: Path
) -> None:
    clock = Clock()
    rules = AttemptRules(max_failures=3, lockout_s=900, first_delay_s=1)
    authority = _authority(stored, tmp_path, clock, rules=rules)
    with pytest.raises(PinError, match="2 tries left") as first:
        authority.authorize("x", Secret("0000"))
    assert "0000" not in str(first.value)
    with pytest.raises(PinError, match="wait 1 s"):
        authority.authorize("x", Secret("4821"))  # even the right PIN must wait
    clock.t += 1
    with pytest.raises(PinError, match="1 tries left"):
        authority.authorize("x", Secret("1111"))
    clock.t += 2
    with pytest.raises(PinError, match="locked for 15 min"):
        authority.authorize("x", Secret("2222"))
    restarted = _authority(stored, tmp_path, clock, rules=rules)
    with pytest.raises(PinError, match="locked"):
        restarted.authorize("x", Secret("4821"))
    clock.t += 900
    assert restarted.verify(restarted.authorize("x", Secret("4821")), "x")
    state = json.loads((tmp_path / "pin-attempts.json").read_text())
    assert state == {"failures": 0, "not_before": 0.0}


def test_a_damaged_attempts_file_locks_rather_than_resets(stored: str, tmp_path: Path) -> None:
    (tmp_path / "pin-attempts.json").write_text("{not json")
    clock = Clock()
    authority = _authority(stored, tmp_path, clock)
    with pytest.raises(PinError, match="locked"):
        authority.authorize("x", Secret("4821"))


def test_no_pin_configured(tmp_path: Path) -> None:
    authority = PinAuthority(None, tmp_path / "a.json")
    assert not authority.configured
    with pytest.raises(PinError, match="no authorization code"):
        authority.authorize("x", Secret("4821"))
