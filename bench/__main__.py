"""Every benchmark in one table: `python -m bench` (README shows its output).

Each row times the command a user runs, in a subprocess; ratios compare with the peer doing
the same work in the same run. `--quick` runs fewer repeats and leaves out 800 dashboards.

    .venv/bin/python -m bench [--repeat 5] [--quick]
"""

from __future__ import annotations

import argparse

from bench import bench_build, bench_diff, bench_lint, bench_render, bench_sync
from bench.measure import HEADER, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    sizes = ["repo", "50", "200"] if args.quick else ["repo", "50", "200", "800"]
    print(f"medians of {repeat} runs; {machine()}")
    print(HEADER)
    for line in bench_build.run(sizes, 20, repeat):
        print(line, flush=True)
    for line in bench_sync.run(200, 20, 0.02, repeat):
        print(line, flush=True)
    for line in bench_diff.run(repeat):
        print(line, flush=True)
    for line in bench_lint.run([200] if args.quick else [200, 800], 20, repeat):
        print(line, flush=True)
    for line in bench_render.run(repeat):
        print(line, flush=True)


if __name__ == "__main__":
    main()
