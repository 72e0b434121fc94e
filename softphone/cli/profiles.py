"""`softphone profile validate|list`. Main thread."""

from __future__ import annotations

import argparse
import sys

from softphone.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
)
from softphone.config.profile import (
    ProfileError,
    list_profiles,
    load_profile,
)


def cmd_profile(args: argparse.Namespace) -> int:
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
