"""Unit tests for softphone.config.profile: loading, validation, lookup, shipped profiles."""

from __future__ import annotations

import dataclasses
import pickle
import re
import sys
from pathlib import Path

import pytest

from softphone.config import profile as mod
from softphone.config.profile import (
    MediaSettings,
    NatSettings,
    ProfileError,
    SipProfile,
    TlsSettings,
    find_profile,
    list_profiles,
    load_profile,
    parse_profile,
    shipped_profiles_dir,
)

REPO = Path(__file__).resolve().parents[3]
SHIPPED = ("asterisk", "freeswitch", "generic-tls", "kamailio", "testbed")
CREDENTIAL_MESSAGE = "credentials never go in a profile; they live in the secret store"


def doc(service: str = "", **tables: str) -> str:
    """Profile text: schema 1, a domain, plus extra lines per table."""
    text = f'schema = 1\n[service]\ndomain = "sip.example.com"\n{service}\n'
    return text + "".join(f"[{name}]\n{body}\n" for name, body in tables.items())


def error_of(text: str, base_dir: Path | None = None) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, "test.toml", base_dir)
    return info.value


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def pem(tmp_path: Path) -> Path:
    return write(
        tmp_path, "ca.crt", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"
    )


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(user folder, shipped folder), both empty, wired into the lookup."""
    config_home, shipped = tmp_path / "config", tmp_path / "shipped"
    shipped.mkdir()
    monkeypatch.setattr(mod.platformdirs, "user_config_dir", lambda app: str(config_home / app))
    monkeypatch.setattr(mod, "shipped_profiles_dir", lambda: shipped)
    return config_home / "softphone" / "sip_profiles", shipped


# --- ProfileError ---------------------------------------------------------------------


def test_error_message_names_file_key_and_problem() -> None:
    e = ProfileError("testbed.toml", "tls.min_version", 'must be "1.2" or "1.3", got "1.0"')
    assert isinstance(e, ValueError)
    assert (e.file, e.key) == ("testbed.toml", "tls.min_version")
    assert str(e) == 'testbed.toml: tls.min_version: must be "1.2" or "1.3", got "1.0"'


def test_error_without_key_is_file_level() -> None:
    assert str(ProfileError("a.toml", "", "not valid TOML")) == "a.toml: not valid TOML"


def test_error_survives_pickling() -> None:
    e = pickle.loads(pickle.dumps(ProfileError("a.toml", "media.srtp", "bad")))
    assert (e.file, e.key, e.problem, str(e)) == (
        "a.toml",
        "media.srtp",
        "bad",
        "a.toml: media.srtp: bad",
    )


def test_min_version_example_from_the_brief() -> None:
    e = error_of(doc(tls='min_version = "1.0"'))
    assert str(e) == 'test.toml: tls.min_version: must be "1.2" or "1.3", got "1.0"'


# --- defaults and derived values ------------------------------------------------------


def test_minimal_profile_gets_secure_defaults() -> None:
    p = parse_profile(doc())
    assert (p.domain, p.server, p.transport, p.port) == ("sip.example.com",) * 2 + ("tls", 5061)
    assert p.name == "sip.example.com" and p.path is None
    assert (p.outbound_proxy, p.registrar, p.username, p.display_name) == (None,) * 4
    assert (p.register, p.registration_expiry, p.region, p.description) == (True, 300, "US", "")
    assert p.tls == TlsSettings() and p.media == MediaSettings() and p.nat == NatSettings()
    assert p.tls.verify_server and p.tls.ca_file is None and p.tls.min_version == "1.2"
    assert p.media.srtp == "mandatory" and not p.media.allows_plaintext
    assert p.media.keying == ("sdes",) and p.media.codecs == ("PCMU", "PCMA", "G722")
    assert p.uses_tls and not p.allow_insecure_signalling


def test_dataclass_defaults_match_the_spec() -> None:
    p = SipProfile(name="x", path=None, domain="d", server="d")
    assert (p.transport, p.port, p.register, p.registration_expiry) == ("tls", 5061, True, 300)
    assert p.tls == TlsSettings() and p.media.dtmf == "rfc4733" and p.nat.turn_transport == "udp"


def test_profiles_are_frozen() -> None:
    p = parse_profile(doc())
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.transport = "udp"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.tls.verify_server = False  # type: ignore[misc]


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, "my-pbx.toml", doc()))
    assert p.name == "my-pbx" and p.path == tmp_path / "my-pbx.toml"


def test_full_profile_is_read(pem: Path) -> None:
    p = parse_profile(
        doc(
            'name = "Corp"\ndescription = "d"\nserver = "pbx.example.com"\nport = 5071\n'
            'outbound_proxy = "sips:pbx.example.com:5071"\nregister = false\n'
            'registration_expiry = 600\nregion = "GB"',
            account='username = "alice"\ndisplay_name = "Alice Example"',
            tls=f'ca_file = "{pem}"\nmin_version = "1.3"',
            media='keying = ["dtls", "sdes"]\ncodecs = ["opus", "speex/16000"]\ndtmf = "info"',
            nat='stun_servers = ["stun.example.com", "[::1]:3478"]\n'
            'turn_server = "t.example.com:3478"\nturn_transport = "tls"\n'
            'turn_username = "alice"\nice = true',
        )
    )
    assert (p.name, p.description, p.server, p.port, p.register) == (
        "Corp",
        "d",
        "pbx.example.com",
        5071,
        False,
    )
    assert (p.registration_expiry, p.region, p.username, p.display_name) == (
        600,
        "GB",
        "alice",
        "Alice Example",
    )
    assert p.tls == TlsSettings(ca_file=pem, min_version="1.3")
    assert p.media == MediaSettings(
        keying=("dtls", "sdes"), codecs=("opus", "speex/16000"), dtmf="info"
    )
    assert p.nat == NatSettings(
        ("stun.example.com", "[::1]:3478"), "t.example.com:3478", "tls", "alice", ice=True
    )
    assert p.proxy_uris == ("sips:pbx.example.com:5071;lr",)


@pytest.mark.parametrize(
    ("service", "uri"),
    [
        ("", "sip:sip.example.com:5061;transport=tls"),
        ('server = "pbx.example.com"\nport = 5062', "sip:pbx.example.com:5062;transport=tls"),
        ('transport = "tcp"', "sip:sip.example.com:5060;transport=tcp"),
        ('transport = "udp"', "sip:sip.example.com:5060"),
        ('server = "::1"', "sip:[::1]:5061;transport=tls"),
        ('server = "[2001:db8::1]"', "sip:[2001:db8::1]:5061;transport=tls"),
        ('registrar = "sips:reg.example.com"', "sips:reg.example.com"),
    ],
)
def test_registrar_uri(service: str, uri: str) -> None:
    flag = "\nallow_insecure_signalling = true" if "transport" in service else ""
    assert parse_profile(doc(service + flag)).registrar_uri == uri


def test_non_tls_transport_defaults_to_port_5060() -> None:
    p = parse_profile(doc('transport = "udp"\nallow_insecure_signalling = true'))
    assert (p.port, p.uses_tls) == (5060, False)


@pytest.mark.parametrize(
    ("proxy", "expected"),
    [
        ("sip:p.example.com:5061;transport=tls", "sip:p.example.com:5061;transport=tls;lr"),
        ("sip:p.example.com;transport=tls;lr", "sip:p.example.com;transport=tls;lr"),
        ("sip:p.example.com;LR;transport=tls", "sip:p.example.com;LR;transport=tls"),
        ("sip:p.example.com;lr=on;transport=tls", "sip:p.example.com;lr=on;transport=tls"),
        ("sips:p.example.com?X=1", "sips:p.example.com;lr?X=1"),
        ("sip:[::1]:5061;transport=tls", "sip:[::1]:5061;transport=tls;lr"),
    ],
)
def test_proxy_uris_ensure_loose_routing(proxy: str, expected: str) -> None:
    p = parse_profile(doc(f'outbound_proxy = "{proxy}"'))
    assert p.outbound_proxy == proxy and p.proxy_uris == (expected,)


def test_aor() -> None:
    assert parse_profile(doc()).aor("alice") == "sip:alice@sip.example.com"
    ipv6 = 'schema = 1\n[service]\ndomain = "::1"\n'
    assert parse_profile(ipv6).aor("bob") == "sip:bob@[::1]"


def test_keying_defaults_to_none_when_srtp_disabled() -> None:
    p = parse_profile(doc(media='srtp = "disabled"\nallow_plaintext_media = true'))
    assert p.media.keying == () and p.media.allows_plaintext


# --- file-level problems --------------------------------------------------------------


def test_toml_syntax_error_reports_line_and_column() -> None:
    e = error_of('schema = 1\n[service]\ndomain = "x\n')
    assert e.key == "" and e.file == "test.toml"
    assert re.search(r"not valid TOML: .*line 3, column \d+", str(e))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such file") as info:
        load_profile(tmp_path / "nope.toml")
    assert info.value.file == str(tmp_path / "nope.toml")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'schema = 1\n[service]\ndomain = "caf\xe9"\n')
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(path)


def test_load_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", doc('port = "5061"'))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).startswith(f"{path}: service.port: must be a whole number")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[service]\ndomain = "x"\n', "required; put `schema = 1` first"),
        ('schema = "1"\n[service]\ndomain = "x"\n', 'must be a whole number, got "1"'),
        ('schema = 1.0\n[service]\ndomain = "x"\n', "must be a whole number"),
        ('schema = 2\n[service]\ndomain = "x"\n', "version 2 is newer than this softphone"),
        ('schema = 0\n[service]\ndomain = "x"\n', "must be 1, got 0"),
    ],
)
def test_schema_version(text: str, problem: str) -> None:
    e = error_of(text)
    assert e.key == "schema" and problem in e.problem


# --- every rule, with bad input -------------------------------------------------------

BAD = [
    # types
    (doc('port = "5061"'), "service.port", 'must be a whole number, got "5061"'),
    (doc("port = 5061.0"), "service.port", "must be a whole number"),
    (doc("port = true"), "service.port", "must be a whole number, got true"),
    (doc("port = 0"), "service.port", "between 1 and 65535, got 0"),
    (doc("port = 65536"), "service.port", "between 1 and 65535"),
    (doc('register = "yes"'), "service.register", 'must be true or false (no quotes), got "yes"'),
    (doc("register = 1"), "service.register", "must be true or false"),
    (doc("registration_expiry = 59"), "service.registration_expiry", "between 60 and 86400"),
    (doc("registration_expiry = 86401"), "service.registration_expiry", "between 60 and 86400"),
    (doc("name = 3"), "service.name", "must be a string (in quotes), got 3"),
    (doc('name = "  "'), "service.name", "must not be empty"),
    (doc("description = []"), "service.description", "must be a string"),
    (doc(tls='verify_server = "false"'), "tls.verify_server", "must be true or false"),
    (doc(tls="min_version = 1.2"), "tls.min_version", 'must be "1.2" or "1.3", got 1.2'),
    (doc(tls='min_version = "1.1"'), "tls.min_version", 'must be "1.2" or "1.3", got "1.1"'),
    (doc(nat='ice = "true"'), "nat.ice", "must be true or false"),
    (doc(nat='stun_servers = "stun.example.com"'), "nat.stun_servers", "must be a list of strings"),
    (doc(media='codecs = "PCMU"'), "media.codecs", "must be a list of strings"),
    (doc(media="codecs = [0]"), "media.codecs", "must be a list of strings"),
    ('schema = 1\nservice = "x"\n', "service", "must be a table ([service])"),
    ('schema = 1\n[[service]]\ndomain = "x"\n', "service", "must be a table"),
    # service hosts
    ('schema = 1\n[service]\nname = "x"\n', "service.domain", "required"),
    ("schema = 1\n", "service.domain", "required"),
    ('schema = 1\n[service]\ndomain = ""\n', "service.domain", "must not be empty"),
    ('schema = 1\n[service]\ndomain = "sip example.com"\n', "service.domain", "no"),
    ('schema = 1\n[service]\ndomain = "sip:example.com"\n', "service.domain", "without a scheme"),
    ('schema = 1\n[service]\ndomain = "a@example.com"\n', "service.domain", "without a user part"),
    ('schema = 1\n[service]\ndomain = "example.com:5061"\n', "service.domain", "port goes"),
    ('schema = 1\n[service]\ndomain = "exa$mple.com"\n', "service.domain", "not a valid host"),
    (doc('server = " "'), "service.server", "must not contain spaces"),
    (doc('server = "pbx.example.com:5061"'), "service.server", "port goes in its own key"),
    (doc('transport = "TLS"'), "service.transport", 'must be "tls", "tcp" or "udp", got "TLS"'),
    (doc('transport = "ws"'), "service.transport", 'must be "tls", "tcp" or "udp"'),
    # URIs
    (doc('outbound_proxy = "proxy.example.com"'), "service.outbound_proxy", 'starting with "sip:"'),
    (doc('registrar = "http://r.example.com"'), "service.registrar", 'starting with "sip:"'),
    (doc('registrar = "<sip:r.example.com;transport=tls>"'), "service.registrar", "starting with"),
    (doc('registrar = "sip:r.example.com ;transport=tls"'), "service.registrar", "without spaces"),
    (doc('registrar = "sip:;transport=tls"'), "service.registrar", "host must not be empty"),
    (
        doc('registrar = "sip:r.example.com:99999;transport=tls"'),
        "service.registrar",
        "invalid port",
    ),
    (doc('outbound_proxy = "sip:p.example.com;lr"'), "service.outbound_proxy", "without TLS"),
    (
        doc('outbound_proxy = "sip:p.example.com;transport=udp"'),
        "service.outbound_proxy",
        "without TLS",
    ),
    (doc('registrar = "sips:r.example.com;transport=tcp"'), "service.registrar", "without TLS"),
    (
        doc(
            'transport = "tcp"\nallow_insecure_signalling = true\nregistrar = "sips:r.example.com"'
        ),
        "service.registrar",
        '"sips:" needs TLS but service.transport is "tcp"',
    ),
    (
        doc(
            'transport = "tcp"\nallow_insecure_signalling = true\nregistrar = "sip:r;transport=udp"'
        ),
        "service.registrar",
        'says ";transport=udp" but service.transport is "tcp"',
    ),
    # account
    (doc(account='username = "alice@example.com"'), "account.username", "the user part only"),
    (doc(account='username = "al ice"'), "account.username", "the user part only"),
    (doc(account='username = ""'), "account.username", "must not be empty"),
    (doc(account='display_name = "A \\"B\\""'), "account.display_name", "double quotes"),
    (doc(account='display_name = "A\\nB"'), "account.display_name", "line breaks"),
    # region
    (doc('region = "us"'), "service.region", 'did you mean "US"?'),
    (doc('region = "XX"'), "service.region", 'ISO 3166 country code like "US", got "XX"'),
    (doc('region = "USA"'), "service.region", "ISO 3166"),
    # media
    (doc(media='srtp = "required"'), "media.srtp", 'must be "mandatory", "optional" or "disabled"'),
    (
        doc(media='keying = ["zrtp"]'),
        "media.keying",
        'each entry must be "sdes" or "dtls", got "zrtp"',
    ),
    (doc(media='keying = ["SDES"]'), "media.keying", "each entry must be"),
    (doc(media='keying = ["sdes", "sdes"]'), "media.keying", "lists a method twice"),
    (doc(media="keying = []"), "media.keying", 'while media.srtp is "mandatory"'),
    (doc(media="codecs = []"), "media.codecs", "at least one codec"),
    (doc(media='codecs = ["PCMU", "pcmu"]'), "media.codecs", "lists a codec twice"),
    (doc(media='codecs = ["PCM U"]'), "media.codecs", "is not a codec name"),
    (doc(media='codecs = ["speex/abc"]'), "media.codecs", "is not a codec name"),
    (doc(media='dtmf = "inband"'), "media.dtmf", 'must be "rfc4733" or "info", got "inband"'),
    (doc(media='dtmf = "rfc2833"'), "media.dtmf", 'must be "rfc4733" or "info"'),
    # nat
    (doc(nat='stun_servers = ["stun.example.com:port"]'), "nat.stun_servers", "invalid port"),
    (doc(nat='stun_servers = ["stun:stun.example.com"]'), "nat.stun_servers", "invalid port"),
    (doc(nat='stun_servers = ["bad host"]'), "nat.stun_servers", "must not contain spaces"),
    (doc(nat='stun_servers = ["[::1"]'), "nat.stun_servers", "not a valid host"),
    (doc(nat='turn_server = "turn.example.com:0"'), "nat.turn_server", "invalid port"),
    (doc(nat='turn_server = ""'), "nat.turn_server", "must not be empty"),
    (doc(nat='turn_transport = "dtls"'), "nat.turn_transport", 'must be "udp", "tcp" or "tls"'),
    (doc(nat='turn_username = "alice"'), "nat.turn_username", "nat.turn_server is not"),
    # opt-ins
    (doc('transport = "tcp"'), "service.transport", "SDES keys that encrypt the audio"),
    (doc('transport = "udp"'), "service.transport", "allow_insecure_signalling = true"),
    (doc(tls="verify_server = false"), "tls.verify_server", "allow_unverified = true"),
    (doc(media='srtp = "optional"'), "media.srtp", "allow_plaintext_media = true"),
    (doc(media='srtp = "disabled"'), "media.srtp", "allow_plaintext_media = true"),
    (
        doc(media='srtp = "optional"\nallow_plaintext_media = "yes"'),
        "media.allow_plaintext_media",
        "true or false",
    ),
]


@pytest.mark.parametrize(("text", "key", "problem"), BAD)
def test_bad_input_is_rejected_with_file_key_and_problem(text: str, key: str, problem: str) -> None:
    e = error_of(text)
    assert (e.file, e.key) == ("test.toml", key)
    assert problem in e.problem
    assert str(e).startswith(f"test.toml: {key}: ")


@pytest.mark.parametrize(
    ("service", "media", "words"),
    [
        ('transport = "tcp"', "", "SDES keys that encrypt the audio would travel in clear text"),
        ('transport = "udp"', 'keying = ["dtls"]', "who calls whom"),
    ],
)
def test_insecure_signalling_message_explains_the_risk(
    service: str, media: str, words: str
) -> None:
    assert words in error_of(doc(service, media=media)).problem


@pytest.mark.parametrize(
    "text",
    [
        doc('transport = "tcp"\nallow_insecure_signalling = true'),
        doc('transport = "udp"\nallow_insecure_signalling = true\nregistrar = "sip:r.example.com"'),
        doc('outbound_proxy = "sips:p.example.com"'),
        doc(tls="verify_server = false\nallow_unverified = true"),
        doc(media='srtp = "optional"\nallow_plaintext_media = true'),
        doc(media='srtp = "disabled"\nkeying = []\nallow_plaintext_media = true'),
        doc(tls="allow_unverified = true"),  # an unused opt-in changes nothing
        doc(nat='stun_servers = ["::1"]'),
    ],
)
def test_explicit_opt_ins_and_edge_cases_are_valid(text: str) -> None:
    assert isinstance(parse_profile(text), SipProfile)


def test_opt_in_flags_are_kept() -> None:
    p = parse_profile(
        doc(
            'transport = "tcp"\nallow_insecure_signalling = true',
            tls="verify_server = false\nallow_unverified = true",
            media='srtp = "optional"\nallow_plaintext_media = true',
        )
    )
    assert p.allow_insecure_signalling and p.tls.allow_unverified and p.media.allow_plaintext_media
    assert not p.tls.verify_server and p.media.allows_plaintext and not p.uses_tls


def test_region_falls_back_to_two_letters_without_phonenumbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "phonenumbers", None)  # makes the import fail
    assert parse_profile(doc('region = "ZZ"')).region == "ZZ"
    assert error_of(doc('region = "ZZZ"')).key == "service.region"


# --- unknown keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (
            doc('trasport = "tls"'),
            "service.trasport",
            'unknown key in [service]; did you mean "transport"?',
        ),
        (doc(tls="verify_sever = true"), "tls.verify_sever", 'did you mean "verify_server"?'),
        (doc(media='codec = ["PCMU"]'), "media.codec", 'did you mean "codecs"?'),
        (doc(nat='stun_server = "s"'), "nat.stun_server", 'did you mean "stun_servers"?'),
        (doc(nat='turn_user = "a"'), "nat.turn_user", 'did you mean "turn_username"?'),
        (doc('username = "alice"'), "service.username", '"username" belongs in [account]'),
        (doc(tls='srtp = "mandatory"'), "tls.srtp", '"srtp" belongs in [media]'),
        (doc(servcie='name = "x"'), "servcie", 'unknown table; did you mean "service"?'),
        (doc(medias='srtp = "x"'), "medias", 'did you mean "media"?'),
        (doc(widget="x = 1"), "widget", "unknown table"),
        (doc("zzz = 1"), "service.zzz", "unknown key in [service]"),
        (doc("ping_interval = 30"), "service.ping_interval", "unknown key in [service]"),
        ('schema = 1\nregion = "US"\n[service]\ndomain = "x"\n', "region", "belongs in [service]"),
        (doc(tls="[tls.extra]\nx = 1"), "tls.extra", "unknown key in [tls]"),
    ],
)
def test_unknown_names_are_rejected_with_a_hint(text: str, key: str, problem: str) -> None:
    e = error_of(text)
    assert e.key == key and problem in e.problem


def test_unknown_name_without_a_close_match_has_no_hint() -> None:
    assert "did you mean" not in error_of(doc(widget="x = 1")).problem


# --- credentials ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (doc('password = "x"'), "service.password"),
        (doc(account='password = "alice-secret"'), "account.password"),
        (doc(account='passwd = "x"'), "account.passwd"),
        (doc(account='auth_pass = "x"'), "account.auth_pass"),
        (doc(account='sip_secret = "x"'), "account.sip_secret"),
        (doc(account='pin = "1234"'), "account.pin"),
        (doc(account="voicemail_pin = 1234"), "account.voicemail_pin"),
        (doc(account='ha1 = "abc"'), "account.ha1"),
        (doc(account='Access-Token = "abc"'), "account.Access-Token"),
        (doc(account='pass = "x"'), "account.pass"),
        (doc(nat='turn_password = "x"'), "nat.turn_password"),
        (doc(tls='private_key = "x"'), "tls.private_key"),
        (doc(tls='client_key_passphrase = "x"'), "tls.client_key_passphrase"),
        ('schema = 1\nsecret = "x"\n[service]\ndomain = "x"\n', "secret"),
        (doc(credentials='alice = "x"'), "credentials"),
        (doc(account='[account.extra]\nPassword = "x"'), "account.extra.Password"),
        ('schema = 2\npassword = "x"\n', "password"),  # checked before everything else
    ],
)
def test_credential_keys_are_rejected_anywhere(text: str, key: str) -> None:
    e = error_of(text)
    assert e.key == key and e.problem == CREDENTIAL_MESSAGE


def test_private_key_content_is_rejected() -> None:
    key_text = "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"
    e = error_of(doc(tls=f'client_key = "{key_text}"'))
    assert e.key == "tls.client_key" and e.problem == CREDENTIAL_MESSAGE
    e = error_of(doc('description = "-----BEGIN RSA PRIVATE KEY-----"'))
    assert e.key == "service.description" and e.problem == CREDENTIAL_MESSAGE


def test_pem_text_instead_of_a_path_is_rejected() -> None:
    e = error_of(doc(tls='ca_file = "-----BEGIN CERTIFICATE-----"'))
    assert e.key == "tls.ca_file" and "not the PEM text" in e.problem


def test_words_that_merely_contain_pin_are_not_credentials() -> None:
    assert mod._looks_like_credential("ping_interval") is False
    assert mod._looks_like_credential("client_key") is False
    assert mod._looks_like_credential("turn_username") is False
    assert mod._looks_like_credential("spinner") is False


# --- paths ----------------------------------------------------------------------------


def test_relative_path_is_relative_to_the_profile_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = write(tmp_path / "profiles" / "certs", "ca.crt", "pem")
    profile = write(tmp_path / "profiles", "p.toml", doc(tls='ca_file = "certs/ca.crt"'))
    monkeypatch.chdir(tmp_path)
    assert load_profile(profile).tls.ca_file == ca
    assert load_profile(Path("profiles/p.toml")).tls.ca_file == ca


def test_parse_profile_resolves_against_base_dir(tmp_path: Path) -> None:
    ca = write(tmp_path / "certs", "ca.crt", "pem")
    assert (
        parse_profile(doc(tls='ca_file = "certs/../certs/ca.crt"'), base_dir=tmp_path).tls.ca_file
        == ca
    )


def test_parse_profile_defaults_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = write(tmp_path, "ca.crt", "pem")
    monkeypatch.chdir(tmp_path)
    assert parse_profile(doc(tls='ca_file = "ca.crt"')).tls.ca_file == ca


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    ca = write(tmp_path / ".config", "ca.pem", "pem")
    assert parse_profile(doc(tls='ca_file = "~/.config/ca.pem"')).tls.ca_file == ca


@pytest.mark.parametrize(
    ("env", "raw"),
    [
        ({"CERTS": "{tmp}"}, "${CERTS}/ca.crt"),
        ({}, "${CERTS:-{tmp}}/ca.crt"),
        ({"CERTS": ""}, "${CERTS:-{tmp}}/ca.crt"),
        ({"CERTS": "{tmp}"}, "${CERTS:-/nowhere}/ca.crt"),
        ({"HOME": "{tmp}", "SUB": "ca.crt"}, "~/${SUB}"),
    ],
)
def test_environment_references_are_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], raw: str
) -> None:
    monkeypatch.delenv("CERTS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("{tmp}", str(tmp_path)))
    ca = write(tmp_path, "ca.crt", "pem")
    text = doc(tls=f'ca_file = "{raw.replace("{tmp}", str(tmp_path))}"')
    assert parse_profile(text).tls.ca_file == ca


def test_dollar_without_braces_is_literal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAIN", "expanded")
    ca = write(tmp_path / "$PLAIN", "ca.crt", "pem")
    assert parse_profile(doc(tls='ca_file = "$PLAIN/ca.crt"'), base_dir=tmp_path).tls.ca_file == ca


def test_unset_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_VAR_X", raising=False)
    e = error_of(doc(tls='ca_file = "${NO_SUCH_VAR_X}/ca.crt"'))
    assert e.key == "tls.ca_file" and "environment variable NO_SUCH_VAR_X is not set" in e.problem


def test_malformed_reference_is_an_error() -> None:
    e = error_of(doc(tls='ca_file = "${UNCLOSED/ca.crt"'))
    assert e.key == "tls.ca_file" and "malformed environment reference" in e.problem


def test_missing_file_error_names_the_expanded_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESTBED_DIR", str(tmp_path / "tb"))
    e = error_of(doc(tls='ca_file = "${TESTBED_DIR:-/tmp/sip-testbed}/certs/ca.crt"'))
    assert e.key == "tls.ca_file"
    assert f"file not found: {tmp_path}/tb/certs/ca.crt" in e.problem
    assert '(from "${TESTBED_DIR:-/tmp/sip-testbed}/certs/ca.crt")' in e.problem


def test_relative_missing_file_error_shows_where_it_looked(tmp_path: Path) -> None:
    e = error_of(doc(tls='client_cert = "me.crt"\nclient_key = "me.key"'), base_dir=tmp_path)
    assert e.key == "tls.client_cert" and f"file not found: {tmp_path}/me.crt" in e.problem


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    e = error_of(doc(tls=f'ca_file = "{tmp_path}"'))
    assert e.key == "tls.ca_file" and "is a folder, not a file" in e.problem


def test_empty_path_is_an_error() -> None:
    assert "must not be empty" in error_of(doc(tls='ca_file = ""')).problem


def test_client_certificate_and_key_together(tmp_path: Path) -> None:
    cert, key = write(tmp_path, "me.crt", "c"), write(tmp_path, "me.key", "k")
    p = parse_profile(doc(tls=f'client_cert = "{cert}"\nclient_key = "{key}"'))
    assert (p.tls.client_cert, p.tls.client_key) == (cert, key)


@pytest.mark.parametrize(
    ("given", "missing"), [("client_cert", "client_key"), ("client_key", "client_cert")]
)
def test_client_certificate_and_key_both_or_neither(
    tmp_path: Path, given: str, missing: str
) -> None:
    path = write(tmp_path, "me.pem", "x")
    e = error_of(doc(tls=f'{given} = "{path}"'))
    assert e.key == f"tls.{missing}" and "give both or neither" in e.problem


# --- lookup ---------------------------------------------------------------------------


def test_shipped_profiles_dir_is_the_repository_folder() -> None:
    assert shipped_profiles_dir() == REPO / "sip_profiles"


def test_find_profile_accepts_an_existing_path(tmp_path: Path, dirs: tuple[Path, Path]) -> None:
    path = write(tmp_path / "elsewhere", "x.toml", doc())
    assert find_profile(str(path)) == path


def test_find_profile_prefers_the_user_folder(dirs: tuple[Path, Path]) -> None:
    user, shipped = dirs
    write(shipped, "corp.toml", doc())
    assert find_profile("corp") == shipped / "corp.toml"
    write(user, "corp.toml", doc())
    assert find_profile("corp") == user / "corp.toml"
    assert find_profile("corp.toml") == user / "corp.toml"


def test_find_profile_falls_back_to_shipped(dirs: tuple[Path, Path]) -> None:
    user, shipped = dirs
    write(user, "mine.toml", doc())
    write(shipped, "theirs.toml", doc())
    assert find_profile("theirs") == shipped / "theirs.toml"


def test_find_profile_lists_the_available_names(dirs: tuple[Path, Path]) -> None:
    user, shipped = dirs
    write(user, "mine.toml", doc())
    write(shipped, "asterisk.toml", doc())
    with pytest.raises(ProfileError) as info:
        find_profile("astrisk")
    e = info.value
    assert e.file == "astrisk" and e.key == ""
    assert 'no profile named "astrisk"' in e.problem and "available: asterisk, mine" in e.problem
    assert str(user) in e.problem and str(shipped) in e.problem


def test_find_profile_with_a_missing_path(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such file"):
        find_profile(str(tmp_path / "nope.toml"))
    with pytest.raises(ProfileError, match="no such file"):
        find_profile("")


def test_list_profiles_lets_user_files_hide_shipped_ones(dirs: tuple[Path, Path]) -> None:
    user, shipped = dirs
    write(shipped, "b.toml", doc())
    write(shipped, "a.toml", doc())
    write(shipped, "README.md", "not a profile")
    write(user, "b.toml", doc())
    assert list_profiles() == [shipped / "a.toml", user / "b.toml"]


def test_list_profiles_with_no_user_folder(dirs: tuple[Path, Path]) -> None:
    assert list_profiles() == []


def test_user_folder_comes_from_platformdirs(dirs: tuple[Path, Path]) -> None:
    assert mod.user_profiles_dir() == dirs[0]


# --- the shipped profiles -------------------------------------------------------------


@pytest.fixture
def testbed_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in test bed with the CA file the testbed profile points to."""
    write(tmp_path / "tb" / "certs", "ca.crt", "pem")
    monkeypatch.setenv("TESTBED_DIR", str(tmp_path / "tb"))
    return tmp_path / "tb"


def test_the_expected_profiles_are_shipped() -> None:
    assert sorted(p.stem for p in (REPO / "sip_profiles").glob("*.toml")) == list(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profile_is_valid_and_secure(name: str, testbed_dir: Path) -> None:
    path = REPO / "sip_profiles" / f"{name}.toml"
    p = load_profile(path)
    assert p.path == path and p.name and p.description
    assert p.uses_tls and p.port == 5061 and p.registrar_uri.endswith(";transport=tls")
    assert p.tls.verify_server and p.media.srtp == "mandatory" and p.media.keying == ("sdes",)
    assert not (
        p.allow_insecure_signalling or p.tls.allow_unverified or p.media.allow_plaintext_media
    )
    assert p.media.dtmf == "rfc4733"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profile_starts_with_comments(name: str) -> None:
    lines = (REPO / "sip_profiles" / f"{name}.toml").read_text().splitlines()
    assert lines[0].startswith("# Profile for") and "change" in "\n".join(lines[:20]).lower()


def test_shipped_profiles_are_found_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mod.platformdirs, "user_config_dir", lambda app: str(tmp_path / app))
    assert [p.stem for p in list_profiles()] == list(SHIPPED)
    for name in SHIPPED:
        assert find_profile(name) == REPO / "sip_profiles" / f"{name}.toml"


def test_testbed_profile_matches_the_test_bed(testbed_dir: Path) -> None:
    p = load_profile(REPO / "sip_profiles" / "testbed.toml")
    assert (p.name, p.domain, p.server, p.port) == ("Test bed", "127.0.0.1", "127.0.0.1", 5061)
    assert p.outbound_proxy == "sip:127.0.0.1:5061;transport=tls;lr"
    assert p.proxy_uris == ("sip:127.0.0.1:5061;transport=tls;lr",)
    assert p.registrar_uri == "sip:127.0.0.1:5061;transport=tls"
    assert p.tls.ca_file == testbed_dir / "certs" / "ca.crt"
    assert p.username == "alice" and p.aor("alice") == "sip:alice@127.0.0.1"
    assert p.media.codecs == ("PCMU", "PCMA")


def test_testbed_profile_needs_the_test_bed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESTBED_DIR", str(tmp_path / "absent"))
    with pytest.raises(ProfileError, match=r"tls\.ca_file: file not found: .*absent/certs/ca\.crt"):
        load_profile(REPO / "sip_profiles" / "testbed.toml")


def test_generic_profile_uses_the_system_trust_store() -> None:
    p = load_profile(REPO / "sip_profiles" / "generic-tls.toml")
    assert p.domain == "sip.example.com" and p.tls.ca_file is None


def test_kamailio_profile_routes_through_the_server() -> None:
    p = load_profile(REPO / "sip_profiles" / "kamailio.toml")
    assert p.proxy_uris == (f"sip:{p.server}:5061;transport=tls;lr",)


# --- the schema document --------------------------------------------------------------

SCHEMA_MD = REPO / "sip_profiles" / "SCHEMA.md"


@pytest.mark.parametrize(
    ("table", "key"), [(t, k) for t, keys in mod._SCHEMA.items() for k in keys]
)
def test_every_key_is_documented(table: str, key: str) -> None:
    text = SCHEMA_MD.read_text()
    section = text.split(f"### `[{table}]`", 1)[1].split("\n### ", 1)[0]
    assert f"| `{key}` |" in section


def test_schema_examples_are_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "example-ca.pem", "pem")
    monkeypatch.setenv("EXAMPLE_CA_DIR", str(tmp_path))
    examples = re.findall(r"```toml\n(.*?)```", SCHEMA_MD.read_text(), re.S)
    profiles = [parse_profile(text, "SCHEMA.md") for text in examples[1:]]
    assert len(profiles) == 2
    assert profiles[0].tls.ca_file == tmp_path / "example-ca.pem" and profiles[0].nat.ice
    assert profiles[1].transport == "udp" and profiles[1].media.allows_plaintext
