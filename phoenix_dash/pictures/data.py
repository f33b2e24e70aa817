"""What a picture's panels show: each query's series over the dashboard's time range, from a
live Prometheus-compatible API (``query_range``, macros and variables as ``check`` sends
them), or made up (synthetic.py)."""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ..check import substitute
from ..modern.common import every_panel
from ..prometheus_api import (
    MalformedAnswer,
    PrometheusAPI,
    PrometheusQueryError,
    PrometheusUnreachable,
    query_series,
)
from ..quantities import QuantityError, parse_duration
from ..workers import map_until

JSON = dict[str, Any]
POINTS = 120  # per series: enough for a smooth line at panel widths
SYNTHETIC_END = 1_767_268_800.0  # 2026-01-01T12:00:00Z: pictures of made-up data never move
DEFAULT_SPAN = 6 * 3600.0
LEGEND_LABEL = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class TimeRange:
    start: float
    end: float

    @property
    def step(self) -> float:
        return max((self.end - self.start) / POINTS, 1.0)


@dataclass
class QueryResult:
    series: list[Series] = field(default_factory=list)
    error: str = ""  # why the query failed, shown on the panel
    skipped: str = ""  # why it was not run (a datasource pictures cannot query)


@dataclass(frozen=True)
class Series:
    name: str
    times: list[float]
    values: list[float]  # NaN where there is no sample
    labels: Mapping[str, str] = field(default_factory=dict)  # as the API answered them

    @property
    def last(self) -> float | None:
        present = [v for v in self.values if not math.isnan(v)]
        return present[-1] if present else None


class PanelData(Protocol):
    synthetic: bool
    time_range: TimeRange

    def query(self, panel: JSON, target: JSON) -> QueryResult: ...


def time_range(dashboard: JSON, end: float) -> TimeRange:
    """The dashboard's default range (``now-6h`` to ``now``), ending at ``end``."""
    start = str((dashboard.get("time") or {}).get("from") or "now-6h")
    span = DEFAULT_SPAN
    if start.startswith("now-"):
        with contextlib.suppress(QuantityError):
            span = parse_duration(start[4:].split("/")[0])
    return TimeRange(end - span, end)


def legend(target: JSON, labels: dict[str, str], fallback: str) -> str:
    template = str(target.get("legendFormat") or "")
    if template and template != "__auto":
        return LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), template)
    shown = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    name = labels.get("__name__", "")
    return f"{name}{{{shown}}}" if shown else (name or fallback)


def not_prometheus(target: JSON, panel: JSON) -> str:
    """The datasource type of a query pictures do not run ("" for a PromQL query: typed
    prometheus, or untyped, as Grafana's default datasource is)."""
    datasource = target.get("datasource") or panel.get("datasource") or {}
    kind = datasource.get("type") if isinstance(datasource, dict) else None
    if kind in (None, "prometheus") and isinstance(target.get("expr"), str):
        return ""
    return str(kind or "unknown")


QueryKey = tuple[str, str, str, str]  # query_range's query, start, end and step


class PrometheusData:
    """Series from a live Prometheus-compatible API, fetched before drawing
    (``fetch_live``): what a panel's query answered, looked up by what it asks."""

    synthetic = False

    def __init__(
        self, answers: Mapping[QueryKey, QueryResult], span: TimeRange, scrape_seconds: float
    ) -> None:
        self.answers = answers
        self.time_range = span
        self.scrape_seconds = scrape_seconds

    def key(self, target: JSON) -> QueryKey:
        span = self.time_range
        return (
            substitute(str(target["expr"]), self.scrape_seconds),
            f"{span.start:.3f}",
            f"{span.end:.3f}",
            f"{max(span.step, self.scrape_seconds):.3f}",
        )

    def queries(self, dashboard: JSON) -> list[QueryKey]:
        """What drawing ``dashboard`` asks the API."""
        return [
            self.key(target)
            for panel in every_panel(dashboard)
            for target in panel.get("targets") or []
            if isinstance(target, dict) and not not_prometheus(target, panel)
        ]

    def query(self, panel: JSON, target: JSON) -> QueryResult:
        other = not_prometheus(target, panel)
        if other:
            return QueryResult(skipped=f"{other} is not queried")
        found = self.answers.get(self.key(target)) or QueryResult(error="not fetched")
        named = [
            replace(series, name=legend(target, dict(series.labels), f"series {index + 1}"))
            for index, series in enumerate(found.series)
        ]
        return QueryResult(named, found.error)


def fetch_live(
    api: PrometheusAPI, queries: Collection[QueryKey], deadline: float
) -> dict[QueryKey, QueryResult]:
    """Every query's answer, asked concurrently, all within ``deadline`` seconds (a query
    still unanswered then reads "timed out" on its panel). The server is asked a trivial
    query first: one that does not answer as Prometheus's API does (refused, an SSO page,
    credentials refused, no answer at all) is PrometheusUnreachable, and nothing is drawn."""
    with contextlib.suppress(PrometheusQueryError):  # an error in the API's own shape
        api.answer("/api/v1/query", {"query": "1"})
    unique = sorted(set(queries))
    started = time.monotonic()
    answers = map_until(lambda key: _range_query(api, key), unique, 8, deadline)
    late = QueryResult(error=f"timed out: no answer within {time.monotonic() - started:.0f} s")
    return {key: answer or late for key, answer in zip(unique, answers, strict=True)}


def _range_query(api: PrometheusAPI, key: QueryKey) -> QueryResult:
    query, start, end, step = key
    params = {"query": query, "start": start, "end": end, "step": step}
    try:
        return QueryResult(_series(query_series(api.answer("/api/v1/query_range", params))))
    except (PrometheusQueryError, PrometheusUnreachable) as exc:
        return QueryResult(error=exc.message[:120])
    except MalformedAnswer as exc:
        return QueryResult(error=f"malformed answer: {exc}"[:120])


def _series(result: list[JSON]) -> list[Series]:
    """The answer's series with their labels (named by the panel's legend when drawn)."""
    found = []
    for item in result:
        labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items()}
        samples = item.get("values") or ([item["value"]] if "value" in item else [])
        if not isinstance(samples, list):
            raise MalformedAnswer(f"the samples are {type(samples).__name__}, not a list")
        times, values = [], []
        for sample in samples:
            if not (isinstance(sample, list | tuple) and len(sample) == 2):
                raise MalformedAnswer(f"a sample is {str(sample)[:30]}, not [time, value]")
            times.append(_timestamp(sample[0]))
            values.append(_number(sample[1]))
        found.append(Series("", times, values, labels))
    return found


def _timestamp(value: Any) -> float:
    try:
        found = float(value)
    except (TypeError, ValueError):
        raise MalformedAnswer(f"a timestamp is {str(value)[:30]!r}, not a number") from None
    if not math.isfinite(found):
        raise MalformedAnswer(f"a timestamp is {value!r}")
    return found


# The largest magnitude a picture draws: an axis's margins and ticks around 1e308 overflow.
DRAWABLE = 1e300


def _number(text: Any) -> float:
    """A sample's value; NaN (drawn as a gap) for what is no finite number: Prometheus
    writes "NaN", "+Inf" and "-Inf", which a panel cannot place on its axis. Beyond
    DRAWABLE, DRAWABLE."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return math.nan
    if not math.isfinite(value):
        return math.nan
    return max(-DRAWABLE, min(value, DRAWABLE))
