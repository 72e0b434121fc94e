"""The enterprise directory against a real OpenLDAP slapd on loopback (slapd_server.py).

The main instance holds 1,200 generated people and a size limit of 500, so only a paged
search gets them all; three more instances present a certificate for another host, a
self-signed certificate, and no TLS at all. slapd is installed by .ci/run; without it
these tests skip, unless SOFTPHONE_REQUIRE_TESTBED=1 (CI), where they fail.
"""

from __future__ import annotations

import socket
import ssl
import time
import traceback
import urllib.parse
from collections.abc import Iterator

import ldap3
import pytest
from slapd_server import (
    PEOPLE_BASE,
    READER_DN,
    SIZE_LIMIT,
    SUFFIX,
    LdapTestbed,
    Person,
    free_port,
    missing_binaries,
    require_testbed,
    start_ldap_testbed,
)

from softphone.directory.enterprise import (
    DEFAULT_FILTER,
    DirectoryErrorKind,
    EnterpriseDirectory,
    EnterpriseDirectoryConfig,
    EnterpriseDirectoryError,
)
from softphone.security.redaction import unregister_secret
from softphone.security.secret import Secret

pytestmark = pytest.mark.integration

K = DirectoryErrorKind


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdapTestbed]:
    missing = missing_binaries()
    if missing:
        reason = (
            f"OpenLDAP slapd is not installed (missing {', '.join(missing)}); "
            "install slapd and ldap-utils (.ci/run does)"
        )
        if require_testbed():
            pytest.fail(reason)
        pytest.skip(reason)
    testbed = start_ldap_testbed(tmp_path_factory.mktemp("slapd"))
    yield testbed
    testbed.stop()
    # EnterpriseDirectory registered them with the process-wide log redactor.
    for password in (testbed.reader_password, *WRONG_PASSWORDS):
        unregister_secret(password)


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A port whose listener never accepts: the kernel completes the TCP handshake, and
    then nothing is ever said."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


REAL = object()  # the reader's password, made up when the bed starts
WRONG_PASSWORDS = ("not-the-password", "Wrong-Pa55word&%")


def directory(
    bed: LdapTestbed, url: str, password: str | object | None = REAL, **changes
) -> EnterpriseDirectory:
    """A directory on `url` for the reader account, trusting the test CA."""
    changes.setdefault("base_dn", PEOPLE_BASE)
    changes.setdefault("ca_file", str(bed.pki.ca_file))
    changes.setdefault("bind_dn", READER_DN if password else None)
    changes.setdefault("timeout", 3)
    text = bed.reader_password if password is REAL else password
    secret = Secret(text) if isinstance(text, str) else None
    return EnterpriseDirectory(EnterpriseDirectoryConfig(url=url, **changes), secret)


def failure(directory: EnterpriseDirectory, text: str = "Anna") -> EnterpriseDirectoryError:
    with pytest.raises(EnterpriseDirectoryError) as caught:
        directory.search(text)
    return caught.value


def dns(entries) -> list[str]:
    return [entry.dn for entry in entries]


def expected(people: list[Person], keep) -> list[str]:
    return [p.dn for p in sorted((p for p in people if keep(p)), key=lambda p: p.display_name)]


# -- searching ------------------------------------------------------------------------


def test_enterprise_directory_search_by_name_prefix(bed: LdapTestbed) -> None:
    ldaps = directory(bed, bed.main.url("ldaps"))
    found = ldaps.search("Anna Sch")
    assert dns(found) == expected(bed.people, lambda p: p.display_name.startswith("Anna Sch"))
    assert len(found) > 1
    assert dns(ldaps.search("anna sch")) == dns(found)  # cn and displayName ignore case
    umlaut = expected(bed.people, lambda p: p.display_name.startswith("Jürgen K"))
    assert dns(ldaps.search("Jürgen K")) == umlaut and umlaut

    person = next(p for p in bed.people if p.dn == found[0].dn)
    entry = found[0]
    assert entry.display_name == person.display_name
    assert (entry.organisation, entry.department) == ("Example Ltd", person.department)
    assert entry.numbers == person.numbers
    assert entry.sip_uris == (person.sip_uri,)
    assert entry.email == person.mail


def test_enterprise_directory_search_by_number(bed: LdapTestbed) -> None:
    ldaps = directory(bed, bed.main.url("ldaps"))
    person = bed.people[41]
    assert person.mobile  # an even index: telephoneNumber, mobile and ipPhone
    assert dns(ldaps.search(person.phone)) == [person.dn]
    # slapd's telephoneNumberSubstringsMatch ignores spaces and hyphens.
    assert dns(ldaps.search(person.phone.replace(" ", ""))) == [person.dn]
    assert dns(ldaps.search(person.mobile.replace(" ", "-"))) == [person.dn]
    [entry] = ldaps.search(person.ip_phone)
    assert entry.dn == person.dn
    assert entry.numbers == (person.phone, person.mobile, person.ip_phone)


def test_enterprise_directory_search_by_department_with_own_filter(bed: LdapTestbed) -> None:
    by_department = directory(
        bed,
        bed.main.url("ldaps"),
        search_filter="(&(objectClass=inetOrgPerson)(ou={text}))",
        max_results=1000,
    )
    found = by_department.search("Engineering", limit=1000)
    assert sorted(dns(found)) == sorted(
        expected(bed.people, lambda p: p.department == "Engineering")
    )
    assert {entry.department for entry in found} == {"Engineering"}
    assert by_department.search("Engineer") == []  # equality, not a prefix, in this filter


def test_enterprise_directory_paging_gets_past_the_size_limit(bed: LdapTestbed) -> None:
    # Without paging the server stops at its size limit: the reason paging is needed.
    server = ldap3.Server(bed.main.url("ldap"), get_info=ldap3.NONE)
    with ldap3.Connection(server, auto_bind=True) as plain:
        plain.search(PEOPLE_BASE, "(objectClass=inetOrgPerson)", attributes=["cn"])
        assert plain.result["description"] == "sizeLimitExceeded"
        assert len(plain.entries) == SIZE_LIMIT < len(bed.people)

    paged = directory(bed, bed.main.url("ldaps"), page_size=250, max_results=5000)
    everyone = paged.search("+49 30 555", limit=5000)
    assert len(everyone) == len(bed.people)
    assert sorted(dns(everyone)) == sorted(p.dn for p in bed.people)
    assert len(paged.search("+49 30 555", limit=30)) == 30
    capped = directory(bed, bed.main.url("ldaps"), max_results=7)
    assert len(capped.search("+49 30 555", limit=5000)) == 7


def test_enterprise_directory_filter_injection_is_escaped(bed: LdapTestbed) -> None:
    ldaps = directory(bed, bed.main.url("ldaps"), max_results=5000)
    # Unescaped in the default filter's "(cn={text}*)", this text would make it
    # "(cn=*)(objectClass=*)" and match every person: the attack is real.
    attack = "*)(objectClass="
    raw = DEFAULT_FILTER.replace("{text}", attack)
    server = ldap3.Server(bed.main.url("ldap"), get_info=ldap3.NONE)
    with ldap3.Connection(server, auto_bind=True, auto_escape=False) as plain:
        plain.search(PEOPLE_BASE, raw, paged_size=1000, attributes=["cn"])
        assert len(plain.entries) == 1000
    for text in (attack, "*)(objectClass=*", "*", "Anna*", "\\", "\0"):
        assert ldaps.search(text, limit=5000) == [], text
    # slapd would end the value at a NUL (matching every "Anna Sch…"); it is dropped.
    [schmidt] = ldaps.search("Anna Schmidt")
    assert ldaps.search("Anna Sch\0midt") == [schmidt]


# -- transports -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "host", "tls"),
    [("ldaps", "127.0.0.1", None), ("ldaps", "localhost", None), ("ldap", "127.0.0.1", "starttls")],
)
def test_enterprise_directory_ldaps_and_starttls(
    bed: LdapTestbed, scheme: str, host: str, tls: str | None
) -> None:
    ldap = directory(bed, bed.main.url(scheme, host), tls=tls)
    check = ldap.check()
    assert check.ok, check.message
    assert check.tls_version in ("TLSv1.2", "TLSv1.3")
    assert f"connected ({check.tls_version}), bound as {READER_DN}" in check.message
    assert dns(ldap.search(bed.people[0].display_name)) == [bed.people[0].dn]


def test_enterprise_directory_anonymous_bind(bed: LdapTestbed) -> None:
    anonymous = directory(bed, bed.main.url("ldaps"), password=None)
    assert "bound anonymously" in anonymous.check().message
    assert dns(anonymous.search(bed.people[5].mail)) == [bed.people[5].dn]


def test_enterprise_directory_plain_ldap_only_with_opt_in(bed: LdapTestbed) -> None:
    with pytest.raises(ValueError, match="in the clear"):
        directory(bed, bed.main.url("ldap"))
    insecure = directory(bed, bed.main.url("ldap"), allow_insecure=True)
    check = insecure.check()
    assert check.ok and check.tls_version is None
    assert "NOT ENCRYPTED" in check.message


# -- clear errors ---------------------------------------------------------------------


def test_enterprise_directory_untrusted_certificates(bed: LdapTestbed) -> None:
    other_ca = directory(bed, bed.main.url("ldaps"), ca_file=str(bed.pki.other_ca_file))
    error = failure(other_ca)
    assert error.kind is K.UNTRUSTED_CERTIFICATE
    assert "server certificate not trusted (unable to get local issuer certificate" in str(error)

    for url, tls in (
        (bed.self_signed.url("ldaps"), None),
        (bed.self_signed.url("ldap"), "starttls"),
    ):
        error = failure(directory(bed, url, tls=tls))
        assert error.kind is K.UNTRUSTED_CERTIFICATE
        assert "server certificate not trusted (self-signed certificate" in str(error)


def test_enterprise_directory_certificate_for_another_host(bed: LdapTestbed) -> None:
    # The certificate is from the trusted CA: only its name is wrong.
    context = ssl.create_default_context(cafile=str(bed.pki.ca_file))
    context.check_hostname = False
    address = ("127.0.0.1", bed.wrong_host.ldaps_port)
    with socket.create_connection(address, timeout=3) as raw, context.wrap_socket(raw) as tls:
        assert tls.getpeercert()["subjectAltName"] == (("DNS", "wrong.example.test"),)

    for url, tls in ((bed.wrong_host.url("ldaps"), None), (bed.wrong_host.url("ldap"), "starttls")):
        wrong = directory(bed, url, tls=tls)
        error = failure(wrong)
        assert error.kind is K.WRONG_HOST_CERTIFICATE
        assert "certificate is for another host: it is not valid for 127.0.0.1" in str(error)
        assert wrong.check().kind is K.WRONG_HOST_CERTIFICATE


@pytest.mark.parametrize(
    ("bind_dn", "password"),
    [(READER_DN, WRONG_PASSWORDS[0]), (f"cn=nobody,{SUFFIX}", REAL)],
)
def test_enterprise_directory_wrong_bind_dn_or_password(
    bed: LdapTestbed, bind_dn: str, password: str | object
) -> None:
    wrong = directory(bed, bed.main.url("ldaps"), password=password, bind_dn=bind_dn)
    error = failure(wrong)
    assert error.kind is K.INVALID_CREDENTIALS
    assert f"wrong bind DN or password for {bind_dn}" in str(error)
    check = wrong.check()
    assert (check.ok, check.kind) == (False, K.INVALID_CREDENTIALS)


def test_enterprise_directory_base_dn_does_not_exist(bed: LdapTestbed) -> None:
    missing = directory(bed, bed.main.url("ldaps"), base_dn=f"ou=nobody,{SUFFIX}")
    error = failure(missing)
    assert error.kind is K.NO_SUCH_BASE
    assert f"base DN does not exist: ou=nobody,{SUFFIX}; the server knows {SUFFIX}" in str(error)
    assert missing.check().kind is K.NO_SUCH_BASE


def test_enterprise_directory_starttls_refused(bed: LdapTestbed) -> None:
    no_tls = directory(bed, bed.no_tls.url("ldap"), tls="starttls")
    error = failure(no_tls)
    assert error.kind is K.STARTTLS_REFUSED
    assert "StartTLS refused by server (unsupported extended operation)" in str(error)


def test_enterprise_directory_ldaps_on_the_plain_port(bed: LdapTestbed) -> None:
    confused = directory(bed, f"ldaps://127.0.0.1:{bed.main.ldap_port}")
    error = failure(confused)
    assert error.kind is K.TLS_FAILED
    assert "the server did not answer with TLS" in str(error)


def test_enterprise_directory_unreachable(bed: LdapTestbed) -> None:
    port = free_port()
    error = failure(directory(bed, f"ldaps://127.0.0.1:{port}"))
    assert error.kind is K.UNREACHABLE
    assert f"server unreachable: connection refused (nothing listens on port {port}" in str(error)


@pytest.mark.parametrize(("scheme", "tls"), [("ldaps", None), ("ldap", "starttls")])
def test_enterprise_directory_hung_server_times_out(
    bed: LdapTestbed, hung_port: int, scheme: str, tls: str | None
) -> None:
    hung = directory(bed, f"{scheme}://127.0.0.1:{hung_port}", tls=tls, timeout=1)
    started = time.monotonic()
    error = failure(hung)
    elapsed = time.monotonic() - started
    assert error.kind is K.TIMEOUT
    assert "timed out after 1 s waiting for the " in str(error)
    assert 0.9 <= elapsed < 2.0


def test_enterprise_directory_password_never_in_errors(bed: LdapTestbed, hung_port: int) -> None:
    main = bed.main.url("ldaps")
    attempts = [
        (directory(bed, main, password=WRONG_PASSWORDS[1]), WRONG_PASSWORDS[1]),
        (directory(bed, main, ca_file=str(bed.pki.other_ca_file)), bed.reader_password),
        (directory(bed, bed.wrong_host.url("ldaps")), bed.reader_password),
        (directory(bed, main, base_dn=f"ou=nobody,{SUFFIX}"), bed.reader_password),
        (directory(bed, bed.no_tls.url("ldap"), tls="starttls"), bed.reader_password),
        (directory(bed, f"ldaps://127.0.0.1:{hung_port}", timeout=1), bed.reader_password),
    ]
    for attempt, password in attempts:
        spellings = {password, urllib.parse.quote(password, safe=""), repr(password)[1:-1]}
        error = failure(attempt)
        told = [str(error), repr(error), "".join(traceback.format_exception(error))]
        told.append(repr(attempt.check()))
        for text, spelling in ((t, s) for t in told for s in spellings):
            assert spelling not in text, f"password shown in: {text[:300]}"
