"""The `softphone` command: headless tasks over the engine. Main thread.

Exit codes: 0 success, 1 the task ran and failed (call refused, registration
failed, test call did not pass), 2 bad usage or bad input (profile invalid,
no password available).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from softphone import __version__, logsetup
from softphone.config.profile import (
    ProfileError,
    SipProfile,
    find_profile,
    list_profiles,
    load_profile,
)
from softphone.security.credentials import (
    PASSWORD_ENV,
    SIP_SERVICE,
    CredentialError,
    obtain_password,
    open_store,
    secret_name,
)
from softphone.security.secret import Secret
from softphone.security.secret_store import SecretStoreError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
    c.add_argument("uri")
    _account_args(c)
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

    pr = sub.add_parser("profile", help="SIP provisioning profiles")
    psub = pr.add_subparsers(dest="profile_command", required=True)
    v = psub.add_parser("validate", help="check profile files")
    v.add_argument("files", nargs="+", type=Path)
    psub.add_parser("list", help="profiles available by name")
    return p


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
    }
    try:
        return handlers[args.command](args)
    except (ProfileError, CredentialError) as e:
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
    from softphone.tasks.call import run_call

    profile, user, password = _account(args)
    if args.play and not args.play.is_file():
        print(f"softphone: --play: no such file: {args.play}", file=sys.stderr)
        return EXIT_USAGE
    report = run_call(profile, user, password, args.uri, args.duration, args.play, args.record)
    if args.json:
        _print_json(report.to_dict())
    else:
        _print_call(report)
    return EXIT_OK if report.ok else EXIT_FAILED


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


# ------------------------------------------------------------------- helpers


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
        print(
            f"  media     : {r.media['profile']} {r.media.get('suite')} "
            f"keying {r.media['keying']}, encrypted={r.media['encrypted']}"
        )
    print(f"  setup {r.setup_ms} ms, first RTP {r.first_rtp_ms} ms, lasted {r.duration_s} s")
    if r.stats:
        print(f"  stats     : {r.stats}")
