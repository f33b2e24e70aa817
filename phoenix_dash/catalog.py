"""The metric catalog: every metric the dashboards and alerts may query, with its type,
unit, help text and labels. Kept in YAML; checked with JSON Schema and a few rules of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .yamlconf import YamlDocument, load_yaml, validate_bundled

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


@dataclass(frozen=True)
class Metric:
    name: str
    type: str
    unit: str
    help: str
    labels: tuple[str, ...]

    def series_names(self) -> tuple[str, ...]:
        """The names this metric is exposed under (histograms expose three series)."""
        if self.type in ("histogram", "summary"):
            suffixes = HISTOGRAM_SUFFIXES if self.type == "histogram" else HISTOGRAM_SUFFIXES[1:]
            return tuple(self.name + s for s in suffixes)
        return (self.name,)


@dataclass(frozen=True)
class Catalog:
    file: str
    metrics: dict[str, Metric]

    def by_series(self) -> dict[str, Metric]:
        """Exposed series name -> metric (``foo_bucket`` -> histogram ``foo``)."""
        return {series: m for m in self.metrics.values() for series in m.series_names()}


def load_catalog(path: Path, display: str | None = None) -> Catalog:
    doc = load_yaml(path, display)
    validate_bundled(doc, "catalog.schema.json")
    required = tuple(doc.data.get("required_labels", []))
    metrics: dict[str, Metric] = {}
    for index, item in enumerate(doc.data["metrics"]):
        metric = Metric(
            item["name"], item["type"], item["unit"], item["help"], tuple(item["labels"])
        )
        _check_metric(doc, index, metric, required, metrics)
        metrics[metric.name] = metric
    return Catalog(doc.file, metrics)


def _check_metric(
    doc: YamlDocument,
    index: int,
    metric: Metric,
    required: tuple[str, ...],
    seen: dict[str, Metric],
) -> None:
    where: list[str | int] = ["metrics", index]
    if metric.name in seen:
        raise doc.error([*where, "name"], f"metric {metric.name!r} is listed twice")
    missing = [label for label in required if label not in metric.labels]
    if missing:
        raise doc.error(
            [*where, "labels"], f"metric {metric.name!r} lacks required labels {', '.join(missing)}"
        )
    if metric.type == "counter" and metric.name.endswith(HISTOGRAM_SUFFIXES[1:]):
        raise doc.error([*where, "name"], f"counter {metric.name!r} looks like a histogram series")
    if metric.type == "histogram" and "le" in metric.labels:
        raise doc.error([*where, "labels"], "histogram buckets' `le` label is implied; remove it")
