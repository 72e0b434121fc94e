r"""Keep secrets out of logs: a text redactor and a logging filter that applies it.

Any thread, pure apart from the registry of literal secrets (guarded by a lock).

What counts as secret here:

* SIP `Authorization:` / `Proxy-Authorization:` credentials (everything after the
  scheme word, continuation lines included). `WWW-Authenticate` / `Proxy-Authenticate`
  challenges are public — the nonce is sent in the clear by design — and stay readable.
* SDP keys: every `inline:` key of `a=crypto` (SDES-SRTP), the `k=` line, and
  `a=ice-pwd` (it authenticates ICE connectivity checks). `a=fingerprint` is public.
* Values of keys that name a password, passphrase or secret, and `pin`, written
  `k=v`, `k: v`, `"k": "v"` or `'k': 'v'`.
* Literal strings registered at run time with `register_secret()`, such as the SIP
  password once it has been read from the keyring.

Log text is often a `repr()` of bytes, so `\r\n` written as escape sequences also
ends a header line.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.parse
from typing import Protocol

MARKER = "[REDACTED]"
# Shorter values would blank out ordinary words and digits all over the log.
MIN_SECRET_LENGTH = 4

_NOT_MARKER = r"(?!\[REDACTED\])"
# A line ends at a real newline or at an escaped one in a repr() ("\r\n" or "\n").
_LINE_CHAR = r"(?:[^\r\n\\]|\\(?![rn]))"
_LINE_END = r"(?:\r?\n|\\r\\n|\\n)"
# Where a name may start: not inside a longer word, but right after an escaped newline.
_START = r"(?:(?<![\w.-])|(?<=\\[nrt]))"

# A scheme word is only kept when a space follows it; a bare token is the secret itself.
_SCHEME = r"([A-Za-z][\w-]*(?=[ \t]))?"
# A folded line continues the header unless it starts a new "Name:" header.
_FOLDED = rf"(?:{_LINE_END}[ \t]+(?![A-Za-z][\w-]*[ \t]*:){_LINE_CHAR}*)"

_AUTH_HEADER = re.compile(
    rf"{_START}((?:proxy-)?authorization[ \t]*:[ \t]*){_SCHEME}({_LINE_CHAR}*{_FOLDED}*)",
    re.IGNORECASE,
)
# The same header as a JSON/dict key: the value ends at its closing quote.
_AUTH_QUOTED = re.compile(
    rf"""{_START}((?:proxy-)?authorization)(["'])([ \t]*[:=][ \t]*)(["'])"""
    rf"{_SCHEME}((?:(?!\4)[^\\]|\\.)*)",
    re.IGNORECASE,
)
_SDP_INLINE_KEY = re.compile(rf"(inline:){_NOT_MARKER}[^|\s;\\]+", re.IGNORECASE)
_SDP_ICE_PWD = re.compile(rf"{_START}(a=ice-pwd:[ \t]*){_NOT_MARKER}[^\s\\]+", re.IGNORECASE)
# pjsip's SRTP transport logs its master keys at level 5 ("TX: <suite> key=<base64>").
_SRTP_LOG_KEY = re.compile(rf"(\bkey=){_NOT_MARKER}[A-Za-z0-9+/=]{{8,}}")
# "k=" is an SDP line only at the start of a line (real or escaped newline).
_SDP_K_LINE = re.compile(rf"(?:^|(?<=\\n))(k=){_NOT_MARKER}[^\r\n\\]+", re.MULTILINE)

# A whole word naming a secret, or exactly "pin". The lookahead finds the keyword and the
# possessive `++` takes the word without backtracking, so a hostile 1 MB word of repeated
# keywords costs linear time instead of hours.
_SECRET_KEY = (
    r"(?:(?=[\w.-]*?(?:password|passwd|passphrase|passcode|auth_pass|secret))[\w.-]++"
    r"|pin(?![\w.-]))"
)
_KEY_VALUE = re.compile(
    rf"""{_START}({_SECRET_KEY}["']?[ \t]*[:=][ \t]*)"""
    rf"""{_NOT_MARKER}(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(["']?[^\s,;&}}\])"']+))""",
    re.IGNORECASE,
)


class _Revealable(Protocol):
    def reveal(self) -> str: ...


_lock = threading.Lock()
_registered: set[str] = set()
# Longest first, so a secret that contains another one is removed whole. Plain substring
# search, not one compiled alternation: re has no multi-literal matcher, so the regex was
# no faster per line, and recompiling it on every registration cost up to 50 ms on the
# engine thread once a few identity keys (PEM, hundreds of characters) were registered.
_registered_ordered: tuple[str, ...] = ()


def register_secret(value: str | _Revealable) -> None:
    """Redact `value` (a str, or a `Secret`) wherever it appears from now on.

    The URL-encoded and JSON-escaped spellings are registered too, because that is how a
    password with special characters shows up in URIs and dumped configuration.
    """
    text = value if isinstance(value, str) else value.reveal()
    if len(text) < MIN_SECRET_LENGTH or text in MARKER:
        return
    variants = {text, urllib.parse.quote(text, safe=""), json.dumps(text)[1:-1]}
    global _registered_ordered
    with _lock:
        _registered.update(v for v in variants if len(v) >= MIN_SECRET_LENGTH)
        _registered_ordered = _longest_first(_registered)


def unregister_secret(value: str | _Revealable) -> None:
    text = value if isinstance(value, str) else value.reveal()
    variants = {text, urllib.parse.quote(text, safe=""), json.dumps(text)[1:-1]}
    global _registered_ordered
    with _lock:
        _registered.difference_update(variants)
        _registered_ordered = _longest_first(_registered)


def clear_registered_secrets() -> None:
    global _registered_ordered
    with _lock:
        _registered.clear()
        _registered_ordered = ()


def _longest_first(values: set[str]) -> tuple[str, ...]:
    return tuple(sorted(values, key=len, reverse=True))


def contains_registered_secret(text: str) -> bool:
    """Whether `text` holds a value registered as a secret (any spelling registered)."""
    return any(v in text for v in _registered_ordered)


def redact(text: str) -> str:
    """Return `text` with every secret replaced by `[REDACTED]`; idempotent."""
    for value in _registered_ordered:  # one read: a concurrent registration swaps it whole
        if value in text:
            text = text.replace(value, MARKER)
    text = _AUTH_HEADER.sub(_auth_header_replacement, text)
    text = _AUTH_QUOTED.sub(_auth_quoted_replacement, text)
    text = _SDP_INLINE_KEY.sub(rf"\1{MARKER}", text)
    text = _SRTP_LOG_KEY.sub(rf"\1{MARKER}", text)
    text = _SDP_ICE_PWD.sub(rf"\1{MARKER}", text)
    text = _SDP_K_LINE.sub(rf"\1{MARKER}", text)
    return _KEY_VALUE.sub(_key_value_replacement, text)


def _auth_header_replacement(match: re.Match[str]) -> str:
    prefix, scheme, credentials = match.group(1, 2, 3)
    if not (scheme or credentials.strip()):
        return match.group(0)  # "Authorization:" with nothing after it hides nothing
    return f"{prefix}{_shown_scheme(scheme, credentials)}{MARKER}"


def _shown_scheme(scheme: str | None, credentials: str) -> str:
    return f"{scheme} " if scheme and credentials.strip() else ""


def _auth_quoted_replacement(match: re.Match[str]) -> str:
    name, quote, separator, value_quote, scheme, credentials = match.groups()
    shown = _shown_scheme(scheme, credentials)
    return f"{name}{quote}{separator}{value_quote}{shown}{MARKER}"


def _key_value_replacement(match: re.Match[str]) -> str:
    prefix = match.group(1)
    if match.group(2) is not None:
        return f'{prefix}"{MARKER}"'
    if match.group(3) is not None:
        return f"{prefix}'{MARKER}'"
    return f"{prefix}{MARKER}"


class RedactingFilter(logging.Filter):
    """Redacts a record's message and exception text in place; never drops a record.

    It belongs on handlers, not loggers: a logger's filters only see records logged
    on that very logger, not those propagated up from child loggers
    (`logging.getLogger("softphone.engine")` → root), whereas every record a handler
    emits passes through the handler's filters.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact_record(record)
        except Exception:
            # Fail closed: losing one message is better than leaking a password.
            record.msg = "[log message withheld: it could not be redacted]"
            record.args = None
            record.exc_info = record.exc_text = record.stack_info = None
        return True

    def _redact_record(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            # Broken %-args: logging would print them raw from handleError; don't.
            message = f"{record.msg} [log arguments could not be formatted]"
        record.msg = redact(str(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        # Formatters use exc_text when it is set; dropping the traceback object keeps a
        # formatter that renders exc_info itself from bringing the secret back.
        record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)


def install(logger: logging.Logger | None = None) -> None:
    """Put one RedactingFilter on every handler of `logger` (default: root); idempotent.

    Handlers added later need `add_handler()` (or another `install()`). For the root
    logger, logging's last-resort stderr handler (used when no handler is configured)
    is covered too.
    """
    target = logger or logging.getLogger()
    for handler in list(target.handlers):
        protect(handler)
    if target is logging.getLogger() and logging.lastResort is not None:
        protect(logging.lastResort)


def add_handler(logger: logging.Logger, handler: logging.Handler) -> None:
    protect(handler)
    logger.addHandler(handler)


def protect(handler: logging.Handler) -> None:
    """Attach a RedactingFilter to `handler` unless it already has one."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())
