"""Where each panel of a dashboard goes, in pixels, as Grafana's grid lays it out: 24
columns over the page width, rows of 30 px with 8 px between them. A row header takes a
grid row; a collapsed row's panels are inside it and not drawn; an expanded row's panels
follow it in the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..modern.common import PANEL_GRID_DEFAULTS
from .theme import CELL_HEIGHT, CELL_MARGIN, GRID_COLUMNS

JSON = dict[str, Any]


@dataclass(frozen=True)
class Box:
    panel: JSON
    left: float
    top: float
    width: float
    height: float

    @property
    def is_row(self) -> bool:
        return self.panel.get("type") == "row"

    @property
    def collapsed(self) -> bool:
        return bool(self.panel.get("collapsed"))


@dataclass(frozen=True)
class Layout:
    boxes: list[Box]
    width: float
    height: float  # of the grid, without the header


def _grid(panel: JSON) -> tuple[int, int, int, int]:
    grid = {**PANEL_GRID_DEFAULTS, **(panel.get("gridPos") or {})}
    values = []
    for key in ("x", "y", "w", "h"):
        value = grid.get(key)
        values.append(int(value) if isinstance(value, int | float) else PANEL_GRID_DEFAULTS[key])
    x, y, w, h = values
    x = min(max(x, 0), GRID_COLUMNS - 1)
    return x, max(y, 0), min(max(w, 1), GRID_COLUMNS - x), max(h, 1)


def layout(dashboard: JSON, width: float) -> Layout:
    """Boxes for the dashboard's panels (rows included), in the order Grafana draws them:
    top to bottom, left to right."""
    column = (width - (GRID_COLUMNS - 1) * CELL_MARGIN) / GRID_COLUMNS
    pitch = CELL_HEIGHT + CELL_MARGIN
    boxes = []
    for panel in dashboard.get("panels") or []:
        if not isinstance(panel, dict):
            continue
        x, y, w, h = _grid(panel)
        if panel.get("type") == "row":
            x, w, h = 0, GRID_COLUMNS, 1
        boxes.append(
            Box(
                panel,
                x * (column + CELL_MARGIN),
                y * pitch,
                w * column + (w - 1) * CELL_MARGIN,
                h * CELL_HEIGHT + (h - 1) * CELL_MARGIN,
            )
        )
    boxes.sort(key=lambda box: (box.top, box.left))
    bottom = max((box.top + box.height for box in boxes), default=0.0)
    return Layout(boxes, width, bottom)
