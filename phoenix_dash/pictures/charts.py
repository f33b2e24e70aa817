"""Panels drawn as charts over time: time series (lines, legend, an axis in the panel's
unit, threshold lines) and heatmaps."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from matplotlib.axes import Axes
from matplotlib.ticker import FixedFormatter, FixedLocator, Formatter, FuncFormatter, MaxNLocator

from .axis import value_axis
from .canvas import PT_PER_PX
from .content import LEGEND_ROW, Content, clip
from .data import Series
from .theme import GRID_LINE, PANEL, TEXT, TEXT_WEAK, colour, series_colour
from .units import format_value, to_fixed


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
        sparse = sum(1 for v in series.values if math.isfinite(v)) < 3  # points, as Grafana
        ax.plot(
            series.times,
            series.values,
            color=line_colour,
            linewidth=1.2,
            marker="o" if sparse else None,
            markersize=3,
        )
        if fill:
            ax.fill_between(series.times, series.values, color=line_colour, alpha=fill, linewidth=0)
    _threshold_lines(content, ax)
    _value_axis(ax, content, height - 16)
    _time_axis(ax, content)
    if shows_legend:
        _legend(content, height)


def _value_axis(ax: Axes, content: Content, height: float) -> None:
    """Ticks on 1-2-5 steps of the unit's scale (axis.py); matplotlib's where the unit
    writes no plain number."""
    low, high = ax.get_ylim()
    most = max(2, int(height / 40))
    axis = value_axis(low, high, content.unit, most, height, content.decimals)
    if axis is None:
        ax.yaxis.set_major_formatter(UnitFormatter(content))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=most))
        return
    ax.yaxis.set_major_locator(FixedLocator(axis.ticks))
    ax.yaxis.set_major_formatter(FixedFormatter(axis.labels))
    ax.set_ylim(low, high)


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


# Bucket bounds for a heatmap drawn from a series that is not a histogram's buckets (a
# quantile, synthetic data): a latency histogram's in seconds, a 1-2-5 run otherwise.
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
OTHER_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)


def draw_heatmap(content: Content) -> None:
    series = content.series
    if len(series) < 3:  # one series of a histogram's quantile: spread it over buckets
        base = series[0].values
        bounds: tuple[float, ...] = (
            SECONDS_BUCKETS if content.unit in ("s", "ms") else OTHER_BUCKETS
        )
        if content.unit == "ms":
            bounds = tuple(b * 1000 for b in bounds)
        series = [
            Series(
                to_fixed(bound), series[0].times, [v * math.exp(-((b - 5) ** 2) / 8) for v in base]
            )
            for b, bound in enumerate(bounds)
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
    _bucket_axis(ax, content, [s.name for s in series])


def _bucket_axis(ax: Axes, content: Content, names: list[str]) -> None:
    """Rows labelled by their buckets' upper bounds (``le``) in the panel's unit, as
    Grafana's heatmap labels them; every other one where they would crowd."""
    try:
        bounds = [float(name) for name in names]
    except ValueError:  # rows that are not buckets: their names
        bounds = []
    room = max(1, int((content.height - 16) / 18))
    every = max(1, math.ceil(len(names) / room))
    rows = list(range(0, len(names), every))
    ax.yaxis.set_major_locator(FixedLocator([row + 0.5 for row in rows]))
    labels = [format_value(bounds[r], content.unit) if bounds else names[r] for r in rows]
    ax.yaxis.set_major_formatter(FixedFormatter(labels))
