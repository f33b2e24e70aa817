"""A panel's drawing area below its title, with its settings and data, and what every
panel drawing shares: Grafana's reducers, unit formatting, threshold colours, text fitting."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .canvas import Canvas
from .data import QueryResult, Series, TimeRange
from .layout import Box
from .theme import colour, series_colour, threshold_colour
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


def fit(text: str, width: float, height: float, most: float = 64, bold: bool = False) -> float:
    """A font size in pixels that fits ``text`` in the box (DejaVu Sans: glyphs ~0.62 em
    wide, bold digits and signs ~0.72)."""
    em = 0.72 if bold else 0.62
    return max(8.0, min(most, height * 0.7, width / max(len(text), 1) / em))
