"""Grafana's dark theme as pictures need it: the page and panel colours, the named colours
thresholds use and the classic series palette (Grafana's
``packages/grafana-data/src/themes/createColors.ts`` and ``createVisualizationColors.ts``),
and the dashboard grid (``public/app/core/constants.ts``: 24 columns, 30 px rows, 8 px
margins)."""

from __future__ import annotations

import math
from typing import Any

PAGE = "#111217"
PANEL = "#181b1f"
BORDER = "#2b2e33"
TEXT = "#ccccdc"
TEXT_WEAK = "#8e8e99"
GRID_LINE = "#25282d"
CHANGED = "#ff9830"  # the outline of a panel a change touches
NO_DATA = TEXT_WEAK

GRID_COLUMNS = 24
CELL_HEIGHT = 30
CELL_MARGIN = 8

HUES = {
    "green": ("#37872D", "#56A64B", "#73BF69", "#96D98D", "#C8F2C2"),
    "yellow": ("#E0B400", "#F2CC0C", "#FADE2A", "#FFEE52", "#FFF899"),
    "red": ("#C4162A", "#E02F44", "#F2495C", "#FF7383", "#FFA6B0"),
    "purple": ("#8F3BB8", "#A352CC", "#B877D9", "#CA95E5", "#DEB6F2"),
    "blue": ("#1F60C4", "#3274D9", "#5794F2", "#8AB8FF", "#C0D8FF"),
    "orange": ("#FA6400", "#FF780A", "#FF9830", "#FFB357", "#FFCB7D"),
}
SHADES = ("dark-", "semi-dark-", "", "light-", "super-light-")
NAMED = {
    f"{shade}{hue}": colours[i] for hue, colours in HUES.items() for i, shade in enumerate(SHADES)
}
NAMED.update({"text": TEXT, "transparent": PANEL, "white": "#ffffff", "black": "#000000"})

# palette-classic, the default series colours.
CLASSIC = (
    "#7EB26D",
    "#EAB839",
    "#6ED0E0",
    "#EF843C",
    "#E24D42",
    "#1F78C1",
    "#BA43A9",
    "#705DA0",
    "#508642",
    "#CCA300",
    "#447EBC",
    "#C15C17",
)


def colour(name: Any, default: str = TEXT) -> str:
    """A Grafana colour (a name such as "semi-dark-red", or "#rrggbb") as #rrggbb."""
    if not isinstance(name, str) or not name:
        return default
    if name.startswith("#") or name.startswith("rgb"):
        return name if name.startswith("#") else default
    return NAMED.get(name, default)


def threshold_colour(value: float | None, field_config: dict[str, Any]) -> str:
    """The colour of the last threshold step at or below ``value`` (the base step's value
    is -Infinity, written as null)."""
    steps = ((field_config.get("defaults") or {}).get("thresholds") or {}).get("steps") or []
    chosen = colour("green")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return chosen
    for step in steps:
        limit = step.get("value")
        if limit is None or (isinstance(limit, int | float) and value >= limit):
            chosen = colour(step.get("color"), chosen)
    return chosen


def series_colour(index: int, override: Any = None) -> str:
    return (
        colour(override, CLASSIC[index % len(CLASSIC)])
        if override
        else CLASSIC[index % len(CLASSIC)]
    )
