"""Contact directory: import N generated vCards, load them, search keystroke by keystroke.

    python bench/directory.py [--contacts 100000] [--queries 200] [--region US] [--json]
    python bench/directory.py --quick        # 2,000 contacts, 40 queries: a smoke test

Generates N contacts deterministically (--seed): names with accents and punctuation,
organisations and departments, one to three numbers in the region's formats plus
extensions and foreign numbers, SIP URIs for some, tags, favourites. Writes them as
one vCard 3.0 file and, in a fresh encrypted database in a temporary directory (its
data key in an in-memory secret store, never the user's keyring), measures:

* import: read and check the file (vobject), normalise every number, store all
  contacts in one transaction, merge duplicates, index them. Wall time untraced;
  then the same import again into another fresh database under tracemalloc for
  the peak of Python allocations (tracemalloc slows it down, so it is not timed),
  and the process's peak RSS (ru_maxrss, which includes the generated data);
* load: reopen the database and build the directory (decrypt, index) as at start-up,
  and the search index alone;
* search: each query typed one character at a time, every keystroke a search
  (limit 20); p50/p95/p99/max per keystroke against the target p95 <= 5 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from softphone.directory.contacts import ContactDirectory  # noqa: E402
from softphone.directory.search import ContactIndex, fold  # noqa: E402
from softphone.directory.vcard import read_vcards, write_vcards  # noqa: E402
from softphone.security.secret import Secret  # noqa: E402
from softphone.storage import Contact, LocalDatabase, PhoneEntry  # noqa: E402

TARGET_P95_MS = 5.0
QUICK_CONTACTS = 2_000
QUICK_QUERIES = 40


def _words(text: str) -> list[str]:
    """Names from a block of text; "_" joins the words of one name."""
    return [word.replace("_", " ") for word in text.split()]


FIRST = _words("""
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty
Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua
Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald
Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas
Angela Eric Shirley Jonathan Brenda Stephen Emma Larry Anna Justin Pamela Scott Nicole Brandon
Samantha Benjamin Katherine Samuel Christine Gregory Helen Alexander Debra Patrick Rachel Frank
Carolyn Raymond Janet Jack Maria Dennis Catherine Jerry Heather Tyler Diane José Zoë Björn
Anne-Marie Siobhán Renée François Jürgen Søren Łukasz Chloë Noémie Mateo Aoife Saoirse Oisín
Ngozi Chidi Yuki Hiroshi Wei Mei Priya Arjun Fatima Omar Olumide Thandiwe Mónica Iñaki
""")
LAST = _words("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
Patel Myers Long Ross Foster Jimenez Müller Schmidt Schneider Fischer Weber O'Brien O'Connor
McCarthy MacDonald Kowalski Nowak Wiśniewski Dubois Lefèvre Gauthier Rossi Russo Ferrari
Esposito Bianchi Novák Svoboda Dvořák Jensen Nielsen Hansen Søndergaard Andersson Johansson
Karlsson Nilsson Smith-Jones Garcia-Lopez Van_der_Berg De_la_Cruz Okafor Adeyemi Tanaka Suzuki
Wang Li Zhang Chen Singh Kumar Sharma Haddad Khalil Mensah Osei
""")
DEPARTMENTS = _words("""
Dermatology Cardiology Oncology Radiology Paediatrics Neurology Orthopaedics Pharmacy Reception
Billing Emergency Pathology Anaesthetics Urology Gastroenterology Haematology Nephrology
Ophthalmology Physiotherapy Psychiatry Endocrinology Rheumatology Obstetrics Gynaecology
Maternity Audiology Dietetics Outpatients Admissions Theatres Intensive_Care
""")
ORGANISATIONS = [
    "St Elsewhere Hospital",
    "Ravensworth Clinic",
    "City Medical Centre",
    "Northside Practice",
    "Riverside Health",
    "Hôpital Saint-Louis",
    "Clínica Central",
    "Lakeside Surgery",
    "Westgate Laboratories",
    "Harbour View Hospice",
]
AREA_CODES = ["212", "646", "718", "917", "347", "415", "617", "312", "213", "305", "206", "512"]
TAGS = ["staff", "on-call", "referrals", "vip", "suppliers", "family", "locum"]


@dataclass
class Report:
    contacts: int
    queries: int
    figures: dict[str, float] = field(default_factory=dict)
    keystrokes_ms: list[float] = field(default_factory=list)
    queries_with_results: int = 0
    merged: int = 0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.keystrokes_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class _MemoryStore:
    """The database's data key lives here, never in the user's keyring."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], str] = {}

    def get(self, service: str, name: str) -> Secret | None:
        value = self._values.get((service, name))
        return None if value is None else Secret(value)

    def set(self, service: str, name: str, value: str | Secret) -> None:
        self._values[(service, name)] = value if isinstance(value, str) else value.reveal()

    def delete(self, service: str, name: str) -> bool:
        return self._values.pop((service, name), None) is not None


# -- generated data --------------------------------------------------------------------


def _us_number(rng: random.Random) -> tuple[str, str]:
    area, exchange, line = rng.choice(AREA_CODES), rng.randint(201, 989), rng.randint(0, 9999)
    digits = f"{area}{exchange}{line:04d}"
    style = rng.randrange(4)
    if style == 0:
        return f"({area}) {exchange}-{line:04d}", digits
    if style == 1:
        return f"{area}-{exchange}-{line:04d}", digits
    if style == 2:
        return f"+1 {area} {exchange} {line:04d}", digits
    return f"{area}.{exchange}.{line:04d}", digits


def _number(rng: random.Random) -> PhoneEntry:
    kind = rng.random()
    label = rng.choice(["work", "cell", "home", None, "Desk", "Bleep"])
    if kind < 0.85:
        return PhoneEntry(_us_number(rng)[0], None, label)
    if kind < 0.93:
        return PhoneEntry(f"{rng.randint(2000, 7999)}", None, "extension")
    if kind < 0.97:
        return PhoneEntry(
            f"+44 20 3{rng.randint(0, 999):03d} {rng.randint(0, 9999):04d}", None, label
        )
    return PhoneEntry(f"+49 30 {rng.randint(1000000, 9999999)}", None, label)


def generate(count: int, seed: int = 1) -> list[Contact]:
    """`count` realistic contacts, the same for the same seed."""
    rng = random.Random(seed)
    contacts = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}" if rng.random() > 0.05 else f"Dr {first} {last}"
        uris = ()
        if rng.random() < 0.4:
            user = f"{fold(first)[:1]}{fold(last)}".replace(" ", "").replace("'", "")
            uris = (f"sip:{user}{i % 1000}@{rng.choice(['clinic', 'hospital', 'lab'])}.example",)
        contacts.append(
            Contact(
                display_name=name,
                organisation=rng.choice(ORGANISATIONS) if rng.random() < 0.8 else None,
                department=rng.choice(DEPARTMENTS) if rng.random() < 0.7 else None,
                numbers=tuple(_number(rng) for _ in range(rng.choice([1, 1, 2, 2, 3]))),
                uris=uris,
                tags=tuple(rng.sample(TAGS, rng.choice([0, 0, 0, 1, 2]))),
                note=f"Generated contact {i}" if rng.random() < 0.2 else None,
                favourite=rng.random() < 0.02,
                approved=rng.random() < 0.1,
            )
        )
    return contacts


def make_queries(contacts: list[Contact], count: int, seed: int = 2) -> list[str]:
    """What people type: names (partial, without accents), departments, numbers as
    they would write them, SIP addresses."""
    rng = random.Random(seed)
    queries = []
    while len(queries) < count:
        contact = rng.choice(contacts)
        first, _, last = contact.display_name.removeprefix("Dr ").partition(" ")
        roll = rng.random()
        if roll < 0.35:
            queries.append(rng.choice([contact.display_name, f"{first} {last[:3]}", last]))
        elif roll < 0.45:
            queries.append(rng.choice([fold(last), fold(contact.display_name).lower()]))
        elif roll < 0.5 and contact.department:
            queries.append(contact.department[: rng.randint(4, 9)].lower())
        elif roll < 0.9:
            number = rng.choice(contact.numbers).original
            digits = "".join(ch for ch in number if ch.isdigit())
            if number.startswith("+") and not number.startswith("+1"):
                queries.append(number[: rng.randint(6, len(number))])  # foreign: as written
                continue
            if len(digits) < 10:
                queries.append(digits)  # an extension
                continue
            digits = digits[-10:]
            area, exchange, line = digits[:3], digits[3:6], digits[6:]
            queries.append(
                rng.choice(
                    [
                        f"{exchange}{line}",
                        f"{exchange}-{line}",
                        f"({area}) {exchange}",
                        f"+1 {area} {exchange}",
                        f"{area}{exchange}{line}",
                        f"+1{area}{exchange}{line}",
                        f"{line}",
                    ]
                )
            )
        elif contact.uris:
            queries.append(contact.uris[0].split("@")[0][: rng.randint(6, 12)])
    return queries


# -- measurements ----------------------------------------------------------------------


def _import(path: Path, store: _MemoryStore, data: bytes, region: str) -> tuple[int, int]:
    with LocalDatabase.open(path, store) as db:
        report = ContactDirectory(db, region).import_contacts(read_vcards(data, "bench.vcf"))
    return report.added, report.merged.removed_count


def _max_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, else KiB


def run(contacts: int, queries: int, region: str, seed: int, trace_memory: bool) -> Report:
    report = Report(contacts, queries)
    figures = report.figures
    people = generate(contacts, seed)
    started = time.perf_counter()
    data = write_vcards(people, "3.0").encode()
    figures["export_s"] = time.perf_counter() - started
    figures["file_mb"] = len(data) / 1e6
    typed = make_queries(people, queries, seed + 1)
    del people
    store = _MemoryStore()
    with tempfile.TemporaryDirectory(prefix="softphone-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        figures["rss_before_import_mb"] = _max_rss_mb()
        started = time.perf_counter()
        added, report.merged = _import(path, store, data, region)
        figures["import_s"] = time.perf_counter() - started
        figures["rss_after_import_mb"] = _max_rss_mb()
        figures["imported"] = added
        if trace_memory:
            gc.collect()
            tracemalloc.start()
            _import(Path(tmp) / "traced.db", _MemoryStore(), data, region)
            figures["import_traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        del data
        gc.collect()
        with LocalDatabase.open(path, store) as db:
            started = time.perf_counter()
            directory = ContactDirectory(db, region)
            figures["load_s"] = time.perf_counter() - started
            started = time.perf_counter()
            ContactIndex(directory.list())
            figures["index_s"] = time.perf_counter() - started
            _type(directory, typed, report)
    return report


def _type(directory: ContactDirectory, queries: list[str], report: Report) -> None:
    """Every query typed one character at a time; each keystroke is one timed search."""
    for query in queries:
        matches = []
        for end in range(1, len(query) + 1):
            started = time.perf_counter_ns()
            matches = directory.search(query[:end])
            report.keystrokes_ms.append((time.perf_counter_ns() - started) / 1e6)
        report.queries_with_results += bool(matches)


def summary(report: Report) -> dict[str, object]:
    f = report.figures
    keys = report.keystrokes_ms
    return {
        "contacts": report.contacts,
        "imported": int(f["imported"]),
        "merged_duplicates": report.merged,
        "vcard_file_mb": round(f["file_mb"], 1),
        "export_s": round(f["export_s"], 2),
        "import_s": round(f["import_s"], 2),
        "import_traced_peak_mb": round(f["import_traced_peak_mb"], 1)
        if "import_traced_peak_mb" in f
        else None,
        "max_rss_mb_before_import": round(f["rss_before_import_mb"], 1),
        "max_rss_mb_after_import": round(f["rss_after_import_mb"], 1),
        "load_s": round(f["load_s"], 2),
        "index_build_s": round(f["index_s"], 2),
        "queries": report.queries,
        "queries_with_results": report.queries_with_results,
        "keystrokes": len(keys),
        "keystroke_ms": {
            "p50": round(report.percentile(50), 3),
            "p95": round(report.percentile(95), 3),
            "p99": round(report.percentile(99), 3),
            "max": round(max(keys), 3),
            "mean": round(statistics.fmean(keys), 3),
        },
        "target_p95_ms": TARGET_P95_MS,
        "p95_within_target": report.percentile(95) <= TARGET_P95_MS,
    }


def print_summary(s: dict[str, object]) -> None:
    k = s["keystroke_ms"]
    traced = s["import_traced_peak_mb"]
    verdict = "PASS" if s["p95_within_target"] else "FAIL"
    print(f"Contact directory benchmark: {s['contacts']:,} generated contacts")
    print(f"  vCard file      : {s['vcard_file_mb']} MB, written in {s['export_s']} s")
    print(
        f"  import          : {s['import_s']} s for {s['contacts']:,} vCards "
        f"(parse, normalise, encrypt, store in one transaction, merge, index); "
        f"{s['merged_duplicates']} duplicates merged"
    )
    print(
        f"  import memory   : tracemalloc peak {traced if traced is not None else 'n/a'} MB"
        f" (separate traced run); max RSS {s['max_rss_mb_before_import']} MB before,"
        f" {s['max_rss_mb_after_import']} MB after"
    )
    print(
        f"  load            : {s['load_s']} s (decrypt, normalise, index);"
        f" index alone {s['index_build_s']} s"
    )
    print(
        f"  search          : {s['keystrokes']:,} keystrokes over {s['queries']} queries"
        f" ({s['queries_with_results']} with results at the last keystroke)"
    )
    print(
        f"  per keystroke   : p50 {k['p50']} ms, p95 {k['p95']} ms, p99 {k['p99']} ms,"
        f" max {k['max']} ms, mean {k['mean']} ms"
    )
    print(f"  target          : p95 <= {s['target_p95_ms']} ms: {verdict}")


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2,000 contacts and 40 queries")
    parser.add_argument("--region", default="US", help="the profile region numbers are read in")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-trace-memory", action="store_true", help="skip the traced import")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    contacts, queries = args.contacts, args.queries
    if args.quick:
        contacts, queries = QUICK_CONTACTS, QUICK_QUERIES
    report = run(contacts, queries, args.region, args.seed, not args.no_trace_memory)
    result = summary(report)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_summary(result)
    return result


if __name__ == "__main__":
    main()
