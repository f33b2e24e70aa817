"""What pictures show, beyond how: repeated rows and panels expanded per value as Grafana
does with All, synthetic data that agrees with itself and the catalog, a dashboard file of
an old schema read through the modern layer, "No data" where a panel has too little, text
panels as markdown, several stats and gauges side by side with their names."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.pictures.data import QueryResult, Series, TimeRange
from phoenix_dash.pictures.repeats import expanded, variable_values
from phoenix_dash.pictures.synthetic import SyntheticData
from phoenix_dash.pictures.texts import markdown_blocks
from tests.support.pictures import needs_matplotlib, svg_texts

SPAN = TimeRange(1_767_247_200.0, 1_767_268_800.0)
AGENT = {
    "name": "agent",
    "type": "custom",
    "query": "git,llm_router,obsidian",
    "includeAll": True,
    "current": {"text": ["All"], "value": ["$__all"]},
}


def panel(title: str, y: int, expr: str = "up", **extra: Any) -> dict[str, Any]:
    return {
        "type": "timeseries",
        "title": title,
        "gridPos": {"x": 0, "y": y, "w": 12, "h": 8},
        "targets": [{"refId": "A", "expr": expr}],
        **extra,
    }


def grid(p: dict[str, Any]) -> tuple[int, int, int, int]:
    g = p["gridPos"]
    return g["x"], g["y"], g["w"], g["h"]


# --- repeats ---------------------------------------------------------------------------------


def test_a_repeated_row_is_a_row_per_value_and_the_rest_moves_down() -> None:
    dashboard = {
        "templating": {"list": [AGENT]},
        "panels": [
            {"type": "row", "title": "Agent $agent", "repeat": "agent", "gridPos": {"y": 0}},
            panel("Calls of ${agent}", 1, 'rate(calls{agent=~"$agent"}[5m])'),
            {"type": "row", "title": "Other", "gridPos": {"y": 9}},
            panel("After", 10),
        ],
    }
    panels = expanded(dashboard)["panels"]
    assert [p["title"] for p in panels] == [
        "Agent git",
        "Calls of git",
        "Agent llm_router",
        "Calls of llm_router",
        "Agent obsidian",
        "Calls of obsidian",
        "Other",
        "After",
    ]
    assert [p["gridPos"]["y"] for p in panels] == [0, 1, 9, 10, 18, 19, 27, 28]
    assert panels[3]["targets"][0]["expr"] == 'rate(calls{agent=~"llm_router"}[5m])'
    assert panels[1]["scopedVars"] == {"agent": {"text": "git", "value": "git"}}
    assert "repeat" not in panels[0]


def test_a_repeated_panel_goes_across_then_wraps_or_down() -> None:
    across = {
        "templating": {"list": [AGENT]},
        "panels": [panel("P $agent", 0, repeat="agent", maxPerRow=2), panel("Below", 8)],
    }
    panels = expanded(across)["panels"]
    assert [(p["title"], grid(p)) for p in panels] == [
        ("P git", (0, 0, 12, 8)),
        ("P llm_router", (12, 0, 12, 8)),
        ("P obsidian", (0, 8, 12, 8)),
        ("Below", (0, 16, 12, 8)),
    ]
    down = {
        "templating": {"list": [AGENT]},
        "panels": [panel("P $agent", 0, repeat="agent", repeatDirection="v")],
    }
    assert [grid(p)[1] for p in expanded(down)["panels"]] == [0, 8, 16]


def test_the_values_a_repeat_goes_through() -> None:
    assert variable_values(AGENT) == ["git", "llm_router", "obsidian"]
    chosen = {**AGENT, "current": {"value": ["git", "obsidian"]}}
    assert variable_values(chosen) == ["git", "obsidian"]  # the selected ones only
    query = {"name": "pod", "type": "query", "current": {"value": "$__all"}}
    assert variable_values(query) == ["pod-1", "pod-2", "pod-3"]  # unknown without Prometheus
    quoted = {**AGENT, "query": 'say "hi",back\\slash'}
    row = {"type": "row", "title": "A $agent", "repeat": "agent", "gridPos": {"y": 0}}
    titles = [
        p["title"] for p in expanded({"templating": {"list": [quoted]}, "panels": [row]})["panels"]
    ]
    assert titles == ['A say "hi"', "A back\\slash"]  # values written into JSON safely


def test_the_agent_health_dashboard_draws_a_row_per_agent(tmp_path: Path) -> None:
    needs_matplotlib()
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    result = CliRunner().invoke(
        main, ["render", "--only", "phoenix-agent-health", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    texts = svg_texts((tmp_path / "phoenix-agent-health.svg").read_bytes())
    rows = [t for t in texts if t.startswith("▾ Agent")]
    assert rows == ["▾ Agent git", "▾ Agent llm_router", "▾ Agent obsidian"]


# --- synthetic data -----------------------------------------------------------------------------


def values(data: SyntheticData, p: dict[str, Any], expr: str) -> list[list[float]]:
    return [s.values for s in data.query(p, {"refId": "A", "expr": expr}).series]


def test_quantiles_of_one_histogram_are_ordered_at_every_point() -> None:
    data = SyntheticData(None, SPAN)
    p = panel("Latency", 0, fieldConfig={"defaults": {"unit": "s"}})
    q = "histogram_quantile({}, sum by (le) (rate(latency_seconds_bucket[5m])))"
    [p50], [p95], [p99] = (values(data, p, q.format(x)) for x in ("0.5", "0.95", "0.99"))
    assert all(a < b < c for a, b, c in zip(p50, p95, p99, strict=True))


def test_the_same_query_shows_the_same_series_in_every_panel() -> None:
    data = SyntheticData(None, SPAN)
    thresholds = {"steps": [{"color": "red", "value": None}, {"color": "green", "value": 95}]}
    stat = {
        **panel("Success", 0),
        "type": "stat",
        "fieldConfig": {"defaults": {"unit": "percent", "thresholds": thresholds}},
    }
    graph = panel("Success over time", 8, fieldConfig={"defaults": {"unit": "percent"}})
    expr = "avg(plan_success_rate)"
    [first] = values(data, stat, expr)
    assert values(data, graph, expr) == [first]
    assert all(95 <= v <= 100 for v in first)  # the stat's healthy band, within 100 %


def test_counts_are_whole_and_ratios_within_their_bounds() -> None:
    data = SyntheticData(None, SPAN)
    for expr in ("count(up)", "sum(up)"):
        for series in values(data, panel("Targets", 0), expr):
            assert all(v == int(v) for v in series), expr
    ratio = panel("Ratio", 0, fieldConfig={"defaults": {"unit": "percentunit"}})
    for series in values(data, ratio, "sum(rate(ok[5m])) / sum(rate(all[5m]))"):
        assert all(0 <= v <= 1 for v in series)
    percent = panel("CPU", 0, fieldConfig={"defaults": {"unit": "percent"}})
    for series in values(data, percent, "avg by (cpu) (cpu_usage)"):
        assert all(0 <= v <= 100 for v in series)


# --- reading and drawing ------------------------------------------------------------------------


def drawn_texts(dashboard: dict[str, Any], data: Any = None) -> list[tuple[str, Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from phoenix_dash.pictures.page import draw_dashboard

    figure = draw_dashboard(dashboard, data or SyntheticData(None, SPAN), "").figure
    agg = FigureCanvasAgg(figure)
    agg.draw()  # type: ignore[no-untyped-call]  # lays every text out
    renderer = agg.get_renderer()  # type: ignore[no-untyped-call]
    artists = list(figure.texts) + [t for ax in figure.axes for t in ax.texts]
    return [(a.get_text(), a.get_window_extent(renderer)) for a in artists if a.get_text()]


def test_a_dashboard_file_of_an_old_schema_keeps_its_units(tmp_path: Path) -> None:
    needs_matplotlib()
    from phoenix_dash.pictures import file_source

    old = {
        "title": "Old",
        "schemaVersion": 16,
        "rows": [
            {
                "title": "Memory",
                "panels": [
                    {
                        "type": "graph",
                        "title": "Resident memory",
                        "span": 12,
                        "yaxes": [{"format": "bytes"}, {"format": "short"}],
                        "targets": [{"refId": "A", "expr": "process_resident_memory_bytes"}],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    dashboard = file_source(path).dashboard
    [graph] = [p for p in dashboard["panels"] if p["type"] == "timeseries"]
    assert graph["fieldConfig"]["defaults"]["unit"] == "bytes"
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from phoenix_dash.pictures.page import draw_dashboard

    figure = draw_dashboard(dashboard, SyntheticData(None, SPAN), "").figure
    FigureCanvasAgg(figure).draw()  # type: ignore[no-untyped-call]
    labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(label.endswith("iB") for label in labels), labels


class Sparse:
    """A live answer of ``samples`` per series: none, or one."""

    synthetic = False
    time_range = SPAN

    def __init__(self, samples: int) -> None:
        self.samples = samples

    def query(self, panel: dict[str, Any], target: dict[str, Any]) -> QueryResult:
        values = [2.0 if self.samples else math.nan, math.nan]
        return QueryResult([Series("a", [SPAN.end, SPAN.end - 60], values)])


def test_a_panel_without_a_sample_says_no_data_and_a_lone_sample_is_a_point() -> None:
    needs_matplotlib()
    from phoenix_dash.pictures.page import draw_dashboard

    dashboard = {"title": "D", "panels": [panel("Thin", 0)]}
    assert "No data" in [t for t, _ in drawn_texts(dashboard, Sparse(0))]
    figure = draw_dashboard(dashboard, Sparse(1), "").figure
    [line] = [line for ax in figure.axes for line in ax.lines]
    assert line.get_marker() == "o"  # drawn, where a line of one sample would be nothing
    assert "No data" not in [t for t, _ in drawn_texts(dashboard, Sparse(1))]


def test_text_panels_are_markdown() -> None:
    source = (
        "# Runbook\nSee **the guide**, [docs](http://x) and `kubectl`.\n- first *item*\n"
        "  - nested\n1. one\n> quoted\n```\ncode_here()\n```"
    )
    blocks = markdown_blocks(source, False)
    assert [(b.text, b.size, b.bold, b.indent, b.mono) for b in blocks] == [
        ("Runbook", 22, True, 0, False),
        ("See the guide, docs and kubectl.", 13, False, 0, False),
        ("• first item", 13, False, 8, False),
        ("• nested", 13, False, 16, False),
        ("1. one", 13, False, 8, False),
        ("quoted", 13, False, 10, False),
        ("code_here()", 12, False, 8, True),
    ]
    assert [b.text for b in markdown_blocks("<h1>Title</h1><p>One<br>Two</p>", True)] == [
        "Title",
        "One",
        "Two",
    ]
    assert [b.text for b in markdown_blocks("snake_case_name and 2*3*4", False)] == [
        "snake_case_name and 2*3*4"
    ]


@pytest.mark.parametrize("kind", ["stat", "gauge"])
def test_several_values_stand_side_by_side_with_their_names(kind: str) -> None:
    needs_matplotlib()
    three = {
        **panel("Three", 0, "sum by (agent) (rate(calls_total[5m]))"),
        "type": kind,
        "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
        "fieldConfig": {"defaults": {"unit": "ms", "min": 0, "max": 1000}},
    }
    texts = drawn_texts({"title": "D", "panels": [three]})
    names = [(t, box) for t, box in texts if "agent-" in t]
    shown = [(t, box) for t, box in texts if t.endswith(" ms")]
    assert len(names) == len(shown) == 3
    lefts = [box.x0 for _, box in shown]
    assert lefts == sorted(lefts) and all(
        a.x1 < b.x0 for (_, a), (_, b) in itertools.pairwise(shown)
    )
    for (_, name), (_, value) in zip(names, shown, strict=True):
        assert name.y0 > value.y1  # each name above its value (a gauge's above its arc)
