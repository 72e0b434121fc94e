"""The `softphone` command: headless tasks over the engine. Main thread.

Exit codes: 0 success, 1 the task ran and failed (call refused, registration
failed, test call did not pass), 2 bad usage or bad input (profile invalid,
no password available). `policy check-dial`: 0 allowed, 3 needs a PIN, 4 denied;
`policy check-inbound`: 0 accepted, 4 refused; `e2e forget`: 1 nothing was kept.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from softphone import __version__, logsetup
from softphone.cli.calls import cmd_call, cmd_doctor, cmd_register, cmd_test_call
from softphone.cli.common import (
    EXIT_USAGE,
    GUI_INSTALL_HINT,
)
from softphone.cli.devices import cmd_devices
from softphone.cli.e2e import add_parser as add_e2e_parser
from softphone.cli.e2e import cmd_e2e
from softphone.cli.policy import cmd_policy
from softphone.cli.profiles import cmd_profile
from softphone.cli.schedule import cmd_schedule
from softphone.cli.secrets import cmd_secrets
from softphone.config.admin_policy import PolicyFileError
from softphone.config.profile import (
    ProfileError,
)
from softphone.security.credentials import (
    PASSWORD_ENV,
    CredentialError,
)

__all__ = [
    "GUI_INSTALL_HINT",
    "build_parser",
    "default_argv",
    "desktop_session",
    "link_as_gui",
    "main",
]


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

    g = sub.add_parser("gui", help="the desktop app (needs the gui extra: PySide6)")
    g.add_argument(
        "url",
        nargs="?",
        help="a tel:, sip:, sips: or callto: link to put on the dial pad (URL handler); "
        "the call starts only when the user presses Call",
    )

    t = sub.add_parser("test-call", help="encrypted call to the embedded echo peer (no account)")
    t.add_argument("--duration", type=float, default=2.0, metavar="S")
    t.add_argument(
        "--devices",
        action="store_true",
        help="use the microphone and speaker: hear yourself through both encrypted legs",
    )
    t.add_argument("--json", action="store_true")

    c = sub.add_parser("call", help="register and place one call")
    c.add_argument("uri", help="SIP URI, tel: URI or a number in any formatting")
    _account_args(c)
    _policy_args(c)
    c.add_argument("--duration", type=float, default=10.0, metavar="S")
    c.add_argument("--play", type=Path, metavar="WAV", help="send this WAV file")
    c.add_argument("--record", type=Path, metavar="WAV", help="record what the peer sends")
    c.add_argument("--devices", action="store_true", help="talk through the sound devices")
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

    dv = sub.add_parser("devices", help="sound devices: list them, test microphone and speaker")
    dsub = dv.add_subparsers(dest="devices_command", required=True)
    dl = dsub.add_parser("list", help="input and output devices with their host API")
    dl.add_argument("--json", action="store_true")
    tm = dsub.add_parser("test-mic", help="microphone level meter (--echo: record, play back)")
    tm.add_argument("--device", help="device name (default: settings, else the system's)")
    tm.add_argument("--seconds", type=float, default=5.0, metavar="S")
    tm.add_argument("--echo", action="store_true", help="record, then play it back")
    tm.add_argument("--speaker", help="speaker for --echo (default: settings, else system's)")
    tm.add_argument("--json", action="store_true")
    ts = dsub.add_parser("test-speaker", help="play a test tone")
    ts.add_argument("--device", help="device name (default: settings, else the system's)")
    ts.add_argument("--seconds", type=float, default=2.0, metavar="S")
    ts.add_argument("--freq", type=float, default=440.0, metavar="HZ")
    ts.add_argument("--json", action="store_true")

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

    add_e2e_parser(sub)
    return p


def _policy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", help="dialing role (default: the policy's default role)")
    p.add_argument("--policy", type=Path, metavar="FILE", help="policy file (default: installed)")


def _account_args(p: argparse.ArgumentParser, user_required: bool = True) -> None:
    p.add_argument("--profile", required=True, help="profile name (see `profile list`) or file")
    p.add_argument("--user", help="SIP user name (default: the profile's)")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(link_as_gui(argv))
    logsetup.configure(args.verbose)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "gui": _gui,
        "test-call": cmd_test_call,
        "call": cmd_call,
        "register": cmd_register,
        "doctor": cmd_doctor,
        "profile": cmd_profile,
        "secrets": cmd_secrets,
        "policy": cmd_policy,
        "schedule": cmd_schedule,
        "devices": cmd_devices,
        "e2e": cmd_e2e,
    }
    try:
        return handlers[args.command](args)
    except (ProfileError, CredentialError, PolicyFileError) as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


# ------------------------------------------------------------------ commands


def desktop_session(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether windows can be shown: Windows and macOS always; elsewhere an X11 or
    Wayland display."""
    if platform.startswith(("win", "darwin")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def default_argv(argv: Sequence[str], env: Mapping[str, str] = os.environ) -> list[str]:
    """`python -m softphone` with no arguments opens the desktop app in a desktop
    session; everything else is the command line as typed."""
    if not argv and desktop_session(env):
        return ["gui"]
    return list(argv)


def link_as_gui(argv: Sequence[str]) -> list[str]:
    """`softphone sip:alice@example.org` (a call link alone) is `softphone gui LINK`:
    the link goes to the desktop app's dial pad, to be checked and confirmed there."""
    from softphone.ui.links import link_target  # pure: no Qt

    if len(argv) == 1 and link_target(argv[0]) is not None:
        return ["gui", argv[0]]
    return list(argv)


def _gui(args: argparse.Namespace) -> int:
    try:
        import PySide6  # noqa: F401
    except ImportError:
        print(f"softphone: {GUI_INSTALL_HINT}", file=sys.stderr)
        return EXIT_USAGE
    from softphone.ui.single_instance import hand_over

    url = getattr(args, "url", None)
    if hand_over(url):  # the running app took it: no need to load the app here
        return 0
    from softphone.ui.app import run_gui

    return run_gui([sys.argv[0]], dial=url)
