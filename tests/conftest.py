"""Shared fixtures: the repository's own build, throwaway projects, and the Grafana the
Grafana-facing tests talk to. What they are built from lives in tests/support."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.build import Build, build_project
from phoenix_dash.config import load_config
from phoenix_dash.generated_code import CACHE_DIR_VARIABLE
from tests.support.api import Api
from tests.support.grafana import ADMIN_TOKEN, REAL_GRAFANA_URL, VIEWER_TOKEN, GrafanaTarget
from tests.support.grafana_schemas import SCHEMAS
from tests.support.oracles import missing
from tests.support.project import ROOT, Project, require
from tests.support.synced import SYNC_APIS, Synced

# An unforeseen exception shows its traceback in tests (users get one line instead).
os.environ.setdefault("PHOENIX_DASH_DEBUG", "1")


def pytest_collection_finish(session: pytest.Session) -> None:
    """A test process keeps every module and test item alive to the end, and each command
    a test runs in it makes a plan's worth of objects: the cyclic collector's full passes
    rescanned the whole heap (12 % of the sync tests' CPU). What exists once the tests are
    collected is frozen out of its scans, and it runs less often; what dies is still freed
    by reference counting."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)


@pytest.fixture(scope="session", autouse=True)
def generated_code_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The commands tests start keep their cache of generated code (generated_code.py) in
    the tests' temporary directory (shared by the workers), not in the home directory."""
    shared = tmp_path_factory.getbasetemp().parent / "generated-code"
    os.environ.setdefault(CACHE_DIR_VARIABLE, str(shared))


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


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


# --- Grafana: the emulator, or a real Grafana when PHOENIX_DASH_TEST_GRAFANA_URL is set ---------


@pytest.fixture
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaTarget]:
    """Parametrise indirectly with a Grafana version ("12.3.3") to get that emulator."""
    if REAL_GRAFANA_URL:
        token = os.environ.get("PHOENIX_DASH_TEST_GRAFANA_TOKEN", "")
        assert token, "set PHOENIX_DASH_TEST_GRAFANA_TOKEN (an Admin service-account token)"
        yield GrafanaTarget(
            REAL_GRAFANA_URL.rstrip("/"),
            token,
            os.environ.get("PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN"),
            None,
        )
        return
    from tests.support.emulator import GrafanaEmulator

    emulator = GrafanaEmulator(version=getattr(request, "param", "13.2.0")).start()
    emulator.add_token(ADMIN_TOKEN, "Admin")
    emulator.add_token(VIEWER_TOKEN, "Viewer")
    emulator.add_user("admin", "admin-password", "Admin")
    yield GrafanaTarget(emulator.url, ADMIN_TOKEN, VIEWER_TOKEN, emulator)
    emulator.stop()


@pytest.fixture(params=SYNC_APIS)
def synced(tmp_path: Path, grafana: GrafanaTarget, request: pytest.FixtureRequest) -> Synced:
    """This repository's project, copied and pointed at the test Grafana (support/synced.py),
    once through each API for dashboards and folders: the resource APIs ("apis") and the
    legacy API ("legacy"). A test of one API's own behaviour parametrises it indirectly."""
    if grafana.emulator is not None:
        grafana.emulator.log.clear()  # count only what the tests do
    return Synced(tmp_path / "project", grafana, request.param)


@pytest.fixture
def api(grafana: GrafanaTarget) -> Api:
    """Raw HTTP calls to the test Grafana (support/api.py)."""
    return Api(grafana)
