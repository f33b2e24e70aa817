"""Automatic layout on the 24-column grid, and panel ids that survive insertions."""

from __future__ import annotations

from typing import Any

import pytest
from grafanalib.core import Dashboard, GridPos, Row, RowPanel, Stat, Target, Text, TimeSeries

from phoenix_dash.build import render_dashboard
from phoenix_dash.config import DatasourceRef
from phoenix_dash.errors import DefinitionError
from phoenix_dash.modern import ModernizeContext
from phoenix_dash.modern.layout import Skyline
from tests.support.grafana_schemas import all_panels

CTX = ModernizeContext({"prometheus": DatasourceRef("prometheus", "prom")}, "prometheus")


def ts(title: str, w: int = 12, h: int = 8, **kw: Any) -> TimeSeries:
    return TimeSeries(
        title=title, targets=[Target(expr="up")], gridPos=GridPos(h=h, w=w, x=0, y=0), **kw
    )


def render(*panels: Any) -> dict[str, Any]:
    return render_dashboard(Dashboard(title="t", uid="t", panels=list(panels)), CTX)


def boxes(dashboard: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {p["title"]: p["gridPos"] for p in all_panels(dashboard)}


def overlaps(a: dict[str, int], b: dict[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def assert_valid_grid(panels: list[dict[str, Any]]) -> None:
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["y"] >= 0
    for i, a in enumerate(panels):
        for b in panels[i + 1 :]:
            assert not overlaps(a["gridPos"], b["gridPos"]), (a["title"], b["title"])


def test_panels_flow_and_wrap() -> None:
    grid = boxes(render(ts("a", 12), ts("b", 8), ts("c", 8), ts("d", 24, 4)))
    assert grid["a"] == {"x": 0, "y": 0, "w": 12, "h": 8}
    assert grid["b"] == {"x": 12, "y": 0, "w": 8, "h": 8}
    assert grid["c"] == {"x": 0, "y": 8, "w": 8, "h": 8}  # 12+8+8 > 24: wraps
    assert grid["d"] == {"x": 0, "y": 16, "w": 24, "h": 4}


def test_short_panels_fall_under_their_neighbours() -> None:
    grid = boxes(render(ts("tall", 12, 16), ts("s1", 6, 4), ts("s2", 6, 4), ts("s3", 12, 4)))
    assert grid["s3"] == {"x": 12, "y": 4, "w": 12, "h": 4}  # compacts upward beside "tall"


def test_rows_start_full_width_and_expanded_rows_are_flattened() -> None:
    dash = render(
        ts("top", 12, 3),
        RowPanel(title="R1", panels=[ts("r1a"), ts("r1b")]),
        RowPanel(title="R2", panels=[ts("r2a")], collapsed=True),
        RowPanel(title="R3", panels=[ts("r3a", 24, 2)]),
    )
    order = [(p["type"], p["title"]) for p in dash["panels"]]
    assert order == [
        ("timeseries", "top"),
        ("row", "R1"),
        ("timeseries", "r1a"),
        ("timeseries", "r1b"),
        ("row", "R2"),
        ("row", "R3"),
        ("timeseries", "r3a"),
    ]
    rows = {p["title"]: p for p in dash["panels"] if p["type"] == "row"}
    assert rows["R1"]["gridPos"] == {"x": 0, "y": 3, "w": 24, "h": 1}
    assert rows["R1"]["panels"] == []
    # A collapsed row keeps its panels, positioned as they will be when expanded...
    assert [p["title"] for p in rows["R2"]["panels"]] == ["r2a"]
    assert rows["R2"]["panels"][0]["gridPos"]["y"] == rows["R2"]["gridPos"]["y"] + 1
    # ...and takes one grid row while collapsed.
    assert rows["R3"]["gridPos"]["y"] == rows["R2"]["gridPos"]["y"] + 1
    assert_valid_grid([p for p in dash["panels"]])


def test_size_hints_from_span_and_pixel_height() -> None:
    grid = boxes(
        render(TimeSeries(title="legacy", span=4, height="300px", targets=[Target(expr="up")]))
    )
    assert grid["legacy"]["w"] == 8 and grid["legacy"]["h"] == 10


def test_legacy_rows_become_row_panels() -> None:
    dash = render_dashboard(
        Dashboard(
            title="t",
            uid="t",
            rows=[
                Row(title="Old", panels=[TimeSeries(title="x", targets=[Target(expr="up")])]),
            ],
        ),
        CTX,
    )
    assert [p["type"] for p in dash["panels"]] == ["row", "timeseries"]
    assert dash["panels"][1]["gridPos"]["w"] == 24  # grafanalib balanced span 12 of 12


@pytest.mark.parametrize("w", [0, 25])
def test_bad_width_is_an_error(w: int) -> None:
    with pytest.raises(DefinitionError, match="width"):
        render(ts("bad", w))


def test_skyline_never_overlaps_random_sizes() -> None:
    import random

    rng = random.Random(7)
    sky = Skyline()
    placed: list[dict[str, Any]] = []
    for _ in range(300):
        w, h = rng.randint(1, 24), rng.randint(1, 12)
        x, y = sky.place(w, h)
        placed.append({"title": str(len(placed)), "gridPos": {"x": x, "y": y, "w": w, "h": h}})
    assert_valid_grid(placed)


def test_repository_dashboards_have_valid_layouts(repo_dashboards: dict[str, Any]) -> None:
    for dash in repo_dashboards.values():
        top = dash["panels"]
        assert_valid_grid(top)
        for row in top:
            assert_valid_grid(row.get("panels", []))


def ids(dashboard: dict[str, Any]) -> dict[str, int]:
    return {p["title"]: p["id"] for p in all_panels(dashboard)}


def test_inserting_a_panel_keeps_the_other_ids() -> None:
    before = ids(render(ts("a"), RowPanel(title="R", panels=[ts("b"), ts("c")])))
    after = ids(
        render(
            ts("new first"), ts("a"), RowPanel(title="R", panels=[ts("b"), ts("inserted"), ts("c")])
        )
    )
    assert {k: after[k] for k in before} == before
    assert len(set(after.values())) == len(after)


def test_ids_are_stable_across_runs_and_unique(repo_dashboards: dict[str, Any]) -> None:
    for dash in repo_dashboards.values():
        found = [p["id"] for p in all_panels(dash)]
        assert len(found) == len(set(found))
        assert all(isinstance(i, int) and 0 < i < 2**31 for i in found)


def test_equal_titles_get_distinct_ids_and_explicit_ids_are_kept() -> None:
    dash = render(
        ts("same"),
        ts("same"),
        Stat(title="pinned", id=7, targets=[Target(expr="up")]),
        Text(title="", content="hello"),
    )
    found = [p["id"] for p in all_panels(dash)]
    assert len(set(found)) == 4 and 7 in found


def test_explicit_id_collision_is_an_error() -> None:
    with pytest.raises(DefinitionError, match="panel id 5"):
        render(
            Stat(title="a", id=5, targets=[Target(expr="up")]),
            Stat(title="b", id=5, targets=[Target(expr="up")]),
        )
