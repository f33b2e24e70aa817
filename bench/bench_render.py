"""Benchmark: `phoenix-dash render` as a user runs it (a subprocess: build in memory, then a
PNG and an SVG per dashboard, synthetic data) on this repository's 4 dashboards, and 20 generated
dashboards of 20 panels.

No peer runs here: every other way to picture a Grafana dashboard (grafana-image-renderer,
Grafana's Git Sync previews) needs a running Grafana and a headless browser, which this
machine cannot run; the figures stand alone (the issue's bound: 4 dashboards under 10 s).

    .venv/bin/python -m bench.bench_render [--repeat 5]
"""

from __future__ import annotations

import tempfile

from bench.bench_build import BIN, REPOSITORY, generated_project
from bench.measure import measure, repeat_main, row

NOTE = "no peer can run here (Grafana + headless browser)"


def run(repeat: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="phoenix-dash-render-") as out:
        cmd = [str(BIN / "phoenix-dash"), "render", "--out", out]
        repo = measure(
            "phoenix-dash render, this repository (4 dashboards)", cmd, REPOSITORY, repeat
        )
    rows = [row(repo, None, f"{4 / repo.wall:.1f} dashboards/s; {NOTE}")]
    with generated_project(20, 20) as (root, _):
        cmd = [str(BIN / "phoenix-dash"), "render", "--out", str(root / "pictures")]
        many = measure("phoenix-dash render, 20 x 20 panels", cmd, root, max(repeat // 2, 1))
    rows.append(row(many, None, f"{20 / many.wall:.1f} dashboards/s"))
    return rows


def main() -> None:
    repeat_main(__doc__ or "", run)


if __name__ == "__main__":
    main()
