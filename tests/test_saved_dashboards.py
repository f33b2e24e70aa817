"""A dashboard Grafana saved long ago (adopt, lint of exports) is read as Grafana reads it:
the migrations Grafana still applies at load, gated on the schemaVersion it was saved at,
and Grafana's numbering of panel ids. Authored grafanalib JSON never gets them (it claims
schemaVersion 12 whatever its shape). Checked against Grafana's goldens too, where present
(test_modern_vs_grafana_migration.py); these run on a bare clone."""

from __future__ import annotations

from typing import Any

from phoenix_dash.config import DatasourceRef
from phoenix_dash.modern import ModernizeContext, modernize_dashboard

AUTHORED = ModernizeContext({"prom": DatasourceRef("prometheus", "prom-uid")}, "prom")
SAVED = ModernizeContext(AUTHORED.datasources, "prom", saved_by_grafana=True)


def panel(number: int | None, kind: str = "timeseries", **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"type": kind, "title": f"p{number}", **more}
    if number is not None:
        found["id"] = number
    found.setdefault("targets", [{"refId": "A", "expr": "up"}])
    return found


def test_ids_are_numbered_as_grafana_numbers_them() -> None:
    """A repeated id and a missing one get the highest id plus one, in order."""
    dash = {"schemaVersion": 39, "panels": [panel(1), panel(5), panel(5), panel(None)]}
    ids = [p["id"] for p in modernize_dashboard(dash, SAVED)["panels"]]
    assert ids == [1, 5, 6, 7]


def test_schema_1_services_and_graphite_panel() -> None:
    dash = {
        "schemaVersion": 1,
        "services": {
            "filter": {
                "time": {"from": "now-6h", "to": "now"},
                "list": [{"name": "env", "type": "custom", "query": "a,b"}],
            }
        },
        "panels": [panel(1, "graphite", y_format="bytes")],
    }
    modern = modernize_dashboard(dash, SAVED)
    assert modern["time"] == {"from": "now-6h", "to": "now"}
    assert [v["name"] for v in modern["templating"]["list"]] == ["env"]
    assert "services" not in modern
    (converted,) = modern["panels"]
    assert converted["type"] == "timeseries"
    assert converted["fieldConfig"]["defaults"]["unit"] == "bytes"


def test_a_visible_constant_saved_before_schema_27_becomes_a_textbox() -> None:
    def constant(hide: int) -> dict[str, Any]:
        return {"name": f"c{hide}", "type": "constant", "query": "eu", "hide": hide}

    old = {"schemaVersion": 26, "templating": {"list": [constant(0), constant(2)]}}
    kinds = {v["name"]: v for v in modernize_dashboard(old, SAVED)["templating"]["list"]}
    assert kinds["c0"]["type"] == "textbox"
    assert kinds["c0"]["current"] == {"selected": True, "text": "eu", "value": "eu"}
    assert kinds["c2"]["type"] == "constant"  # a hidden constant stays one
    newer = {"schemaVersion": 27, "templating": {"list": [constant(0)]}}
    assert modernize_dashboard(newer, SAVED)["templating"]["list"][0]["type"] == "constant"


def test_copies_a_repeat_made_are_not_kept() -> None:
    dash = {
        "schemaVersion": 39,
        "panels": [
            panel(1, repeat="host"),
            panel(2, repeatPanelId=1),
            {"id": 3, "type": "row", "title": "r", "collapsed": True, "gridPos": {"y": 9},
             "panels": [panel(4, repeat="host"), panel(5, repeatPanelId=4)]},
        ],
    }  # fmt: skip
    modern = modernize_dashboard(dash, SAVED)
    every = [p["id"] for top in modern["panels"] for p in [top, *top.get("panels", [])]]
    assert every == [1, 3, 4]


def test_before_schema_36_a_panel_without_queries_gets_grafanas_default_query() -> None:
    def saved_at(version: int) -> dict[str, Any]:
        dash = {"schemaVersion": version, "panels": [panel(1, targets=[])]}
        found: dict[str, Any] = modernize_dashboard(dash, SAVED)["panels"][0]
        return found

    (default,) = saved_at(35)["targets"]
    assert (default["refId"], default["datasource"]["uid"]) == ("A", "prom-uid")
    assert "expr" not in default
    assert saved_at(36).get("targets", []) == []


def test_authored_json_gets_none_of_it() -> None:
    """grafanalib writes schemaVersion 12: no default query, no constant rewrite, ids
    derived from titles (stable when a panel is inserted), not renumbered."""
    dash = {
        "schemaVersion": 12,
        "templating": {"list": [{"name": "c", "type": "constant", "query": "x", "hide": 0}]},
        "panels": [panel(None, targets=[]), panel(None, "stat")],
    }
    modern = modernize_dashboard(dash, AUTHORED)
    assert modern["templating"]["list"][0]["type"] == "constant"
    assert "targets" not in modern["panels"][0] or modern["panels"][0]["targets"] == []
    assert all(p["id"] > 1000 for p in modern["panels"])


def test_angular_singlestats_become_stat_panels_as_in_grafana_12() -> None:
    """Grafana's frontend migrates singlestat and grafana-singlestat-panel to stat, a gauge
    singlestat too; its "null".."null" range map is a null mapping."""
    dash = {
        "schemaVersion": 39,
        "panels": [
            panel(1, "singlestat", gauge={"show": True, "minValue": 0, "maxValue": 10}),
            panel(2, "grafana-singlestat-panel", rangeMaps=[
                {"from": "null", "to": "null", "text": "N/A"},
                {"from": "1", "to": "5", "text": "low"},
            ]),
        ],
    }  # fmt: skip
    gauge, plugin = modernize_dashboard(dash, SAVED)["panels"]
    assert gauge["type"] == plugin["type"] == "stat"
    assert (gauge["fieldConfig"]["defaults"]["min"], gauge["fieldConfig"]["defaults"]["max"]) == (
        0,
        10,
    )
    null_map, low = plugin["fieldConfig"]["defaults"]["mappings"]
    assert null_map == {
        "type": "special",
        "options": {"match": "null", "result": {"text": "N/A", "index": 0}},
    }
    assert low["options"]["from"] == 1.0 and low["options"]["to"] == 5.0
