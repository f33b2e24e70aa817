"""Benchmark: `phoenix-dash diff --against HEAD~1` on this repository, what a reviewer's CI
job runs on a pull request: the build at the previous commit against the working tree's,
as a plan, with no Grafana. The working tree's build is build/ as committed when its
manifest matches (it does in a clean checkout), so no project code runs.

No peer does this work (a plan of what a revision changes, per panel and rule); `git diff
HEAD~1 -- build/`, the raw diff of the same files a reviewer reads otherwise, is shown for
scale, without a ratio.

    .venv/bin/python -m bench.bench_diff [--repeat 5]
"""

from __future__ import annotations

from bench.bench_build import BIN, REPOSITORY
from bench.measure import measure, repeat_main, row


def run(repeat: int) -> list[str]:
    peer = measure(
        "git diff HEAD~1 -- build/ (this repository)",
        ["git", "diff", "HEAD~1", "--", "build/"],
        REPOSITORY,
        repeat,
    )
    ours = measure(
        "phoenix-dash diff --against HEAD~1 (this repository)",
        [str(BIN / "phoenix-dash"), "diff", "--against", "HEAD~1"],
        REPOSITORY,
        repeat,
        accept=(0, 1),
    )
    # No ratio: git's diff of the files is not the same work (no plan, no per-panel detail);
    # it is there for scale.
    return [row(peer, None, "for scale: the files, not a plan"), row(ours)]


def main() -> None:
    repeat_main(__doc__ or "", run)


if __name__ == "__main__":
    main()
