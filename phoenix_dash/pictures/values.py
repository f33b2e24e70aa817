"""Panels drawn as values: stat, gauge, bar gauge and table, formatted as Grafana formats
them, in their threshold colours."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import Wedge

from .canvas import PT_PER_PX
from .content import Content, clip, fit
from .theme import GRID_LINE, PANEL, TEXT, TEXT_WEAK, colour

NAME_PX = 11.0  # a value's series name, over it or beside it
LEAST_CELL = 16.0  # px: a value smaller than this is not drawn (Grafana scrolls them)


def _value_box(content: Content, values: list[tuple[str, float | None]], sparkline: bool) -> None:
    """Stat: one value per series, side by side (or stacked when the panel is tall), each
    named over its value where the cell has room, else beside it (Grafana's BigValue
    layouts); as many as fit."""
    across = content.width >= content.height
    room = content.width if across else content.height
    values = values[: max(1, int(room / (LEAST_CELL * (4 if across else 1))))]
    count = len(values)
    colour_mode = content.options.get("colorMode", "value")
    for index, (name, value) in enumerate(values):
        width = content.width / count if across else content.width
        height = content.height if across else content.height / count
        left = content.left + (index * width if across else 0)
        top = content.top + (0 if across else index * height)
        fill = content.colour_of(value, index)
        if colour_mode == "background":
            content.canvas.rect(left, top, width - 4, height - 4, fill, zorder=1)
        text = content.format(value) if value is not None else "No data"
        text_colour = "#ffffff" if colour_mode == "background" else fill
        cell = (left, top, width, height)
        if count > 1 and height < 3 * NAME_PX + 8:  # no room over it: the name beside it
            _name_beside(content, cell, name, text, text_colour)
            continue
        above = NAME_PX * 1.8 if count > 1 else 0.0
        if count > 1:
            shown = clip(name, width - 8, NAME_PX)
            content.canvas.text(left + width / 2, top + NAME_PX, shown, NAME_PX, TEXT, ha="center")
        size = fit(text, width - 8, (height - above) * (0.6 if count > 1 else 0.8), bold=True)
        content.canvas.text(
            left + width / 2,
            top + above + (height - above) / 2 + (0 if count > 1 else 4),
            text,
            size,
            text_colour,
            ha="center",
            weight="bold",
            zorder=3,
        )
    if sparkline and count == 1 and content.series:
        ax = content.canvas.axes(
            content.left,
            content.top + content.height * 0.62,
            content.width,
            content.height * 0.38,
            PANEL,
        )
        ax.set_axis_off()
        series = content.series[0]
        shade = content.colour_of(values[0][1])
        ax.fill_between(series.times, series.values, color=shade, alpha=0.18, linewidth=0)
        ax.plot(series.times, series.values, color=shade, linewidth=1)
        ax.margins(0, 0.05)
        ax.patch.set_alpha(0)


def _name_beside(
    content: Content, cell: tuple[float, float, float, float], name: str, text: str, fill: str
) -> None:
    left, top, width, height = cell
    middle = top + height / 2
    shown = clip(name, width * 0.45, NAME_PX)
    content.canvas.text(left + 4, middle, shown, NAME_PX, TEXT, ha="left")
    size = min(fit(text, width * 0.5 - 8, height * 0.9, bold=True), height * 0.8)
    content.canvas.text(
        left + width - 4, middle, text, size, fill, ha="right", weight="bold", zorder=3
    )


def draw_stat(content: Content) -> None:
    values = [(s.name, content.reduced(s)) for s in content.series]
    _value_box(content, values, content.options.get("graphMode", "area") == "area")


def _range(content: Content) -> tuple[float, float]:
    low, high = content.defaults.get("min"), content.defaults.get("max")
    default_high = 1.0 if content.unit == "percentunit" else 100.0
    return (
        float(low) if isinstance(low, int | float) else 0.0,
        float(high) if isinstance(high, int | float) else default_high,
    )


def draw_gauge(content: Content) -> None:
    values = [(s.name, content.reduced(s)) for s in content.series][:4]
    low, high = _range(content)
    width = content.width / len(values)
    for index, (name, value) in enumerate(values):
        size = min(width, content.height * 1.25)
        ax = content.canvas.axes(
            content.left + index * width + (width - size) / 2,
            content.top,
            size,
            content.height,
            PANEL,
        )
        ax.set_axis_off()
        named = len(values) > 1  # each gauge's series name above it, as Grafana writes it
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-0.75, 1.4 if named else 1.1)
        ax.set_aspect("equal")
        ax.add_patch(Wedge((0, 0), 1, -45, 225, width=0.22, color="#2c3235"))
        share = 0.0 if value is None else min(max((value - low) / ((high - low) or 1), 0), 1)
        fill = content.colour_of(value, index)
        ax.add_patch(Wedge((0, 0), 1, 225 - 270 * share, 225, width=0.22, color=fill))
        _threshold_ring(content, ax, low, high)
        text = content.format(value) if value is not None else "No data"
        ax.text(
            0,
            0.05,
            text,
            ha="center",
            va="center",
            color=fill,
            fontsize=fit(text, size * 0.55, size * 0.3) * PT_PER_PX,
        )
        if named:  # above the arc, never on it
            shown = clip(name, size * 0.9, 11)
            ax.text(0, 1.25, shown, ha="center", va="center", color=TEXT, fontsize=11 * PT_PER_PX)


def _threshold_ring(content: Content, ax: Axes, low: float, high: float) -> None:
    """Grafana's threshold markers: a thin ring outside the gauge, a band per step."""
    steps = (content.defaults.get("thresholds") or {}).get("steps") or []
    if not content.options.get("showThresholdMarkers", True) or not steps:
        return
    bounds = [low] + [
        float(s["value"]) for s in steps[1:] if isinstance(s.get("value"), int | float)
    ]
    bounds.append(high)
    for index, step in enumerate(steps[: len(bounds) - 1]):
        start = min(max((bounds[index] - low) / ((high - low) or 1), 0), 1)
        end = min(max((bounds[index + 1] - low) / ((high - low) or 1), 0), 1)
        if end > start:
            ax.add_patch(
                Wedge(
                    (0, 0),
                    1.08,
                    225 - 270 * end,
                    225 - 270 * start,
                    width=0.05,
                    color=colour(step.get("color")),
                )
            )


def draw_bargauge(content: Content) -> None:
    values = [(s.name, content.reduced(s)) for s in content.series][:12]
    low, high = _range(content)
    if values and all(v is not None for _, v in values) and content.defaults.get("max") is None:
        high = max(
            high if content.unit in ("percent", "percentunit") else 0, *(v or 0 for _, v in values)
        )
    row = content.height / max(len(values), 1)
    for index, (name, value) in enumerate(values):
        top = content.top + index * row
        label_width = min(content.width * 0.3, 160)
        size = min(13, row * 0.5)
        content.canvas.text(
            content.left, top + row / 2, clip(name, label_width - 4, size), size, TEXT
        )
        bar_left, bar_width = content.left + label_width, content.width - label_width - 70
        content.canvas.rect(bar_left, top + row * 0.2, bar_width, row * 0.6, "#22252b", zorder=1)
        share = 0.0 if value is None else min(max((value - low) / ((high - low) or 1), 0), 1)
        fill = content.colour_of(value, index)
        content.canvas.rect(bar_left, top + row * 0.2, bar_width * share, row * 0.6, fill, zorder=2)
        text = content.format(value) if value is not None else "No data"
        content.canvas.text(
            content.left + content.width, top + row / 2, text, min(16, row * 0.55), fill, ha="right"
        )


def draw_table(content: Content) -> None:
    rows = [(s.name, content.reduced(s)) for s in content.series]
    line = 24
    content.canvas.text(
        content.left + 4, content.top + line / 2, "Series", 12, TEXT_WEAK, weight="bold"
    )
    content.canvas.text(
        content.left + content.width - 4,
        content.top + line / 2,
        "Value",
        12,
        TEXT_WEAK,
        ha="right",
        weight="bold",
    )
    for index, (name, value) in enumerate(rows[: int(content.height / line) - 1]):
        top = content.top + (index + 1) * line
        content.canvas.rect(content.left, top, content.width, 1, GRID_LINE, zorder=1)
        shown = clip(name, content.width - 120, 12)
        content.canvas.text(content.left + 4, top + line / 2, shown, 12, TEXT)
        text = content.format(value) if value is not None else ""
        content.canvas.text(
            content.left + content.width - 4,
            top + line / 2,
            text,
            12,
            content.colour_of(value, index),
            ha="right",
        )
