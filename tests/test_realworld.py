"""JSON that phoenix-dash did not write: production dashboards exported from real Grafanas."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.config import DatasourceRef
from phoenix_dash.modern import ModernizeContext, modernize_dashboard
from phoenix_dash.sync.normalize import normalize_dashboard, owned_view
from tests.support.api import Api
from tests.support.grafana_schemas import REALWORLD, dashboard_errors, without_artefacts
from tests.support.project import oracle
from tests.support.synced import ONE_API, Synced

FILES = REALWORLD
CTX = ModernizeContext({"prometheus": DatasourceRef("prometheus", "prom")}, "prometheus")


def panel_errors(dashboard: dict[str, Any]) -> list[str]:
    return without_artefacts([e for e in dashboard_errors(dashboard) if not e.startswith("/")])


def test_realworld_corpus_is_present() -> None:
    assert len(FILES) >= 8
    for path in FILES:
        oracle(path)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_foreign_dashboard_is_modernised_to_schema_42_without_errors(
    path: Path, grafana_schemas: Path
) -> None:
    original = json.loads(oracle(path).read_text())
    assert panel_errors(original), "the corpus is expected to need fixing"
    modern = modernize_dashboard(original, CTX)
    assert modern["schemaVersion"] == 42
    assert panel_errors(modern) == []

    # Nothing lost: same panels (by title) and the same queries.
    def titles(d: dict[str, Any]) -> list[str]:
        return sorted(str(p.get("title")) for p in _panels(d))

    def exprs(d: dict[str, Any]) -> list[str]:
        return sorted(t.get("expr", "") for p in _panels(d) for t in p.get("targets", []))

    assert titles(modern) == titles(original)
    assert exprs(modern) == exprs(original)


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard.get("panels", []):
        found.append(panel)
        found.extend(panel.get("panels", []))
    for row in dashboard.get("rows", []):
        found.extend(row.get("panels", []))
    return found


def _by_position(dashboard: dict[str, Any]) -> dict[str, Any]:
    """Panels in Grafana's order, each with a position (a panel saved at Grafana's default
    position is stored without one: D2)."""
    panels = [
        {"gridPos": {"h": 3, "w": 6, "x": 0, "y": 0}, **p} for p in dashboard.get("panels") or []
    ]
    return {
        **dashboard,
        "panels": sorted(
            panels, key=lambda p: (p["gridPos"].get("y", 0), p["gridPos"].get("x", 0))
        ),
    }


@ONE_API
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_foreign_dashboard_pulled_back_from_grafana_is_the_same_and_lints(
    path: Path, synced: Synced, api: Api
) -> None:
    """Imported by someone into Grafana, then adopted with `pull`: everything the author wrote
    comes back (Grafana 13's save only adds defaults, orders panels by position and drops
    panel keys holding empty defaults: D2), and lint reads the pulled file."""
    original = json.loads(oracle(path).read_text())
    original.pop("id", None)  # as Grafana's import does: a new dashboard
    status, _ = api.call("POST", "/dashboards/db", {"dashboard": original, "overwrite": True})
    assert status == 200
    out = synced.root / "pulled"
    pulled = synced.run("pull", "--uid", original["uid"], "--out", str(out))
    assert pulled.exit_code == 0, pulled.output
    (file,) = out.glob("*.json")
    back, sent = (
        _by_position(normalize_dashboard(d)) for d in (json.loads(file.read_text()), original)
    )
    assert owned_view(back, sent) == sent
    linted = synced.run("lint", "--format", "json", "--fail-on", "info", "--json-file", str(file))
    findings = json.loads(linted.output)["findings"]
    assert linted.exit_code == (1 if findings else 0)
    assert all(f["file"] == str(file) and f["line"] >= 1 for f in findings)
    assert [f["message"] for f in findings if f["severity"] == "error"] == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: Path(p).name)
def test_a_dashboard_that_has_positions_keeps_them(path: Path) -> None:
    """Automatic layout is for authored panels without positions; a dashboard Grafana saved
    keeps every panel (and row) where it was: adopt, lint and diff of foreign dashboards
    must not move them."""
    original = json.loads(oracle(path).read_text())

    def where(dashboard: dict[str, Any]) -> dict[Any, Any]:
        every = [p for top in dashboard["panels"] for p in [top, *top.get("panels", [])]]
        return {(p.get("type"), p.get("title")): p.get("gridPos") for p in every}

    modern = modernize_dashboard(copy.deepcopy(original), CTX)
    kept = where(modern)
    assert {key: kept.get(key) for key in where(original)} == where(original)
