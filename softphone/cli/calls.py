"""`softphone test-call|call|register|doctor`. Main thread."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from softphone.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    account_from_args,
    checked_role,
    dial_pin,
    password_if_possible,
    print_json,
    store_or_none,
)
from softphone.config.admin_policy import load_admin_policy
from softphone.config.profile import (
    SipProfile,
    find_profile,
    load_profile,
)
from softphone.security.credentials import CredentialError, open_store


def cmd_test_call(args: argparse.Namespace) -> int:
    from softphone.tasks.test_call import run_test_call

    report = run_test_call(duration=args.duration, devices=args.devices)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_test_call(report)
    return EXIT_OK if report.passed else EXIT_FAILED


def cmd_call(args: argparse.Namespace) -> int:
    from softphone.policy.pin import PinError
    from softphone.tasks.call import run_call
    from softphone.tasks.policy import call_policy, check_dial, pin_authority

    admin = load_admin_policy(args.policy)
    profile = load_profile(find_profile(args.profile))
    if args.play and not args.play.is_file():
        print(f"softphone: --play: no such file: {args.play}", file=sys.stderr)
        return EXIT_USAGE
    role = checked_role(admin, args.role)
    dial = check_dial(args.uri, profile, admin, role)
    if dial.verdict == "denied":
        print(f"softphone: refused by the dial policy: {dial.reason}", file=sys.stderr)
        return EXIT_FAILED
    pins, authorization = None, None
    if dial.verdict == "needs_pin":
        pins = pin_authority(store_or_none())
        try:
            authorization = pins.authorize(dial.normalised or "", dial_pin(dial.reason))
        except PinError as e:
            print(f"softphone: {e}", file=sys.stderr)
            return EXIT_FAILED
    profile, user, password = account_from_args(args)
    report = run_call(
        profile, user, password, args.uri, args.duration, args.play, args.record,
        policy=call_policy(admin, role, pins), authorization=authorization,
        devices=args.devices, e2e_identity=_e2e_identity(profile, user),
    )  # fmt: skip
    if args.json:
        print_json(report.to_dict())
    else:
        _print_call(report)
    return EXIT_OK if report.ok else EXIT_FAILED


def _e2e_identity(profile: SipProfile, user: str) -> Any:
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


def cmd_register(args: argparse.Namespace) -> int:
    from softphone.tasks.register import run_register

    profile, user, password = account_from_args(args)
    report = run_register(profile, user, password)
    if args.json:
        print_json(report.to_dict())
    else:
        status = "registered" if report.ok else "NOT registered"
        print(f"{report.account}: {status} ({report.code} {report.reason})")
        if report.tls_version:
            print(f"  signalling: {report.tls_version} {report.tls_cipher}")
            print(f"  server certificate SHA-256: {report.server_certificate_sha256}")
        print(f"  took {report.elapsed_ms:.0f} ms")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_doctor(args: argparse.Namespace) -> int:
    from softphone.tasks.doctor import run_doctor

    profile = load_profile(find_profile(args.profile))
    user = args.user or profile.username
    password = password_if_possible(profile, user)
    report = run_doctor(profile, user, password)
    if args.json:
        print_json(report.to_dict())
    else:
        for step in report.steps:
            print(f"[{step.status.upper():>7}] {step.name}: {step.detail}")
            if step.hint:
                print(f"          -> {step.hint}")
    return EXIT_OK if report.ok else EXIT_FAILED


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
    if r.microphone or r.speaker:
        print(f"  devices    : microphone {r.microphone or '-'}, speaker {r.speaker or '-'}")
    if r.bridge:
        b = r.bridge
        print(
            f"  bridge     : mic {b['input_peak_dbfs']} dBFS, underruns capture "
            f"{b['capture_underruns']} playback {b['playback_underruns']}, "
            f"capture buffer {b['capture_fill_ms']} ms"
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
