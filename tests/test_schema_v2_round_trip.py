"""v1 -> v2 -> v1 keeps every panel, query, variable and position: of the repository's four
dashboards and of the real-world ones. What comes back may be more complete, as Grafana's
converter makes it: a query without a refId gets the next free one, and one without a
datasource names its panel's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.schema_v2 import DatasourceIndex, to_v2
from phoenix_dash.schema_v2.to_v1 import to_v1
from tests.support.grafana_schemas import REALWORLD
from tests.support.project import PHOENIX_UIDS, ROOT, oracle

INDEX = DatasourceIndex({"phoenix-prometheus": "prometheus", "phoenix-loki": "loki"}, "prometheus")


def panels(dashboard: dict[str, Any]) -> dict[int, dict[str, Any]]:
    every = [p for top in dashboard.get("panels", []) for p in [top, *top.get("panels", [])]]
    return {p["id"]: p for p in every if p.get("type") != "row"}


def positions(dashboard: dict[str, Any]) -> dict[int, tuple[int, ...]]:
    """Each panel's row (by order), x, width, height, and y within its row. Grafana's grid
    compacts vertically, so where a row starts is not a position of its own: an empty gap
    before a row comes back closed."""
    found: dict[int, tuple[int, ...]] = {}
    row, top = 0, 0
    for panel in dashboard.get("panels", []):
        grid = panel.get("gridPos", {})
        if panel.get("type") == "row":
            row, top = row + 1, grid.get("y", 0) + 1
            for inner in panel.get("panels", []):
                g = inner["gridPos"]
                found[inner["id"]] = (row, g["x"], g["w"], g["h"], g["y"] - top)
            continue
        found[panel["id"]] = (row, grid["x"], grid["w"], grid["h"], grid["y"] - top)
    return found


def queries(panel: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each query's expression, and its refId and datasource where the original has one
    (a query without names its panel's)."""
    default = panel.get("datasource")
    return [
        (t.get("expr"), t.get("refId"), t.get("datasource") or default)
        for t in panel.get("targets", [])
    ]


def meaning(field_config: Any) -> Any:
    """A field config without empty value mappings and overrides, which Grafana reads as
    absent (its converter leaves empty mappings out); none at all is an empty one."""
    if not isinstance(field_config, dict):
        field_config = {}
    defaults = {
        k: v for k, v in (field_config.get("defaults") or {}).items() if v != [] or k != "mappings"
    }
    thresholds = defaults.get("thresholds")
    if isinstance(thresholds, dict):  # a step without a value is the base (null) one
        steps = [{"value": None, **step} for step in thresholds.get("steps", [])]
        defaults["thresholds"] = {**thresholds, "steps": steps}
    return {"defaults": defaults, "overrides": field_config.get("overrides") or []}


def kept(original: dict[str, Any], back: dict[str, Any]) -> list[str]:
    lost = []
    before, after = panels(original), panels(back)
    if sorted(before) != sorted(after):
        return [f"panels {sorted(set(before) ^ set(after))}"]
    for key, panel in before.items():
        other = after[key]
        if "libraryPanel" in panel:  # v2 keeps a reference (LibraryPanelKind): the rest is
            if other.get("libraryPanel") != panel["libraryPanel"]:  # the library element's
                lost.append(f"panel {key} libraryPanel")
            continue
        for field in ("type", "title", "options"):
            if panel.get(field) != other.get(field) and field in panel:
                lost.append(f"panel {key} {field}")
        if meaning(panel.get("fieldConfig")) != meaning(other.get("fieldConfig")):
            lost.append(f"panel {key} fieldConfig")
        for mine, theirs in zip(queries(panel), queries(other), strict=True):
            if mine[0] != theirs[0] or any(
                m is not None and m != t for m, t in zip(mine, theirs, strict=True)
            ):
                lost.append(f"panel {key} query {mine[1]}")
    if positions(original) != positions(back):
        lost.append("positions")
    names = [(v["name"], v["type"], v.get("query")) for v in original["templating"]["list"]]
    if names != [(v["name"], v["type"], v.get("query")) for v in back["templating"]["list"]]:
        lost.append("variables")
    return lost


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_the_repositorys_dashboards_come_back(uid: str) -> None:
    original = json.loads((ROOT / "build" / "dashboards" / f"{uid}.json").read_text())
    back = to_v1(to_v2(original, INDEX), uid)
    assert kept(original, back) == []
    assert back["uid"] == uid and back["title"] == original["title"]
    assert back["annotations"] == original["annotations"]
    assert back["links"] == original["links"]


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: Path(p).name)
def test_a_real_world_dashboard_comes_back(path: Path) -> None:
    original = json.loads(oracle(path).read_text())
    assert kept(original, to_v1(to_v2(original, INDEX))) == []
