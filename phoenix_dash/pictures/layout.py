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


def _grid(panel: JSON) -> tuple[int, int, int, int]:
    grid = {**PANEL_GRID_DEFAULTS, **(panel.get("gridPos") or {})}
    values = []
    for key in ("x", "y", "w", "h"):
        value = grid.get(key)
        values.append(int(value) if isinstance(value, int | float) else PANEL_GRID_DEFAULTS[key])
    x, y, w, h = values
    x = min(max(x, 0), GRID_COLUMNS - 1)
    return x, max(y, 0), min(max(w, 1), GRID_COLUMNS - x), max(h, 1)


# A picture stops here (matplotlib refuses images past 2**16 pixels, and nobody reads a
# page that long): a panel is at most MAX_PANEL_ROWS grid rows tall, and what starts below
# MAX_GRID_ROWS is left out, counted in ``Layout.left_out``.
MAX_PANEL_ROWS = 100
MAX_GRID_ROWS = 600


@dataclass(frozen=True)
class Layout:
    boxes: list[Box]
    width: float
    height: float  # of the grid, without the header
    left_out: int = 0  # panels below MAX_GRID_ROWS, not drawn


def compacted(cells: list[tuple[int, int, int, int]]) -> list[int]:
    """The ``y`` of each (x, y, w, h) cell after Grafana's vertical compaction
    (react-grid-layout's ``compact``, vertical): in (y, x) order, each cell moves up until it
    meets one already placed, then below whatever it still overlaps. A panel saved at
    y = 1,000,000 is drawn where Grafana shows it: under the others."""
    placed: list[tuple[int, int, int, int]] = []
    tops = [0] * len(cells)
    for index in sorted(range(len(cells)), key=lambda i: (cells[i][1], cells[i][0])):
        x, y, w, h = cells[index]
        beside = [p for p in placed if p[0] < x + w and x < p[0] + p[2]]
        top = max((p[1] + p[3] for p in beside if p[1] + p[3] <= y), default=0)
        moved = True
        while moved:
            moved = False
            for p in beside:
                if p[1] < top + h and top < p[1] + p[3]:
                    top, moved = p[1] + p[3], True
        placed.append((x, top, w, h))
        tops[index] = top
    return tops


def layout(dashboard: JSON, width: float) -> Layout:
    """Boxes for the dashboard's panels (rows included), in the order Grafana draws them:
    top to bottom, left to right."""
    column = (width - (GRID_COLUMNS - 1) * CELL_MARGIN) / GRID_COLUMNS
    pitch = CELL_HEIGHT + CELL_MARGIN
    panels = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    cells = []
    for panel in panels:
        x, y, w, h = _grid(panel)
        if panel.get("type") == "row":
            x, w, h = 0, GRID_COLUMNS, 1
        cells.append((x, y, w, min(h, MAX_PANEL_ROWS)))
    boxes = []
    for panel, (x, _, w, h), y in zip(panels, cells, compacted(cells), strict=True):
        if y >= MAX_GRID_ROWS:
            continue
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
    return Layout(boxes, width, bottom, len(panels) - len(boxes))
