"""Shared fixtures: the real SIP test bed (Kamailio + baresip peers) and engine sessions."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SOFTPHONE_SHARED_DIR", REPO.parent / "shared"))
TESTBED_DIR = Path(os.environ.get("TESTBED_DIR", "/tmp/sip-testbed"))
REQUIRE_TESTBED = os.environ.get("SOFTPHONE_REQUIRE_TESTBED") == "1"


def _load_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = shlex.split(value)[0] if value else ""
    return env


@dataclass
class Testbed:
    env: dict[str, str]
    scripts: Path
    started_peers: set[str] = field(default_factory=set)

    def peer(self, *args: str, check: bool = True, timeout: float = 30) -> str:
        proc = subprocess.run(
            [str(self.scripts / "peer"), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "TESTBED_DIR": str(TESTBED_DIR)},
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"peer {' '.join(args)} failed: {proc.stdout}{proc.stderr}")
        return proc.stdout + proc.stderr

    def start_peer(self, user: str, *options: str) -> None:
        self.peer("stop", user, check=False)
        self.clear_recordings(user)
        try:
            self.peer("start", user, *options)
        except AssertionError as first:
            # The test bed's baresip exited during start-up, rarely (seen once in CI,
            # before any of our code ran): start it once more, and say so.
            if "exited" not in str(first):
                raise
            warnings.warn(f"test bed peer {user} restarted after: {first}", stacklevel=2)
            self.peer("stop", user, check=False)
            time.sleep(0.5)
            self.peer("start", user, *options)
        self.started_peers.add(user)

    def stop_peers(self) -> None:
        for user in list(self.started_peers):
            self.peer("stop", user, check=False)
        self.started_peers.clear()

    def recordings(self, user: str, kind: str = "dec") -> list[Path]:
        folder = TESTBED_DIR / "peers" / user / "recordings"
        return sorted(folder.glob(f"dump-*-{kind}.wav"), key=lambda p: p.stat().st_mtime)

    def clear_recordings(self, user: str) -> None:
        for path in (TESTBED_DIR / "peers" / user / "recordings").glob("dump-*.wav"):
            path.unlink()

    def log(self, user: str) -> str:
        path = TESTBED_DIR / "peers" / user / "baresip.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @property
    def ca_file(self) -> str:
        return self.env["TLS_CA_FILE"]


@pytest.fixture(scope="session")
def testbed() -> Iterator[Testbed]:
    up = SHARED / "testbed" / "up"
    if not up.exists():
        if REQUIRE_TESTBED:
            pytest.fail(f"SIP test bed required but not found at {up}")
        pytest.skip(f"SIP test bed not found at {up}")
    proc = subprocess.run(
        [str(up)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TESTBED_DIR": str(TESTBED_DIR)},
    )
    if proc.returncode != 0:
        message = f"test bed did not start: {proc.stderr[-2000:]}"
        if REQUIRE_TESTBED:
            pytest.fail(message)
        pytest.skip(message)
    bed = Testbed(_load_env(TESTBED_DIR / "env"), SHARED / "testbed")
    yield bed
    bed.stop_peers()


@pytest.fixture
def peers(testbed: Testbed) -> Iterator[Testbed]:
    """The test bed, with every peer a test started stopped afterwards."""
    yield testbed
    testbed.stop_peers()


@pytest.fixture(scope="session")
def testbed_profile(testbed: Testbed):
    from softphone.config.profile import load_profile

    os.environ.setdefault("TESTBED_DIR", str(TESTBED_DIR))
    return load_profile(REPO / "sip_profiles" / "testbed.toml")


REQUIRE_AUDIO = REQUIRE_TESTBED or os.environ.get("SOFTPHONE_REQUIRE_AUDIO") == "1"


@pytest.fixture(scope="session")
def virtual_sound():
    """The PulseAudio virtual sound card (see tests/virtual_sound.py), this process pointed
    at it. Skips without PulseAudio, or fails when CI requires it."""
    from virtual_sound import VirtualSound, VirtualSoundError

    try:
        vs = VirtualSound.start()
    except VirtualSoundError as e:
        if REQUIRE_AUDIO:
            pytest.fail(f"virtual sound device required: {e}")
        pytest.skip(f"virtual sound device unavailable: {e}")
    vs.apply_env()
    import sys

    if "sounddevice" in sys.modules:  # PortAudio started before: make it see the devices
        from softphone.media.devices import reinitialize

        reinitialize()
    yield vs
    vs.remove_all_added()
