"""Enterprise directory failures in words for the user, from exceptions shaped like the
ones ldap3, ssl and socket raise (the real ones come from slapd in the integration test)."""

from __future__ import annotations

import socket
import ssl

import pytest
from ldap3.core import exceptions as lx

from softphone.directory.enterprise_config import Endpoint
from softphone.directory.enterprise_errors import (
    DirectoryErrorKind,
    ErrorContext,
    classify_error,
)

K = DirectoryErrorKind
CTX = ErrorContext(
    endpoint=Endpoint("ldaps", "dc1.example.com", 636, starttls=False),
    timeout=7,
    bind_dn="CN=Phone Reader,OU=Service,DC=example,DC=com",
    base_dn="DC=example,DC=com",
    ca_file="/etc/softphone/ad-ca.pem",
)


def _verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, f"certificate verify failed: {message}")
    exc.verify_code = code
    exc.verify_message = message
    return exc


def _ldap3_wrapped(base: type[Exception], cause: OSError, text: str) -> Exception:
    # ldap3 re-raises socket errors as a class derived from both its own and the
    # original exception type, built from text only (errno and reason are lost).
    return lx.communication_exception_factory(base, cause)(text)


@pytest.mark.parametrize(
    ("code", "message", "kind", "words"),
    [
        (62, "Hostname mismatch", K.WRONG_HOST_CERTIFICATE, "certificate is for another host"),
        (64, "IP address mismatch", K.WRONG_HOST_CERTIFICATE, "not valid for dc1.example.com"),
        (18, "self-signed certificate", K.UNTRUSTED_CERTIFICATE, "not trusted (self-signed"),
        (20, "unable to get local issuer certificate", K.UNTRUSTED_CERTIFICATE, "ad-ca.pem"),
        (10, "certificate has expired", K.INVALID_CERTIFICATE, "rejected: certificate has"),
    ],
)
def test_enterprise_errors_certificates(
    code: int, message: str, kind: DirectoryErrorKind, words: str
) -> None:
    error = classify_error(_verify_error(code, message), "tls", CTX)
    assert error.kind is kind
    assert words in str(error)
    assert str(error).startswith("ldaps://dc1.example.com:636: ")


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ("resolve", "timed out after 7 s resolving dc1.example.com"),
        ("connect", "timed out after 7 s connecting: server unreachable"),
        ("tls", "timed out after 7 s waiting for the TLS handshake"),
        ("starttls", "timed out after 7 s waiting for the answer to StartTLS"),
        ("bind", "timed out after 7 s waiting for the answer to the bind"),
        ("search", "timed out after 7 s waiting for search results"),
    ],
)
def test_enterprise_errors_timeouts_name_the_step(step: str, words: str) -> None:
    wrapped = _ldap3_wrapped(lx.LDAPSocketReceiveError, TimeoutError("timed out"), "timed out")
    for exc in (TimeoutError("timed out"), wrapped):
        error = classify_error(exc, step, CTX)
        assert error.kind is K.TIMEOUT
        assert words in str(error)


def test_enterprise_errors_unreachable() -> None:
    refused = _ldap3_wrapped(
        lx.LDAPSocketOpenError,
        ConnectionRefusedError(111, "Connection refused"),
        "socket connection error while opening: [Errno 111] Connection refused",
    )
    error = classify_error(refused, "connect", CTX)
    assert error.kind is K.UNREACHABLE
    assert "server unreachable: connection refused (nothing listens on port 636" in str(error)
    unresolved = classify_error(socket.gaierror(-2, "Name or service not known"), "connect", CTX)
    assert "the name dc1.example.com does not resolve" in str(unresolved)
    no_route = _ldap3_wrapped(
        lx.LDAPSocketOpenError,
        OSError(113, "No route to host"),
        "socket connection error while opening: [Errno 113] No route to host",
    )
    assert str(classify_error(no_route, "connect", CTX)).endswith(
        "server unreachable ([Errno 113] No route to host)"
    )


@pytest.mark.parametrize(
    ("said", "words"),
    [
        ("", "wrong bind DN or password for CN=Phone Reader"),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563",
         "wrong bind DN or password"),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563",
         "bind refused for CN=Phone Reader,OU=Service,DC=example,DC=com: account locked out"),
        ("... data 532, v4563", "password expired (Active Directory code 532)"),
    ],
)  # fmt: skip
def test_enterprise_errors_bind_refusals(said: str, words: str) -> None:
    exc = lx.LDAPOperationResult(result=49, description="invalidCredentials", message=said)
    error = classify_error(exc, "bind", CTX)
    assert error.kind is K.INVALID_CREDENTIALS
    assert words in str(error)


def test_enterprise_errors_ldap_results() -> None:
    missing = lx.LDAPOperationResult(result=32, description="noSuchObject", dn="DC=com")
    error = classify_error(missing, "search", CTX)
    assert error.kind is K.NO_SUCH_BASE
    assert "base DN does not exist: DC=example,DC=com; the server knows DC=com" in str(error)

    refused = lx.LDAPOperationResult(
        result=2, description="protocolError", message="unsupported extended operation"
    )
    error = classify_error(refused, "starttls", CTX)
    assert error.kind is K.STARTTLS_REFUSED
    assert "StartTLS refused by server (unsupported extended operation)" in str(error)

    anonymous = lx.LDAPOperationResult(
        result=1,
        description="operationsError",
        message="000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this "
        "operation a successful bind must be completed on the connection., data 0, v4563",
    )
    ctx = ErrorContext(CTX.endpoint, CTX.timeout, None, CTX.base_dn, None)
    error = classify_error(anonymous, "search", ctx)
    assert error.kind is K.REFUSED
    assert "refused an anonymous search; set a bind DN" in str(error)

    busy = lx.LDAPOperationResult(result=51, description="busy", message="try later")
    assert str(classify_error(busy, "search", CTX)).endswith(
        "the server refused the search: busy (try later)"
    )


def test_enterprise_errors_tls_and_lost_connections() -> None:
    plain_port = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    plain_port.reason = "WRONG_VERSION_NUMBER"
    error = classify_error(plain_port, "tls", CTX)
    assert error.kind is K.TLS_FAILED
    assert "did not answer with TLS (is this a plain ldap:// port?" in str(error)

    reset = _ldap3_wrapped(
        lx.LDAPSocketReceiveError, ConnectionResetError(104, "reset"), "error receiving data"
    )
    error = classify_error(reset, "search", CTX)
    assert error.kind is K.CONNECTION_LOST
    assert "the server closed the connection during the search" in str(error)
