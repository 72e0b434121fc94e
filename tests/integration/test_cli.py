"""The `softphone` command as a user runs it: real processes, real engine, real test bed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
from helpers import read_wav_mono
from test_calls import peer_heard

from softphone.engine.tone import analyse_tone

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TESTBED_PROFILE = REPO / "sip_profiles" / "testbed.toml"
ISOLATED_DATA = tempfile.mkdtemp(prefix="softphone-cli-test-")


def softphone(*args: str, password: str | None = None, timeout: float = 90):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    # never the developer's keyring or data: an empty private data dir, no keyring
    env["XDG_DATA_HOME"] = ISOLATED_DATA
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if password is not None:
        env["SOFTPHONE_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
    )


def profile_file(tmp_path: Path, port: int) -> Path:
    text = TESTBED_PROFILE.read_text().replace("127.0.0.1:5061", f"127.0.0.1:{port}")
    text = text.replace("port = 5061", f"port = {port}")
    path = tmp_path / f"testbed-{port}.toml"
    path.write_text(text)
    return path


def test_test_call_needs_no_account(tmp_path):
    proc = softphone("test-call", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["passed"] and not report["failures"]
    assert report["tls_version"] == "TLSv1.2"
    assert report["keying"] == "sdes" and report["srtp_suite"].startswith("AES")
    assert report["peer_leg_encrypted"]
    assert report["tone_snr_db"] > 20
    assert report["stats"]["rx_packets"] > 50


def test_test_call_human_summary():
    proc = softphone("test-call")
    assert proc.returncode == 0, proc.stderr
    assert "PASS" in proc.stdout and "SRTP" not in proc.stderr
    for label in ("signalling", "media", "codec", "setup", "packets", "test tone"):
        assert label in proc.stdout


def test_register_with_password_from_environment(testbed):
    proc = softphone("register", "--profile", "testbed", "--json", password="alice-secret")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"]


def test_register_without_password_source_is_a_clear_usage_error(testbed):
    proc = softphone("register", "--profile", "testbed")
    assert proc.returncode == 2
    assert "SOFTPHONE_PASSWORD" in proc.stderr


def test_register_expired_certificate_says_why(testbed, tmp_path):
    profile = profile_file(tmp_path, int(testbed.env["SIP_TLS_EXPIRED_PORT"]))
    proc = softphone("register", "--profile", str(profile), password="alice-secret")
    assert proc.returncode == 1
    assert "expired" in proc.stdout and "SHA-256" in proc.stdout


def test_call_with_verbose_log_leaks_no_secret(peers, tmp_path):
    peers.start_peer("bob")
    record = tmp_path / "received.wav"
    proc = softphone(
        "-vv",
        "call",
        "sip:bob@127.0.0.1",
        "--profile",
        "testbed",
        "--duration",
        "3",
        "--record",
        str(record),
        "--json",
        password="alice-secret",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["media"]["encrypted"] and report["media"]["keying"] == "sdes"
    log = proc.stderr
    assert "REGISTER sip:" in log and "a=crypto:" in log  # SIP really was logged
    assert "alice-secret" not in log
    assert not re.search(r"inline:(?!\[REDACTED\])", log)
    assert not re.search(r"key=(?!\[REDACTED\])[A-Za-z0-9+/]{16}", log)
    assert re.search(r"Authorization: Digest \[REDACTED\]", log)
    samples, rate = read_wav_mono(record)
    assert analyse_tone(samples[rate:], rate, 440).detected  # bob's tone, recorded by us


def test_call_plays_a_wav_file(peers, tmp_path):
    peers.start_peer("bob")
    wav_path = tmp_path / "tone.wav"
    t = np.arange(16000 * 4) / 16000
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.sin(2 * np.pi * 700 * t) * 12000).astype(np.int16).tobytes())
    proc = softphone(
        "call",
        "sip:bob@127.0.0.1",
        "--profile",
        "testbed",
        "--duration",
        "3",
        "--play",
        str(wav_path),
        password="alice-secret",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert peer_heard(peers, "bob", 700)


def test_call_to_plain_peer_is_refused(peers):
    peers.start_peer("carol", "--plain")
    proc = softphone(
        "call", "sip:carol@127.0.0.1", "--profile", "testbed", "--json", password="alice-secret"
    )
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["code"] == 488 and report["media"] is None


def test_call_missing_wav_is_a_usage_error(testbed, tmp_path):
    proc = softphone(
        "call",
        "sip:bob@127.0.0.1",
        "--profile",
        "testbed",
        "--play",
        str(tmp_path / "nope.wav"),
        password="alice-secret",
    )
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_profile_validate(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        TESTBED_PROFILE.read_text().replace('min_version = "1.2"', 'min_version = "1.0"')
    )
    proc = softphone("profile", "validate", str(TESTBED_PROFILE), str(bad))
    assert proc.returncode == 2
    assert "testbed.toml: ok" in proc.stdout
    assert "bad.toml: tls.min_version:" in proc.stderr


def test_profile_list_shows_shipped_profiles():
    proc = softphone("profile", "list")
    names = {line.split()[0] for line in proc.stdout.splitlines()}
    assert {"generic-tls", "asterisk", "freeswitch", "kamailio", "testbed"} <= names


def test_doctor_all_good(testbed):
    proc = softphone("doctor", "--profile", "testbed", "--json", password="alice-secret")
    report = json.loads(proc.stdout)
    steps = {s["name"]: s for s in report["steps"]}
    order = [s["name"] for s in report["steps"]]
    assert order[:4] == ["name resolution", "reachability", "certificate", "registration"]
    for name in ("name resolution", "reachability", "certificate", "registration", "SRTP SDES"):
        assert steps[name]["status"] == "ok", steps[name]
    # this pjsua2 build has no DTLS-SRTP: detected, reported, not fatal
    assert steps["SRTP DTLS"]["status"] == "warn"
    assert proc.returncode == 0, proc.stdout


def test_doctor_names_the_certificate_problem_and_stops_there(testbed, tmp_path):
    profile = profile_file(tmp_path, int(testbed.env["SIP_TLS_WRONGHOST_PORT"]))
    proc = softphone("doctor", "--profile", str(profile), "--json", password="alice-secret")
    assert proc.returncode == 1
    steps = {s["name"]: s for s in json.loads(proc.stdout)["steps"]}
    assert steps["reachability"]["status"] == "ok"
    assert steps["certificate"]["status"] == "fail"
    assert "wrong.example.invalid" in steps["certificate"]["detail"]
    assert steps["registration"]["status"] == "skipped"


def test_doctor_server_down(testbed, tmp_path):
    proc = softphone("doctor", "--profile", str(profile_file(tmp_path, 5099)), "--json")
    steps = {s["name"]: s for s in json.loads(proc.stdout)["steps"]}
    assert steps["reachability"]["status"] == "fail"
    assert "certificate" not in steps or steps["certificate"]["status"] == "skipped"


def _with_pin_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        SOFTPHONE_STORE_PASSPHRASE="cli pin test passphrase",
        SOFTPHONE_PASSWORD="alice-secret",
    )
    env.update(extra)
    return env


def _run(env: dict[str, str], *args: str):
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args], capture_output=True, text=True,
        timeout=90, stdin=subprocess.DEVNULL, env=env, cwd=REPO,
    )  # fmt: skip


def test_call_to_a_pin_number_asks_for_the_pin_and_dials_only_with_it(testbed, tmp_path):
    from helpers import SipDump

    set_pin = _run(_with_pin_env(tmp_path, SOFTPHONE_DIAL_PIN="482193"), "policy", "set-pin")
    assert set_pin.returncode == 0, set_pin.stderr
    dump = SipDump(Path(testbed.env["KAMAILIO_SIPDUMP_DIR"]))
    call = ["call", "011 44 20 7946 0000", "--profile", "testbed", "--role", "clinician",
            "--duration", "1", "--json"]  # fmt: skip

    no_pin = _run(_with_pin_env(tmp_path), *call)
    assert no_pin.returncode == 2 and "SOFTPHONE_DIAL_PIN" in no_pin.stderr
    wrong = _run(_with_pin_env(tmp_path, SOFTPHONE_DIAL_PIN="000000"), *call)
    assert wrong.returncode == 1 and "wrong authorization code" in wrong.stderr
    assert "000000" not in wrong.stderr + wrong.stdout
    assert not dump.invites_to("+442079460000")

    import time

    time.sleep(1.1)  # the back-off after one wrong code
    right = _run(_with_pin_env(tmp_path, SOFTPHONE_DIAL_PIN="482193"), *call)
    report = json.loads(right.stdout)
    assert report["code"] == 404, right.stderr  # nobody has that number at the test bed
    assert dump.invites_to("+442079460000")
    assert "482193" not in right.stdout + right.stderr


def test_call_to_a_denied_number_is_refused_before_registering(testbed, tmp_path):
    out = _run(_with_pin_env(tmp_path), "call", "1-900-555-0100", "--profile", "testbed")
    assert out.returncode == 1
    assert "refused by the dial policy: premium-rate number (US)" in out.stderr
