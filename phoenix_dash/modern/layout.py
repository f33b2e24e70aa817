"""Automatic layout on Grafana's 24-column grid.

Authors give sizes only (``gridPos`` w/h, grafanalib's 12-column ``span``, or a pixel
``height``). Panels flow left to right in the order written, each falling to the highest free
spot under its columns (Grafana's vertical compaction). When a line is full, the next panel
goes to the highest free spot where it fits, leftmost on ties, so short panels fill the gap
beside a tall one. Rows start a new band across the full width. Nothing ever overlaps.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .common import JSON, describe, fail

GRID_COLUMNS = 24
GRID_CELL_PX = 30
ROW_HEIGHT = 1
DEFAULT_SIZE = (12, 8)
DEFAULT_SIZES = {
    "stat": (6, 4),
    "gauge": (6, 6),
    "bargauge": (12, 6),
    "text": (24, 3),
    "logs": (24, 10),
    "alertlist": (12, 8),
    "table": (24, 8),
    "heatmap": (12, 8),
}
PIXELS_RE = re.compile(r"^\s*(\d+)\s*px\s*$")


def size_hint(panel: JSON, default_height: Any = None) -> tuple[int, int]:
    """(w, h) from what the author wrote; reads gridPos, span and height."""
    kind = str(panel.get("type", ""))
    width, height = DEFAULT_SIZES.get(kind, DEFAULT_SIZE)
    grid = panel.get("gridPos")
    if isinstance(grid, dict):
        width, height = grid.get("w", width), grid.get("h", height)
    else:
        if panel.get("span") is not None:
            width = _number(panel, panel["span"], "span") * 2
        pixels = panel.get("height", default_height)
        if pixels is not None:
            height = _grid_units(panel, pixels)
    if not isinstance(width, int) or not 1 <= width <= GRID_COLUMNS:
        raise fail(panel, f"{describe(panel)}: width {width!r} is not 1..{GRID_COLUMNS} columns")
    if not isinstance(height, int) or height < 1:
        raise fail(panel, f"{describe(panel)}: height {height!r} is not a positive grid height")
    return width, height


def _number(panel: JSON, value: Any, what: str) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return math.ceil(value)
    raise fail(panel, f"{describe(panel)}: {what} {value!r} is not a positive number")


def _grid_units(panel: JSON, pixels: Any) -> int:
    if isinstance(pixels, str):
        match = PIXELS_RE.match(pixels)
        if not match:
            raise fail(panel, f"{describe(panel)}: height {pixels!r} is not like '250px'")
        pixels = int(match.group(1))
    return math.ceil(_number(panel, pixels, "height") / GRID_CELL_PX)


class Skyline:
    """The lowest free y of each grid column, plus a left-to-right cursor."""

    def __init__(self, top: int = 0) -> None:
        self.columns = [top] * GRID_COLUMNS
        self.cursor = 0

    def place(self, width: int, height: int) -> tuple[int, int]:
        if self.cursor + width <= GRID_COLUMNS:
            x = self.cursor
        else:  # line full: the highest free spot, leftmost on ties
            x = min(range(GRID_COLUMNS - width + 1), key=lambda c: (self._top(c, width), c))
        y = self._top(x, width)
        for column in range(x, x + width):
            self.columns[column] = y + height
        self.cursor = x + width
        return x, y

    def _top(self, x: int, width: int) -> int:
        return max(self.columns[x : x + width])

    def bottom(self) -> int:
        return max(self.columns)


def _place(panel: JSON, skyline: Skyline) -> None:
    grid = panel["gridPos"]
    grid["x"], grid["y"] = skyline.place(grid["w"], grid["h"])


def layout(items: list[JSON]) -> list[JSON]:
    """Position ``items`` (rows hold their children in ``panels``) and return Grafana's flat
    list: an expanded row is followed by its panels, a collapsed one keeps them inside."""
    flat: list[JSON] = []
    skyline = Skyline()
    for item in items:
        if item.get("type") != "row":
            _place(item, skyline)
            flat.append(item)
            continue
        top = skyline.bottom()
        item["gridPos"] = {"h": ROW_HEIGHT, "w": GRID_COLUMNS, "x": 0, "y": top}
        children = item.get("panels", [])
        inner = Skyline(top + ROW_HEIGHT)
        for child in children:
            _place(child, inner)
        flat.append(item)
        if item.get("collapsed"):
            skyline = Skyline(top + ROW_HEIGHT)
        else:
            item["panels"] = []
            flat.extend(children)
            skyline = Skyline(inner.bottom())
    return flat


def as_placed(items: list[JSON]) -> list[JSON]:
    """Grafana's flat list of ``items`` that carry their own positions (kept): an expanded
    row is followed by its panels, a collapsed one keeps them inside."""
    flat: list[JSON] = []
    for item in items:
        flat.append(item)
        if item.get("type") == "row" and not item.get("collapsed"):
            flat.extend(item.get("panels", []))
            item["panels"] = []
    return flat
