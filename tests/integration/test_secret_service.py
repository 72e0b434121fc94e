"""The real OS keyring: Secret Service (gnome-keyring-daemon) on a private D-Bus session.

The daemon runs with HOME pointing into a temporary directory, so neither the
developer's keyring nor their data is ever touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
NEEDED = ("dbus-run-session", "gnome-keyring-daemon")

SCRIPT = """
set -e
echo -n keyring-test-unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
py="$1"
"$py" -m softphone secrets where
SOFTPHONE_PASSWORD=alice-secret "$py" -m softphone secrets set --profile testbed
"$py" -m softphone register --profile testbed
"$py" -m softphone secrets delete --profile testbed
"""


@pytest.fixture
def secret_service_env(tmp_path):
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        if os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1":
            pytest.fail(f"{missing} not installed (.ci/run installs gnome-keyring and dbus)")
        pytest.skip(f"{missing} not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOFTPHONE_", "DBUS_"))}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
    )
    (tmp_path / "run").mkdir(mode=0o700)
    return env


def test_password_lives_in_the_real_secret_service(secret_service_env, tmp_path, testbed):
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SCRIPT, "script", sys.executable],
        capture_output=True,
        text=True,
        timeout=120,
        env=secret_service_env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "KeyringStore: OS keyring" in out
    assert "password stored in KeyringStore" in out
    assert "registered" in out and "NOT registered" not in out
    assert "deleted" in out
    # nothing in clear anywhere the daemon or we wrote
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"alice-secret" not in path.read_bytes(), path
    assert not (tmp_path / "data" / "softphone").exists()  # no file-store fallback was used
