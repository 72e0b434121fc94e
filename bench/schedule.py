"""Benchmark: import a year of appointments from iCalendar (time and memory).

    .venv/bin/python bench/schedule.py [--events 5000] [--seed 7]

Generates one .ics with N VEVENTs spread over a year — single visits and weekly or
daily series (RRULE with COUNT, some EXDATEs and moved occurrences), in several time
zones, participants as tel:/sip: attendees or numbers in LOCATION — then times
`read_ics` (parse, expand, validate) and storing the result in a fresh encrypted
database (one transaction), and reports peak memory (tracemalloc) and max RSS.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import MemoryStore

from softphone.schedule.ical import read_ics
from softphone.storage.appointments import AppointmentStore
from softphone.storage.database import LocalDatabase

ZONES = ("America/New_York", "Europe/London", "Europe/Paris", "Asia/Kolkata", "UTC")


def calendar(events: int, rng: random.Random, year_start: datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//schedule//EN"]
    for i in range(events):
        day = year_start + timedelta(days=rng.randrange(365), hours=rng.randrange(8, 18))
        zone = rng.choice(ZONES)
        stamp = day.strftime("%Y%m%dT%H%M00")
        start = f"DTSTART:{stamp}Z" if zone == "UTC" else f"DTSTART;TZID={zone}:{stamp}"
        who = rng.choice(
            [
                f"ATTENDEE;CN=Patient {i}:tel:+1212555{rng.randrange(10000):04d}",
                f"ATTENDEE:sip:patient{i}@clinic.example",
                f"LOCATION:Video visit, call +44 20 7946 {rng.randrange(10000):04d}",
            ]
        )
        minutes = rng.choice((15, 20, 30, 45, 60))
        lines += ["BEGIN:VEVENT", f"UID:bench-{i}@clinic.example", start,
                  f"DURATION:PT{minutes}M", f"SUMMARY:Visit {i}", who]  # fmt: skip
        kind = rng.random()
        if kind < 0.08:
            lines.append(f"RRULE:FREQ=WEEKLY;COUNT={rng.randrange(4, 13)}")
            if rng.random() < 0.3:
                skip = day + timedelta(weeks=1)
                lines.append(f"EXDATE:{skip:%Y%m%dT%H%M00}Z" if zone == "UTC" else
                             f"EXDATE;TZID={zone}:{skip:%Y%m%dT%H%M00}")  # fmt: skip
        elif kind < 0.10:
            lines.append(f"RRULE:FREQ=DAILY;COUNT={rng.randrange(3, 6)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    year_start = datetime(2027, 1, 1, tzinfo=UTC)
    text = calendar(args.events, rng, year_start)
    horizon = year_start + timedelta(days=400)

    def run() -> tuple[float, float, float, int, object]:
        t0 = time.perf_counter()
        report = read_ics(text, horizon=horizon, local_zone=UTC)
        t1 = time.perf_counter()
        with (
            tempfile.TemporaryDirectory() as folder,
            LocalDatabase.open(Path(folder) / "bench.sqlite3", MemoryStore()) as db,
        ):
            AppointmentStore(db).add_many(report.appointments)
            t2 = time.perf_counter()
            stored = len(AppointmentStore(db).all())
            t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, stored, report

    parse_s, store_s, read_s, stored, report = run()  # timed without tracing
    tracemalloc.start()
    run()  # the same again, traced, for the memory peak
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t0, t1, t2, t3 = 0.0, parse_s, parse_s + store_s, parse_s + store_s + read_s
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"iCalendar import: {report.events} VEVENTs ({len(text) / 2**20:.1f} MB) -> "
          f"{len(report.appointments)} appointments, {stored} stored")  # fmt: skip
    print(f"  parse + expand + validate  {t1 - t0:6.2f} s")
    print(f"  store (one transaction)    {t2 - t1:6.2f} s")
    print(f"  total                      {t2 - t0:6.2f} s")
    print(f"  read all back (decrypt)    {t3 - t2:6.2f} s")
    print(f"  peak Python memory {peak / 2**20:.0f} MB (tracemalloc), max RSS {rss_mb:.0f} MB")
    return 0 if stored == len(report.appointments) else 1


if __name__ == "__main__":
    raise SystemExit(main())
