"""A simulated exporter of any project's metric catalog (metrics.yaml): every metric with its
type and labels, and values a dashboard can be checked against (``simulate`` + ``check``).

Values are plausible for the metric's unit: percentages between 0 and 100, ratios between 0
and 1, ``up`` at 1, byte sizes in the hundreds of MiB, latencies in fractions of a second;
counters grow at a steady rate with a daily shape, error status codes at a small share of
the rest; histograms spread their observations over buckets fit for the unit. Label values
are ones such labels carry (``code``, ``method``, ``namespace``...), two of each, at most
eight series a metric; ``job`` and ``instance`` are the scrape's, as for any exporter. Only
the Phoenix Orchestrator's model (``model.py``) has failure scenarios beyond the exporter
being down."""

from __future__ import annotations

import itertools
import math
import random
import threading
import time

from ..catalog import Catalog, Metric
from .model import LATENCY_BUCKETS, SIZE_BUCKETS, Histogram, advance, series_key

SCENARIOS = ("normal", "exporter_down")
MAX_SERIES = 8
# The labels Prometheus gives every series of a scrape target itself (an exporter's own would
# become exported_job...): the simulator leaves them to the scrape.
TARGET_LABELS = ("job", "instance")
LABEL_VALUES: dict[str, tuple[str, ...]] = {
    "code": ("200", "500"),
    "status": ("200", "500"),
    "status_code": ("200", "500"),
    "method": ("GET", "POST"),
    "handler": ("/api/items", "/api/orders"),
    "endpoint": ("/api/items", "/api/orders"),
    "path": ("/api/items", "/api/orders"),
    "route": ("/api/items", "/api/orders"),
    "namespace": ("default", "monitoring"),
    "pod": ("app-7d9f-abcde", "app-7d9f-fghij"),
    "container": ("app", "sidecar"),
    "service": ("frontend", "backend"),
    "env": ("production", "staging"),
    "cluster": ("eu-1", "us-1"),
}
ERROR_SHARE = 0.01  # of the series whose status is a 5xx
# unit -> (low, high) of a gauge; the value moves between them over the day.
GAUGE_RANGES: dict[str, tuple[float, float]] = {
    "percent": (30.0, 70.0),
    "percentunit": (0.3, 0.7),
    "bytes": (2.0**28, 2.0**30),
    "decbytes": (2.5e8, 1e9),
    "s": (0.05, 0.5),
    "ms": (50.0, 500.0),
    "celsius": (40.0, 70.0),
}
# unit -> per-second rate of a counter
COUNTER_RATES: dict[str, float] = {"bytes": 5e5, "decbytes": 5e5, "Bps": 5e5, "s": 0.25}
# unit -> (bucket bounds, median, spread) of a histogram's observations
HISTOGRAM_SHAPES: dict[str, tuple[tuple[float, ...], float, float]] = {
    "s": (LATENCY_BUCKETS, 0.1, 0.7),
    "ms": ((5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0), 80.0, 0.7),
    "bytes": (SIZE_BUCKETS, 4096.0, 1.0),
    "decbytes": (SIZE_BUCKETS, 4096.0, 1.0),
}
OTHER_HISTOGRAM = ((1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0), 5.0, 0.8)
Key = tuple[tuple[str, str], ...]


def label_sets(labels: tuple[str, ...]) -> list[dict[str, str]]:
    """The label values of a metric's series: two of each label, at most ``MAX_SERIES``."""
    labels = tuple(name for name in labels if name not in TARGET_LABELS)
    choices = [LABEL_VALUES.get(name, (f"{name}-1", f"{name}-2")) for name in labels]
    combos = itertools.islice(itertools.product(*choices), MAX_SERIES)
    return [dict(zip(labels, values, strict=True)) for values in combos]


def error_share(labels: dict[str, str]) -> float:
    """The share of the traffic a series carries: small for a 5xx status."""
    statuses = (labels.get(name, "") for name in ("code", "status", "status_code"))
    return ERROR_SHARE if any(status.startswith("5") for status in statuses) else 1.0


class CatalogModel:
    """The simulated values of a catalog's metrics; the state ``server.Simulator`` reads.
    Thread-safe: scrapes advance it."""

    def __init__(self, catalog: Catalog, seed: int = 1) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.metrics = sorted(catalog.metrics.values(), key=lambda m: m.name)
        self.series = {m.name: label_sets(m.labels) for m in self.metrics}
        self.phases = {m.name: self.rng.random() * 2 * math.pi for m in self.metrics}
        self.scenario = "normal"
        self.counters: dict[str, dict[Key, float]] = {}
        self.gauges: dict[str, dict[Key, float]] = {}
        self.histograms: dict[str, dict[Key, Histogram]] = {}
        self.summaries: dict[str, dict[Key, tuple[float, float]]] = {}
        self.last = time.monotonic()
        self.tick(1.0)  # a first scrape already shows every series, counters above zero

    def set_scenario(self, name: str) -> None:
        if name not in SCENARIOS:
            raise ValueError(
                f"unknown scenario {name!r} for a catalog (known: {', '.join(SCENARIOS)})"
            )
        with self.lock:
            self.scenario = name

    def advance(self) -> None:
        advance(self)

    def tick(self, dt: float) -> None:
        daily = 1 + 0.3 * math.sin(2 * math.pi * (time.time() % 86400) / 86400)
        for metric in self.metrics:
            for index, labels in enumerate(self.series[metric.name]):
                key = series_key(**labels)
                self._step(metric, key, error_share(labels), daily, index, dt)

    def _step(
        self, metric: Metric, key: Key, share: float, daily: float, index: int, dt: float
    ) -> None:
        rate = COUNTER_RATES.get(metric.unit, 10.0) * share * daily * (1 + 0.1 * index)
        if metric.type == "counter":
            series = self.counters.setdefault(metric.name, {})
            series[key] = series.get(key, 0.0) + rate * dt
        elif metric.type == "gauge":
            self.gauges.setdefault(metric.name, {})[key] = self._gauge(metric, daily, index)
        elif metric.type == "histogram":
            shape = HISTOGRAM_SHAPES.get(metric.unit, OTHER_HISTOGRAM)
            histograms = self.histograms.setdefault(metric.name, {})
            histograms.setdefault(key, Histogram(*shape)).observe_many(rate * dt)
        else:  # summary: a count and a sum
            _, median, _ = HISTOGRAM_SHAPES.get(metric.unit, OTHER_HISTOGRAM)
            count, total = self.summaries.setdefault(metric.name, {}).get(key, (0.0, 0.0))
            self.summaries[metric.name][key] = (count + rate * dt, total + rate * dt * median)

    def _gauge(self, metric: Metric, daily: float, index: int) -> float:
        if metric.name == "up":
            return 1.0
        low, high = GAUGE_RANGES.get(metric.unit, (1.0, 100.0))
        wave = math.sin(self.phases[metric.name] + index + 2 * math.pi * (daily - 1))
        value = low + (high - low) * (0.5 + 0.4 * wave)
        return value if metric.unit in GAUGE_RANGES else float(round(value))  # a count
