"""Why an enterprise directory operation failed, in words for the user.

Pure and thread-safe: `classify_error` turns an ldap3, ssl or socket exception, and the
step it was raised in, into one `EnterpriseDirectoryError` with a `kind` for code and a
message for people ("server certificate not trusted", "wrong bind DN or password").
Messages name the server and, where it helps, the bind DN or base DN; never a password.
"""

from __future__ import annotations

import enum
import errno
import re
import socket
import ssl
from dataclasses import dataclass

from ldap3.core import exceptions as lx

from softphone.directory.enterprise_config import Endpoint


class DirectoryErrorKind(enum.Enum):
    UNTRUSTED_CERTIFICATE = "untrusted-certificate"
    WRONG_HOST_CERTIFICATE = "wrong-host-certificate"
    INVALID_CERTIFICATE = "invalid-certificate"  # expired, not yet valid, unusable
    TLS_FAILED = "tls-failed"  # the handshake failed for another reason
    STARTTLS_REFUSED = "starttls-refused"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    CONNECTION_LOST = "connection-lost"
    INVALID_CREDENTIALS = "invalid-credentials"
    NO_SUCH_BASE = "no-such-base"
    REFUSED = "refused"  # any other LDAP result code
    CA_FILE = "ca-file"
    OTHER = "other"


class EnterpriseDirectoryError(Exception):
    """What went wrong, in words for the user; `kind` for code that must tell them apart."""

    def __init__(self, kind: DirectoryErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


# OpenSSL X509_V_ERR_* codes (ssl.SSLCertVerificationError.verify_code).
_UNTRUSTED_CODES = {2, 18, 19, 20, 21}  # unknown issuer; self-signed leaf or chain
_WRONG_HOST_CODES = {62, 64}  # host name mismatch, IP address mismatch
# Active Directory's reason for a failed bind, the "data NNN" of its diagnostic message.
_AD_BIND_REASONS = {
    "530": "not permitted to log on at this time",
    "531": "not permitted to log on at this workstation",
    "532": "password expired",
    "533": "account disabled",
    "701": "account expired",
    "773": "the password must be changed first",
    "775": "account locked out",
}
_DOING = {
    "resolve": "name resolution",
    "connect": "connection",
    "tls": "TLS handshake",
    "starttls": "StartTLS",
    "bind": "bind",
    "search": "search",
    "check": "base DN check",
}
_WAITING = {
    "tls": "waiting for the TLS handshake",
    "starttls": "waiting for the answer to StartTLS",
    "bind": "waiting for the answer to the bind",
    "search": "waiting for search results",
    "check": "waiting for the base DN",
}


@dataclass(frozen=True)
class ErrorContext:
    """What a message needs to know about the attempt that failed."""

    endpoint: Endpoint
    timeout: int
    bind_dn: str | None
    base_dn: str
    ca_file: str | None


def classify_error(exc: BaseException, step: str, ctx: ErrorContext) -> EnterpriseDirectoryError:
    """The user's explanation of an ldap3 or socket exception raised during `step`."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _certificate_error(exc, ctx)
    if isinstance(exc, TimeoutError):
        return error_at(DirectoryErrorKind.TIMEOUT, ctx, _timeout_text(step, ctx))
    if isinstance(exc, ssl.SSLError):
        return error_at(DirectoryErrorKind.TLS_FAILED, ctx, _tls_failure_text(exc))
    if step == "connect" and isinstance(exc, OSError | lx.LDAPCommunicationError):
        return error_at(DirectoryErrorKind.UNREACHABLE, ctx, _unreachable_text(exc, ctx))
    if step == "starttls" and isinstance(exc, lx.LDAPOperationResult | lx.LDAPStartTLSError):
        why = _server_words(exc) or "the server does not offer TLS on this port"
        return error_at(
            DirectoryErrorKind.STARTTLS_REFUSED, ctx, f"StartTLS refused by server ({why})"
        )
    if isinstance(exc, lx.LDAPOperationResult):
        return _result_error(exc, step, ctx)
    if isinstance(exc, OSError | lx.LDAPCommunicationError):
        text = f"the server closed the connection during the {_DOING.get(step, step)}"
        return error_at(DirectoryErrorKind.CONNECTION_LOST, ctx, text)
    text = f"the {_DOING.get(step, step)} failed ({type(exc).__name__}: {exc})"
    return error_at(DirectoryErrorKind.OTHER, ctx, text)


def error_at(kind: DirectoryErrorKind, ctx: ErrorContext, text: str) -> EnterpriseDirectoryError:
    return EnterpriseDirectoryError(kind, f"{ctx.endpoint}: {text}")


def _certificate_error(
    exc: ssl.SSLCertVerificationError, ctx: ErrorContext
) -> EnterpriseDirectoryError:
    reason = getattr(exc, "verify_message", None) or "verification failed"
    code = getattr(exc, "verify_code", None)
    if code in _WRONG_HOST_CODES:
        text = f"certificate is for another host: it is not valid for {ctx.endpoint.host}"
        return error_at(DirectoryErrorKind.WRONG_HOST_CERTIFICATE, ctx, text)
    if code in _UNTRUSTED_CODES:
        trusted = f"the CA in {ctx.ca_file}" if ctx.ca_file else "the system's trusted CAs"
        text = f"server certificate not trusted ({reason}; checked against {trusted})"
        return error_at(DirectoryErrorKind.UNTRUSTED_CERTIFICATE, ctx, text)
    return error_at(
        DirectoryErrorKind.INVALID_CERTIFICATE, ctx, f"server certificate rejected: {reason}"
    )


def _timeout_text(step: str, ctx: ErrorContext) -> str:
    after = f"timed out after {ctx.timeout} s"
    if step == "resolve":
        return f"{after} resolving {ctx.endpoint.host}"
    if step == "connect":
        return (
            f"{after} connecting: server unreachable "
            "(the host may be down, or a firewall drops the packets)"
        )
    return f"{after} {_WAITING.get(step, step)}"


def _tls_failure_text(exc: ssl.SSLError) -> str:
    reason = getattr(exc, "reason", None) or ""
    if reason == "WRONG_VERSION_NUMBER" or isinstance(exc, ssl.SSLEOFError):
        return (
            "TLS handshake failed: the server did not answer with TLS "
            "(is this a plain ldap:// port? use its ldaps:// port, or StartTLS)"
        )
    if "PROTOCOL_VERSION" in reason or reason == "UNSUPPORTED_PROTOCOL":
        return "TLS handshake failed: the server offers no TLS version from 1.2 up"
    return f"TLS handshake failed ({reason or exc})"


def _unreachable_text(exc: BaseException, ctx: ErrorContext) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"server unreachable: connection refused "
            f"(nothing listens on port {ctx.endpoint.port}, or a firewall rejects it)"
        )
    if isinstance(exc, socket.gaierror):
        return f"server unreachable: the name {ctx.endpoint.host} does not resolve ({exc.strerror})"
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "server unreachable: no route to the host (check the network connection)"
    # ldap3 re-creates socket errors from their text, so errno is gone; keep its words.
    return f"server unreachable ({str(exc).rpartition(': ')[2] or type(exc).__name__})"


def _server_words(exc: BaseException) -> str:
    """The server's diagnostic message, else the LDAP result's name."""
    message = getattr(exc, "message", None)
    description = getattr(exc, "description", None)
    return str(message or description or "").strip()


def _result_error(
    exc: lx.LDAPOperationResult, step: str, ctx: ErrorContext
) -> EnterpriseDirectoryError:
    code, said = exc.result, _server_words(exc)
    kind = DirectoryErrorKind
    if step == "bind" and code in (34, 49):  # invalidDNSyntax, invalidCredentials
        return error_at(kind.INVALID_CREDENTIALS, ctx, _bind_refusal_text(said, ctx))
    if step == "bind" and code == 48:  # inappropriateAuthentication
        text = "wrong bind DN or password (the server does not allow an anonymous bind)"
        return error_at(kind.INVALID_CREDENTIALS, ctx, text)
    if code == 32:  # noSuchObject
        matched = f"; the server knows {exc.dn}" if exc.dn else ""
        return error_at(kind.NO_SUCH_BASE, ctx, f"base DN does not exist: {ctx.base_dn}{matched}")
    if code in (8, 13):  # strongerAuthRequired, confidentialityRequired
        text = f"the server requires a secure connection ({said})"
        return error_at(kind.REFUSED, ctx, text)
    if code == 1 and ctx.bind_dn is None:  # AD: operationsError for anonymous searches
        text = f"the server refused an anonymous {_DOING[step]}; set a bind DN ({said})"
        return error_at(kind.REFUSED, ctx, text)
    text = f"the server refused the {_DOING.get(step, step)}: {exc.description} ({said})"
    return error_at(kind.REFUSED, ctx, text)


def _bind_refusal_text(said: str, ctx: ErrorContext) -> str:
    who = f" for {ctx.bind_dn}" if ctx.bind_dn else ""
    match = re.search(r"\bdata ([0-9a-f]{3})\b", said)
    reason = _AD_BIND_REASONS.get(match.group(1)) if match else None
    if reason:
        return f"bind refused{who}: {reason} (Active Directory code {match.group(1)})"
    return f"wrong bind DN or password{who}"
