"""A whole dashboard as one picture: its header (title, time range, variables, where the
data came from), then every row and panel on Grafana's grid; panels a change touches are
outlined."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..modern.common import panel_key
from .canvas import Canvas
from .content import PAD, Content, clip
from .data import PanelData
from .layout import Box, layout
from .panels import draw_content
from .theme import BORDER, CHANGED, PAGE, PANEL, TEXT, TEXT_WEAK, colour

JSON = dict[str, Any]
GRID_WIDTH = 1600
MARGIN = 16
HEADER = 72


def _range_name(dashboard: JSON) -> str:
    start = str((dashboard.get("time") or {}).get("from") or "now-6h")
    if start.startswith("now-"):
        amount, unit = start[4:-1], start[-1:]
        names = {"m": "minute", "h": "hour", "d": "day", "w": "week"}
        if amount.isdigit() and unit in names:
            return f"Last {amount} {names[unit]}{'s' if amount != '1' else ''}"
    return f"{start} to now"


def _current(variable: JSON) -> str:
    """What the variable's selector shows: its chosen values, All for all of them."""
    current = (variable.get("current") or {}).get("text")
    chosen = current if isinstance(current, list) else [current] if current else []
    shown = [str(v) for v in chosen if v not in ("$__all", "All", None, "")]
    return " + ".join(shown) if shown and len(shown) == len(chosen) else "All"


def _header(canvas: Canvas, dashboard: JSON, source: str, synthetic: bool) -> None:
    canvas.text(
        MARGIN,
        22,
        str(dashboard.get("title") or dashboard.get("uid") or ""),
        20,
        TEXT,
        weight="bold",
    )
    canvas.text(canvas.width - MARGIN, 22, _range_name(dashboard), 13, TEXT_WEAK, ha="right")
    left = float(MARGIN)
    for variable in ((dashboard.get("templating") or {}).get("list") or [])[:10]:
        if variable.get("hide") == 2:
            continue
        label = f"{variable.get('label') or variable.get('name')}  {_current(variable)}"
        width = 14 + 7.2 * len(label)
        canvas.rect(left, 44, width, 22, "#22252b", BORDER)
        canvas.text(left + 7, 55, label, 12, TEXT)
        left += width + 8
    badge = "synthetic data" if synthetic else source
    canvas.text(
        canvas.width - MARGIN,
        55,
        badge,
        12,
        colour("orange") if synthetic else TEXT_WEAK,
        ha="right",
        weight="bold" if synthetic else "normal",
    )


def _row(canvas: Canvas, box: Box, left: float, top: float) -> None:
    panel = box.panel
    if box.collapsed:
        count = len(panel.get("panels") or [])
        title = f"▸ {panel.get('title') or 'Row'} ({count} panel{'s' if count != 1 else ''})"
    else:
        title = f"▾ {panel.get('title') or 'Row'}"
    canvas.text(left + box.left, top + box.top + box.height / 2, title, 15, TEXT, weight="bold")


def _panel(
    canvas: Canvas, box: Box, data: PanelData, outlined: bool, left: float, top: float
) -> None:
    placed = Box(box.panel, left + box.left, top + box.top, box.width, box.height)
    edge, line = (CHANGED, 3.0) if outlined else (BORDER, 1.0)
    canvas.rect(placed.left, placed.top, placed.width, placed.height, PANEL, edge, line)
    title = clip(str(box.panel.get("title") or ""), box.width - 2 * PAD - 70 * outlined, 14)
    canvas.text(
        placed.left + PAD,
        placed.top + 16,
        title,
        14,
        TEXT,
        weight="bold",
    )
    if outlined:
        canvas.text(
            placed.left + placed.width - PAD,
            placed.top + 16,
            "changed",
            12,
            CHANGED,
            ha="right",
            weight="bold",
        )
    results = [
        data.query(box.panel, t) for t in box.panel.get("targets") or [] if isinstance(t, dict)
    ]
    errors = [r.error for r in results if r.error]
    content = Content(canvas, placed, results, data.time_range)
    if errors and not content.series:
        content.centred(errors[0][:90], 12, colour("red"))
        return
    draw_content(content, results, data.synthetic)


FOOTER = 28.0  # px, for the line saying what was left out


@dataclass(frozen=True)
class PanelPlace:
    """Where a panel is in the dashboard's picture, in its pixels."""

    panel: JSON
    left: float
    top: float
    width: float
    height: float


def panel_places(dashboard: JSON) -> tuple[float, float, list[PanelPlace]]:
    """(picture width, height, each panel's place): as ``draw_dashboard`` lays them out."""
    grid = layout(dashboard, GRID_WIDTH)
    footer = FOOTER if grid.left_out else 0.0
    places = [
        PanelPlace(box.panel, MARGIN + box.left, HEADER + box.top, box.width, box.height)
        for box in grid.boxes
        if not box.is_row
    ]
    return GRID_WIDTH + 2 * MARGIN, HEADER + grid.height + footer + MARGIN, places


def draw_dashboard(
    dashboard: JSON, data: PanelData, source: str, changed: Collection[Any] = ()
) -> Canvas:
    """The dashboard's picture; ``changed``: keys (``panel_key``) of panels to outline."""
    grid = layout(dashboard, GRID_WIDTH)
    footer = FOOTER if grid.left_out else 0.0
    canvas = Canvas(GRID_WIDTH + 2 * MARGIN, HEADER + grid.height + footer + MARGIN, PAGE)
    _header(canvas, dashboard, source, data.synthetic)
    for box in grid.boxes:
        if box.is_row:
            _row(canvas, box, MARGIN, HEADER)
        else:
            _panel(canvas, box, data, panel_key(box.panel) in changed, MARGIN, HEADER)
    if grid.left_out:
        canvas.text(
            MARGIN,
            HEADER + grid.height + footer / 2,
            f"{grid.left_out} more panel{'s' if grid.left_out > 1 else ''} further down "
            "are not drawn (the picture stops there)",
            12,
            TEXT_WEAK,
        )
    return canvas
