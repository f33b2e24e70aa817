"""Every dashboard we build validates against Grafana's official schemas (schemaVersion 42)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.grafana_schemas import (
    all_panels,
    dashboard_errors,
    panel_schema_errors,
    target_schema_errors,
)
from tests.support.project import PHOENIX_UIDS


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_dashboard_validates_with_zero_errors(
    uid: str, repo_dashboards: dict[str, dict[str, Any]], grafana_schemas: Path
) -> None:
    dashboard = repo_dashboards[uid]
    assert dashboard["schemaVersion"] == 42
    assert dashboard_errors(dashboard) == []


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_every_panel_and_target_was_checked_against_a_schema(
    uid: str, repo_dashboards: dict[str, dict[str, Any]], grafana_schemas: Path
) -> None:
    # Guards the validity test above against silently checking nothing.
    panels = [p for p in all_panels(repo_dashboards[uid]) if p["type"] != "row"]
    with_schema = [p for p in panels if (grafana_schemas / f"{p['type']}.jsonschema.json").exists()]
    assert {p["type"] for p in panels} - {p["type"] for p in with_schema} <= {"alertlist"}
    targets = [t for p in panels for t in p.get("targets", [])]
    assert targets and all(t["datasource"]["type"] in ("prometheus", "loki") for t in targets)


def test_schema_checker_reports_a_broken_panel(grafana_schemas: Path) -> None:
    broken = {
        "type": "stat",
        "options": {"graphMode": "sparkles"},
        "targets": [
            {"datasource": {"type": "prometheus", "uid": "x"}, "refId": "A", "intervalFactor": "2"}
        ],
    }
    assert panel_schema_errors(broken, "p")
    assert target_schema_errors(broken, "p")
    assert dashboard_errors(
        {"schemaVersion": 42, "templating": {}, "annotations": {}, "panels": [broken], "rows": []}
    )
