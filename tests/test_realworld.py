"""JSON that phoenix-dash did not write: production dashboards exported from real Grafanas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import require
from grafana_schemas import SHARED, dashboard_errors, without_artefacts
from phoenix_dash.config import DatasourceRef
from phoenix_dash.modern import ModernizeContext, modernize_dashboard

REALWORLD = SHARED / "realworld"
FILES = sorted(REALWORLD.glob("*.json")) if REALWORLD.is_dir() else []
CTX = ModernizeContext({"prometheus": DatasourceRef("prometheus", "prom")}, "prometheus")


def panel_errors(dashboard: dict[str, Any]) -> list[str]:
    return without_artefacts([e for e in dashboard_errors(dashboard) if not e.startswith("/")])


def test_realworld_corpus_is_present() -> None:
    require(len(FILES) >= 8, f"real-world dashboards not found in {REALWORLD}")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_foreign_dashboard_is_modernised_to_schema_42_without_errors(
    path: Path, grafana_schemas: Path
) -> None:
    original = json.loads(path.read_text())
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
