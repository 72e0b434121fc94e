"""`softphone schedule ...` as real processes on a private encrypted database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//t//t//EN
BEGIN:VEVENT
UID:s1
DTSTART;TZID=Europe/Paris:20261201T090000
DURATION:PT30M
RRULE:FREQ=DAILY;COUNT=3
ATTENDEE:sip:pat@clinic.example
SUMMARY:Follow-up
END:VEVENT
BEGIN:VEVENT
UID:s2
DTSTART;VALUE=DATE:20261202
SUMMARY:Holiday
END:VEVENT
END:VCALENDAR
"""


def run(tmp_path: Path, *args: str, **env_extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        SOFTPHONE_STORE_PASSPHRASE="schedule test passphrase",
        TZ="America/New_York",
    )
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "softphone", "schedule", *args],
        capture_output=True, text=True, timeout=60, env=env, cwd=REPO, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def listed(tmp_path: Path) -> list[dict]:
    out = run(tmp_path, "list", "--from", "2026-11-30", "--days", "10", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["appointments"]


def test_import_list_add_export(tmp_path: Path) -> None:
    (tmp_path / "in.ics").write_text(ICS)
    imported = run(tmp_path, "import", str(tmp_path / "in.ics"))
    assert imported.returncode == 0, imported.stderr
    assert "imported 3 appointment(s) from 2 event(s); skipped 1 all-day" in imported.stdout
    rows = listed(tmp_path)
    assert [r["start"] for r in rows] == [
        "2026-12-01T03:00-05:00", "2026-12-02T03:00-05:00", "2026-12-03T03:00-05:00"
    ]  # 09:00 Paris, shown in the machine's zone  # fmt: skip
    added = run(tmp_path, "add", "(212) 555-0123", "--at", "2026-12-04T10:00", "--they-call",
                "--phrase", SOFTPHONE_PHRASE="blue heron")  # fmt: skip
    assert added.returncode == 0, added.stderr
    rows = listed(tmp_path)
    assert rows[-1]["direction"] == "they_call" and rows[-1]["who"] == "(212) 555-0123"
    exported = run(tmp_path, "export", str(tmp_path / "out.ics"))
    assert exported.returncode == 0
    text = (tmp_path / "out.ics").read_text()
    assert text.count("BEGIN:VEVENT") == 4 and "blue heron" not in text
    db = tmp_path / "data" / "softphone" / "local-data.sqlite3"
    assert b"pat@clinic.example" not in db.read_bytes()


def test_a_malformed_file_imports_nothing(tmp_path: Path) -> None:
    (tmp_path / "ok.ics").write_text(ICS)
    assert run(tmp_path, "import", str(tmp_path / "ok.ics")).returncode == 0
    broken = ICS.replace("DTSTART;TZID=Europe/Paris:20261201T090000", "DTSTART:garbage")
    broken = broken.replace("UID:s1", "UID:s3")
    (tmp_path / "bad.ics").write_text(broken)
    out = run(tmp_path, "import", str(tmp_path / "bad.ics"))
    assert out.returncode == 2 and "line" in out.stderr
    assert len(listed(tmp_path)) == 3
