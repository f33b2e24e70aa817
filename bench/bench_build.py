"""Benchmark: `phoenix-dash build` against grafanalib's own `generate-dashboards`.

Generates 200 dashboard modules x 20 panels, then times both tools on the same modules in
the same run (alternating, best of N) and prints the ratio and each one's peak RSS.
grafanalib only renders its legacy JSON; phoenix-dash also modernises, lays out, assigns ids,
checks uids and writes build/ atomically.

    .venv/bin/python -m bench.bench_build [--dashboards 200] [--panels 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
CONFIG = """\
version: 1
datasources:
  prometheus: {type: prometheus, uid: bench-prometheus}
"""
MODULE_HEAD = """\
from grafanalib.core import (Dashboard, GaugePanel, GridPos, RowPanel, Stat, Target, Template,
                             Templating, Threshold, TimeSeries)

DS = "${datasource}"


def q(expr, legend=""):
    return Target(expr=expr, legendFormat=legend)

"""
PANEL_KINDS = [
    'TimeSeries(title="{t}", description="d", dataSource=DS, unit="reqps", '
    "gridPos=GridPos(h=8, w=12, x=0, y=0), "
    "targets=[q('sum by (job)(rate(requests_total{{job=~\"$job\"}}[$__rate_interval]))', "
    '"{{{{job}}}}")])',
    'Stat(title="{t}", description="d", dataSource=DS, format="s", reduceCalc="lastNotNull", '
    'thresholds=[Threshold("green", 0, 0.0), Threshold("red", 1, 1.0)], '
    "targets=[q('histogram_quantile(0.99, sum by (le)(rate(x_bucket[5m])))')])",
    'GaugePanel(title="{t}", description="d", dataSource=DS, format="percent", '
    'targets=[q("avg(cpu_usage_percent)")])',
]


def module_source(index: int, panels: int) -> str:
    per_row = 5
    rows = []
    for r in range(0, panels, per_row):
        items = ",\n        ".join(
            PANEL_KINDS[p % len(PANEL_KINDS)].format(t=f"Panel {p}")
            for p in range(r, min(r + per_row, panels))
        )
        rows.append(f'    RowPanel(title="Row {r // per_row}", panels=[\n        {items}]),')
    body = "\n".join(rows)
    return (
        MODULE_HEAD
        + f'dashboard = Dashboard(\n    uid="bench-{index:04d}", title="Bench {index}",\n'
        + '    templating=Templating(list=[Template(name="datasource", query="prometheus", '
        + 'type="datasource")]),\n'
        + f"    panels=[\n{body}\n    ],\n)\n"
    )


@contextmanager
def generated_project(dashboards: int, panels: int) -> Iterator[tuple[Path, list[Path]]]:
    """(project root, module paths) of a generated project in a directory removed after."""
    with tempfile.TemporaryDirectory(prefix="phoenix-dash-bench-") as directory:
        root = Path(directory)
        yield root, generate(root, dashboards, panels)


def generate(root: Path, dashboards: int, panels: int) -> list[Path]:
    (root / "dashboards").mkdir(parents=True)
    (root / "phoenix-dash.yaml").write_text(CONFIG)
    paths = []
    for index in range(dashboards):
        path = root / "dashboards" / f"bench_{index:04d}.dashboard.py"
        path.write_text(module_source(index, panels))
        paths.append(path)
    return paths


def tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants (workers included), from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[int(entry)] = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    return sum(rss.get(pid, 0) for pid in tree)


def run(cmd: list[str], cwd: Path, sample_rss: bool) -> tuple[float, int]:
    """Wall time (s), and with ``sample_rss`` the peak RSS (MiB) of the command and all its
    workers. Sampling reads /proc and steals CPU, so timed runs don't sample."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while sample_rss and proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.01)
    proc.wait()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, peak // 1024


def size_parser(doc: str) -> argparse.ArgumentParser:
    """The project-size options every benchmark takes (the generated project of ``generate``)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--panels", type=int, default=20)
    return parser


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with generated_project(args.dashboards, args.panels) as (root, paths):
        commands = {
            "grafanalib": [str(BIN / "generate-dashboards"), *map(str, paths)],
            "phoenix-dash": [str(BIN / "phoenix-dash"), "build"],
            "phoenix-dash -j1": [str(BIN / "phoenix-dash"), "build", "--jobs", "1"],
        }
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
        for attempt in range(args.repeat + 1):  # the last round only measures memory
            for name, cmd in commands.items():
                shutil.rmtree(root / "build", ignore_errors=True)  # a full build each time
                results[name].append(run(cmd, root, sample_rss=attempt == args.repeat))
        built = len(list((root / "build" / "dashboards").glob("*.json")))
        assert built == args.dashboards, f"built {built} dashboards"
        best = {name: min(t for t, _ in runs[:-1]) for name, runs in results.items()}
        rss = {name: max(r for _, r in runs) for name, runs in results.items()}
        print(
            f"{args.dashboards} dashboards x {args.panels} panels, best of {args.repeat}, "
            f"{os.cpu_count()} CPUs; RSS summed over the process and its workers"
        )
        for name in results:
            print(f"  {name:17s} {best[name]:6.2f} s   peak RSS {rss[name]:4d} MiB")
        for name in ("phoenix-dash", "phoenix-dash -j1"):
            ratio = best[name] / best["grafanalib"]
            print(f"  ratio {name} / grafanalib = {ratio:.2f} (target <= 1.0, stretch 0.5)")
        print(f"  phoenix-dash peak RSS {rss['phoenix-dash']} MiB (target <= 150 MiB)")


if __name__ == "__main__":
    main()
