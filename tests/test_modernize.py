"""The layer between grafanalib and Grafana 12: each legacy shape, fixed and still faithful."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from grafanalib import core as G

from phoenix_dash.build import render_dashboard
from phoenix_dash.config import DatasourceRef
from phoenix_dash.errors import DefinitionError
from phoenix_dash.modern import ModernizeContext
from tests.support.grafana_schemas import all_panels, dashboard_errors, without_artefacts

CTX = ModernizeContext(
    {"prometheus": DatasourceRef("prometheus", "prom"), "loki": DatasourceRef("loki", "logs")},
    "prometheus",
)
UP = [G.Target(expr="sum(rate(requests_total[5m]))", legendFormat="{{job}}")]


def render(*panels: Any, **dashboard: Any) -> dict[str, Any]:
    return render_dashboard(G.Dashboard(title="t", uid="t", panels=list(panels), **dashboard), CTX)


def only_panel(dashboard: dict[str, Any]) -> dict[str, Any]:
    (panel,) = [p for p in all_panels(dashboard) if p["type"] != "row"]
    return panel


EVERY_KIND = [
    G.TimeSeries(title="ts", targets=UP, unit="reqps", legendDisplayMode="hidden"),
    G.Graph(
        title="graph",
        targets=UP,
        yAxes=G.YAxes(left=G.YAxis(format="s", min=0)),
        stack=True,
        fill=3,
        legend=G.Legend(avg=True, max=True, alignAsTable=True),
        seriesOverrides=[{"alias": "errors", "yaxis": 2, "color": "red"}],
    ),
    G.SingleStat(
        title="singlestat",
        targets=UP,
        format="percent",
        thresholds="50,80",
        colorBackground=True,
        valueName="current",
    ),
    G.Stat(
        title="stat",
        targets=UP,
        format="s",
        thresholds=[G.Threshold("green", 0, 0.0), G.Threshold("red", 1, 5.0)],
    ),
    G.GaugePanel(
        title="gauge",
        targets=UP,
        format="percent",
        calc="lastNotNull",
        label="CPU",
        valueMaps=[G.ValueMap(text="idle", value="0")],
    ),
    G.BarGauge(title="bargauge", targets=UP, format="bytes", limit=5, allValues=True),
    G.Heatmap(
        title="heatmap",
        targets=UP,
        dataFormat="timeseries",
        color=G.HeatmapColor(mode="opacity", colorScale="linear"),
        yAxis=G.YAxis(format="ms"),
        reverseYBuckets=True,
    ),
    G.Table(
        title="table",
        targets=UP,
        unit="short",
        displayMode="color-background",
        mappings=[{"value": "1", "text": "up", "op": "="}],
    ),
    G.Text(title="text", content="# hello", mode="markdown"),
    G.Logs(title="logs", dataSource="loki", targets=[G.Target(expr='{job="x"}')]),
    G.AlertList(title="alerts", stateFilter=["alerting", "no_data"], limit=5),
    G.PieChartv2(title="pie", targets=UP, unit="short"),
    G.BarChart(title="barchart", targets=UP),
    G.StateTimeline(title="timeline", targets=UP),
    G.Histogram(title="histogram", targets=UP),
]


def test_every_grafanalib_panel_kind_becomes_schema_valid(grafana_schemas: Path) -> None:
    dash = render(*EVERY_KIND)
    found = dashboard_errors(dash)
    # "/panels/N" errors repeat the per-panel ones below through the schema's oneOf.
    assert [e for e in found if e.startswith("/") and not e.startswith("/panels/")] == []
    panel_errors = [e for e in found if not e.startswith("/")]
    assert without_artefacts(panel_errors) == []
    # The artefacts come only from the graph's series overrides and the coloured table.
    assert {e.split("/")[0] for e in panel_errors} <= {"panel 'graph'", "panel 'table'"}
    kinds = [p["type"] for p in all_panels(dash)]
    assert "graph" not in kinds and "singlestat" not in kinds
    assert kinds.count("timeseries") == 2


def test_legacy_dashboard_fields_are_gone_and_schema_is_42() -> None:
    dash = render(*EVERY_KIND[:1], sharedCrosshair=True)
    for key in ("rows", "style", "sharedCrosshair", "hideControls", "__inputs", "id", "version"):
        assert key not in dash
    assert dash["schemaVersion"] == 42 and dash["graphTooltip"] == 1
    assert "time_options" not in dash["timepicker"]
    assert dash["annotations"]["list"][0]["builtIn"] == 1


def test_graph_is_migrated_faithfully() -> None:
    panel = only_panel(render(EVERY_KIND[1]))
    assert panel["type"] == "timeseries"
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["unit"] == "s" and defaults["min"] == 0
    assert defaults["custom"]["stacking"]["mode"] == "normal"
    assert defaults["custom"]["fillOpacity"] == 30
    assert panel["options"]["legend"] == {
        "showLegend": True,
        "displayMode": "table",
        "placement": "bottom",
        "calcs": ["mean", "max"],
    }
    (override,) = panel["fieldConfig"]["overrides"]
    assert override["matcher"] == {"id": "byName", "options": "errors"}
    assert {"id": "custom.axisPlacement", "value": "right"} in override["properties"]


def test_singlestat_becomes_stat_with_thresholds() -> None:
    panel = only_panel(render(EVERY_KIND[2]))
    assert panel["type"] == "stat"
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [s["value"] for s in steps] == [None, 50.0, 80.0]
    assert panel["options"]["colorMode"] == "background"
    assert panel["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]


def test_threshold_null_string_becomes_json_null() -> None:
    panel = only_panel(render(EVERY_KIND[3]))
    assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "green", "value": None},
        {"color": "red", "value": 5.0},
    ]


def test_gauge_options_move_out_of_field_config() -> None:
    panel = only_panel(render(EVERY_KIND[4]))
    defaults = panel["fieldConfig"]["defaults"]
    assert "calcs" not in defaults and "showThresholdLabels" not in panel["fieldConfig"]
    assert panel["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]
    assert defaults["displayName"] == "CPU" and defaults["unit"] == "percent"
    assert defaults["mappings"] == [
        {"type": "value", "options": {"0": {"text": "idle", "index": 0}}}
    ]


def test_bargauge_field_options_are_split() -> None:
    panel = only_panel(render(EVERY_KIND[5]))
    assert "fieldOptions" not in panel["options"]
    assert panel["options"]["reduceOptions"]["limit"] == 5
    assert panel["options"]["reduceOptions"]["values"] is True
    assert panel["fieldConfig"]["defaults"]["unit"] == "bytes"


def test_angular_heatmap_becomes_react_heatmap() -> None:
    panel = only_panel(render(EVERY_KIND[6]))
    options = panel["options"]
    assert options["calculate"] is True  # dataFormat timeseries: Grafana buckets the series
    assert options["color"]["mode"] == "opacity" and options["color"]["scale"] == "linear"
    assert options["yAxis"]["unit"] == "ms" and options["yAxis"]["reverse"] is True
    for legacy in ("cards", "dataFormat", "xAxis", "yBucketBound", "heatmap"):
        assert legacy not in panel


def test_targets_are_modern_prometheus_queries() -> None:
    panel = only_panel(render(EVERY_KIND[0]))
    (target,) = panel["targets"]
    assert target == {
        "datasource": {"type": "prometheus", "uid": "prom"},
        "editorMode": "code",
        "expr": "sum(rate(requests_total[5m]))",
        "legendFormat": "{{job}}",
        "range": True,
        "refId": "A",
    }


def test_author_values_are_kept() -> None:
    panel = only_panel(
        render(
            G.TimeSeries(
                title="kept",
                description="why",
                targets=UP,
                unit="reqps",
                lineWidth=3,
                legendPlacement="right",
                interval="1m",
                timeFrom="1h",
                maxDataPoints=500,
                transparent=True,
                repeat=G.Repeat(direction="v", variable="job"),
            )
        )
    )
    assert panel["description"] == "why" and panel["interval"] == "1m"
    assert panel["timeFrom"] == "1h" and panel["maxDataPoints"] == 500
    assert panel["transparent"] is True
    assert panel["repeat"] == "job" and panel["repeatDirection"] == "v"
    assert panel["fieldConfig"]["defaults"]["custom"]["lineWidth"] == 3
    assert panel["options"]["legend"]["placement"] == "right"


def test_datasource_strings_become_references() -> None:
    variables = G.Templating(list=[G.Template(name="ds", query="prometheus", type="datasource")])
    dash = render(
        G.TimeSeries(title="var", dataSource="$ds", targets=UP),
        G.TimeSeries(title="old syntax", dataSource="[[ds]]", targets=UP),
        G.TimeSeries(title="named", dataSource="loki", targets=UP),
        G.TimeSeries(
            title="mixed",
            targets=[
                G.Target(expr="up", datasource="prometheus"),
                G.Target(expr='{a="b"}', datasource="loki"),
            ],
        ),
        templating=variables,
    )
    by_title = {p["title"]: p for p in all_panels(dash)}
    assert by_title["var"]["datasource"] == {"type": "prometheus", "uid": "$ds"}  # as written
    assert by_title["old syntax"]["datasource"] == {"type": "prometheus", "uid": "${ds}"}
    assert by_title["named"]["datasource"] == {"type": "loki", "uid": "logs"}
    assert by_title["mixed"]["datasource"]["uid"] == "-- Mixed --"
    assert [t["refId"] for t in by_title["mixed"]["targets"]] == ["A", "B"]


def test_unknown_datasource_is_an_error_naming_the_panel() -> None:
    with pytest.raises(DefinitionError, match="panel 'x': unknown datasource 'nope'"):
        render(G.TimeSeries(title="x", dataSource="nope", targets=UP))
    with pytest.raises(DefinitionError, match=r"datasource variable \$missing is not defined"):
        render(G.TimeSeries(title="x", dataSource="${missing}", targets=UP))


def test_legacy_panel_alert_is_refused() -> None:
    alert = G.Alert(
        name="a",
        message="m",
        alertConditions=[
            G.AlertCondition(
                G.Target(expr="up", refId="A"),
                G.Evaluator("gt", 1),
                G.TimeRange("5m", "now"),
                G.OP_AND,
                G.RTYPE_AVG,
            )
        ],
    )
    with pytest.raises(DefinitionError, match="legacy panel alerts"):
        render(G.Graph(title="g", targets=[G.Target(expr="up", refId="A")], alert=alert))


def test_input_is_not_modified() -> None:
    from phoenix_dash.loader import to_plain
    from phoenix_dash.modern import modernize_dashboard

    raw = to_plain(G.Dashboard(title="t", uid="t", panels=list(EVERY_KIND)))
    snapshot = repr(raw)
    modernize_dashboard(raw, CTX)
    assert repr(raw) == snapshot


@pytest.mark.parametrize("panel_class", [G.BarGauge, G.GaugePanel])
def test_modern_values_in_extra_json_win_over_grafanalibs_legacy_field_options(
    panel_class: Any,
) -> None:
    plain = render(panel_class(title="p", max=5, calc="max", format="bytes"))["panels"][0]
    assert plain["fieldConfig"]["defaults"]["max"] == 5
    assert plain["options"]["reduceOptions"]["calcs"] == ["max"]
    explicit = render(
        panel_class(
            title="p",
            extraJson={
                "fieldConfig": {"defaults": {"max": 1, "unit": "percentunit"}},
                "options": {"reduceOptions": {"calcs": ["lastNotNull"]}},
            },
        )
    )["panels"][0]
    assert explicit["fieldConfig"]["defaults"]["max"] == 1
    assert explicit["fieldConfig"]["defaults"]["unit"] == "percentunit"
    assert explicit["options"]["reduceOptions"]["calcs"] == ["lastNotNull"]


def test_shapes_grafana_accepts_never_crash_the_layer() -> None:
    """From Grafana's migration test data (v37 legend normalisation, v7 timepicker): a
    legend written as true/false, a panel with no type. Grafana reads both; so must the
    layer, and a hidden legend becomes a list that is not shown, as Grafana's v37 does."""
    from phoenix_dash.modern import modernize_dashboard

    ctx = ModernizeContext({"prom": DatasourceRef("prometheus", "prom")}, "prom")
    dashboard = {
        "title": "Foreign",
        "schemaVersion": 36,
        "panels": [
            {"id": 1, "type": "timeseries", "options": {"legend": False}, "gridPos": {}},
            {"id": 2, "type": "stat", "options": {"legend": {"showLegend": False}}},
            {"id": 3, "targets": [{"expr": "up"}]},
        ],
    }
    modern = modernize_dashboard(dashboard, ctx)
    legend = modern["panels"][0]["options"]["legend"]
    assert legend["showLegend"] is False and legend["displayMode"] == "list"
    assert "type" not in modern["panels"][2]


def test_legacy_rows_are_laid_out_as_grafanas_schema_16_migration_lays_them_out() -> None:
    """Without ../shared's goldens too: spans of 12 to widths of 24, heights in 38-pixel
    units (at least 3), a wrap inside a row, row panels when one row is collapsed, and the
    collapsed row's panels inside it."""
    from phoenix_dash.modern.grid_upgrade import upgrade_rows

    dash: dict[str, Any] = {
        "rows": [
            {
                "height": "250px",
                "panels": [
                    {"id": 1, "span": 6},
                    {"id": 2, "span": 6},
                    {"id": 3, "span": 4, "height": 100},
                ],
            },
            {"collapse": True, "title": "Details", "height": 300, "panels": [{"id": 4}]},
        ]
    }
    upgrade_rows(dash)
    assert "rows" not in dash
    placed = {p["id"]: (p.get("type", ""), p["gridPos"]) for p in dash["panels"]}
    assert placed == {
        5: ("row", {"x": 0, "y": 0, "w": 24, "h": 7}),
        1: ("", {"x": 0, "y": 1, "w": 12, "h": 7}),
        2: ("", {"x": 12, "y": 1, "w": 12, "h": 7}),
        3: ("", {"x": 0, "y": 8, "w": 8, "h": 3}),  # wrapped into the row's next band
        6: ("row", {"x": 0, "y": 15, "w": 24, "h": 8}),
    }
    [collapsed] = [p for p in dash["panels"] if p["id"] == 6]
    assert collapsed["collapsed"] is True
    assert [(p["id"], p["gridPos"]) for p in collapsed["panels"]] == [
        (4, {"x": 0, "y": 16, "w": 8, "h": 8})
    ]
