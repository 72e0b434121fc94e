"""Unit tests for softphone.security.credentials: the SIP password from env or a prompt."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from softphone.security import redaction
from softphone.security.credentials import PASSWORD_ENV, CredentialError, obtain_password
from softphone.security.secret import Secret

PASSWORD = "c0rrect-horse-battery"
TYPED = "typed-at-the-prompt-42"


@pytest.fixture(autouse=True)
def registry() -> Iterator[None]:
    """Each test starts and ends with no secrets registered with the redactor."""
    redaction.clear_registered_secrets()
    yield
    redaction.clear_registered_secrets()


class Prompt:
    """Stands in for getpass.getpass, recording what it was asked."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, text: str) -> str:
        self.asked.append(text)
        return self.answer


class Tty(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_credentials_env_name() -> None:
    assert PASSWORD_ENV == "SOFTPHONE_PASSWORD"


def test_credentials_from_env() -> None:
    secret = obtain_password(
        "alice", "example.com", env={PASSWORD_ENV: PASSWORD}, interactive=False
    )
    assert isinstance(secret, Secret)
    assert secret.reveal() == PASSWORD


def test_credentials_env_wins_over_prompt() -> None:
    prompt = Prompt(TYPED)
    secret = obtain_password(
        "alice", "example.com", env={PASSWORD_ENV: PASSWORD}, prompt=prompt, interactive=True
    )
    assert secret.reveal() == PASSWORD
    assert prompt.asked == []


def test_credentials_from_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    assert obtain_password("alice", "example.com", interactive=False).reveal() == PASSWORD


def test_credentials_prompt_when_interactive() -> None:
    prompt = Prompt(TYPED)
    secret = obtain_password("alice", "example.com", env={}, prompt=prompt, interactive=True)
    assert secret.reveal() == TYPED
    assert prompt.asked == ["Password for alice@example.com: "]


def test_credentials_other_env_vars_are_ignored() -> None:
    prompt = Prompt(TYPED)
    env = {"PASSWORD": PASSWORD, "SOFTPHONE_PASS": PASSWORD, "softphone_password": PASSWORD}
    assert obtain_password("a", "b.example", env=env, prompt=prompt, interactive=True).reveal() == (
        TYPED
    )


def test_credentials_non_interactive_without_env_fails() -> None:
    prompt = Prompt(TYPED)
    with pytest.raises(CredentialError) as info:
        obtain_password("alice", "example.com", env={}, prompt=prompt, interactive=False)
    message = str(info.value)
    assert "alice@example.com" in message
    assert PASSWORD_ENV in message
    assert prompt.asked == []


def test_credentials_interactivity_taken_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    prompt = Prompt(TYPED)
    monkeypatch.setattr("sys.stdin", Tty(False))
    with pytest.raises(CredentialError):
        obtain_password("alice", "example.com", env={}, prompt=prompt)
    assert prompt.asked == []

    monkeypatch.setattr("sys.stdin", Tty(True))
    assert obtain_password("alice", "example.com", env={}, prompt=prompt).reveal() == TYPED
    assert len(prompt.asked) == 1


def test_credentials_empty_prompt_answer_refused() -> None:
    with pytest.raises(CredentialError, match=r"empty password for alice@example\.com"):
        obtain_password("alice", "example.com", env={}, prompt=Prompt(""), interactive=True)


def test_credentials_empty_env_refused_without_prompting() -> None:
    prompt = Prompt(TYPED)
    with pytest.raises(CredentialError, match="empty password"):
        obtain_password(
            "alice", "example.com", env={PASSWORD_ENV: ""}, prompt=prompt, interactive=True
        )
    assert prompt.asked == []


def test_credentials_error_is_a_runtime_error() -> None:
    assert issubclass(CredentialError, RuntimeError)


@pytest.mark.parametrize("source", ["env", "prompt"])
def test_credentials_password_is_redacted_from_then_on(source: str) -> None:
    assert redaction.redact(f"x {PASSWORD} y") == f"x {PASSWORD} y"  # not before
    env = {PASSWORD_ENV: PASSWORD} if source == "env" else {}
    obtain_password("alice", "example.com", env=env, prompt=Prompt(PASSWORD), interactive=True)
    assert redaction.redact(f"x {PASSWORD} y") == f"x {redaction.MARKER} y"


def test_credentials_url_encoded_password_is_redacted_too() -> None:
    password = "p@ss word/42"
    obtain_password("alice", "example.com", env={PASSWORD_ENV: password}, interactive=False)
    assert password not in redaction.redact(f"pw={password}")
    assert "p%40ss%20word%2F42" not in redaction.redact("sip:alice:p%40ss%20word%2F42@host")
