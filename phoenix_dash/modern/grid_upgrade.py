"""Schema 16's move from legacy ``rows`` to the grid, as Grafana computes it (its backend's
schemaversion/v16.go, which follows the frontend's DashboardMigrator): a dashboard Grafana
saved before then keeps the positions Grafana gives it when it loads it.

Each row is ``height`` pixels (250 by default) or grid units of 38 pixels, at least 3; a
panel's ``span`` (of 12, 4 by default) becomes a width of 24; panels fill a row left to right
and wrap inside it; a row panel is added for every row when any row is collapsed, repeated
or shows its title, and the panels of a collapsed row go inside it."""

from __future__ import annotations

import math
from typing import Any

from .common import JSON

GRID_COLUMNS = 24
DEFAULT_SPAN = 4.0
DEFAULT_ROW_HEIGHT = 250.0
CELL_HEIGHT = 30.0
CELL_MARGIN = 8.0
MIN_PANEL_HEIGHT = CELL_HEIGHT * 3
PANEL_HEIGHT_STEP = CELL_HEIGHT + CELL_MARGIN


def number(value: Any) -> float | None:
    """A number, or a string such as "250px" (as Grafana reads heights)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.removesuffix("px"))
        except ValueError:
            return None
    return None


def grid_height(pixels: float) -> int:
    return math.ceil(max(pixels, MIN_PANEL_HEIGHT) / PANEL_HEIGHT_STEP)


class RowArea:
    """The cells of one legacy row: how far down each of the 24 columns is filled."""

    def __init__(self, height: int, y: int) -> None:
        self.filled = [0] * GRID_COLUMNS
        self.y = y
        self.height = height

    def place(self, width: int) -> tuple[int, int]:
        """(x, y within the row) for a panel ``width`` wide: the rightmost free run of
        columns wide enough, else a new band of the row below."""
        start = end = 0
        found = False
        for column in range(GRID_COLUMNS - 1, -1, -1):
            if self.height - self.filled[column] <= 0:
                break
            if not found:
                end, found = column, True
            elif column < GRID_COLUMNS - 1 and self.filled[column] <= self.filled[column + 1]:
                start = column
            else:
                break
        if found and end - start >= width - 1:
            return start, max(self.filled[start : end + 1], default=0)
        self.y += self.height
        self.filled = [0] * GRID_COLUMNS
        return self.place(width)

    def add(self, x: int, y: int, width: int, height: int) -> None:
        for column in range(x, min(x + width, GRID_COLUMNS)):
            self.filled[column] = max(self.filled[column], y + height - self.y)


def upgrade_rows(dash: JSON) -> None:
    """Replace ``rows`` with grid panels (and row panels), in place."""
    rows = dash.get("rows")
    if not isinstance(rows, list):
        return
    rows = [row for row in rows if isinstance(row, dict)]
    panels: list[Any] = list(dash.get("panels") or [])
    next_id = 1 + max(
        (int(p["id"]) for r in rows for p in _panels(r) if _is_number(p.get("id"))), default=0
    )
    show_rows = any(
        row.get("collapse") is True or row.get("showTitle") is True or _text(row, "repeat")
        for row in rows
    )
    y = 0
    for row in rows:
        if row.get("repeatIteration") is not None:
            continue
        height = grid_height(number(row.get("height")) or DEFAULT_ROW_HEIGHT)
        collapsed = row.get("collapse") is True
        for panel in _panels(row):
            if "id" not in panel:
                panel["id"], next_id = next_id, next_id + 1
        row_panel: JSON | None = None
        if show_rows:
            row_panel = {
                "id": next_id,
                "type": "row",
                "title": _text(row, "title"),
                "repeat": _text(row, "repeat"),
                "panels": [],
                "gridPos": {"x": 0, "y": y, "w": GRID_COLUMNS, "h": height},
            }
            if "collapse" in row:
                row_panel["collapsed"] = collapsed
            next_id += 1
            y += 1
        area = RowArea(height, y)
        for panel in _panels(row):
            _place(panel, area, height)
            y = area.y
            target = row_panel["panels"] if row_panel is not None and collapsed else panels
            target.append(panel)
        if row_panel is not None:
            panels.append(row_panel)
        if row_panel is None or not collapsed:
            y += height
    # In the order Grafana's frontend reads them (sortPanelsByGridPos): a row before the
    # panels below it, which are then its own.
    dash["panels"] = sorted(panels, key=_position)
    del dash["rows"]


def _position(panel: Any) -> tuple[int, int]:
    grid = panel.get("gridPos") if isinstance(panel, dict) else None
    if not isinstance(grid, dict):
        return (0, 0)
    return (int(number(grid.get("y")) or 0), int(number(grid.get("x")) or 0))


def _place(panel: JSON, area: RowArea, row_height: int) -> None:
    span = number(panel.get("span"))
    min_span = number(panel.get("minSpan"))
    if min_span is not None and min_span > 0:
        panel["minSpan"] = int(min(GRID_COLUMNS, GRID_COLUMNS / 12 * min_span))
    # A span or height of 0 counts as none (the frontend's `panel.span || 4`).
    width = math.floor((span or DEFAULT_SPAN) * GRID_COLUMNS / 12)
    own = number(panel.get("height"))
    height = grid_height(own) if own else row_height
    x, offset = area.place(width)
    panel["gridPos"] = {"x": x, "y": area.y + offset, "w": width, "h": height}
    area.add(x, area.y + offset, width, height)
    panel.pop("span", None)


def _panels(row: JSON) -> list[JSON]:
    return [p for p in row.get("panels") or [] if isinstance(p, dict)]


def _text(row: JSON, key: str) -> str:
    value = row.get(key)
    return value if isinstance(value, str) else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
