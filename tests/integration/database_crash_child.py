"""Child process for test_database_crash: commit writes until killed.

Usage: python database_crash_child.py DB_PATH KEY_FILE

Each commit adds one call record and one audit entry in a single transaction, then
prints the call id (flushed). The parent kills this process with SIGKILL at a random
moment. The key file is a test-only stand-in for the secret store.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from softphone.security.secret import Secret
from softphone.storage import CallRecord, Direction, LocalDatabase


class KeyFileStore:
    """Test-only SecretStore holding one value in a file."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def get(self, service: str, name: str) -> Secret | None:
        return Secret(self._path.read_text().strip()) if self._path.exists() else None

    def set(self, service: str, name: str, value: str | Secret) -> None:
        raise AssertionError("the child must reuse the parent's key")

    def delete(self, service: str, name: str) -> bool:
        raise AssertionError("not used")


def main() -> None:
    db = LocalDatabase.open(Path(sys.argv[1]), KeyFileStore(Path(sys.argv[2])))
    print("ready", flush=True)
    for i in range(1_000_000):
        with db.transaction():
            call = db.add_call(
                CallRecord(
                    started=datetime.now(UTC),
                    duration_s=float(i),
                    direction=Direction.OUTGOING,
                    outcome="answered",
                    encrypted_media=True,
                    verified=True,
                    peer=f"sips:peer-{i}@clinic.example",
                    note="x" * (i % 700),
                )
            )
            db.append_audit("CallDidEnd", f"call {call.id}")
        print(call.id, flush=True)


if __name__ == "__main__":
    main()
