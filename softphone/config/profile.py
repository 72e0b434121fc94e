"""SIP provisioning profiles: load, validate and look up one service's settings.

A profile is a TOML file (schema in `sip_profiles/SCHEMA.md`) that fixes where a
service lives and its security policy: TLS signalling, certificate checks and
SRTP are on unless the administrator opts out explicitly, key by key. Nothing
that authenticates a user (passwords, tokens, private keys) is accepted; those
live in the secret store. Every problem is a `ProfileError` naming the file,
the dotted key and what is wrong in plain words.

Pure Python (no pjsua2, no Qt), any thread: the functions read files and the
environment and return frozen dataclasses.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

SCHEMA_VERSION = 1

# fmt: off
_SCHEMA: dict[str, tuple[str, ...]] = {
    "service": ("name", "description", "domain", "server", "transport", "port", "outbound_proxy",
                "registrar", "register", "registration_expiry", "region",
                "allow_insecure_signalling"),
    "account": ("username", "display_name"),
    "tls": ("ca_file", "verify_server", "min_version", "client_cert", "client_key",
            "allow_unverified"),
    "media": ("srtp", "keying", "codecs", "dtmf", "allow_plaintext_media", "end_to_end",
              "e2e_codecs", "e2e_video"),
    "nat": ("stun_servers", "turn_server", "turn_transport", "turn_username", "ice",
            "media_addresses"),
    "dialplan": ("internal_pattern", "outside_line_prefix", "extra_domains"),
}
# fmt: on

_CREDENTIAL_WORDS = re.compile(
    r"password|passwd|passphrase|secret|token|credential|privkey|private_?key|auth_?pass"
)
_CREDENTIAL_PARTS = frozenset({"pass", "pwd", "pin", "ha1", "ha1b", "apikey"})
_CREDENTIAL_MESSAGE = "credentials never go in a profile; they live in the secret store"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_HOST_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?")
_CODEC = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]*(?:/\d+){0,2}")
_DEFAULT_PORTS = {"tls": 5061, "tcp": 5060, "udp": 5060}


class ProfileError(ValueError):
    """A profile that cannot be used; `key` is "" for file-level problems."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (self.file, self.key, self.problem))


@dataclass(frozen=True)
class TlsSettings:
    ca_file: Path | None = None  # None -> the OS trust store
    verify_server: bool = True  # certificate chain and host name
    min_version: str = "1.2"
    client_cert: Path | None = None
    client_key: Path | None = None
    allow_unverified: bool = False  # the administrator's opt-in for verify_server = false


@dataclass(frozen=True)
class MediaSettings:
    srtp: str = "mandatory"
    keying: tuple[str, ...] = ("sdes",)
    codecs: tuple[str, ...] = ("PCMU", "PCMA", "G722")
    dtmf: str = "rfc4733"
    allow_plaintext_media: bool = False  # the administrator's opt-in for srtp != mandatory
    # End-to-end calls (softphone.e2e): "off", "preferred" or "required" (a contact's
    # own setting may make a call stricter, never looser: policy.end_to_end).
    end_to_end: str = "preferred"
    e2e_codecs: tuple[str, ...] = ("opus", "PCMU")
    e2e_video: bool = False

    @property
    def allows_plaintext(self) -> bool:
        return self.srtp != "mandatory"


@dataclass(frozen=True)
class NatSettings:
    stun_servers: tuple[str, ...] = ()
    turn_server: str | None = None
    turn_transport: str = "udp"
    turn_username: str | None = None
    ice: bool = False
    # Addresses whose host candidates end-to-end media offers; empty: every interface
    # but loopback (aioice's choice). "127.0.0.1" makes two apps on one host connect.
    media_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class DialplanSettings:
    internal_pattern: str | None = None  # regex (full match) for internal extensions
    outside_line_prefix: str = ""  # digits some PBXs need before an outside number
    extra_domains: tuple[str, ...] = ()  # more SIP domains that belong to this service


@dataclass(frozen=True)
class SipProfile:
    name: str
    path: Path | None
    domain: str
    server: str
    transport: str = "tls"
    port: int = 5061
    outbound_proxy: str | None = None
    registrar: str | None = None
    register: bool = True
    registration_expiry: int = 300
    username: str | None = None
    display_name: str | None = None
    tls: TlsSettings = TlsSettings()
    media: MediaSettings = MediaSettings()
    nat: NatSettings = NatSettings()
    dialplan: DialplanSettings = DialplanSettings()
    region: str = "US"
    description: str = ""
    allow_insecure_signalling: bool = False  # the administrator's opt-in for tcp/udp

    @property
    def registrar_uri(self) -> str:
        if self.registrar:
            return self.registrar
        uri = f"sip:{_bracket(self.server)}:{self.port}"
        return uri if self.transport == "udp" else f"{uri};transport={self.transport}"

    @property
    def proxy_uris(self) -> tuple[str, ...]:
        return (_with_lr(self.outbound_proxy),) if self.outbound_proxy else ()

    def aor(self, user: str) -> str:
        return f"sip:{user}@{_bracket(self.domain)}"

    @property
    def uses_tls(self) -> bool:
        return self.transport == "tls"

    @property
    def home_domains(self) -> tuple[str, ...]:
        """The SIP domains calls stay within: the service's domain, server and extras."""
        names = (self.domain, self.server, *self.dialplan.extra_domains)
        if self.domain in {"127.0.0.1", "localhost"}:
            names += ("127.0.0.1", "localhost")
        return tuple(dict.fromkeys(n.lower().rstrip(".") for n in names))


# --- public functions ---------------------------------------------------------------


def load_profile(path: str | Path) -> SipProfile:
    """Read and validate one profile file; relative paths inside are relative to its folder."""
    p = Path(path).expanduser()
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ProfileError(str(path), "", "no such file") from None
    except UnicodeDecodeError as e:
        raise ProfileError(str(path), "", f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise ProfileError(str(path), "", f"cannot read: {e.strerror or e}") from None
    return _parse(text, str(path), p.absolute().parent, p.absolute())


def parse_profile(text: str, source: str = "<string>", base_dir: Path | None = None) -> SipProfile:
    """Validate profile text; relative paths resolve against base_dir (default: the cwd)."""
    return _parse(text, source, base_dir or Path.cwd(), None)


def shipped_profiles_dir() -> Path:
    """The profiles that come with the program (source tree first, then the install prefix)."""
    in_tree = Path(__file__).resolve().parents[2] / "sip_profiles"
    if in_tree.is_dir():
        return in_tree
    return Path(sys.prefix) / "share" / "softphone" / "sip_profiles"


def user_profiles_dir() -> Path:
    """Where a user or installer puts their own profiles; these win over shipped ones."""
    return Path(platformdirs.user_config_dir("softphone")) / "sip_profiles"


def find_profile(name_or_path: str) -> Path:
    """An existing file, or NAME / NAME.toml from the user folder, then the shipped one."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file():
        return candidate
    if not name_or_path or _looks_like_path(name_or_path):
        raise ProfileError(name_or_path, "", "no such file")
    name = name_or_path.removesuffix(".toml")
    for folder in _search_dirs():
        if (folder / f"{name}.toml").is_file():
            return folder / f"{name}.toml"
    available = ", ".join(p.stem for p in list_profiles()) or "none"
    looked = " and ".join(str(d) for d in _search_dirs())
    raise ProfileError(
        name_or_path, "", f'no profile named "{name}" (available: {available}; looked in {looked})'
    )


def list_profiles() -> list[Path]:
    """Every profile file by name, a user's file hiding a shipped one of the same name."""
    found: dict[str, Path] = {}
    for folder in reversed(_search_dirs()):
        if folder.is_dir():
            found.update((p.stem, p) for p in folder.glob("*.toml") if p.is_file())
    return [found[name] for name in sorted(found)]


def _search_dirs() -> tuple[Path, Path]:
    return (user_profiles_dir(), shipped_profiles_dir())


def _looks_like_path(text: str) -> bool:
    return "/" in text or os.sep in text or text.startswith(("~", "."))


# --- reading typed values --------------------------------------------------------------


class _Table:
    """One table of the document, with typed getters that raise ProfileError."""

    def __init__(self, source: str, base_dir: Path, name: str, data: dict[str, Any]) -> None:
        self.source, self.base_dir, self.name, self.data = source, base_dir, name, data

    def error(self, key: str, problem: str) -> ProfileError:
        return ProfileError(self.source, f"{self.name}.{key}" if key else self.name, problem)

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.error(key, f"must be a string (in quotes), got {_show(value)}")
        return value

    def text(self, key: str, default: str | None = None) -> str | None:
        """A string that, when given, must not be blank."""
        value = self.string(key, default)
        if value is not None and not value.strip():
            raise self.error(key, "must not be empty; leave the key out for the default")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false (no quotes), got {_show(value)}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if type(value) is not int:
            raise self.error(key, f"must be a whole number, got {_show(value)}")
        if not low <= value <= high:
            raise self.error(key, f"must be between {low} and {high}, got {value}")
        return value

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or value not in allowed:
            raise self.error(key, f"must be {_one_of(allowed)}, got {_show(value)}")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"must be a list of strings, got {_show(value)}")
        return tuple(value)

    def path(self, key: str) -> Path | None:
        raw = self.text(key)
        if raw is None:
            return None
        if "-----BEGIN" in raw:
            raise self.error(key, "must be a file name, not the PEM text itself")
        try:
            expanded = os.path.expanduser(_expand_env(raw))
        except ValueError as e:
            raise self.error(key, str(e)) from None
        path = Path(os.path.normpath(self.base_dir / expanded))
        if not path.is_file():
            problem = "is a folder, not a file" if path.is_dir() else "file not found"
            origin = "" if str(path) == raw else f' (from "{raw}")'
            raise self.error(key, f"{problem}: {path}{origin}")
        return path


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, str | list):
        return json.dumps(value, default=str)
    return str(value)


def _one_of(allowed: Iterable[str]) -> str:
    quoted = [f'"{a}"' for a in allowed]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _expand_env(raw: str) -> str:
    """`${VAR}` (must be set) and `${VAR:-default}` (default when unset or empty)."""

    def replace(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        value = os.environ.get(name)
        if value or (value is not None and default is None):
            return value
        if default is not None:
            return default
        raise ValueError(f"environment variable {name} is not set (write ${{{name}:-default}})")

    if "${" in _ENV_REF.sub("", raw):
        raise ValueError(f'malformed environment reference in "{raw}" (write ${{NAME}})')
    return _ENV_REF.sub(replace, raw)


# --- hosts and URIs -------------------------------------------------------------------


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _is_ipv6(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 6
    except ValueError:
        return False


def _host_problem(host: str) -> str | None:
    if not host:
        return "must not be empty"
    if any(c.isspace() for c in host):
        return "must not contain spaces"
    if host.lower().startswith(("sip:", "sips:")) or "://" in host:
        return "a host name only, without a scheme"
    if "@" in host:
        return "a host name only, without a user part"
    if "[" in host or "]" in host:
        return "is not a valid host name or IP address"
    if ":" in host and not _is_ipv6(host):
        return "a host name only; the port goes in its own key"
    if not _is_ipv6(host) and not _HOSTNAME.fullmatch(host):
        return "is not a valid host name or IP address"
    return None


def _split_hostport(text: str) -> tuple[str, str | None]:
    """("host", "port" or None); a bracketed IPv6 literal loses its brackets."""
    if _is_ipv6(text):
        return text, None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or not _is_ipv6(host) or (rest and not rest.startswith(":")):
            return text, None
        return host, rest[1:] if rest else None
    host, sep, port = text.partition(":")
    return host, port if sep else None


def _hostport_problem(text: str) -> str | None:
    host, port = _split_hostport(text)
    problem = _host_problem(host)
    if problem or port is None:
        return problem
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f'has an invalid port "{port}" (1 to 65535)'
    return None


def _uri_parts(uri: str) -> tuple[str, str, dict[str, str]]:
    """(scheme, host[:port], {param: value}) of a sip:/sips: URI."""
    scheme, _, rest = uri.partition(":")
    head = rest.split("?", 1)[0]
    hostport, *params = head.split(";")
    named = dict(p.partition("=")[::2] for p in params)
    return scheme.lower(), hostport.rpartition("@")[2], {k.lower(): v for k, v in named.items()}


def _uri_problem(uri: str, transport: str) -> str | None:
    if not uri.lower().startswith(("sip:", "sips:")):
        return f'must be a SIP URI starting with "sip:" or "sips:", got {_show(uri)}'
    if any(c.isspace() for c in uri) or "<" in uri or ">" in uri:
        return f"must be a bare SIP URI without spaces or angle brackets, got {_show(uri)}"
    scheme, hostport, params = _uri_parts(uri)
    problem = _hostport_problem(hostport)
    if problem:
        return f"host {problem}, in {_show(uri)}"
    return _uri_transport_problem(scheme, params.get("transport", "").lower(), transport)


def _uri_transport_problem(scheme: str, uri_transport: str, transport: str) -> str | None:
    if transport == "tls":
        if uri_transport == "tls" or (scheme == "sips" and not uri_transport):
            return None
        return (
            'service.transport is "tls" but this URI would be reached without TLS; '
            'add ";transport=tls" or use "sips:"'
        )
    if scheme == "sips":
        return f'"sips:" needs TLS but service.transport is "{transport}"'
    if uri_transport and uri_transport != transport:
        return f'says ";transport={uri_transport}" but service.transport is "{transport}"'
    return None


def _with_lr(uri: str) -> str:
    head, q, headers = uri.partition("?")
    if "lr" in _uri_parts(head)[2]:
        return uri
    return f"{head};lr{q}{headers}"


# --- the document ---------------------------------------------------------------------


def _parse(text: str, source: str, base_dir: Path, path: Path | None) -> SipProfile:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(source, "", f"not valid TOML: {e}") from None
    _reject_credentials(source, doc, "")
    _check_schema_version(source, doc)
    _reject_unknown(source, doc)
    tables = {n: _Table(source, base_dir, n, doc.get(n, {})) for n in _SCHEMA}
    profile = _build(tables, path)
    _check_policy(tables, profile)
    return profile


def _reject_credentials(source: str, node: Any, prefix: str) -> None:
    if isinstance(node, list):
        for item in node:
            _reject_credentials(source, item, prefix)
    elif isinstance(node, str) and re.search(r"PRIVATE KEY-----", node):
        raise ProfileError(source, prefix, _CREDENTIAL_MESSAGE)
    elif isinstance(node, dict):
        for key, value in node.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if _looks_like_credential(key):
                raise ProfileError(source, dotted, _CREDENTIAL_MESSAGE)
            _reject_credentials(source, value, dotted)


def _looks_like_credential(key: str) -> bool:
    lowered = key.lower()
    parts = set(re.split(r"[^a-z0-9]+", lowered))
    return bool(_CREDENTIAL_WORDS.search(lowered) or parts & _CREDENTIAL_PARTS)


def _check_schema_version(source: str, doc: dict[str, Any]) -> None:
    version = doc.get("schema")
    if version is None:
        raise ProfileError(source, "schema", f"required; put `schema = {SCHEMA_VERSION}` first")
    if type(version) is not int:
        raise ProfileError(source, "schema", f"must be a whole number, got {_show(version)}")
    if version > SCHEMA_VERSION:
        raise ProfileError(
            source,
            "schema",
            f"version {version} is newer than this softphone understands "
            f"(up to {SCHEMA_VERSION}); update the softphone or use an older profile",
        )
    if version < 1:
        raise ProfileError(source, "schema", f"must be {SCHEMA_VERSION}, got {version}")


def _reject_unknown(source: str, doc: dict[str, Any]) -> None:
    for name, value in doc.items():
        if name == "schema":
            continue
        if name not in _SCHEMA:
            raise ProfileError(source, name, _unknown_top_level(name))
        if not isinstance(value, dict):
            raise ProfileError(source, name, f"must be a table ([{name}]), got {_show(value)}")
        for key in value:
            if key not in _SCHEMA[name]:
                raise ProfileError(source, f"{name}.{key}", _unknown_key(name, key))


def _unknown_top_level(name: str) -> str:
    home = _table_of(name)
    if home:
        return f'unknown top-level key; "{name}" belongs in [{home}]'
    return "unknown table" + _did_you_mean(name, _SCHEMA)


def _unknown_key(table: str, key: str) -> str:
    home = _table_of(key)
    if home:
        return f'unknown key in [{table}]; "{key}" belongs in [{home}]'
    return f"unknown key in [{table}]" + _did_you_mean(key, _SCHEMA[table])


def _table_of(key: str) -> str | None:
    return next((table for table, keys in _SCHEMA.items() if key in keys), None)


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


# --- building the dataclasses ---------------------------------------------------------


def _build(tables: dict[str, _Table], path: Path | None) -> SipProfile:
    service, account = tables["service"], tables["account"]
    domain = _host(service, "domain", service.string("domain"))
    transport = service.choice("transport", "tls", ("tls", "tcp", "udp"))
    return SipProfile(
        name=service.text("name") or (path.stem if path else domain),
        path=path,
        domain=domain,
        server=_host(service, "server", service.string("server", domain)),
        transport=transport,
        port=service.integer("port", _DEFAULT_PORTS[transport], 1, 65535),
        outbound_proxy=_uri(service, "outbound_proxy", transport),
        registrar=_uri(service, "registrar", transport),
        register=service.flag("register", True),
        registration_expiry=service.integer("registration_expiry", 300, 60, 86400),
        username=_username(account),
        display_name=_display_name(account),
        tls=_tls(tables["tls"]),
        media=_media(tables["media"]),
        nat=_nat(tables["nat"]),
        dialplan=_dialplan(tables["dialplan"]),
        region=_region(service),
        description=service.string("description", "") or "",
        allow_insecure_signalling=service.flag("allow_insecure_signalling", False),
    )


def _host(table: _Table, key: str, value: str | None) -> str:
    if value is None:
        raise table.error(key, 'required (the SIP domain, e.g. "sip.example.com")')
    host = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    problem = _host_problem(host)
    if problem:
        raise table.error(key, f"{problem}, got {_show(value)}")
    return host


def _uri(table: _Table, key: str, transport: str) -> str | None:
    uri = table.text(key)
    problem = uri and _uri_problem(uri, transport)
    if problem:
        raise table.error(key, problem)
    return uri


def _username(table: _Table) -> str | None:
    user = table.text("username")
    if user and (any(c.isspace() or c in '@:;<>"' for c in user)):
        raise table.error(
            "username", f"the user part only (no spaces, @, :, ;, quotes), got {_show(user)}"
        )
    return user


def _display_name(table: _Table) -> str | None:
    name = table.string("display_name")
    if name and any(c in '"\\' or not c.isprintable() for c in name):
        raise table.error(
            "display_name", "must not contain double quotes, backslashes or line breaks"
        )
    return name or None


def _region(table: _Table) -> str:
    region = table.string("region", "US") or ""
    if _region_ok(region):
        return region
    hint = f'; did you mean "{region.upper()}"?' if _region_ok(region.upper()) else ""
    raise table.error(
        "region", f'must be an ISO 3166 country code like "US", got {_show(region)}{hint}'
    )


def _region_ok(code: str) -> bool:
    try:
        import phonenumbers
    except ImportError:
        return bool(re.fullmatch(r"[A-Z]{2}", code))
    return code in phonenumbers.SUPPORTED_REGIONS


def _dialplan(table: _Table) -> DialplanSettings:
    pattern = table.text("internal_pattern")
    if pattern is not None:
        try:
            compiled = re.compile(pattern)
        except re.error as e:
            raise table.error("internal_pattern", f"not a valid regular expression: {e}") from None
        if compiled.fullmatch(""):
            raise table.error("internal_pattern", "must not match an empty number")
    prefix = table.string("outside_line_prefix", "") or ""
    if prefix and not prefix.isdigit():
        raise table.error("outside_line_prefix", f"must be digits, got {_show(prefix)}")
    extra = table.strings("extra_domains", ())
    for host in extra:
        problem = _host_problem(host)
        if problem:
            raise table.error("extra_domains", f"{problem}, got {_show(host)}")
    return DialplanSettings(pattern, prefix, extra)


def _tls(table: _Table) -> TlsSettings:
    return TlsSettings(
        ca_file=table.path("ca_file"),
        verify_server=table.flag("verify_server", True),
        min_version=table.choice("min_version", "1.2", ("1.2", "1.3")),
        client_cert=table.path("client_cert"),
        client_key=table.path("client_key"),
        allow_unverified=table.flag("allow_unverified", False),
    )


def _media(table: _Table) -> MediaSettings:
    srtp = table.choice("srtp", "mandatory", ("mandatory", "optional", "disabled"))
    return MediaSettings(
        srtp=srtp,
        keying=_keying(table, () if srtp == "disabled" else ("sdes",)),
        codecs=_codecs(table),
        dtmf=table.choice("dtmf", "rfc4733", ("rfc4733", "info")),
        allow_plaintext_media=table.flag("allow_plaintext_media", False),
        end_to_end=table.choice("end_to_end", "preferred", ("off", "preferred", "required")),
        e2e_codecs=_e2e_codecs(table),
        e2e_video=table.flag("e2e_video", False),
    )


def _e2e_codecs(table: _Table) -> tuple[str, ...]:
    codecs = table.strings("e2e_codecs", MediaSettings.e2e_codecs)
    allowed = {"opus": "opus", "pcmu": "PCMU"}
    if not codecs:
        raise table.error("e2e_codecs", 'must name at least one of "opus", "PCMU"')
    out = []
    for codec in codecs:
        if codec.lower() not in allowed:
            raise table.error(
                "e2e_codecs", f'each entry must be "opus" or "PCMU", got {_show(codec)}'
            )
        out.append(allowed[codec.lower()])
    if len(set(out)) != len(out):
        raise table.error("e2e_codecs", f"lists a codec twice: {_show(list(codecs))}")
    return tuple(out)


def _keying(table: _Table, default: tuple[str, ...]) -> tuple[str, ...]:
    keying = table.strings("keying", default)
    for k in keying:
        if k not in ("sdes", "dtls"):
            raise table.error("keying", f'each entry must be "sdes" or "dtls", got {_show(k)}')
    if len(set(keying)) != len(keying):
        raise table.error("keying", f"lists a method twice: {_show(list(keying))}")
    return keying


def _codecs(table: _Table) -> tuple[str, ...]:
    codecs = table.strings("codecs", MediaSettings.codecs)
    if not codecs:
        raise table.error("codecs", "must name at least one codec")
    for codec in codecs:
        if not _CODEC.fullmatch(codec):
            raise table.error(
                "codecs", f'{_show(codec)} is not a codec name like "PCMU" or "speex/16000"'
            )
    lowered = [c.lower() for c in codecs]
    if len(set(lowered)) != len(lowered):
        raise table.error("codecs", f"lists a codec twice: {_show(list(codecs))}")
    return codecs


def _nat(table: _Table) -> NatSettings:
    stun = table.strings("stun_servers", ())
    for server in stun:
        problem = _hostport_problem(server)
        if problem:
            raise table.error(
                "stun_servers", f"{_show(server)}: {problem} (write host or host:port)"
            )
    turn = table.text("turn_server")
    problem = turn and _hostport_problem(turn)
    if problem:
        raise table.error("turn_server", f"{problem} (write host or host:port), got {_show(turn)}")
    return NatSettings(
        stun_servers=stun,
        turn_server=turn,
        turn_transport=table.choice("turn_transport", "udp", ("udp", "tcp", "tls")),
        turn_username=table.text("turn_username"),
        ice=table.flag("ice", False),
        media_addresses=_addresses(table, "media_addresses"),
    )


def _addresses(table: _Table, key: str) -> tuple[str, ...]:
    values = table.strings(key, ())
    for value in values:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise table.error(key, f"{_show(value)} is not an IP address") from None
    return values


# --- rules that span keys -------------------------------------------------------------


def _check_policy(tables: dict[str, _Table], profile: SipProfile) -> None:
    _check_signalling(tables["service"], profile)
    _check_tls(tables["tls"], profile.tls)
    _check_media(tables["media"], profile.media)
    if profile.nat.turn_username and not profile.nat.turn_server:
        raise tables["nat"].error("turn_username", "is set but nat.turn_server is not")


def _check_signalling(table: _Table, profile: SipProfile) -> None:
    if profile.uses_tls or profile.allow_insecure_signalling:
        return
    media = profile.media
    if media.srtp != "disabled" and "sdes" in media.keying:
        what = "so the SDES keys that encrypt the audio would travel in clear text"
    else:
        what = "so anyone on the path can read who calls whom"
    raise table.error(
        "transport",
        f'"{profile.transport}" sends SIP unencrypted, {what}; use "tls", or set '
        "service.allow_insecure_signalling = true if the administrator accepts that",
    )


def _check_tls(table: _Table, tls: TlsSettings) -> None:
    if not tls.verify_server and not tls.allow_unverified:
        raise table.error(
            "verify_server",
            "false turns off the server certificate check, so anyone on the path could "
            "impersonate the server; set "
            "tls.allow_unverified = true too if the administrator really means it",
        )
    if bool(tls.client_cert) != bool(tls.client_key):
        given, missing = (
            ("client_cert", "client_key") if tls.client_cert else ("client_key", "client_cert")
        )
        raise table.error(
            missing, f"tls.{given} is set but tls.{missing} is not; give both or neither"
        )


def _check_media(table: _Table, media: MediaSettings) -> None:
    if media.allows_plaintext and not media.allow_plaintext_media:
        raise table.error(
            "srtp",
            f'"{media.srtp}" lets calls carry unencrypted audio; set '
            "media.allow_plaintext_media = true too if the administrator accepts that",
        )
    if media.srtp != "disabled" and not media.keying:
        raise table.error(
            "keying", f'must name "sdes" and/or "dtls" while media.srtp is "{media.srtp}"'
        )
