"""The benchmarks' harness and each benchmark on a tiny project, so they keep working (their
figures are printed by `python -m bench`, never asserted: no timed tests)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from bench import bench_build, bench_diff, bench_lint, bench_sync
from bench.measure import measure, measure_in_turns, run_once, tree_memory_kib


def test_cpu_time_includes_the_workers_a_command_waited_for(tmp_path: Path) -> None:
    """CPU comes from wait4: a child that spends its time in a grandchild still shows it."""
    busy = "import time; end = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"
    wall, cpu, _ = run_once([sys.executable, "-c", parent], tmp_path, {})
    assert cpu >= 0.3 and wall >= 0.3


def test_memory_is_summed_over_the_process_tree() -> None:
    assert tree_memory_kib(os.getpid()) > 1024


def test_a_failing_command_stops_the_benchmark_with_its_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="boom"):
        measure("x", [sys.executable, "-c", "raise SystemExit('boom')"], tmp_path, 1)


def test_a_peer_and_ours_run_in_turns(tmp_path: Path) -> None:
    """Drift in the machine's speed during a run must slow both alike."""
    log = tmp_path / "order"

    def command(mark: str) -> list[str]:
        return [sys.executable, "-c", f"open({str(log)!r}, 'a').write({mark!r})"]

    peer, ours = measure_in_turns([("peer", command("p")), ("ours", command("o"))], tmp_path, 3)
    # one untimed run each first (warm), then in turns, then one more each for the memory
    assert log.read_text() == "po" + "popopo" + "po"
    assert (peer.name, len(peer.walls), ours.name, len(ours.cpus)) == ("peer", 3, "ours", 3)


@pytest.mark.slow
def test_each_benchmark_runs_on_a_tiny_project() -> None:
    rows = bench_build.run(["repo", "3"], 2, 1)
    assert len(rows) == 7 and all("x" in ours for ours in [*rows[1:3], rows[4], rows[6]])
    assert "this repository" in rows[1] and "code cache cold" in rows[2]
    assert "generate-alertgroups" in rows[3] and "phoenix-dash build" in rows[6]
    (lint,) = bench_lint.run([2], 2, 1)
    assert "queries/s (4)" in lint
    rows = bench_sync.run(3, 2, 0.0, 1)
    assert len(rows) == 10 and all("0 writes" in row for row in rows if "no-op" in row)
    assert sum("committed build" in row for row in rows) == 5  # and as many --rebuild
    assert any("whole lists" in row for row in rows)
    peer, ours = bench_diff.run(1)
    assert "git diff" in peer and "phoenix-dash diff --against" in ours
