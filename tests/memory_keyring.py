"""A keyring backend that keeps secrets in the process's memory, for subprocess tests
that need a *usable* OS keyring without touching the developer's real one:
`PYTHON_KEYRING_BACKEND=memory_keyring.MemoryKeyring` with `tests/` on PYTHONPATH."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")  # as real backends do
