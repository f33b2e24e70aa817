"""Benchmark: `phoenix-dash build` against grafanalib's own `generate-dashboards`, on the same
modules in the same run, as a user runs each (a subprocess).

Sizes: this repository (4 dashboards, its alerts and datasources too) and generated
projects of N dashboards x 20 panels. grafanalib only renders its legacy JSON; phoenix-dash
also modernises, lays out, assigns ids, checks uids and writes build/ atomically.

    .venv/bin/python -m bench.bench_build [--sizes repo,50,200,800] [--panels 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.measure import HEADER, Figures, machine, measure_in_turns, row
from phoenix_dash.generated_code import CACHE_DIR_VARIABLE

BIN = Path(sys.executable).parent
REPOSITORY = Path(__file__).resolve().parent.parent
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
        + 'type="datasource"), Template(name="job", dataSource=DS, '
        + 'query="label_values(requests_total, job)", includeAll=True, multi=True)]),\n'
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


@contextmanager
def repository_copy() -> Iterator[tuple[Path, list[Path]]]:
    """This repository's project in a scratch directory, with each dashboard module also
    saved under grafanalib's required name (``<name>.dashboard.py``) for its generator, and
    each alert module as ``<name>.alertgroup.py`` (``alert_group_copies``)."""
    with tempfile.TemporaryDirectory(prefix="phoenix-dash-bench-") as directory:
        root = Path(directory)
        for name in ("phoenix-dash.yaml", "datasources.yaml", "metrics.yaml", "notifications.yaml"):
            shutil.copy(REPOSITORY / name, root / name)
        for name in ("dashboards", "alerts"):
            shutil.copytree(
                REPOSITORY / name, root / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        peers = root / "grafanalib"
        peers.mkdir()
        modules = []
        for module in sorted((root / "dashboards").glob("[!_]*.py")):
            copy = peers / f"{module.stem}.dashboard.py"
            copy.write_text(module.read_text())
            modules.append(copy)
        yield root, modules


def alert_group_copies(root: Path) -> list[Path]:
    """The project's alert modules under grafanalib's name for them, beside the dashboards'."""
    copies = []
    for module in sorted((root / "alerts").glob("[!_]*.py")):
        copy = root / "grafanalib" / f"{module.stem}.alertgroup.py"
        copy.write_text(module.read_text())
        copies.append(copy)
    return copies


def size_parser(doc: str) -> argparse.ArgumentParser:
    """The project-size options every benchmark takes (the generated project of ``generate``)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--panels", type=int, default=20)
    return parser


def compare(
    root: Path, modules: list[Path], label: str, repeat: int, cold: bool = False
) -> list[str]:
    """Table rows: grafanalib, then phoenix-dash (a full build each run) with its ratio;
    with ``cold``, phoenix-dash also without its cache of generated code, as on a machine
    where it never ran (a CD runner's first build)."""

    def clean() -> dict[str, str]:
        shutil.rmtree(root / "build", ignore_errors=True)
        return {"PYTHONPATH": str(root)}  # grafanalib's modules import dashboards._phoenix

    build = [str(BIN / "phoenix-dash"), "build"]
    commands = [
        (
            f"{label}: grafanalib generate-dashboards",
            [str(BIN / "generate-dashboards"), *map(str, modules)],
        ),
        (f"{label}: phoenix-dash build", build),
    ]
    if cold:
        cache_off = ["/usr/bin/env", f"{CACHE_DIR_VARIABLE}=off", *build]
        commands.append((f"{label}: phoenix-dash build, code cache cold", cache_off))
    peer, *ours = measure_in_turns(commands, root, repeat, clean)
    return [row(peer)] + [row(figures, peer, _cpu_ratio(figures, peer)) for figures in ours]


def compare_same_work(root: Path, dashboards: list[Path], repeat: int) -> list[str]:
    """This repository's build makes its alert groups too, which generate-dashboards does
    not: grafanalib's user runs generate-alertgroups after it for them. Table rows: those
    two commands, then phoenix-dash's build beside them."""
    alerts = alert_group_copies(root)

    def clean() -> dict[str, str]:
        shutil.rmtree(root / "build", ignore_errors=True)
        return {"PYTHONPATH": str(root)}

    build = [str(BIN / "phoenix-dash"), "build"]
    both = " && ".join(
        " ".join(map(shlex.quote, [str(BIN / command), *map(str, modules)]))
        for command, modules in (
            ("generate-dashboards", dashboards),
            ("generate-alertgroups", alerts),
        )
    )
    peer, ours = measure_in_turns(
        [
            (
                "this repository: grafanalib generate-dashboards, then generate-alertgroups",
                ["/bin/sh", "-c", both],  # /bin/sh: the PATH may hold only the venv
            ),
            ("this repository: phoenix-dash build (the same)", build),
        ],
        root,
        repeat,
        clean,
    )
    return [row(peer), row(ours, peer, _cpu_ratio(ours, peer))]


def _cpu_ratio(ours: Figures, peer: Figures) -> str:
    return f"CPU {ours.cpu / peer.cpu:.2f}x"


def run(sizes: list[str], panels: int, repeat: int) -> list[str]:
    rows = []
    for size in sizes:
        if size == "repo":
            with repository_copy() as (root, modules):
                rows += compare(root, modules, "this repository (4)", repeat, cold=True)
                rows += compare_same_work(root, modules, repeat)
        else:
            with generated_project(int(size), panels) as (root, modules):
                rows += compare(root, modules, f"{size} x {panels} panels", repeat)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="repo,50,200,800")
    parser.add_argument("--panels", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"build, medians of {args.repeat} runs; {machine()}")
    print(HEADER)
    for line in run(args.sizes.split(","), args.panels, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
