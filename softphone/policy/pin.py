"""PIN authorization codes for calls the dial policy marks "needs PIN".

The PIN is kept only as a salted scrypt hash (`hash_pin`); it is compared in
constant time and never logged, stored in history or shown. Guessing is limited
by `Attempts`, a pure state machine: each failure doubles the wait before the next
try (1 s, 2 s, 4 s...), and `max_failures` in a row lock PIN entry for `lockout_s`.

`PinAuthority` is the stateful part, any thread (one lock): it keeps the attempt
state in a small JSON file so a lockout survives a restart, and after a correct PIN
issues a `DialAuthorization` for one target, valid for a short time. The engine
accepts a "needs PIN" call only with an authorization it can verify (an HMAC under
a key that lives in this process only), so no path can dial such a number by
skipping the prompt.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from softphone.security.secret import Secret

_SCHEME = "scrypt"
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024
PIN_DIGITS = range(4, 13)
AUTHORIZATION_TTL_S = 60.0


class PinRefusal(enum.StrEnum):
    """`PinError.code`: why, as a fixed value (a UI says it in its own words)."""

    NOT_SET_UP = "not_set_up"
    FORMAT = "format"  # args: low, high (digits)
    WRONG = "wrong"  # args: left (tries)
    LOCKED = "locked"  # args: minutes
    WAIT = "wait"  # args: seconds


class PinError(Exception):
    """A PIN was refused; the message says why and never contains the PIN. `code` and
    `args` say the same as values (None and {} where a caller raised it without)."""

    def __init__(
        self, message: str, code: PinRefusal | None = None, args: dict[str, int] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.values = dict(args or {})


class PinFormatError(PinError, ValueError):
    pass


def check_pin_format(pin: Secret) -> None:
    value = pin.reveal()
    if not value.isascii() or not value.isdigit() or len(value) not in PIN_DIGITS:
        low, high = PIN_DIGITS.start, PIN_DIGITS.stop - 1
        raise PinFormatError(
            f"a PIN is {low} to {high} digits (0-9)", PinRefusal.FORMAT, {"low": low, "high": high}
        )


def hash_pin(pin: Secret, *, n: int = _N, r: int = _R, p: int = _P) -> str:
    """`scrypt$n$r$p$salt$hash` (base64): parameters travel with the hash."""
    check_pin_format(pin)
    salt = os.urandom(16)
    digest = _scrypt(pin, salt, n, r, p)
    return "$".join([_SCHEME, str(n), str(r), str(p), _b64(salt), _b64(digest)])


def verify_pin(pin: Secret, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(pin, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(pin: Secret, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.reveal().encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- guessing limits (pure) ------------------------------------------------------------


@dataclass(frozen=True)
class AttemptRules:
    max_failures: int = 5
    lockout_s: float = 15 * 60
    first_delay_s: float = 1.0


@dataclass(frozen=True)
class Attempts:
    """Failures in a row and when the next try may happen (wall-clock seconds)."""

    failures: int = 0
    not_before: float = 0.0

    def wait(self, now: float) -> float:
        return max(0.0, self.not_before - now)

    def after_failure(self, now: float, rules: AttemptRules) -> Attempts:
        failures = self.failures + 1
        if failures >= rules.max_failures:
            return Attempts(failures, now + rules.lockout_s)
        return Attempts(failures, now + rules.first_delay_s * 2 ** (failures - 1))

    def after_lockout(self, now: float, rules: AttemptRules) -> Attempts:
        """A lockout that has run out gives one more full series of tries."""
        if self.failures >= rules.max_failures and self.wait(now) == 0:
            return Attempts()
        return self


# -- authority (stateful) --------------------------------------------------------------


@dataclass(frozen=True)
class DialAuthorization:
    """Proof that the PIN was given for `target` (a `Target.key`), until `expires`."""

    target: str
    expires: float  # time.monotonic()
    tag: bytes = field(repr=False)


class PinAuthority:
    def __init__(
        self,
        pin_hash: str | None,
        state_path: Path | None = None,
        *,
        rules: AttemptRules = AttemptRules(),
        wall: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pin_hash = pin_hash
        self._state_path = state_path
        self._rules = rules
        self._wall, self._clock = wall, clock
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._attempts = self._load()

    @property
    def configured(self) -> bool:
        return bool(self._pin_hash)

    def authorize(self, target: str, pin: Secret) -> DialAuthorization:
        """A `DialAuthorization` for `target`, or `PinError` saying why not."""
        with self._lock:
            if not self._pin_hash:
                raise PinError(
                    "no authorization code is set up on this computer", PinRefusal.NOT_SET_UP
                )
            now = self._wall()
            renewed = self._attempts.after_lockout(now, self._rules)
            if renewed != self._attempts:
                self._attempts = renewed
                self._save()
            wait = self._attempts.wait(now)
            if wait > 0:
                raise _wait_error(wait, self._attempts, self._rules)
            if not verify_pin(pin, self._pin_hash):
                self._attempts = self._attempts.after_failure(now, self._rules)
                self._save()
                left = self._rules.max_failures - self._attempts.failures
                if left <= 0:
                    raise _wait_error(self._rules.lockout_s, self._attempts, self._rules)
                raise PinError(
                    f"wrong authorization code ({left} tries left)",
                    PinRefusal.WRONG,
                    {"left": left},
                )
            if self._attempts.failures:
                self._attempts = Attempts()
                self._save()
            expires = self._clock() + AUTHORIZATION_TTL_S
            return DialAuthorization(target, expires, self._tag(target, expires))

    def verify(self, authorization: DialAuthorization | None, target: str) -> bool:
        if authorization is None or authorization.target != target:
            return False
        if self._clock() > authorization.expires:
            return False
        expected = self._tag(target, authorization.expires)
        return hmac.compare_digest(expected, authorization.tag)

    def attempts(self) -> Attempts:
        with self._lock:
            return self._attempts

    def _tag(self, target: str, expires: float) -> bytes:
        message = f"{target}\n{expires!r}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def _load(self) -> Attempts:
        if self._state_path is None:
            return Attempts()
        try:
            data = json.loads(self._state_path.read_text())
            return replace(
                Attempts(), failures=int(data["failures"]), not_before=float(data["not_before"])
            )
        except FileNotFoundError:
            return Attempts()
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged state file must not reset the counter to zero: treat it as a
            # lockout that starts now.
            return Attempts(self._rules.max_failures, self._wall() + self._rules.lockout_s)

    def _save(self) -> None:
        if self._state_path is None:
            return
        data = {"failures": self._attempts.failures, "not_before": self._attempts.not_before}
        directory = self._state_path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".pin-attempts.")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._state_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _wait_error(wait: float, attempts: Attempts, rules: AttemptRules) -> PinError:
    seconds = int(wait + 0.999)
    if attempts.failures >= rules.max_failures:
        minutes = max(1, (seconds + 59) // 60)
        return PinError(
            f"too many wrong authorization codes: locked for {minutes} min",
            PinRefusal.LOCKED,
            {"minutes": minutes},
        )
    return PinError(
        f"wait {seconds} s before trying the authorization code again",
        PinRefusal.WAIT,
        {"seconds": seconds},
    )
