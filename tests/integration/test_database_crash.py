"""kill -9 during a burst of committed writes loses nothing that was reported committed.

Runs a real child process (`database_crash_child.py`) many times against the same
database and kills it at a random moment each time. SIGKILL stops the process, not
the machine: this checks WAL recovery and transaction atomicity; `synchronous=FULL`
is what covers power loss.
"""

from __future__ import annotations

import base64
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from helpers import MemoryStore

from softphone.storage import LocalDatabase
from softphone.storage.database import KEY_NAME, KEY_SERVICE

CHILD = Path(__file__).with_name("database_crash_child.py")
REPO = Path(__file__).resolve().parents[2]
SEED = 20261123
ITERATIONS = 30
TIME_BUDGET_S = 20.0


def _run_and_kill(db_path: Path, key_file: Path, delay: float) -> list[int]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(db_path), str(key_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        ready = proc.stdout.readline()
        assert ready == b"ready\n", proc.stderr.read().decode(errors="replace")
        time.sleep(delay)
        proc.kill()  # SIGKILL on POSIX
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0, err.decode(errors="replace")
    # A line without its newline was cut by the kill; its commit was never reported.
    return [int(line) for line in out.split(b"\n")[:-1]]


def test_database_kill9_during_writes_loses_no_committed_record(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    db_path = tmp_path / "softphone.db"
    store = MemoryStore()
    LocalDatabase.open(db_path, store).close()
    key_file = tmp_path / "data-key"  # test-only: a file-backed stand-in for the keyring
    key_file.write_text(store.values[(KEY_SERVICE, KEY_NAME)])
    assert len(base64.b64decode(key_file.read_text())) == 32

    reported: set[int] = set()
    started = time.monotonic()
    for iteration in range(ITERATIONS):
        delay = rng.uniform(0.05, 0.5)
        context = f"seed={SEED} iteration={iteration} delay={delay:.3f}s"
        committed = _run_and_kill(db_path, key_file, delay)
        assert committed, f"the child committed nothing ({context})"
        reported.update(committed)

        with LocalDatabase.open(db_path, store) as db:
            check = db._conn.execute("PRAGMA integrity_check").fetchall()
            assert check == [("ok",)], f"{check} ({context})"
            present = {row[0] for row in db._conn.execute("SELECT id FROM call_history")}
            missing = reported - present
            assert not missing, f"committed ids lost: {sorted(missing)[:10]} ({context})"
            # The call and its audit entry were one transaction: both or neither.
            (audits,) = db._conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()
            assert audits == len(present), context
            latest = db.list_calls(limit=3)
            assert all(c.peer.startswith("sips:peer-") for c in latest), context
        if time.monotonic() - started > TIME_BUDGET_S:
            break

    with LocalDatabase.open(db_path, store) as db:  # everything decrypts, pairs match
        calls = {c.id for c in db.list_calls()}
        assert {a.detail for a in db.list_audit()} == {f"call {i}" for i in calls}
    print(f"kill -9 iterations: {iteration + 1}, committed records: {len(reported)}, seed={SEED}")
    assert iteration + 1 >= 10, f"only {iteration + 1} iterations fitted in the time budget"
