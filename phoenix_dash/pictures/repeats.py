"""Repeated rows and panels, expanded as Grafana expands them for a variable set to several
values (or All): a copy per value, its title and queries with the value in place of the
variable (``DashboardModel.processRepeats``); the panels below move down to make room."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .layout import JSON

MAX_COPIES = 20  # a variable of many values: the picture shows the first twenty
PLACEHOLDER_COUNT = 3  # values of a query variable, unknown without its datasource
GRID_COLUMNS = 24


def expanded(dashboard: JSON) -> JSON:
    """``dashboard`` with every repeat expanded; the same dashboard when it has none."""
    panels = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    values = {
        str(v.get("name")): variable_values(v)
        for v in (dashboard.get("templating") or {}).get("list") or []
        if isinstance(v, dict)
    }
    if not any(str(p.get("repeat") or "") in values for p in panels):
        return dashboard
    out: list[JSON] = []
    shift = 0  # grid rows the copies so far pushed the rest down by
    index = 0
    ordered = sorted(panels, key=lambda p: (_y(p), _grid(p).get("x", 0)))
    while index < len(ordered):
        panel = ordered[index]
        name = str(panel.get("repeat") or "")
        if panel.get("type") == "row" and name in values:
            end = index + 1
            while end < len(ordered) and ordered[end].get("type") != "row":
                end += 1
            block = [_moved(p, shift) for p in ordered[index:end]]
            height = max(_y(p) + _grid(p).get("h", 1) for p in block) - _y(block[0])
            for number, value in enumerate(values[name]):
                out += [_moved(_scoped(p, name, value), number * height) for p in block]
            shift += (len(values[name]) - 1) * height
            index = end
            continue
        moved = _moved(panel, shift)
        if name in values:
            copies, extra = _panel_copies(moved, name, values[name])
            out += copies
            shift += extra
        else:
            out.append(moved)
        index += 1
    return {**dashboard, "panels": out}


def variable_values(variable: JSON) -> list[str]:
    """The values a repeat goes through: those selected, all of them for All (its options,
    a custom variable's list), or placeholders for a query variable's unknown ones."""
    current = (variable.get("current") or {}).get("value")
    chosen = current if isinstance(current, list) else [current] if current else []
    chosen = [str(v) for v in chosen if v not in (None, "")]
    if chosen and "$__all" not in chosen and "All" not in chosen:
        return chosen[:MAX_COPIES]
    options = [
        str(o.get("value"))
        for o in variable.get("options") or []
        if isinstance(o, dict) and o.get("value") not in (None, "$__all")
    ]
    if not options and variable.get("type") == "custom":
        options = [v.strip() for v in str(variable.get("query") or "").split(",") if v.strip()]
    name = str(variable.get("name"))
    return (options or [f"{name}-{i + 1}" for i in range(PLACEHOLDER_COUNT)])[:MAX_COPIES]


def _panel_copies(panel: JSON, name: str, values: list[str]) -> tuple[list[JSON], int]:
    """Copies side by side (``repeatDirection`` h, at most ``maxPerRow`` a line), or one
    under the other (v); and the grid rows they add."""
    grid = _grid(panel)
    height = int(grid.get("h", 8))
    if panel.get("repeatDirection") == "v":
        copies = [_moved(_scoped(panel, name, v), i * height) for i, v in enumerate(values)]
        return copies, (len(values) - 1) * height
    per_line = max(1, min(len(values), int(panel.get("maxPerRow") or 4)))
    width = max(1, GRID_COLUMNS // per_line)
    copies = []
    for i, value in enumerate(values):
        line, column = divmod(i, per_line)
        copied = _moved(_scoped(panel, name, value), line * height)
        copied["gridPos"] = {**_grid(copied), "x": column * width, "w": width}
        copies.append(copied)
    lines = -(-len(values) // per_line)
    return copies, (lines - 1) * height


def _scoped(panel: JSON, name: str, value: str) -> JSON:
    """A copy of ``panel`` (its queries, its title, a row's own panels) for one value."""
    word = re.escape(name)
    pattern = re.compile(rf"\$\{{{word}(?::[^}}]*)?\}}|\[\[{word}\]\]|\${word}\b")
    inside_json = json.dumps(value)[1:-1]  # the value as it is written inside a JSON string
    text = pattern.sub(lambda _: inside_json, json.dumps(panel))
    copied: JSON = json.loads(text)
    copied.pop("repeat", None)
    copied["scopedVars"] = {name: {"text": value, "value": value}}
    return copied


def _moved(panel: JSON, rows: int) -> JSON:
    if not rows:
        return panel
    copied = copy.deepcopy(panel)
    copied["gridPos"] = {**_grid(panel), "y": _y(panel) + rows}
    return copied


def _grid(panel: JSON) -> dict[str, Any]:
    grid = panel.get("gridPos")
    return dict(grid) if isinstance(grid, dict) else {}


def _y(panel: JSON) -> int:
    y = _grid(panel).get("y", 0)
    return int(y) if isinstance(y, int | float) else 0
