"""What the Phoenix dashboards must contain, per the monitoring design."""

from __future__ import annotations

import re
from typing import Any

import pytest

from phoenix_dash.build import Build
from tests.support.grafana_schemas import all_panels

Dashboards = dict[str, dict[str, Any]]
UIDS = {
    "phoenix-overview",
    "phoenix-performance",
    "phoenix-business-metrics",
    "phoenix-agent-health",
}
NO_UNIT_PANELS = {"row", "logs", "alertlist", "text"}
LEGACY_KEYS = {
    "rows",
    "style",
    "sharedCrosshair",
    "hideControls",
    "__inputs",
    "gnetId",
    "id",
    "version",
}


def queries(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in all_panels(dashboard) for t in p.get("targets", [])]


def variable(dashboard: dict[str, Any], name: str) -> dict[str, Any]:
    found = [v for v in dashboard["templating"]["list"] if v["name"] == name]
    assert found, f"{dashboard['uid']} has no ${name} variable"
    variable: dict[str, Any] = found[0]
    return variable


def test_the_four_dashboards_are_built(repo_dashboards: Dashboards) -> None:
    assert set(repo_dashboards) == UIDS


@pytest.mark.parametrize("uid", sorted(UIDS))
def test_common_conventions(uid: str, repo_dashboards: Dashboards) -> None:
    dash = repo_dashboards[uid]
    assert dash["uid"] == uid and dash["title"].startswith("Phoenix / ")
    assert "phoenix" in dash["tags"]
    assert not LEGACY_KEYS & set(dash)
    assert variable(dash, "datasource")["type"] == "datasource"
    assert variable(dash, "datasource")["query"] == "prometheus"
    for name in ("job", "instance"):
        var = variable(dash, name)
        assert var["type"] == "query" and var["multi"] and var["includeAll"]
        assert var["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert var["refresh"] == 2
    linked = {link["url"].removeprefix("/d/") for link in dash["links"]}
    assert linked == UIDS - {uid}
    assert any(p["type"] == "row" for p in dash["panels"])


@pytest.mark.parametrize("uid", sorted(UIDS))
def test_every_panel_has_description_unit_and_object_datasources(
    uid: str, repo_dashboards: Dashboards
) -> None:
    for panel in all_panels(repo_dashboards[uid]):
        if panel["type"] == "row":
            assert "datasource" not in panel
            continue
        assert panel.get("description"), panel["title"]
        if panel["type"] not in NO_UNIT_PANELS:
            unit = panel["fieldConfig"]["defaults"].get("unit") or panel.get("options", {}).get(
                "yAxis", {}
            ).get("unit")
            assert (unit and unit not in ("none", "short")) or panel["title"] in SHORT_OK, panel[
                "title"
            ]
        if panel["type"] in ("alertlist",):
            continue
        assert isinstance(panel["datasource"], dict) and set(panel["datasource"]) == {"type", "uid"}
        for target in panel["targets"]:
            assert isinstance(target["datasource"], dict)
            assert "intervalFactor" not in target and "step" not in target


# Counts with no better unit than a plain number.
SHORT_OK = {
    "Open connections",
    "Disk IO queue",
    "Cache items",
    "Goroutines",
    "File descriptors",
    "Queue depth",
}


def test_overview_panels(repo_dashboards: Dashboards) -> None:
    dash = repo_dashboards["phoenix-overview"]
    titles = {p.get("title") for p in all_panels(dash)}
    assert {
        "Request rate",
        "Error ratio",
        "Request latency",
        "Tasks",
        "Agent health score",
        "System load score",
        "Plan success rate",
        "Open connections",
        "Recent errors",
        "Firing alerts",
    } <= titles
    exprs = "\n".join(queries(dash))
    for q in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({q}, sum by (le)(rate(request_duration_seconds_bucket" in exprs
    logs = next(p for p in all_panels(dash) if p["type"] == "logs")
    assert logs["datasource"] == {"type": "loki", "uid": "phoenix-loki"}
    assert 'level="error"' in logs["targets"][0]["expr"]
    alerts = next(p for p in all_panels(dash) if p["type"] == "alertlist")
    assert alerts["options"]["stateFilter"]["firing"] is True


def test_performance_rows_and_heatmap(repo_dashboards: Dashboards) -> None:
    dash = repo_dashboards["phoenix-performance"]
    rows = [p["title"] for p in dash["panels"] if p["type"] == "row"]
    assert rows == ["System Performance", "Application Performance"]
    heatmap = next(p for p in all_panels(dash) if p["type"] == "heatmap")
    assert heatmap["options"]["calculate"] is False  # Prometheus buckets, not raw series
    assert heatmap["targets"][0]["format"] == "heatmap"
    assert "request_duration_seconds_bucket" in heatmap["targets"][0]["expr"]
    assert any("rate(process_cpu_seconds_total" in q for q in queries(dash))


def test_agent_health_repeats_a_row_per_agent(repo_dashboards: Dashboards) -> None:
    dash = repo_dashboards["phoenix-agent-health"]
    agent = variable(dash, "agent")
    assert [o["value"] for o in agent["options"]] == ["git", "llm_router", "obsidian"]
    assert agent["multi"] and agent["includeAll"]
    rows = [p for p in dash["panels"] if p["type"] == "row"]
    assert len(rows) == 1 and rows[0]["repeat"] == "agent"
    exprs = queries(dash)
    assert all('agent=~"$agent"' in q for q in exprs)
    for q in ("0.5", "0.95", "0.99"):
        assert any(
            f"histogram_quantile({q}" in e and "agent_duration_seconds_bucket" in e for e in exprs
        )


def test_every_catalog_metric_is_queried(repo_build: Build, repo_dashboards: Dashboards) -> None:
    assert repo_build.catalog is not None
    assert len(repo_build.catalog.metrics) >= 45
    exprs = "\n".join(q for d in repo_dashboards.values() for q in queries(d))
    unused = [
        name
        for name, metric in repo_build.catalog.metrics.items()
        if not any(re.search(rf"\b{re.escape(s)}\b", exprs) for s in metric.series_names())
    ]
    assert unused == []


def test_every_queried_metric_is_in_the_catalog(
    repo_build: Build, repo_dashboards: Dashboards
) -> None:
    assert repo_build.catalog is not None
    known = set(repo_build.catalog.by_series())
    words = {
        w
        for d in repo_dashboards.values()
        for q in queries(d)
        for w in re.findall(
            r"\b([a-z_]+(?:_total|_bytes|_seconds_bucket|_score|_rate|"
            r"_percent|_depth|_connections|_descriptors|_reads|_writes|"
            r"_in|_out|_errors|_queue))\b(?=\{)",
            q,
        )
    }
    assert words and words <= known
