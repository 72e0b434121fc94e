"""A real OpenLDAP slapd on loopback for the enterprise directory tests.

`start_ldap_testbed()` generates a throwaway PKI and a directory of generated people,
writes cn=config with `slapadd -n0`, loads the people with `slapadd`, and runs slapd as
the current user on free 127.0.0.1 ports. Four instances, because slapd serves exactly
one certificate:

* `main`: the directory. StartTLS on `ldap://`, TLS on `ldaps://`, a certificate from
  the test CA for 127.0.0.1 and localhost, a size limit of `SIZE_LIMIT` entries (fewer
  than there are people, so only a paged search gets them all), anonymous read, and a
  `reader` account with a password.
* `wrong_host`: a certificate from the same CA, but for another host name.
* `self_signed`: a self-signed certificate for 127.0.0.1 and localhost.
* `no_tls`: no TLS configured, so StartTLS is refused.

Test code only; each instance is stopped by `LdapTestbed.stop()`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import ipaddress
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from softphone.security.certificates import generate_self_signed

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")

SUFFIX = "dc=example,dc=test"
PEOPLE_BASE = f"ou=people,{SUFFIX}"
READER_DN = f"cn=reader,{SUFFIX}"
ORGANISATION = "Example Ltd"
SIZE_LIMIT = 500
PEOPLE = 1200
DEPARTMENTS = ("Engineering", "Sales", "Support", "Finance", "Legal", "Marketing")
GIVEN_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Ivan", "Jürgen",
    "Karin", "Lars", "Maria", "Nils", "Olga", "Paul", "Rosa", "Stefan", "Tanja", "Zoë",
)  # fmt: skip
SURNAMES = (
    "Schmidt", "Schneider", "Schulz", "Schäfer", "Müller", "Meyer", "Weber", "Wagner",
    "Becker", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz",
    "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause",
    "Lehmann", "Köhler", "Maier", "Walter", "König", "Mayer", "Huber", "Kaiser", "Fuchs",
    "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich",
    "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann",
    "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "O'Brien",
)  # fmt: skip

# AD's telephony attributes, which OpenLDAP's schemas lack, under OpenLDAP's
# experimental OID arc (1.3.6.1.4.1.4203.666), meant for tests like this one.
_TEST_SCHEMA = """\
dn: cn=softphonetest,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: softphonetest
olcAttributeTypes: ( 1.3.6.1.4.1.4203.666.900.1 NAME 'ipPhone'
  DESC 'AD-style IP phone number' EQUALITY telephoneNumberMatch
  SUBSTR telephoneNumberSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )
olcAttributeTypes: ( 1.3.6.1.4.1.4203.666.900.2 NAME 'msRTCSIP-PrimaryUserAddress'
  DESC 'AD-style SIP address' EQUALITY caseIgnoreMatch
  SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.4203.666.900.3 NAME 'softphoneTestUser'
  DESC 'AD-style telephony attributes' AUXILIARY
  MAY ( ipPhone $ msRTCSIP-PrimaryUserAddress ) )
"""


# -- the people -----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    index: int
    given_name: str
    surname: str
    department: str
    phone: str
    mobile: str | None
    ip_phone: str
    sip_uri: str
    mail: str

    @property
    def uid(self) -> str:
        return f"u{self.index:04d}"

    @property
    def dn(self) -> str:
        return f"uid={self.uid},{PEOPLE_BASE}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.surname}"

    @property
    def numbers(self) -> tuple[str, ...]:
        """In the default attribute mapping's order: telephoneNumber, mobile, ipPhone."""
        return tuple(n for n in (self.phone, self.mobile, self.ip_phone) if n)


def generate_people(count: int = PEOPLE) -> list[Person]:
    """Every given name with every surname, so each display name is unique."""
    people = []
    for index in range(1, count + 1):
        given = GIVEN_NAMES[(index - 1) % len(GIVEN_NAMES)]
        surname = SURNAMES[(index - 1) // len(GIVEN_NAMES) % len(SURNAMES)]
        local = f"{given}.{surname}".lower().replace("'", "")
        people.append(
            Person(
                index=index,
                given_name=given,
                surname=surname,
                department=DEPARTMENTS[index % len(DEPARTMENTS)],
                phone=f"+49 30 555 {index:04d}",
                mobile=f"+49 170 555 {index:04d}" if index % 2 == 0 else None,
                ip_phone=str(7000 + index),
                sip_uri=f"sip:{local}.{index}@example.test",
                mail=f"{local}.{index}@example.test",
            )
        )
    return people


# -- LDIF -----------------------------------------------------------------------------


def _ldif_line(attribute: str, value: str) -> str:
    # RFC 2849: anything but plain printable ASCII (and a leading space, colon or "<")
    # travels base64-encoded.
    safe = value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<"))
    if safe:
        return f"{attribute}: {value}"
    return f"{attribute}:: {base64.b64encode(value.encode()).decode('ascii')}"


def _ldif_entry(dn: str, attributes: Iterable[tuple[str, str]]) -> str:
    lines = [_ldif_line("dn", dn)] + [_ldif_line(a, v) for a, v in attributes]
    return "\n".join(lines) + "\n\n"


def _ssha(password: str) -> str:
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode("ascii")


def _person_attributes(person: Person) -> Iterator[tuple[str, str]]:
    for object_class in ("inetOrgPerson", "softphoneTestUser"):
        yield "objectClass", object_class
    yield "uid", person.uid
    yield "cn", person.display_name
    yield "displayName", person.display_name
    yield "givenName", person.given_name
    yield "sn", person.surname
    yield "o", ORGANISATION
    yield "ou", person.department
    yield "telephoneNumber", person.phone
    if person.mobile:
        yield "mobile", person.mobile
    yield "ipPhone", person.ip_phone
    yield "msRTCSIP-PrimaryUserAddress", person.sip_uri
    yield "mail", person.mail


def directory_ldif(people: Iterable[Person], reader_password: str) -> str:
    parts = [
        _ldif_entry(
            SUFFIX,
            [
                ("objectClass", "dcObject"),
                ("objectClass", "organization"),
                ("dc", "example"),
                ("o", ORGANISATION),
            ],
        ),
        _ldif_entry(PEOPLE_BASE, [("objectClass", "organizationalUnit"), ("ou", "people")]),
        _ldif_entry(
            READER_DN,
            [
                ("objectClass", "organizationalRole"),
                ("objectClass", "simpleSecurityObject"),
                ("cn", "reader"),
                ("userPassword", _ssha(reader_password)),
            ],
        ),
    ]
    parts += [_ldif_entry(p.dn, _person_attributes(p)) for p in people]
    return "".join(parts)


def _config_ldif(run_dir: Path, tls: tuple[Path, Path] | None, database: Path | None) -> str:
    """cn=config for one instance: TLS files, schemas, and optionally the mdb database."""
    text = f"""\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {run_dir / "slapd.pid"}
olcArgsFile: {run_dir / "slapd.args"}
olcLogLevel: none
"""
    if tls:
        text += f"olcTLSCertificateFile: {tls[0]}\nolcTLSCertificateKeyFile: {tls[1]}\n"
    text += f"""
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULE_DIR}
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

"""
    text += "".join(f"include: file://{SCHEMA_DIR / name}.ldif\n\n" for name in SCHEMAS)
    text += _TEST_SCHEMA
    text += """
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none
"""
    if database:
        text += f"""
dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {SUFFIX}
olcDbDirectory: {database}
olcSizeLimit: {SIZE_LIMIT}
olcLimits: * size.prtotal=unlimited
olcDbIndex: objectClass eq
olcDbIndex: cn,sn,givenName,displayName,mail,telephoneNumber,mobile,ipPhone eq,sub
olcDbIndex: ou eq
olcAccess: {{0}}to attrs=userPassword by anonymous auth by * none
olcAccess: {{1}}to * by * read
"""
    return text


# -- certificates ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Issuer:
    name: x509.Name
    key: ec.EllipticCurvePrivateKey


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
    )


def _make_ca(common_name: str) -> tuple[bytes, _Issuer]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        _builder(name, name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return _pem(cert), _Issuer(name, key)


def _make_leaf(issuer: _Issuer, dns_names: list[str], ips: list[str]) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (dns_names or ips)[0])])
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        _builder(subject, issuer.name, key.public_key())
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
        .sign(issuer.key, hashes.SHA256())
    )
    return _pem(cert), _key_pem(key)


@dataclass(frozen=True)
class Pki:
    ca_file: Path  # the test CA: signs the good and the wrong-host certificates
    other_ca_file: Path  # a CA that signed nothing the servers present
    good: tuple[Path, Path]  # (certificate, key) for 127.0.0.1 and localhost
    wrong_host: tuple[Path, Path]  # for wrong.example.test only
    self_signed: tuple[Path, Path]  # for 127.0.0.1 and localhost, signed by itself


def _write_pair(directory: Path, name: str, cert: bytes, key: bytes) -> tuple[Path, Path]:
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert)
    key_path.write_bytes(key)
    key_path.chmod(0o600)
    return cert_path, key_path


def make_pki(directory: Path) -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem, ca = _make_ca("softphone LDAP test CA")
    other_pem, _ = _make_ca("some other CA")
    (directory / "ca.pem").write_bytes(ca_pem)
    (directory / "other-ca.pem").write_bytes(other_pem)
    self_cert, self_key = generate_self_signed("slapd self-signed", ("127.0.0.1",), ("localhost",))
    return Pki(
        ca_file=directory / "ca.pem",
        other_ca_file=directory / "other-ca.pem",
        good=_write_pair(directory, "good", *_make_leaf(ca, ["localhost"], ["127.0.0.1"])),
        wrong_host=_write_pair(directory, "wrong", *_make_leaf(ca, ["wrong.example.test"], [])),
        self_signed=_write_pair(directory, "self", self_cert.encode(), self_key.encode()),
    )


# -- running slapd --------------------------------------------------------------------


def missing_binaries() -> list[str]:
    needed = [SLAPD, SLAPADD, *(SCHEMA_DIR / f"{name}.ldif" for name in SCHEMAS)]
    needed.append(MODULE_DIR / "back_mdb.so")
    return [str(path) for path in needed if not path.exists()]


def free_port() -> int:
    # Another process could take the port before slapd binds it; unlikely on loopback.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SlapdInstance:
    name: str
    process: subprocess.Popen[bytes]
    ldap_port: int
    ldaps_port: int
    log: Path

    def url(self, scheme: str, host: str = "127.0.0.1") -> str:
        port = self.ldaps_port if scheme == "ldaps" else self.ldap_port
        return f"{scheme}://{host}:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _run(command: list[str], what: str) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stderr[-2000:]}")


def _prepare_instance(
    root: Path, name: str, tls: tuple[Path, Path] | None, data: str | None
) -> Path:
    """Write cn=config (and load `data` into a database) for one instance; its directory."""
    run_dir = root / name
    config_dir = run_dir / "slapd.d"
    config_dir.mkdir(parents=True)
    database = run_dir / "db" if data is not None else None
    if database is not None:
        database.mkdir()  # slapadd -n0 checks that olcDbDirectory exists
    (run_dir / "config.ldif").write_text(_config_ldif(run_dir, tls, database))
    _run([str(SLAPADD), "-n0", "-F", str(config_dir), "-l", str(run_dir / "config.ldif")],
         f"slapadd -n0 ({name})")  # fmt: skip
    if database is not None and data is not None:
        (run_dir / "data.ldif").write_text(data)
        # -q: skip consistency checks, several times faster for a generated file.
        _run([str(SLAPADD), "-q", "-F", str(config_dir), "-b", SUFFIX, "-l",
              str(run_dir / "data.ldif")], f"slapadd ({name})")  # fmt: skip
    return run_dir


def _spawn(run_dir: Path, name: str, ldaps: bool) -> SlapdInstance:
    ldap_port, ldaps_port = free_port(), free_port() if ldaps else 0
    urls = f"ldap://127.0.0.1:{ldap_port}/"
    if ldaps:  # slapd refuses to start an ldaps:// listener without a certificate
        urls += f" ldaps://127.0.0.1:{ldaps_port}/"
    log = run_dir / "slapd.log"
    with log.open("wb") as out:
        # -d 0 keeps slapd in the foreground (so it dies with its Popen) without debug noise.
        process = subprocess.Popen(
            [str(SLAPD), "-d", "0", "-h", urls, "-F", str(run_dir / "slapd.d")],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return SlapdInstance(name, process, ldap_port, ldaps_port, log)


def _wait_listening(instance: SlapdInstance, deadline: float) -> None:
    for port in (instance.ldap_port, instance.ldaps_port):
        while port:
            if instance.process.poll() is not None:
                raise RuntimeError(
                    f"slapd {instance.name} exited with {instance.process.returncode}: "
                    f"{instance.log.read_text(errors='replace')[-2000:]}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.5),
            ):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"slapd {instance.name} not listening on {port} in time")
            time.sleep(0.02)


@dataclass
class LdapTestbed:
    pki: Pki
    people: list[Person]
    reader_password: str
    main: SlapdInstance
    wrong_host: SlapdInstance
    self_signed: SlapdInstance
    no_tls: SlapdInstance

    @property
    def instances(self) -> tuple[SlapdInstance, ...]:
        return (self.main, self.wrong_host, self.self_signed, self.no_tls)

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()


def start_ldap_testbed(root: Path) -> LdapTestbed:
    pki = make_pki(root / "pki")
    people = generate_people()
    # Characters that need escaping in URLs, JSON and LDIF, to catch a leak in any form.
    password = f'pw-{secrets.token_hex(6)}-"&%:'
    plans = {
        "main": (pki.good, directory_ldif(people, password)),
        "wrong_host": (pki.wrong_host, None),
        "self_signed": (pki.self_signed, None),
        "no_tls": (None, None),
    }
    run_dirs = {name: _prepare_instance(root, name, *plan) for name, plan in plans.items()}
    instances = {
        name: _spawn(run_dir, name, ldaps=plans[name][0] is not None)
        for name, run_dir in run_dirs.items()
    }
    try:
        deadline = time.monotonic() + 15
        for instance in instances.values():
            _wait_listening(instance, deadline)
    except BaseException:
        for instance in instances.values():
            instance.stop()
        raise
    return LdapTestbed(pki, people, password, **instances)


def require_testbed() -> bool:
    return os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1"
