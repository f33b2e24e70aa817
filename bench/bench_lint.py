"""Benchmark: `phoenix-dash lint` as a user runs it (a subprocess: load, build in memory and
every rule, schema checks included) on generated projects of N dashboards x 20 panels.
Reports queries per second end to end; linear scaling means the rate holds from 200 to 800.

    .venv/bin/python -m bench.bench_lint [--sizes 200,800] [--panels 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.bench_build import BIN, generated_project
from bench.measure import HEADER, Figures, machine, measure, row, run_once


def queries_in(build: Path) -> int:
    count = 0
    for path in (build / "dashboards").glob("*.json"):
        for top in json.loads(path.read_text())["panels"]:
            count += sum(len(p.get("targets", [])) for p in [top, *top.get("panels", [])])
    return count


def lint(dashboards: int, panels: int, repeat: int) -> tuple[Figures, int]:
    with generated_project(dashboards, panels) as (root, _):
        run_once([str(BIN / "phoenix-dash"), "build"], root, {})
        queries = queries_in(root / "build")
        cmd = [str(BIN / "phoenix-dash"), "lint"]
        return measure(f"phoenix-dash lint, {dashboards} x {panels}", cmd, root, repeat), queries


def run(sizes: list[int], panels: int, repeat: int) -> list[str]:
    rows = []
    for size in sizes:
        figures, queries = lint(size, panels, repeat)
        rows.append(row(figures, None, f"{queries / figures.wall:,.0f} queries/s ({queries})"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,800")
    parser.add_argument("--panels", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"lint, medians of {args.repeat} runs; {machine()}")
    print(HEADER)
    for line in run([int(s) for s in args.sizes.split(",")], args.panels, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
