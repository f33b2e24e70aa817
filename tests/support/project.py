"""Projects for tests: this repository's root, throwaway projects in a temporary directory,
and skipping (or, in CI, failing) when an oracle is missing."""

from __future__ import annotations

import os
import shutil
import signal
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from phoenix_dash.cli import main
from tests.support.oracles import missing

ROOT = Path(__file__).resolve().parent.parent.parent
STRICT = os.environ.get("PHOENIX_DASH_STRICT") == "1"

MINIMAL_CONFIG = """\
version: 1
datasources:
  prometheus: {type: prometheus, uid: prom-uid}
  loki: {type: loki, uid: loki-uid}
"""

MINIMAL_DASHBOARD = """\
from grafanalib.core import Dashboard, Target, Template, Templating, TimeSeries

dashboard = Dashboard(
    uid="{uid}",
    title="{title}",
    templating=Templating(list=[
        Template(name="datasource", query="prometheus", type="datasource"),
    ]),
    panels=[
        TimeSeries(title="Requests", dataSource="${{datasource}}",
                   targets=[Target(expr="sum(rate(requests_total[5m]))")]),
    ],
)
"""


# The dashboards of this repository's project, in file order.
PHOENIX_UIDS = (
    "phoenix-overview",
    "phoenix-performance",
    "phoenix-business-metrics",
    "phoenix-agent-health",
)

PROJECT_FILES = (
    "build",  # as committed, with its manifest: sync uses it while it is current, as CD does
    "dashboards",
    "alerts",
    "metrics.yaml",
    "datasources.yaml",
    "notifications.yaml",
    "phoenix-dash.yaml",
)


def copy_repo_project(root: Path) -> Path:
    """This repository's project (sources, settings, build/ as committed) copied into ``root``;
    returns its phoenix-dash.yaml."""
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    return root / "phoenix-dash.yaml"


def as_a_terminal_job() -> None:
    """A child's ``preexec_fn``: Ctrl-C and Ctrl-\\ as a terminal's foreground job gets them.
    A suite run in the background of a shell (``pytest ... &``) inherits them ignored, and
    so would every command a test interrupts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def require(condition: bool, reason: str) -> None:
    """Skip when an external oracle is missing, but fail in CI (PHOENIX_DASH_STRICT=1)."""
    if not condition:
        if STRICT:
            pytest.fail(f"{reason} (PHOENIX_DASH_STRICT=1 turns this skip into a failure)")
        pytest.skip(reason)


def oracle(path: Path) -> Path:
    """``path`` (an oracle file from ../shared or the oracle cache), or a skip saying how to
    get it."""
    relative = "/".join(path.parts[-2:]) if path.parent.name == "realworld" else str(path)
    require(path.exists(), missing(f"oracle {path.name}", relative))
    return path


class Project:
    """A throwaway phoenix-dash project in a temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.write("phoenix-dash.yaml", MINIMAL_CONFIG)
        (root / "dashboards").mkdir()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def dashboard(self, name: str, uid: str, title: str | None = None) -> Path:
        return self.write(
            f"dashboards/{name}.py", MINIMAL_DASHBOARD.format(uid=uid, title=title or uid)
        )

    def run(self, *args: str) -> Result:
        config = str(self.root / "phoenix-dash.yaml")
        return CliRunner().invoke(main, [*args, "--config", config], catch_exceptions=False)

    def build_files(self) -> dict[str, bytes]:
        build = self.root / "build"
        if not build.exists():
            return {}
        return {
            p.relative_to(build).as_posix(): p.read_bytes()
            for p in sorted(build.rglob("*"))
            if p.is_file()
        }
