"""Made-up series for a picture without a Prometheus, deterministic (the same input gives the
same picture) and consistent with the catalog and the queries, as a reader checks them
against each other:

- the same query shows the same series in every panel (a stat and the graph beside it);
- quantiles of one histogram are ordered (p50 below p95 below p99), drawn as one shape;
- ratios stay within their bounds (0 to 1, 0 to 100 %), counts are whole;
- a level a panel's thresholds call healthy where the first panel to show the query has
  thresholds (a picture of a healthy system), else one plausible for the unit."""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass

from ..catalog import Catalog, Metric
from ..simulate.catalog_model import LABEL_VALUES, error_share
from .data import JSON, LEGEND_LABEL, POINTS, QueryResult, Series, TimeRange, legend, not_prometheus

IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
GROUP_BY = re.compile(r"\bby\s*\(([^)]*)\)")
FAILURES = re.compile(r"error|fail|5xx|reject", re.IGNORECASE)
AGGREGATIONS = ("sum", "min", "max", "avg", "count", "histogram_quantile", "quantile", "topk")
QUANTILE = re.compile(r"\b(histogram_quantile|quantile)\s*\(\s*(0?\.\d+|1(?:\.0*)?)\s*,")
COUNTS = re.compile(r"^\s*(count|count_values)\b|\bup\b")
FRACTIONAL = re.compile(r"\b(rate|irate|increase|deriv|avg|avg_over_time|quantile\w*)\s*\(|/")
SPREAD = 0.6  # of a latency's log-normal distribution: p99 is about four times p50


@dataclass(frozen=True)
class Shape:
    """What every panel showing one query (its quantile aside) shares."""

    median: float  # the level at the quantile 0.5 (the level itself for other queries)
    band: tuple[float, float] | None  # the healthy band the first panel's thresholds gave
    seed: bytes


class SyntheticData:
    """Made-up series, as many as the query's grouping makes (three per ``by`` label, one for
    a bare aggregation)."""

    synthetic = True

    def __init__(self, catalog: Catalog | None, span: TimeRange) -> None:
        self.metrics = catalog.by_series() if catalog else {}
        self.time_range = span
        self.shapes: dict[str, Shape] = {}

    def query(self, panel: JSON, target: JSON) -> QueryResult:
        other = not_prometheus(target, panel)
        if other:
            return QueryResult(skipped=other)
        expr = str(target["expr"])
        quantile = _quantile(expr)
        metric = self._metric(expr)
        shape = self._shape(panel, expr, quantile, metric)
        level = shape.median * _quantile_factor(quantile)
        whole = _whole(expr, metric)
        span = self.time_range
        times = [span.start + i * span.step for i in range(POINTS + 1)]
        series = []
        labels_of = _label_sets(
            expr, metric, LEGEND_LABEL.findall(str(target.get("legendFormat") or ""))
        )
        for index, labels in enumerate(labels_of):
            rng = random.Random(shape.seed + bytes([index]))  # the quantiles' shapes alike
            phase, wobble = rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 0.2)
            share = error_share(labels)  # a 5xx status: a small share of the traffic
            scale, noise = level * share * rng.uniform(0.6, 1.0), 0.03 * level * share
            if shape.band is not None:  # well inside the band: a healthy picture
                width = shape.band[1] - shape.band[0]
                scale, noise = level, 0.04 * width
                wobble = 0.15 * width / level * rng.uniform(0.5, 1.0) if level else 0.0
            values = []
            for i in range(len(times)):
                value = scale * (1 + wobble * math.sin(phase + i / 9)) + rng.gauss(0, noise)
                value = _bounded(panel, value, shape.band if quantile is None else None)
                values.append(float(round(value)) if whole else value)
            series.append(Series(legend(target, labels, expr), times, values))
        return QueryResult(series)

    def _metric(self, expr: str) -> Metric | None:
        return next((self.metrics[n] for n in IDENTIFIER.findall(expr) if n in self.metrics), None)

    def _shape(
        self, panel: JSON, expr: str, quantile: float | None, metric: Metric | None
    ) -> Shape:
        key = QUANTILE.sub(r"\1(q,", expr)  # p50, p95 and p99 of one histogram: one shape
        if key not in self.shapes:
            seed = hashlib.sha256(key.encode()).digest()
            rng = random.Random(seed)
            band = _healthy_band(panel)
            level = _level(panel, metric, band, rng)
            if band is None and FAILURES.search(f"{expr} {panel.get('title')}"):
                level *= 0.05  # errors and failures: a small share of the traffic
            self.shapes[key] = Shape(level / _quantile_factor(quantile), band, seed)
        return self.shapes[key]


def _whole(expr: str, metric: Metric | None) -> bool:
    """Counts: of series (count, up), or a gauge of things (a queue's depth) summed or
    shown as it is; a rate, an average or a ratio of them is not whole."""
    if COUNTS.search(expr):
        return True
    counted = metric is not None and metric.type == "gauge" and metric.unit in ("short", "none")
    return counted and not FRACTIONAL.search(expr)


def _quantile(expr: str) -> float | None:
    found = QUANTILE.search(expr)
    return float(found.group(2)) if found else None


def _quantile_factor(quantile: float | None) -> float:
    """A quantile of a log-normal distribution, relative to its median."""
    if quantile is None or not 0 < quantile < 1:
        return 1.0
    from statistics import NormalDist

    return math.exp(SPREAD * NormalDist().inv_cdf(quantile))


def _label_sets(expr: str, metric: Metric | None, shown: list[str]) -> list[dict[str, str]]:
    """Three series per ``by`` grouping (one for a bare aggregation), else three instances;
    the labels the legend shows are kept where the query keeps labels."""
    grouped = GROUP_BY.findall(expr)
    if grouped:
        names = [n.strip() for n in grouped[-1].split(",") if n.strip() and n.strip() != "le"]
    elif any(re.search(rf"\b{a}\s*\(", expr) for a in AGGREGATIONS):
        names = []
    else:
        names = sorted({"instance", *shown})
    if not names:
        return [{}]
    base = {"__name__": metric.name} if metric and not grouped else {}
    if len(names) == 1 and names[0] in LABEL_VALUES:  # values such a label carries: 200, 500
        return [{**base, names[0]: value} for value in LABEL_VALUES[names[0]]]
    return [{**base, **{name: f"{name}-{i + 1}" for name in names}} for i in range(3)]


def _healthy_band(panel: JSON) -> tuple[float, float] | None:
    """The values the panel's green threshold step covers (the first green step, up to the
    next step, within the panel's max: 100 % for a percentage), when the thresholds say."""
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    steps = (defaults.get("thresholds") or {}).get("steps") or []
    limits = [s.get("value") for s in steps]
    unit = str(defaults.get("unit"))
    ceiling = defaults.get("max", CEILINGS.get(unit))
    if unit in SIZES:
        return None  # a size's thresholds are seldom about it (a ratio column's: Used, %)
    for index, step in enumerate(steps):
        if "green" not in str(step.get("color")):
            continue
        low = limits[index] if isinstance(limits[index], int | float) else None
        high = next((v for v in limits[index + 1 :] if isinstance(v, int | float)), None)
        if low is None and high is not None:
            return high * 0.4, high * 0.8
        if low is not None:
            top = float(high) if high is not None else float(low) * 1.25 + 1e-9
            if isinstance(ceiling, int | float) and low < ceiling:
                top = min(top, float(ceiling))
            return float(low), top
    return None


CEILINGS = {"percentunit": 1.0, "percent": 100.0}
SIZES = frozenset({"bytes", "decbytes", "bits", "decbits", "kbytes", "mbytes", "gbytes"})


def _level(
    panel: JSON, metric: Metric | None, band: tuple[float, float] | None, rng: random.Random
) -> float:
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    unit = str(defaults.get("unit") or (metric.unit if metric else "") or "short")
    if band is not None:
        low, high = band
        return low + (high - low) * rng.uniform(0.3, 0.7)
    if isinstance(defaults.get("max"), int | float):
        return float(defaults["max"]) * rng.uniform(0.4, 0.8)
    if unit == "percentunit":
        return rng.uniform(0.55, 0.9)
    if unit == "percent":
        return rng.uniform(35, 80)
    if unit in ("s", "ms"):
        return rng.uniform(0.05, 0.8) * (1000 if unit == "ms" else 1)
    if unit in ("bytes", "decbytes"):
        return rng.uniform(50, 600) * 2**20
    return rng.uniform(5, 250)


def _bounded(panel: JSON, value: float, band: tuple[float, float] | None) -> float:
    """Within the panel's min and max (0 to 1 for a ratio), and its green band if any."""
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    if band is not None:
        value = min(max(value, band[0]), band[1] - abs(band[1]) * 1e-3)
    low, high = defaults.get("min"), defaults.get("max")
    if defaults.get("unit") == "percentunit" and not isinstance(high, int | float):
        high = 1.0
    value = max(value, float(low) if isinstance(low, int | float) else 0.0)
    return min(value, float(high)) if isinstance(high, int | float) else value
