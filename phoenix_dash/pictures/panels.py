"""Each panel drawn by its type, as Grafana draws it in the dark theme: time series with a
legend and unit-formatted axis, stat and gauge values in their threshold colours, bar
gauges, tables, heatmaps, logs, text; "No data" when the queries return nothing."""

from __future__ import annotations

import math
from collections.abc import Callable

from .charts import draw_heatmap, draw_timeseries
from .content import Content
from .data import QueryResult
from .texts import draw_logs, draw_other, draw_text
from .theme import NO_DATA, TEXT_WEAK
from .values import draw_bargauge, draw_gauge, draw_stat, draw_table

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
    elif not _enough(content, kind):
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


def _enough(content: Content, kind: str) -> bool:
    """Whether the panel has something to draw: one sample at least (Grafana draws a lone
    sample as a point, and says "No data" only where there is none)."""
    return any(any(math.isfinite(v) for v in s.values) for s in content.series)
