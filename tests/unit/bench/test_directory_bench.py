"""The directory benchmark keeps working: its quick mode, run in-process (figures not judged)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from helpers import bench_module


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with bench_module("directory") as module:
        yield module


def test_directory_bench_quick_mode_runs(bench: ModuleType, capsys) -> None:
    result = bench.main(["--quick"])
    out = capsys.readouterr().out
    assert f"{bench.QUICK_CONTACTS:,} generated contacts" in out
    assert "p95 <= 5.0 ms: " in out
    assert result["contacts"] == bench.QUICK_CONTACTS
    # Every generated contact was imported; the generator makes no duplicates to merge.
    assert result["imported"] == bench.QUICK_CONTACTS
    assert result["merged_duplicates"] == 0
    # Each query is taken from a contact, so each must find something when fully typed.
    assert result["queries_with_results"] == result["queries"] == bench.QUICK_QUERIES
    assert result["keystrokes"] > result["queries"]
    k = result["keystroke_ms"]
    assert 0 < k["p50"] <= k["p95"] <= k["p99"] <= k["max"]
    assert result["import_traced_peak_mb"] > 0


def test_directory_bench_data_is_deterministic(bench: ModuleType) -> None:
    assert bench.generate(50, seed=3) == bench.generate(50, seed=3)
    assert bench.generate(50, seed=3) != bench.generate(50, seed=4)
    people = bench.generate(200, seed=3)
    assert bench.make_queries(people, 30, seed=1) == bench.make_queries(people, 30, seed=1)
