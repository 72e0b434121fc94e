"""The `softphone` command: headless tasks over the engine. Main thread.

Exit codes: 0 success, 1 the task ran and failed (call refused, registration
failed, test call did not pass), 2 bad usage or bad input (profile invalid,
no password available). `policy check-dial`: 0 allowed, 3 needs a PIN, 4 denied;
`policy check-inbound`: 0 accepted, 4 refused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from softphone import __version__, logsetup
from softphone.config.admin_policy import AdminPolicy, PolicyFileError, load_admin_policy
from softphone.config.profile import (
    ProfileError,
    SipProfile,
    find_profile,
    list_profiles,
    load_profile,
)
from softphone.policy.pin import PinFormatError
from softphone.security.credentials import (
    PASSPHRASE_ENV,
    PASSWORD_ENV,
    SIP_SERVICE,
    CredentialError,
    data_dir,
    obtain_password,
    open_store,
    secret_name,
)
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStore, SecretStoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DIAL_PIN_ENV = "SOFTPHONE_DIAL_PIN"
NEW_PASSPHRASE_ENV = "SOFTPHONE_NEW_STORE_PASSPHRASE"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="softphone",
        description="Secure SIP softphone: TLS signalling, mandatory SRTP media.",
        epilog=(
            f"Passwords come from ${PASSWORD_ENV}, the secret store (`softphone secrets set`) "
            "or a prompt, never from arguments."
        ),
    )
    p.add_argument("--version", action="version", version=f"softphone {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log (-vv: SIP too)")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("test-call", help="encrypted call to the embedded echo peer (no account)")
    t.add_argument("--duration", type=float, default=2.0, metavar="S")
    t.add_argument("--json", action="store_true")

    c = sub.add_parser("call", help="register and place one call")
    c.add_argument("uri", help="SIP URI, tel: URI or a number in any formatting")
    _account_args(c)
    _policy_args(c)
    c.add_argument("--duration", type=float, default=10.0, metavar="S")
    c.add_argument("--play", type=Path, metavar="WAV", help="send this WAV file")
    c.add_argument("--record", type=Path, metavar="WAV", help="record what the peer sends")
    c.add_argument("--json", action="store_true")

    r = sub.add_parser("register", help="register and report the outcome")
    _account_args(r)
    r.add_argument("--json", action="store_true")

    d = sub.add_parser("doctor", help="diagnose connectivity, certificate, registration, SRTP")
    _account_args(d, user_required=False)
    d.add_argument("--json", action="store_true")

    sec = sub.add_parser("secrets", help="SIP passwords in the secret store (keyring or file)")
    ssub = sec.add_subparsers(dest="secrets_command", required=True)
    for name, text in (
        ("set", "store the account's password (asked, or $SOFTPHONE_PASSWORD)"),
        ("delete", "forget the account's password"),
    ):
        sp = ssub.add_parser(name, help=text)
        _account_args(sp)
    ssub.add_parser("where", help="which store is in use")
    st = ssub.add_parser("status", help="which backend, locked or unlocked (never a secret)")
    st.add_argument("--json", action="store_true")
    un = ssub.add_parser("unlock", help="unlock the encrypted-file store for a while")
    un.add_argument("--minutes", type=int, default=15, help="how long (default 15)")
    ssub.add_parser("lock", help="lock the encrypted-file store now")
    ssub.add_parser("change-passphrase", help="re-encrypt the file store under a new passphrase")

    pr = sub.add_parser("profile", help="SIP provisioning profiles")
    psub = pr.add_subparsers(dest="profile_command", required=True)
    v = psub.add_parser("validate", help="check profile files")
    v.add_argument("files", nargs="+", type=Path)
    psub.add_parser("list", help="profiles available by name")

    sc = sub.add_parser("schedule", help="scheduled calls (appointments)")
    scsub = sc.add_subparsers(dest="schedule_command", required=True)
    sl = scsub.add_parser("list", help="appointments from a day on")
    sl.add_argument("--from", dest="start", help="ISO date or time (default: today)")
    sl.add_argument("--days", type=int, default=1)
    sl.add_argument("--json", action="store_true")
    sa = scsub.add_parser("add", help="add an appointment")
    sa.add_argument("participant", help="SIP/tel URI or number")
    sa.add_argument("--at", required=True, help="ISO 8601 start, e.g. 2026-12-01T09:00")
    sa.add_argument("--minutes", type=int, default=30)
    sa.add_argument("--title", default="")
    sa.add_argument("--they-call", action="store_true", help="they call us (default: we call)")
    sa.add_argument(
        "--phrase", action="store_true", help="set a verification phrase (asked, never an argument)"
    )
    si = scsub.add_parser("import", help="import an iCalendar file (all or nothing)")
    si.add_argument("file", type=Path)
    si.add_argument("--region", default="US", help="how numbers in the file are read")
    se = scsub.add_parser("export", help="write appointments as iCalendar to stdout or a file")
    se.add_argument("file", nargs="?", type=Path)

    po = sub.add_parser("policy", help="dial permissions and inbound policy")
    posub = po.add_subparsers(dest="policy_command", required=True)
    cd = posub.add_parser("check-dial", help="would this number be allowed? (exit 0/3/4)")
    cd.add_argument("number")
    cd.add_argument("--profile", default="generic-tls", help="profile for region and dial plan")
    _policy_args(cd)
    cd.add_argument("--json", action="store_true")
    ci = posub.add_parser("check-inbound", help="would a call from this URI ring? (exit 0/4)")
    ci.add_argument("uri")
    ci.add_argument("--at", help="ISO 8601 time (default: now)")
    ci.add_argument("--profile", default="generic-tls", help="profile for region and dial plan")
    ci.add_argument("--policy", type=Path, metavar="FILE", help="policy file to use")
    ci.add_argument("--json", action="store_true")
    sh = posub.add_parser("show", help="the policy in force and where it comes from")
    sh.add_argument("--policy", type=Path, metavar="FILE")
    posub.add_parser("set-pin", help="set the authorization code (asked, or $SOFTPHONE_DIAL_PIN)")
    posub.add_parser("clear-pin", help="remove the authorization code")
    return p


def _policy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", help="dialing role (default: the policy's default role)")
    p.add_argument("--policy", type=Path, metavar="FILE", help="policy file (default: installed)")


def _account_args(p: argparse.ArgumentParser, user_required: bool = True) -> None:
    p.add_argument("--profile", required=True, help="profile name (see `profile list`) or file")
    p.add_argument("--user", help="SIP user name (default: the profile's)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logsetup.configure(args.verbose)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "test-call": _test_call,
        "call": _call,
        "register": _register,
        "doctor": _doctor,
        "profile": _profile,
        "secrets": _secrets,
        "policy": _policy,
        "schedule": _schedule,
    }
    try:
        return handlers[args.command](args)
    except (ProfileError, CredentialError, PolicyFileError) as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


# ------------------------------------------------------------------ commands


def _test_call(args: argparse.Namespace) -> int:
    from softphone.tasks.test_call import run_test_call

    report = run_test_call(duration=args.duration)
    if args.json:
        _print_json(report.to_dict())
    else:
        _print_test_call(report)
    return EXIT_OK if report.passed else EXIT_FAILED


def _call(args: argparse.Namespace) -> int:
    from softphone.policy.pin import PinError
    from softphone.tasks.call import run_call
    from softphone.tasks.policy import call_policy, check_dial, pin_authority

    admin = load_admin_policy(args.policy)
    profile = load_profile(find_profile(args.profile))
    if args.play and not args.play.is_file():
        print(f"softphone: --play: no such file: {args.play}", file=sys.stderr)
        return EXIT_USAGE
    role = _role(admin, args.role)
    dial = check_dial(args.uri, profile, admin, role)
    if dial.verdict == "denied":
        print(f"softphone: refused by the dial policy: {dial.reason}", file=sys.stderr)
        return EXIT_FAILED
    pins, authorization = None, None
    if dial.verdict == "needs_pin":
        pins = pin_authority(_store_or_none())
        try:
            authorization = pins.authorize(dial.normalised or "", _dial_pin(dial.reason))
        except PinError as e:
            print(f"softphone: {e}", file=sys.stderr)
            return EXIT_FAILED
    profile, user, password = _account(args)
    report = run_call(
        profile, user, password, args.uri, args.duration, args.play, args.record,
        policy=call_policy(admin, role, pins), authorization=authorization,
        e2e_identity=_e2e_identity(profile, user),
    )  # fmt: skip
    if args.json:
        _print_json(report.to_dict())
    else:
        _print_call(report)
    return EXIT_OK if report.ok else EXIT_FAILED


def _e2e_identity(profile: SipProfile, user: str):
    """The account's long-term end-to-end identity from the secret store, made on first
    use; None (a certificate for this run only) when the store cannot be opened without
    asking again."""
    if profile.media.end_to_end == "off":
        return None
    from softphone.e2e.identity import IdentityError, load_or_create

    try:
        store = open_store(interactive=False)
        return load_or_create(store, f"{user}@{profile.domain}")[0]
    except (CredentialError, IdentityError) as e:
        print(f"softphone: end-to-end identity not kept for this run: {e}", file=sys.stderr)
        return None


def _register(args: argparse.Namespace) -> int:
    from softphone.tasks.register import run_register

    profile, user, password = _account(args)
    report = run_register(profile, user, password)
    if args.json:
        _print_json(report.to_dict())
    else:
        status = "registered" if report.ok else "NOT registered"
        print(f"{report.account}: {status} ({report.code} {report.reason})")
        if report.tls_version:
            print(f"  signalling: {report.tls_version} {report.tls_cipher}")
            print(f"  server certificate SHA-256: {report.server_certificate_sha256}")
        print(f"  took {report.elapsed_ms:.0f} ms")
    return EXIT_OK if report.ok else EXIT_FAILED


def _doctor(args: argparse.Namespace) -> int:
    from softphone.tasks.doctor import run_doctor

    profile = load_profile(find_profile(args.profile))
    user = args.user or profile.username
    password = _password_if_possible(profile, user)
    report = run_doctor(profile, user, password)
    if args.json:
        _print_json(report.to_dict())
    else:
        for step in report.steps:
            print(f"[{step.status.upper():>7}] {step.name}: {step.detail}")
            if step.hint:
                print(f"          -> {step.hint}")
    return EXIT_OK if report.ok else EXIT_FAILED


def _secrets(args: argparse.Namespace) -> int:
    if args.secrets_command in {"status", "unlock", "lock", "change-passphrase"}:
        return _secret_store_command(args)
    store = open_store()
    if args.secrets_command == "where":
        print(f"{type(store).__name__}: {getattr(store, 'path', 'OS keyring')}")
        return EXIT_OK
    profile = load_profile(find_profile(args.profile))
    user = args.user or profile.username
    if not user:
        raise CredentialError(f"profile {profile.name} names no user: pass --user")
    name = secret_name(user, profile.domain)
    try:
        if args.secrets_command == "delete":
            found = store.delete(SIP_SERVICE, name)
            print(f"{name}: {'deleted' if found else 'nothing stored'}")
            return EXIT_OK
        password = obtain_password(user, profile.domain)  # env or prompt, never argv
        store.set(SIP_SERVICE, name, password)
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None
    print(f"{name}: password stored in {type(store).__name__}")
    return EXIT_OK


def _secret_store_command(args: argparse.Namespace) -> int:
    from softphone.tasks import secrets as tasks

    command, folder = args.secrets_command, data_dir()
    try:
        if command != "status":
            tasks.file_store(folder)  # before asking for anything
        if command == "status":
            report = tasks.status(folder)
            if args.json:
                _print_json(report.to_dict())
            else:
                _print_store_status(report)
        elif command == "unlock":
            if not 1 <= args.minutes <= 24 * 60:
                raise CredentialError("--minutes: 1 to 1440")
            kept = tasks.unlock(folder, _passphrase("Secret store passphrase: "), args.minutes)
            print(
                f"unlocked for {args.minutes} min (key kept in the kernel's session keyring)"
                if kept
                else "passphrase correct; this system cannot keep an unlock, so each "
                "command will ask again"
            )
        elif command == "lock":
            print("locked" if tasks.lock(folder) else "was not unlocked")
        else:
            old = _passphrase("Current passphrase: ")
            new = _new_passphrase()
            tasks.change_passphrase(folder, old, new)
            print("passphrase changed; every secret re-encrypted under a new key")
    except tasks.OsKeyringInUse as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_USAGE
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None
    return EXIT_OK


def _print_store_status(r: Any) -> None:
    if r.backend == "os-keyring":
        print(f"secrets: OS keyring ({r.location}); {r.session}")
        return
    if not r.exists:
        print(f"secrets: encrypted file {r.location} (not created yet)")
        return
    state = "unlocked for this session" if r.unlocked_for_session else "locked"
    print(f"secrets: encrypted file {r.location}: {r.entries} secret(s), {state}")
    print(f"  unlock sessions: {r.session}")


def _passphrase(prompt: str) -> str:
    """$SOFTPHONE_STORE_PASSPHRASE, else asked on the terminal."""
    import getpass

    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CredentialError(f"no terminal to ask for the passphrase (set {PASSPHRASE_ENV})")
    return getpass.getpass(prompt)


def _new_passphrase() -> str:
    import getpass

    value = os.environ.get(NEW_PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CredentialError(f"no terminal for the new passphrase (set {NEW_PASSPHRASE_ENV})")
    new = getpass.getpass("New passphrase: ")
    if getpass.getpass("Again: ") != new:
        raise CredentialError("the two passphrases differ; nothing was changed")
    return new


def _profile(args: argparse.Namespace) -> int:
    if args.profile_command == "list":
        for path in list_profiles():
            print(f"{path.stem:20} {path}")
        return EXIT_OK
    failed = 0
    for path in args.files:
        try:
            p = load_profile(path)
            print(
                f"{path}: ok ({p.name}: {p.transport.upper()} {p.server}:{p.port}, "
                f"SRTP {p.media.srtp})"
            )
        except ProfileError as e:
            print(f"{e}", file=sys.stderr)
            failed += 1
    return EXIT_USAGE if failed else EXIT_OK


def _policy(args: argparse.Namespace) -> int:
    from softphone.tasks import policy as tasks

    command = args.policy_command
    if command in {"set-pin", "clear-pin"}:
        return _pin_command(command)
    admin = load_admin_policy(args.policy)
    if command == "show":
        _print_policy(admin)
        return EXIT_OK
    profile = load_profile(find_profile(args.profile))
    if command == "check-dial":
        report = tasks.check_dial(args.number, profile, admin, _role(admin, args.role))
        if args.json:
            _print_json(report.to_dict())
        else:
            print(f"{report.verdict.upper()}: {report.reason}")
            print(f"  class {report.number_class} ({', '.join(report.classes)}), "
                  f"as {report.normalised or '-'}; role {report.role}, region {report.region}; "
                  f"policy: {report.policy_source}")  # fmt: skip
        return tasks.exit_code(report.verdict)
    at = _parse_time(args.at)
    report = tasks.check_inbound(args.uri, profile, admin, at)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(f"{report.verdict.upper()}: {report.reason}")
        print(f"  caller {report.identity or '-'}; mode {report.mode}; at {report.at}; "
              f"policy: {report.policy_source}")  # fmt: skip
    return tasks.exit_code(report.verdict)


def _schedule(args: argparse.Namespace) -> int:
    from softphone.schedule.ical import CalendarImportError
    from softphone.storage.database import DatabaseError
    from softphone.tasks import schedule as tasks

    try:
        with tasks.appointments(open_store()) as store:
            return _schedule_command(args, store, tasks)
    except (CalendarImportError, DatabaseError, ValueError) as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_USAGE


def _schedule_command(args: argparse.Namespace, store: Any, tasks: Any) -> int:
    command = args.schedule_command
    if command == "list":
        start = _parse_time(args.start) if args.start else _start_of_today()
        rows = tasks.list_rows(store, start, args.days, datetime.now(UTC))
        if args.json:
            _print_json({"appointments": [r.__dict__ for r in rows]})
        for r in [] if args.json else rows:
            late = " OVERDUE" if r.overdue else ""
            print(f"{r.id:>5} {r.start} {r.minutes:>3} min {r.direction:9} {r.status}{late} "
                  f"{r.who} {r.title}")  # fmt: skip
        return EXIT_OK
    if command == "add":
        phrase_hash = None
        if args.phrase:
            from softphone.schedule.phrase import hash_phrase

            phrase_hash = hash_phrase(_secret_prompt("Verification phrase: ", "SOFTPHONE_PHRASE"))
        made = tasks.add(store, args.participant, _parse_time(args.at), args.minutes,
                         args.title, args.they_call, phrase_hash)  # fmt: skip
        print(
            f"appointment {made.id}: {made.start.isoformat(timespec='minutes')} {made.participant}"
        )
        return EXIT_OK
    if command == "import":
        report = tasks.import_file(store, args.file, args.region)
        print(
            f"imported {len(report.appointments)} appointment(s) from {report.events} event(s); "
            f"skipped {report.skipped_all_day} all-day, {report.skipped_no_participant} "
            f"with no one to call, {report.skipped_cancelled} cancelled"
        )
        return EXIT_OK
    text = tasks.export(store)
    if args.file:
        args.file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _start_of_today() -> datetime:
    return datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)


def _secret_prompt(prompt: str, env_var: str) -> Secret:
    import getpass

    value = os.environ.get(env_var)
    if value:
        return Secret(value)
    if not sys.stdin.isatty():
        raise CredentialError(f"no terminal to ask for it (set {env_var})")
    return Secret(getpass.getpass(prompt))


def _pin_command(command: str) -> int:
    from softphone.tasks.policy import clear_pin, set_pin

    store = open_store()
    try:
        if command == "clear-pin":
            found = clear_pin(store)
            print("authorization code removed" if found else "no authorization code was set")
            return EXIT_OK
        pin = _dial_pin("new authorization code", confirm=True)
        set_pin(store, pin)
    except PinFormatError as e:
        raise CredentialError(str(e)) from None
    except SecretStoreError as e:
        raise CredentialError(f"secret store: {e}") from None
    print(f"authorization code set (a salted scrypt hash in {type(store).__name__})")
    return EXIT_OK


def _print_policy(admin: AdminPolicy) -> None:
    print(f"policy: {admin.source or 'built-in defaults (no policy file)'}")
    for name, role in sorted(admin.dialing.roles.items()):
        mark = " (default)" if name == admin.dialing.default_role else ""
        print(f"  role {name}{mark}:")
        print(f"    allow: {', '.join(sorted(c.value for c in role.allow)) or '-'}")
        print(f"    PIN  : {', '.join(sorted(c.value for c in role.pin)) or '-'}")
        for label, values in (
            ("deny prefixes", role.deny_prefixes),
            ("exceptions", role.allow_exceptions),
            ("domains", role.allowed_domains),
        ):
            if values:
                print(f"    {label}: {', '.join(values)}")
    print(f"  inbound: {admin.inbound.mode.value}, {len(admin.inbound.block)} blocked")
    transfers = "accepted" if admin.transfers.accept_transfers else "refused"
    print(f"  transfers from the far end: {transfers}")
    history = admin.history
    days = f"{history.retention_days} days" if history.retention_days else "until deleted"
    print(f"  history: {'kept ' + days if history.keep else 'not kept'}")


# ------------------------------------------------------------------- helpers


def _role(admin: AdminPolicy, role: str | None) -> str | None:
    try:
        admin.dialing.role(role)
    except KeyError as e:
        raise CredentialError(str(e).strip("'\"")) from None
    return role


def _dial_pin(reason: str, confirm: bool = False) -> Secret:
    """$SOFTPHONE_DIAL_PIN, else asked on the terminal (never an argument)."""
    import getpass

    env = os.environ.get(DIAL_PIN_ENV)
    if env:
        return Secret(env)
    if not sys.stdin.isatty():
        raise CredentialError(f"{reason}; no terminal to ask for it (set ${DIAL_PIN_ENV})")
    pin = Secret(getpass.getpass("Authorization code: "))
    if confirm and getpass.getpass("Again: ") != pin.reveal():
        raise CredentialError("the two codes differ")
    return pin


def _store_or_none() -> SecretStore | None:
    try:
        return open_store()
    except CredentialError as e:
        print(f"softphone: {e}", file=sys.stderr)
        return None


def _parse_time(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CredentialError(f"--at: not an ISO 8601 time: {text!r}") from None
    return at if at.tzinfo else at.astimezone()


def _account(args: argparse.Namespace) -> tuple[SipProfile, str, Secret | None]:
    profile = load_profile(find_profile(args.profile))
    user = args.user or profile.username
    if not user:
        raise CredentialError(f"profile {profile.name} names no user: pass --user")
    return profile, user, _password(profile, user)


def _password(profile: SipProfile, user: str) -> Secret:
    """$SOFTPHONE_PASSWORD, else the secret store (if it opens), else a prompt."""
    store = None
    if PASSWORD_ENV not in os.environ:
        try:
            store = open_store()
        except CredentialError as e:
            print(f"softphone: {e}", file=sys.stderr)
    return obtain_password(user, profile.domain, store=store)


def _password_if_possible(profile: SipProfile, user: str | None) -> Secret | None:
    if not user:
        return None
    try:
        return _password(profile, user)
    except CredentialError as e:
        print(f"softphone: {e}; registration will be skipped", file=sys.stderr)
        return None


def _print_json(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    print()


def _print_test_call(r: Any) -> None:
    verdict = "PASS" if r.passed else "FAIL"
    print(f"Test call to the embedded echo peer: {verdict}")
    print(f"  signalling : {r.tls_version or '-'} {r.tls_cipher or ''} (peer certificate pinned)")
    print(f"  pinned cert: SHA-256 {r.peer_certificate_sha256}")
    print(f"  media      : {r.media_profile or '-'} {r.srtp_suite or ''} keying {r.keying or '-'}")
    print(f"  codec      : {r.codec or '-'} @ {r.clock_rate or '-'} Hz")
    print(
        f"  setup      : INVITE->confirmed {r.setup_ms} ms, first RTP {r.first_rtp_ms} ms, "
        f"first audio {r.first_audio_ms} ms"
    )
    if r.stats:
        st = r.stats
        rtt = f"{st['rtt_ms']} ms" if st["rtt_ms"] is not None else "n/a (no RTCP report yet)"
        print(
            f"  packets    : rx {st['rx_packets']} tx {st['tx_packets']} lost {st['rx_lost']} "
            f"({st['rx_loss_pct']} %), jitter {st['jitter_ms']} ms, RTT {rtt}"
        )
    print(f"  test tone  : {r.tone_level_dbfs} dBFS, SNR {r.tone_snr_db} dB")
    for failure in r.failures:
        print(f"  FAILED     : {failure}")


def _print_call(r: Any) -> None:
    print(f"Call to {r.uri}: {'OK' if r.ok else 'FAILED'} ({r.outcome})")
    if r.signalling:
        print(f"  signalling: {r.signalling.get('tls_version')} {r.signalling.get('cipher')}")
    if r.media:
        print(f"  security  : {r.security_label}")
        print(
            f"  media     : {r.media['profile']} {r.media.get('suite')} "
            f"keying {r.media['keying']}, encrypted={r.media['encrypted']}"
        )
    if r.sas:
        print(f"  SAS       : {r.sas}  (read it to the other side; peer {r.peer_fingerprint})")
    print(f"  setup {r.setup_ms} ms, first RTP {r.first_rtp_ms} ms, lasted {r.duration_s} s")
    if r.stats:
        print(f"  stats     : {r.stats}")
