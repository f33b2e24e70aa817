"""Benchmark: `phoenix-dash lint` over 200 generated dashboards x 20 panels.

Builds the generated project once (untimed), then times linting it in this process: every
rule, schema checks included. Prints queries per second and the total; a cold run (schema
validators compiled, PromQL parsed for the first time) and the best warm run are reported.

    .venv/bin/python -m bench.bench_lint [--dashboards 200] [--panels 20] [--repeat 3]
"""

from __future__ import annotations

import time

from bench.bench_build import generated_project, size_parser
from phoenix_dash.build import build_project
from phoenix_dash.config import load_config
from phoenix_dash.lint import promql
from phoenix_dash.lint.runner import lint_build


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with generated_project(args.dashboards, args.panels) as (root, _):
        config = load_config(root / "phoenix-dash.yaml")
        build = build_project(config, jobs=1)
        queries = sum(
            len(p.get("targets", []))
            for d in build.dashboards
            for row in d.json["panels"]
            for p in [row, *row.get("panels", [])]
        )
        runs = []
        for attempt in range(args.repeat + 1):
            if attempt > 0:
                promql.parse.cache_clear()  # warm runs still parse every query
            start = time.perf_counter()
            findings = lint_build(build, config)
            runs.append(time.perf_counter() - start)
        cold, warm = runs[0], min(runs[1:])
        print(
            f"{args.dashboards} dashboards x {args.panels} panels, {queries} queries, "
            f"{len(findings)} findings"
        )
        print(
            f"  cold (schema validators compiled): {cold:5.2f} s  {queries / cold:8.0f} queries/s"
        )
        print(
            f"  warm, best of {args.repeat}:            {warm:5.2f} s  "
            f"{queries / warm:8.0f} queries/s"
        )
        print("  targets: >= 2000 queries/s and <= 2 s for the 200 dashboards")


if __name__ == "__main__":
    main()
