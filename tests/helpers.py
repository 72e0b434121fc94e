"""Helpers for tests (importable as `helpers`): profiles on other ports, WAV reading, polling."""

from __future__ import annotations

import time
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np


def profile_on_port(profile, port: int, **changes):
    uri = f"sip:127.0.0.1:{port};transport=tls"
    return replace(profile, port=port, registrar=uri, outbound_proxy=uri + ";lr", **changes)


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return data, rate


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
