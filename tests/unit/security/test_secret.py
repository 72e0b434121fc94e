"""Unit tests for softphone.security.secret: a value that never shows itself by accident."""

from __future__ import annotations

import copy
import logging
import pickle
from dataclasses import dataclass

import pytest

from softphone.security.secret import Secret

VALUE = "hunter2-Tr0ub4dor&3"


def test_secret_reveal_returns_the_value() -> None:
    assert Secret(VALUE).reveal() == VALUE


def test_secret_repr_and_str_hide_the_value() -> None:
    secret = Secret(VALUE)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret):  # noqa: UP031
        assert text == "Secret(***)"
        assert VALUE not in text


def test_secret_hidden_inside_containers_and_dataclasses() -> None:
    @dataclass
    class Login:
        user: str
        password: Secret

    login = Login("alice", Secret(VALUE))
    for text in (repr(login), str([login.password]), str({"pw": login.password})):
        assert VALUE not in text
        assert "Secret(***)" in text


def test_secret_hidden_in_log_records(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test_secret").info("registering with %s", Secret(VALUE))
    assert VALUE not in caplog.text
    assert "Secret(***)" in caplog.text


def test_secret_hidden_in_exception_text() -> None:
    with pytest.raises(RuntimeError) as info:
        raise RuntimeError(f"login failed for {Secret(VALUE)}")
    assert VALUE not in str(info.value)


def test_secret_has_no_dict_to_leak_through() -> None:
    secret = Secret(VALUE)
    assert not hasattr(secret, "__dict__")
    with pytest.raises(AttributeError):
        secret.other = "x"  # type: ignore[attr-defined]


def test_secret_equality_by_value() -> None:
    assert Secret(VALUE) == Secret(VALUE)
    assert Secret(VALUE) != Secret(VALUE + "x")
    assert Secret("") == Secret("")


def test_secret_never_equals_the_plain_string() -> None:
    assert Secret(VALUE) != VALUE
    assert Secret(VALUE) != object()


def test_secret_hash_follows_equality() -> None:
    assert hash(Secret(VALUE)) == hash(Secret(VALUE))
    assert len({Secret(VALUE), Secret(VALUE), Secret("other")}) == 2
    assert hash(Secret(VALUE)) != hash(VALUE)


def test_secret_truthiness() -> None:
    assert Secret(VALUE)
    assert not Secret("")


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_secret_pickling_refused(protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(VALUE), protocol=protocol)


def test_secret_pickling_refused_inside_containers() -> None:
    with pytest.raises(TypeError):
        pickle.dumps({"account": "alice", "password": Secret(VALUE)})


def test_secret_copy_refused_too() -> None:
    # copy goes through __reduce__ as well: a Secret is passed by reference, never cloned.
    with pytest.raises(TypeError):
        copy.deepcopy(Secret(VALUE))
