"""`softphone e2e require|prefer|status|forget`: end-to-end encryption per contact. Main thread.

A contact's requirement is combined with the profile's `[media] end_to_end`, the
stricter winning (`policy.end_to_end.call_mode`): "require" refuses any call with
that peer that is not end to end, in or out; "prefer" asks for end to end and
accepts SDES. `status` lists what is kept: requirement, the fingerprint the users
verified and when, the last mismatch. Exit codes: 0 done, 1 nothing recorded for
that address (`forget`), 2 bad usage (address, database or secret store).
"""

from __future__ import annotations

import argparse
import sys

from softphone.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, print_json
from softphone.policy.end_to_end import E2eMode
from softphone.security.credentials import open_store


def add_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("e2e", help="end-to-end encryption per contact: require, prefer, status")
    esub = e.add_subparsers(dest="e2e_command", required=True)
    for name, text in (
        ("require", "refuse every call with this peer that is not end to end"),
        ("prefer", "ask this peer for end to end, accept SDES (the stricter profile still wins)"),
        ("forget", "drop the verified certificate, mismatches and requirement kept for a peer"),
    ):
        p = esub.add_parser(name, help=text)
        p.add_argument("address", help="user@host or a SIP URI")
    st = esub.add_parser("status", help="verified peers, fingerprints, mismatches, requirements")
    st.add_argument("address", nargs="?", help="one peer (default: all)")
    st.add_argument("--json", action="store_true")


def cmd_e2e(args: argparse.Namespace) -> int:
    from softphone.storage.database import DatabaseError
    from softphone.tasks import e2e_peers as tasks

    command = args.e2e_command
    try:
        address = tasks.normalise(args.address) if args.address else None
        if command in ("status", "forget") and not tasks.database_exists():
            return _nothing(command, address, getattr(args, "json", False))
        with tasks.peers(open_store()) as (db, peers):
            if command == "status":
                return _status(tasks.rows(db, peers, address), address, args.json)
            if command == "forget":
                if not tasks.forget(db, peers, address):
                    print(f"nothing was kept for {address}", file=sys.stderr)
                    return EXIT_FAILED
                print(f"{address}: forgotten (the next call is verified anew)")
                return EXIT_OK
            mode = E2eMode.REQUIRED if command == "require" else E2eMode.PREFERRED
            tasks.set_requirement(db, peers, address, mode)
    except (tasks.PeerAddressError, DatabaseError) as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_USAGE
    if command == "require":
        print(f"{address}: end to end required (calls that are not are refused)")
    else:
        print(f"{address}: end to end preferred (SDES accepted unless the profile requires it)")
    return EXIT_OK


def _nothing(command: str, address: str | None, as_json: bool) -> int:
    if command == "forget":
        print(f"nothing was kept for {address}", file=sys.stderr)
        return EXIT_FAILED
    return _status([], address, as_json)


def _status(rows: list, address: str | None, as_json: bool) -> int:
    if as_json:
        print_json({"peers": [r.to_dict() for r in rows]})
        return EXIT_OK
    if not rows:
        print(f"nothing kept for {address}" if address else "no end-to-end peers kept")
        return EXIT_OK
    for r in rows:
        who = f"{r.address} ({r.contact})" if r.contact else r.address
        print(f"{who}")
        requirement = "the profile's" if r.requirement == "profile" else r.requirement
        print(f"  requirement: {requirement}")
        if r.fingerprint:
            print(f"  verified {r.verified_at}: sha-256 {r.fingerprint}")
        else:
            print("  verified: no")
        if r.mismatch_at:
            print(f"  last mismatch {r.mismatch_at}: {r.mismatch_reason}")
    return EXIT_OK
