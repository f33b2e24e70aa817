"""Shared fixtures: the repository's own build, and throwaway projects for bad-input tests."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from grafana_schemas import SCHEMAS
from oracles import missing
from phoenix_dash.build import Build, build_project
from phoenix_dash.cli import main
from phoenix_dash.config import load_config

ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("PHOENIX_DASH_STRICT") == "1"
# An unforeseen exception shows its traceback in tests (users get one line instead).
os.environ.setdefault("PHOENIX_DASH_DEBUG", "1")

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


@pytest.fixture(scope="session")
def grafana_schemas() -> Path:
    require(SCHEMAS.is_dir(), missing("Grafana's JSON Schemas", "grafana/jsonschema"))
    return SCHEMAS


@pytest.fixture(scope="session")
def repo_build() -> Build:
    return build_project(load_config(ROOT / "phoenix-dash.yaml"))


@pytest.fixture(scope="session")
def repo_dashboards(repo_build: Build) -> dict[str, dict[str, Any]]:
    """The repository's dashboards exactly as written to build/ (uid -> JSON)."""
    import json

    return {
        path.removeprefix("dashboards/").removesuffix(".json"): json.loads(data)
        for path, data in repo_build.files().items()
        if path.startswith("dashboards/")
    }


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
        return self.write(f"dashboards/{name}.py",
                          MINIMAL_DASHBOARD.format(uid=uid, title=title or uid))

    def run(self, *args: str) -> Result:
        config = str(self.root / "phoenix-dash.yaml")
        return CliRunner().invoke(main, [*args, "--config", config], catch_exceptions=False)

    def build_files(self) -> dict[str, bytes]:
        build = self.root / "build"
        if not build.exists():
            return {}
        return {p.relative_to(build).as_posix(): p.read_bytes()
                for p in sorted(build.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


ProjectFactory = Callable[[], Project]


# --- Grafana: the emulator, or a real Grafana when PHOENIX_DASH_TEST_GRAFANA_URL is set ---------

REAL_GRAFANA_URL = os.environ.get("PHOENIX_DASH_TEST_GRAFANA_URL")
ADMIN_TOKEN = "glsa_phoenixDashTestAdmin_0123456789abcdef"
VIEWER_TOKEN = "glsa_phoenixDashTestViewer_0123456789abcdef"


class GrafanaTarget:
    """Where Grafana-facing tests send requests. ``emulator`` is None against a real Grafana."""

    def __init__(self, url: str, token: str, viewer_token: str | None,
                 emulator: Any | None) -> None:
        self.url = url
        self.token = token
        self.viewer_token = viewer_token
        self.emulator = emulator

    def require_emulator(self) -> Any:
        if self.emulator is None:
            pytest.skip("needs the emulator's control surface (fault injection, request log)")
        return self.emulator


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Any:
    """Parametrise indirectly with a Grafana version ("12.3.3") to get that emulator."""
    if REAL_GRAFANA_URL:
        token = os.environ.get("PHOENIX_DASH_TEST_GRAFANA_TOKEN", "")
        assert token, "set PHOENIX_DASH_TEST_GRAFANA_TOKEN (an Admin service-account token)"
        yield GrafanaTarget(REAL_GRAFANA_URL.rstrip("/"), token,
                            os.environ.get("PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN"), None)
        return
    from emulator import GrafanaEmulator

    emulator = GrafanaEmulator(version=getattr(request, "param", "13.2.0")).start()
    emulator.add_token(ADMIN_TOKEN, "Admin")
    emulator.add_token(VIEWER_TOKEN, "Viewer")
    emulator.add_user("admin", "admin-password", "Admin")
    yield GrafanaTarget(emulator.url, ADMIN_TOKEN, VIEWER_TOKEN, emulator)
    emulator.stop()


@pytest.fixture
def synced(tmp_path: Path, grafana: GrafanaTarget) -> Any:
    """This repository's project, copied and pointed at the test Grafana (see synced.py)."""
    from synced import Synced

    if grafana.emulator is not None:
        grafana.emulator.log.clear()  # count only what the tests do
    return Synced(tmp_path / "project", grafana)


@pytest.fixture
def api(grafana: GrafanaTarget) -> Any:
    """Raw HTTP calls to the test Grafana (see grafana_api.py)."""
    from grafana_api import Api

    return Api(grafana)
