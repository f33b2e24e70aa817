"""A metric catalog read from a live Prometheus-compatible API, for ``lint --prometheus``: the
metric names and their metadata (``/api/v1/label/__name__/values``, ``/api/v1/metadata``:
type, help, unit) and the label names each metric's series carry (``/api/v1/series`` over
the last hour), so that the catalog rules can run on any team's dashboards, as pint does
for rules. Connection settings as ``check``'s (prometheus_api)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from .catalog import HISTOGRAM_SUFFIXES, Catalog, Metric
from .prometheus_api import (
    PrometheusAPI,
    PrometheusQueryError,
    PrometheusUnreachable,
)

BATCH = 40  # metric names per /api/v1/series request (a URL stays under 8 KiB)
LOOKBACK = 3600.0  # the series seen in the last hour say which labels a metric has
# Prometheus' metadata types to the catalog's (an untyped metric counts as a gauge).
TYPES = {
    "counter": "counter",
    "gauge": "gauge",
    "histogram": "histogram",
    "summary": "summary",
    "gaugehistogram": "histogram",
    "info": "gauge",
    "stateset": "gauge",
    "unknown": "gauge",
}
# Units guessed from the naming conventions (Prometheus' metadata rarely carries one).
SUFFIX_UNITS = (("_seconds", "s"), ("_bytes", "bytes"), ("_ratio", "percentunit"))


class LiveCatalog:
    """Reads the catalog from one server."""

    def __init__(self, api: PrometheusAPI) -> None:
        self.api = api

    def read(self) -> Catalog:
        names = [str(n) for n in self._get("/api/v1/label/__name__/values", list)]
        metadata: dict[str, Any] = self._get("/api/v1/metadata", dict)
        bases = _base_names(names, metadata)
        labels = self._labels(names, bases)
        metrics = {
            base: Metric(
                base,
                TYPES.get(_meta(metadata, base).get("type", "unknown"), "gauge"),
                _unit(base),
                str(_meta(metadata, base).get("help", "")),
                tuple(sorted(labels.get(base, set()))),
            )
            for base in sorted(set(bases.values()))
        }
        return Catalog(self.api.settings.url, metrics)

    def _labels(self, names: Sequence[str], bases: dict[str, str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        end = time.time()
        for batch in _batches(names, BATCH):
            matcher = "|".join(batch)
            params = {
                "match[]": f'{{__name__=~"{matcher}"}}',
                "start": f"{end - LOOKBACK:.0f}",
                "end": f"{end:.0f}",
            }
            for series in self._get("/api/v1/series", list, params):
                if not isinstance(series, dict):
                    raise self._malformed("/api/v1/series", "a list of label sets")
                name = str(series.get("__name__", ""))
                found[bases.get(name, name)] |= {k for k in series if k != "__name__"}
        for base in found.values():
            base.discard("le")  # a bucket's bound, not a label of the metric
            base.discard("quantile")
        return found

    def _get(self, path: str, shape: type, params: dict[str, str] | None = None) -> Any:
        """The answer's data, which must be a ``shape`` (an empty one when Prometheus has
        none: a metadata-less server answers ``{}``)."""
        try:
            data = self.api.answer(path, params)
        except PrometheusQueryError as exc:
            raise PrometheusUnreachable(
                f"{self.api.settings.url}{path} answered an error: {exc.message}"
            ) from None
        if not isinstance(data, shape):
            raise self._malformed(path, f"a {shape.__name__}, not {_kind(data)}")
        return data

    def _malformed(self, path: str, what: str) -> PrometheusUnreachable:
        return PrometheusUnreachable(
            f"{self.api.settings.url}{path} answered malformed data: expected {what}"
        )


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _meta(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    entries = metadata.get(name) or []
    return dict(entries[0]) if entries and isinstance(entries[0], dict) else {}


def _base_names(names: Sequence[str], metadata: dict[str, Any]) -> dict[str, str]:
    """Series name -> metric name: ``x_bucket``, ``x_sum``, ``x_count`` of a histogram or
    summary ``x`` (as its metadata says) are ``x``."""
    bases = {}
    for name in names:
        bases[name] = name
        for suffix in HISTOGRAM_SUFFIXES:
            base = name.removesuffix(suffix)
            kind = _meta(metadata, base).get("type")
            if name.endswith(suffix) and kind in ("histogram", "summary", "gaugehistogram"):
                bases[name] = base
    return bases


def _unit(name: str) -> str:
    return next((unit for suffix, unit in SUFFIX_UNITS if name.endswith(suffix)), "short")


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
