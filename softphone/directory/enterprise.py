"""Read-only lookup in an enterprise directory (LDAP / Active Directory) with ldap3.

Any thread but the GUI thread: every call opens its own connection, blocks for at most
the configured timeout per network step (name resolution, connect, TLS handshake, each
answer) and closes the connection before returning. The only operations sent are
StartTLS, bind, search and unbind; the connection is also opened read-only in ldap3.

The server's certificate and name are always verified, by OpenSSL during the handshake
(`_VerifyingTls`). Plain `ldap://` without StartTLS, which sends the bind password in
the clear, is refused unless an administrator opts in with `allow_insecure`. The bind
password is a `Secret` handed to `EnterpriseDirectory`, never part of the configuration,
and never part of an error message.

Configuration and result mapping live in `enterprise_config`, the failure vocabulary in
`enterprise_errors`; the public names of both are re-exported here.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import ldap3
from ldap3.core import exceptions as lx

from softphone.bounded import bounded_call
from softphone.directory.enterprise_config import (
    DEFAULT_FILTER,
    AttributeMapping,
    DirectoryEntry,
    EnterpriseDirectoryConfig,
    entry_from_attributes,
    escape_filter_value,
    fill_filter,
    search_text,
)
from softphone.directory.enterprise_errors import (
    DirectoryErrorKind,
    EnterpriseDirectoryError,
    ErrorContext,
    classify_error,
    error_at,
)
from softphone.security.redaction import register_secret
from softphone.security.secret import Secret

__all__ = [
    "DEFAULT_FILTER",
    "AttributeMapping",
    "DirectoryCheck",
    "DirectoryEntry",
    "DirectoryErrorKind",
    "EnterpriseDirectory",
    "EnterpriseDirectoryConfig",
    "EnterpriseDirectoryError",
    "escape_filter_value",
    "fill_filter",
]

_T = TypeVar("_T")


@dataclass(frozen=True)
class DirectoryCheck:
    """The outcome of `EnterpriseDirectory.check()`, for a settings page."""

    ok: bool
    message: str
    kind: DirectoryErrorKind | None = None
    tls_version: str | None = None
    elapsed_ms: float = 0.0


class _VerifyingTls(ldap3.Tls):
    """ldap3's Tls, with the certificate and name checked by OpenSSL in the handshake.

    ldap3 2.9 turns the context's host-name check off and compares names itself after
    the handshake with ssl.match_hostname, which Python 3.12 removed; its fallback
    backport ignores IP address entries and falls back to the common name. It sends no
    SNI either. And it re-creates handshake exceptions from their text, dropping
    verify_code and reason, so the original is kept in `failure`.
    """

    def __init__(self, context: ssl.SSLContext, server_name: str) -> None:
        super().__init__(validate=ssl.CERT_REQUIRED)
        self._context = context
        self._server_name = server_name
        self.handshake_started = False
        self.failure: BaseException | None = None

    def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
        # Always handshake at once, so no LDAP byte is sent before verification.
        self.handshake_started = True
        try:
            connection.socket = self._context.wrap_socket(
                connection.socket, server_hostname=self._server_name
            )
        except (OSError, ValueError) as exc:
            self.failure = exc
            raise


class _Session:
    """One ldap3 connection to one address, and the translation of its failures."""

    def __init__(
        self,
        connection: ldap3.Connection,
        tls: _VerifyingTls | None,
        ctx: ErrorContext,
        scrub: Callable[[str], str],
    ) -> None:
        self.connection = connection
        self.tls = tls
        self.ctx = ctx
        self._scrub = scrub

    def error(self, exc: BaseException, step: str) -> EnterpriseDirectoryError:
        original = self.tls.failure if self.tls and self.tls.failure else exc
        found = classify_error(original, step, self.ctx)
        return EnterpriseDirectoryError(found.kind, self._scrub(found.message))

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            yield
        except (lx.LDAPException, OSError) as exc:
            raise self.error(exc, name) from exc

    def tls_version(self) -> str | None:
        sock = self.connection.socket
        return sock.version() if isinstance(sock, ssl.SSLSocket) else None

    def close(self) -> None:
        # After a failure ldap3 may have closed the socket already, or may raise on it;
        # after a failed open it leaves the socket to the garbage collector.
        with contextlib.suppress(Exception):
            if not self.connection.closed:
                self.connection.unbind()
        with contextlib.suppress(Exception):
            if self.connection.socket is not None:
                self.connection.socket.close()


class EnterpriseDirectory:
    """Search an LDAP / Active Directory server; every call is its own connection."""

    def __init__(self, config: EnterpriseDirectoryConfig, password: Secret | None = None) -> None:
        if password is not None and not isinstance(password, Secret):
            raise TypeError("the bind password must be a Secret")
        if config.bind_dn and not password:
            # RFC 4513 5.1.2: a simple bind with an empty password is an anonymous bind.
            raise ValueError("a bind DN needs a password (an empty one would bind anonymously)")
        if password is not None and not config.bind_dn:
            raise ValueError("a password was given without a bind DN")
        self._config = config
        self._password = password
        if password is not None:
            register_secret(password)  # so it never reaches a log either

    @property
    def config(self) -> EnterpriseDirectoryConfig:
        return self._config

    def search(self, text: str, limit: int = 50) -> list[DirectoryEntry]:
        """People matching `text` (escaped, so it can only match literally), sorted by
        name; at most `limit` and at most the configuration's `max_results`."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        text = search_text(text)
        if not text:
            return []  # "(cn=*)" would list the whole directory
        wanted = min(limit, self._config.max_results)
        query = fill_filter(self._config.search_filter, text)
        with self._connected() as session, session.step("search"):
            entries = self._paged_search(session.connection, query, wanted)
        return sorted(entries, key=lambda e: (e.display_name.casefold(), e.dn))

    def check(self) -> DirectoryCheck:
        """Connect, verify, bind and read the base DN; never raises for network trouble."""
        started = time.monotonic()
        try:
            with self._connected() as session:
                with session.step("check"):
                    found = self._read_base(session.connection)
                if not found:
                    text = f"base DN does not exist (or may not be read): {self._config.base_dn}"
                    raise error_at(DirectoryErrorKind.NO_SUCH_BASE, session.ctx, text)
                version = session.tls_version()
        except EnterpriseDirectoryError as exc:
            return DirectoryCheck(False, exc.message, exc.kind, None, _ms_since(started))
        cfg = self._config
        who = f"bound as {cfg.bind_dn}" if cfg.bind_dn else "bound anonymously"
        message = (
            f"{cfg.endpoint}: connected ({version or 'NOT ENCRYPTED'}), {who}, "
            f"base DN {cfg.base_dn} found"
        )
        return DirectoryCheck(True, message, None, version, _ms_since(started))

    # -- connection ------------------------------------------------------------------

    def _context(self) -> ErrorContext:
        cfg = self._config
        return ErrorContext(cfg.endpoint, cfg.timeout, cfg.bind_dn, cfg.base_dn, cfg.ca_file)

    def _scrub(self, text: str) -> str:
        secret = self._password.reveal() if self._password else ""
        return text.replace(secret, "***") if secret else text

    @contextlib.contextmanager
    def _connected(self) -> Iterator[_Session]:
        ctx = self._context()
        tls_context = self._tls_context(ctx) if ctx.endpoint.encrypted else None
        session = self._open(ctx, tls_context, _resolve(ctx))
        try:
            if ctx.endpoint.starttls:
                with session.step("starttls"):
                    session.connection.start_tls(read_server_info=False)
            with session.step("bind"):
                session.connection.bind(read_server_info=False)
            yield session
        finally:
            session.close()

    def _tls_context(self, ctx: ErrorContext) -> ssl.SSLContext:
        try:
            # CERT_REQUIRED and check_hostname; no CA file means the system's CAs.
            context = ssl.create_default_context(cafile=ctx.ca_file)
        except (OSError, ssl.SSLError) as exc:
            text = f"cannot use the CA file {ctx.ca_file}: {getattr(exc, 'strerror', None) or exc}"
            raise error_at(DirectoryErrorKind.CA_FILE, ctx, text) from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def _open(
        self, ctx: ErrorContext, tls_context: ssl.SSLContext | None, addresses: list[str]
    ) -> _Session:
        """A connection to the first address that answers (each tried within the timeout)."""
        failure: tuple[EnterpriseDirectoryError, BaseException] | None = None
        for address in addresses:
            session = self._session(ctx, tls_context, address)
            try:
                session.connection.open(read_server_info=False)
                return session
            except (lx.LDAPException, OSError) as exc:
                session.close()
                if session.tls and session.tls.handshake_started:
                    raise session.error(exc, "tls") from exc
                failure = (session.error(exc, "connect"), exc)
        assert failure is not None  # _resolve returns at least one address
        raise failure[0] from failure[1]

    def _session(
        self, ctx: ErrorContext, tls_context: ssl.SSLContext | None, address: str
    ) -> _Session:
        endpoint = ctx.endpoint
        tls = _VerifyingTls(tls_context, endpoint.host) if tls_context else None
        server = ldap3.Server(
            address,
            port=endpoint.port,
            use_ssl=endpoint.scheme == "ldaps",
            tls=tls,
            get_info=ldap3.NONE,  # no schema download: one round trip less, no name checks
            connect_timeout=ctx.timeout,
        )
        password = self._password.reveal() if self._password else None
        connection = ldap3.Connection(
            server,
            user=ctx.bind_dn,
            password=password,
            authentication=ldap3.SIMPLE if ctx.bind_dn else ldap3.ANONYMOUS,
            client_strategy=ldap3.SYNC,
            read_only=True,
            raise_exceptions=True,
            check_names=False,
            # A referral could send the bind password to another server, perhaps in
            # the clear; results stay on the configured server.
            auto_referrals=False,
            receive_timeout=ctx.timeout,  # an int: ldap3 packs it into SO_RCVTIMEO
        )
        return _Session(connection, tls, ctx, self._scrub)

    # -- searching -------------------------------------------------------------------

    def _paged_search(
        self, connection: ldap3.Connection, query: str, wanted: int
    ) -> list[DirectoryEntry]:
        """RFC 2696 simple paged results, so a server's size limit does not cut the list
        short; stops asking once `wanted` entries have arrived."""
        cfg = self._config
        results = connection.extend.standard.paged_search(
            search_base=cfg.base_dn,
            search_filter=query,
            search_scope=ldap3.SUBTREE,
            attributes=cfg.attributes.requested(),
            time_limit=cfg.timeout,
            paged_size=min(cfg.page_size, wanted),
            generator=True,
        )
        entries: list[DirectoryEntry] = []
        for item in results:
            if item.get("type") != "searchResEntry":
                continue  # continuation references: referrals are not followed
            entries.append(
                entry_from_attributes(item["dn"], item["raw_attributes"], cfg.attributes)
            )
            if len(entries) >= wanted:
                break
        return entries

    def _read_base(self, connection: ldap3.Connection) -> bool:
        connection.search(
            self._config.base_dn,
            "(objectClass=*)",
            search_scope=ldap3.BASE,
            attributes=ldap3.NO_ATTRIBUTES,
            time_limit=self._config.timeout,
        )
        return any(r.get("type") == "searchResEntry" for r in connection.response or ())


def _resolve(ctx: ErrorContext) -> list[str]:
    """The server's addresses in the system resolver's order, within the timeout."""
    host = ctx.endpoint.host
    if _is_ip(host):
        return [host]
    try:
        infos = bounded_call(
            lambda: socket.getaddrinfo(host, ctx.endpoint.port, type=socket.SOCK_STREAM),
            ctx.timeout,
        )
    except OSError as exc:  # TimeoutError included
        raise classify_error(
            exc, "resolve" if isinstance(exc, TimeoutError) else "connect", ctx
        ) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
