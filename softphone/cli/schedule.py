"""`softphone schedule list|add|import|export`. Main thread."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from softphone.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    parse_time,
    print_json,
    secret_prompt,
)
from softphone.security.credentials import (
    open_store,
)


def cmd_schedule(args: argparse.Namespace) -> int:
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
        start = parse_time(args.start) if args.start else _start_of_today()
        rows = tasks.list_rows(store, start, args.days, datetime.now(UTC))
        if args.json:
            print_json({"appointments": [r.__dict__ for r in rows]})
        for r in [] if args.json else rows:
            late = " OVERDUE" if r.overdue else ""
            print(f"{r.id:>5} {r.start} {r.minutes:>3} min {r.direction:9} {r.status}{late} "
                  f"{r.who} {r.title}")  # fmt: skip
        return EXIT_OK
    if command == "add":
        phrase_hash = None
        if args.phrase:
            from softphone.schedule.phrase import hash_phrase

            phrase_hash = hash_phrase(secret_prompt("Verification phrase: ", "SOFTPHONE_PHRASE"))
        made = tasks.add(store, args.participant, parse_time(args.at), args.minutes,
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
