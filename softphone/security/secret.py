"""A wrapper that keeps secrets out of reprs, logs and tracebacks.

Any thread. The value is only reachable through `reveal()`, so an accidental
`print(command)` or a dataclass repr shows `Secret(***)`.
"""

from __future__ import annotations


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self):  # never pickled into a file by accident
        raise TypeError("a Secret cannot be pickled")
