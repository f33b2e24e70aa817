"""Each panel drawn by its type, as Grafana draws it in the dark theme: time series with a
legend and unit-formatted axis, stat and gauge values in their threshold colours, bar
gauges, tables, heatmaps, logs, text; "No data" when the queries return nothing."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Wedge
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, MaxNLocator

from .canvas import PT_PER_PX, Canvas
from .data import QueryResult, Series, TimeRange
from .layout import Box
from .theme import (
    GRID_LINE,
    NO_DATA,
    PANEL,
    TEXT,
    TEXT_WEAK,
    colour,
    series_colour,
    threshold_colour,
)
from .units import format_value

JSON = dict[str, Any]
PAD = 8
TITLE_HEIGHT = 32
LEGEND_ROW = 18
REDUCERS: dict[str, Callable[[list[float]], float]] = {
    "lastNotNull": lambda v: v[-1],
    "last": lambda v: v[-1],
    "firstNotNull": lambda v: v[0],
    "first": lambda v: v[0],
    "mean": lambda v: sum(v) / len(v),
    "max": max,
    "min": min,
    "sum": sum,
    "count": lambda v: float(len(v)),
}


class Content:
    """A panel's drawing area (below its title), its settings and its data."""

    def __init__(
        self, canvas: Canvas, box: Box, results: list[QueryResult], span: TimeRange
    ) -> None:
        self.canvas, self.panel, self.span = canvas, box.panel, span
        self.left, self.top = box.left + PAD, box.top + TITLE_HEIGHT
        self.width, self.height = box.width - 2 * PAD, box.height - TITLE_HEIGHT - PAD
        self.series = [s for r in results for s in r.series]
        self.defaults: JSON = (self.panel.get("fieldConfig") or {}).get("defaults") or {}
        self.options: JSON = self.panel.get("options") or {}

    @property
    def unit(self) -> str | None:
        unit = self.defaults.get("unit")
        return str(unit) if unit else None

    @property
    def decimals(self) -> int | None:
        decimals = self.defaults.get("decimals")
        return int(decimals) if isinstance(decimals, int | float) else None

    def format(self, value: float) -> str:
        return format_value(value, self.unit, self.decimals)

    def reduced(self, series: Series) -> float | None:
        calcs = (self.options.get("reduceOptions") or {}).get("calcs") or ["lastNotNull"]
        present = [v for v in series.values if not math.isnan(v)]
        if not present:
            return None
        return REDUCERS.get(str(calcs[0]), REDUCERS["lastNotNull"])(present)

    def colour_of(self, value: float | None, index: int = 0) -> str:
        mode = (self.defaults.get("color") or {}).get("mode", "thresholds")
        if mode == "fixed":
            return colour((self.defaults.get("color") or {}).get("fixedColor"), series_colour(0))
        if mode == "thresholds":
            return threshold_colour(value, self.panel.get("fieldConfig") or {})
        return series_colour(index)

    def centred(self, text: str, size_px: float, fill: str, **style: Any) -> None:
        self.canvas.text(
            self.left + self.width / 2,
            self.top + self.height / 2,
            text,
            size_px,
            fill,
            ha="center",
            **style,
        )


def clip(text: str, width: float, size_px: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` pixels at ``size_px``."""
    most = max(int(width / (size_px * 0.6)), 1)
    return text if len(text) <= most else text[: max(most - 1, 0)] + "…"


def _fit(text: str, width: float, height: float, most: float = 64) -> float:
    """A font size in pixels that fits ``text`` in the box (glyphs ~0.6 em wide)."""
    return max(8.0, min(most, height * 0.7, width / max(len(text), 1) / 0.62))


def _style_axes(ax: Axes) -> None:
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(colors=TEXT_WEAK, labelsize=10 * PT_PER_PX, length=0, pad=3)
    ax.grid(True, color=GRID_LINE, linewidth=0.8)
    ax.set_axisbelow(True)


def _hhmm(value: float, _: object = None) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%H:%M")


TIME_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def _time_ticks(start: float, end: float, most: int) -> list[float]:
    """Ticks on round clock times (every 5 min, 30 min, 1 h, ...), as Grafana's axis puts
    them, at most ``most`` of them."""
    step = next((s for s in TIME_STEPS if (end - start) / s <= most), TIME_STEPS[-1])
    first = math.ceil(start / step) * step
    return [float(t) for t in range(int(first), int(end) + 1, step)]


class UnitFormatter(Formatter):
    """Axis labels in the panel's unit, all with the fewest decimals that tell them apart
    (Grafana's axis picks the decimals from the tick step the same way)."""

    def __init__(self, content: Content) -> None:
        self.content = content

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.content.format(x)

    def format_ticks(self, values: Any) -> list[str]:
        ticks = [float(v) for v in values]
        if self.content.decimals is not None:
            return [self.content.format(v) for v in ticks]
        for decimals in range(5):
            labels = [format_value(v, self.content.unit, decimals) for v in ticks]
            if len(set(labels)) == len(labels):
                return labels
        return [self.content.format(v) for v in ticks]


def draw_timeseries(content: Content) -> None:
    legend = content.options.get("legend") or {}
    shows_legend = legend.get("showLegend", True) and legend.get("displayMode") != "hidden"
    rows = min(3, math.ceil(len(content.series) / 4)) if shows_legend else 0
    height = content.height - rows * LEGEND_ROW
    ax = content.canvas.axes(content.left + 46, content.top, content.width - 46, height - 16, PANEL)
    _style_axes(ax)
    custom = content.defaults.get("custom") or {}
    fill = float(custom.get("fillOpacity") or 0) / 100
    for index, series in enumerate(content.series):
        line_colour = (
            content.colour_of(None, index) if _by_series(content) else series_colour(index)
        )
        ax.plot(series.times, series.values, color=line_colour, linewidth=1.2)
        if fill:
            ax.fill_between(series.times, series.values, color=line_colour, alpha=fill, linewidth=0)
    _threshold_lines(content, ax)
    ax.yaxis.set_major_formatter(UnitFormatter(content))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=max(2, int(height / 40))))
    _time_axis(ax, content)
    if shows_legend:
        _legend(content, height)


def _time_axis(ax: Axes, content: Content) -> None:
    """The dashboard's time range, whatever part of it has samples."""
    start, end = content.span.start, content.span.end
    ax.set_xlim(start, end)
    ax.xaxis.set_major_locator(
        FixedLocator(_time_ticks(start, end, max(2, int(content.width / 90))))
    )
    ax.xaxis.set_major_formatter(FuncFormatter(_hhmm))


def _by_series(content: Content) -> bool:
    mode = (content.defaults.get("color") or {}).get("mode", "palette-classic")
    return mode not in ("palette-classic", "thresholds")


def _threshold_lines(content: Content, ax: Axes) -> None:
    style = ((content.defaults.get("custom") or {}).get("thresholdsStyle") or {}).get("mode")
    if style in (None, "off"):
        return
    steps = (content.defaults.get("thresholds") or {}).get("steps") or []
    for step in steps:
        if isinstance(step.get("value"), int | float):
            ax.axhline(step["value"], color=colour(step.get("color")), linewidth=1, linestyle="--")


def _legend(content: Content, graph_height: float) -> None:
    x, y = content.left, content.top + graph_height + 2
    for index, series in enumerate(content.series[:12]):
        column = index % 4
        if column == 0 and index:
            y += LEGEND_ROW
        left = x + column * content.width / 4
        marker = content.colour_of(None, index) if _by_series(content) else series_colour(index)
        content.canvas.rect(left, y + 6, 12, 4, marker, zorder=3)
        name = clip(series.name, content.width / 4 - 20, 11)
        content.canvas.text(left + 16, y + 8, name, 11, TEXT)


def _value_box(content: Content, values: list[tuple[str, float | None]], sparkline: bool) -> None:
    """Stat: one value per series, side by side (or stacked when the panel is tall)."""
    count = len(values)
    across = content.width >= content.height
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
        size = _fit(text, width - 8, height * (0.6 if count > 1 else 0.8))
        text_colour = "#ffffff" if colour_mode == "background" else fill
        if count > 1:
            shown = clip(name, width - 8, 11)
            content.canvas.text(left + width / 2, top + 10, shown, 11, TEXT, ha="center")
        content.canvas.text(
            left + width / 2,
            top + height / 2 + 4,
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
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-0.75, 1.1)
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
            fontsize=_fit(text, size * 0.55, size * 0.3) * PT_PER_PX,
        )
        if len(values) > 1:
            shown = clip(name, size * 0.9, 11)
            ax.text(0, -0.62, shown, ha="center", color=TEXT, fontsize=11 * PT_PER_PX)


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


def draw_heatmap(content: Content) -> None:
    series = content.series
    if len(series) < 3:  # one series of a histogram's quantile: spread it over buckets
        base = series[0].values
        series = [
            Series(f"{b}", series[0].times, [v * math.exp(-((b - 5) ** 2) / 8) for v in base])
            for b in range(10)
        ]
    width = max(len(s.values) for s in series)  # a live series may miss its first samples
    grid = [
        [0.0] * (width - len(s.values)) + [0.0 if math.isnan(v) else v for v in s.values]
        for s in series
    ]
    ax = content.canvas.axes(
        content.left + 46, content.top, content.width - 46, content.height - 16, PANEL
    )
    _style_axes(ax)
    ax.grid(False)
    start = min(s.times[0] for s in series if s.times)
    end = max(max(s.times[-1] for s in series if s.times), start + 1)
    ax.imshow(
        grid,
        aspect="auto",
        origin="lower",
        cmap="Oranges_r",
        interpolation="nearest",
        extent=(start, end, 0, len(grid)),
    )
    _time_axis(ax, content)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))


def draw_logs(content: Content, synthetic: bool) -> None:
    if not synthetic:
        content.centred("No data", 16, NO_DATA)
        return
    line = 17
    for index in range(max(int(content.height / line) - 1, 0)):
        stamp = f"2026-01-01 11:{59 - index // 4:02d}:{(53 - index * 13) % 60:02d}"
        source = f"component=agent-{index % 3 + 1}"
        text = f'{stamp}  level=error {source} msg="synthetic log line {index + 1}"'
        content.canvas.text(
            content.left,
            content.top + index * line + line / 2,
            text[:200],
            11,
            TEXT,
            family="DejaVu Sans Mono",
        )


def draw_text(content: Content) -> None:
    raw = str(content.options.get("content") or content.panel.get("content") or "")
    plain = re.sub(r"<[^>]+>", "", raw) if content.options.get("mode") == "html" else raw
    plain = re.sub(r"^[#>\s]+|[*_`]+", "", plain, flags=re.MULTILINE)
    per_line = max(int(content.width / 7.5), 10)
    lines = [w for p in plain.splitlines() for w in (textwrap.wrap(p, per_line) or [""])]
    for index, text in enumerate(lines[: max(int(content.height / 18), 0)]):
        content.canvas.text(content.left, content.top + index * 18 + 9, text, 13, TEXT)


def draw_other(content: Content) -> None:
    """A type without a drawing of its own (alert lists, plugins): named, like a placeholder."""
    kind = str(content.panel.get("type"))
    text = "No alerts" if kind == "alertlist" else f"{kind} panel"
    content.centred(text, 14, TEXT_WEAK)


SERIES_DRAWINGS: dict[str, Callable[[Content], None]] = {
    "timeseries": draw_timeseries,
    "graph": draw_timeseries,
    "stat": draw_stat,
    "singlestat": draw_stat,
    "gauge": draw_gauge,
    "bargauge": draw_bargauge,
    "table": draw_table,
    "heatmap": draw_heatmap,
}


def draw_content(content: Content, results: list[QueryResult], synthetic: bool) -> None:
    kind = str(content.panel.get("type"))
    if kind == "logs":
        draw_logs(content, synthetic)
    elif kind == "text":
        draw_text(content)
    elif kind not in SERIES_DRAWINGS:
        draw_other(content)
    elif not content.series:
        skipped = next((r.skipped for r in results if r.skipped), "")
        content.centred("No data", 16, NO_DATA)
        if skipped and not synthetic:
            content.canvas.text(
                content.left + content.width / 2,
                content.top + content.height / 2 + 18,
                skipped,
                11,
                TEXT_WEAK,
                ha="center",
            )
    else:
        SERIES_DRAWINGS[kind](content)
