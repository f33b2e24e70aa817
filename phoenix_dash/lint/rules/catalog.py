"""Metric catalog rules (catalog/*): metrics, labels and types the catalog knows."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import promql_parser as pp

from ..context import QueryCtx
from ..core import Problem, rule
from ..promql import (
    aggregation_op,
    function_name,
    grouping,
    metric_name,
    selectors,
)
from .promql import (
    PLACEHOLDER_RANGES,
    PROMETHEUS_SERIES,
    RATE_FUNCTIONS,
    catalog_metric,
    counters_read_raw,
    query_ast,
    query_problem,
    query_selectors,
)


@rule(
    "catalog/counter-without-rate",
    "warning",
    "query",
    "The catalog says this metric is a counter: its raw value is not meaningful.",
    "Wrap it in rate() or increase().",
)
def catalog_counter_without_rate(ctx: QueryCtx) -> Iterator[Problem]:
    for name, _ in counters_read_raw(ctx):
        if catalog_metric(ctx, name) is not None:
            yield query_problem(ctx, f"counter {name} is read without rate() or increase()")


@rule(
    "catalog/rate-on-gauge",
    "error",
    "query",
    "rate() of a gauge treats every drop as a counter reset and returns nonsense.",
    "Use deriv() or delta() for gauges, or query the gauge directly.",
)
def rate_on_gauge(ctx: QueryCtx) -> Iterator[Problem]:
    for node, _ in ctx.parsed.nodes:
        name = function_name(node)
        if name in RATE_FUNCTIONS and node.args and isinstance(node.args[0], pp.MatrixSelector):
            metric_name_ = metric_name(node.args[0].vector_selector)
            metric = catalog_metric(ctx, metric_name_)
            if metric is not None and metric.type == "gauge":
                yield query_problem(ctx, f"{name}() of gauge {metric_name_}")


@rule(
    "catalog/quantile-of-non-histogram",
    "error",
    "query",
    "histogram_quantile() needs a histogram's buckets; over a counter, gauge or summary it "
    "returns nothing or NaN.",
    "Query the histogram's _bucket series (by le), or a summary's quantile label directly.",
)
def quantile_of_non_histogram(ctx: QueryCtx) -> Iterator[Problem]:
    for node, _ in ctx.parsed.nodes:
        if function_name(node) != "histogram_quantile" or len(node.args) < 2:
            continue
        for selector, _ in selectors(node.args[1]):
            name = metric_name(selector)
            metric = catalog_metric(ctx, name)
            if metric is not None and metric.type != "histogram":
                yield query_problem(
                    ctx, f"histogram_quantile() over {name}, a {metric.type}, not a histogram"
                )


@rule(
    "catalog/unknown-metric",
    "error",
    "query",
    "A metric the catalog does not list is misspelt or not exported: the panel stays empty.",
    "Fix the name, or add the metric to the catalog.",
)
def unknown_metric(ctx: QueryCtx) -> Iterator[Problem]:
    catalog = ctx.project_ctx.catalog
    if catalog is None or query_ast(ctx) is None:
        return
    known = catalog.by_series()
    for selector, _ in query_selectors(ctx):
        name = metric_name(selector)
        if (
            not name
            or name in known
            or name in PROMETHEUS_SERIES
            or name.startswith("__grafana_var_")
        ):
            continue
        close = difflib.get_close_matches(name, known, n=1)
        suggestion = f" (did you mean {close[0]}?)" if close else ""
        yield query_problem(ctx, f"metric {name} is not in the catalog{suggestion}")


@rule(
    "catalog/unknown-label",
    "error",
    "query",
    "A label the metric does not have matches nothing, or groups everything into one series.",
    "Use one of the metric's labels from the catalog.",
)
def unknown_label(ctx: QueryCtx) -> Iterator[Problem]:
    if ctx.project_ctx.catalog is None or query_ast(ctx) is None:
        return
    for node, _ in ctx.parsed.nodes:
        if isinstance(node, pp.VectorSelector):
            metric = catalog_metric(ctx, metric_name(node))
            if metric is None:
                continue
            allowed = (
                set(metric.labels)
                | {"__name__"}
                | ({"le"} if (metric_name(node) or "").endswith("_bucket") else set())
            )
            for matcher in node.matchers.matchers:
                if matcher.name not in allowed:
                    yield query_problem(
                        ctx,
                        f"{metric.name} has no label {matcher.name!r} "
                        f"(labels: {', '.join(metric.labels)})",
                    )
        elif isinstance(node, pp.AggregateExpr) and grouping(node):
            available = _labels_of(ctx, node.expr)
            _, labels = grouping(node) or ("by", [])
            for label in labels:
                if (
                    available is not None
                    and label not in available
                    and not label.startswith("__grafana_var_")
                ):
                    yield query_problem(
                        ctx,
                        f"{aggregation_op(node)} by/without {label!r}: no series "
                        "below has that label",
                    )
        elif (
            isinstance(node, pp.BinaryExpr)
            and node.modifier is not None
            and node.modifier.matching is not None
        ):
            for side in (node.lhs, node.rhs):
                available = _labels_of(ctx, side)
                for label in node.modifier.matching.labels:
                    if available is not None and label not in available:
                        yield query_problem(ctx, f"on/ignoring {label!r}: a side has no such label")


@rule(
    "catalog/range-too-short",
    "error",
    "query",
    "A range under two scrape intervals often holds one sample, so rate() returns nothing: "
    "the panel shows no data.",
    "Use a range of at least twice the scrape interval (or $__rate_interval).",
)
def range_too_short(ctx: QueryCtx) -> Iterator[Problem]:
    minimum = timedelta(seconds=2 * ctx.project_ctx.scrape_seconds)
    for node, _ in ctx.parsed.nodes:
        if (
            isinstance(node, pp.MatrixSelector)
            and node.range not in PLACEHOLDER_RANGES
            and node.range < minimum
        ):
            yield query_problem(
                ctx,
                f"range [{int(node.range.total_seconds())}s] is shorter than "
                f"twice the {ctx.project_ctx.scrape_seconds:g}s scrape interval",
            )


def _labels_of(ctx: QueryCtx, node: Any) -> set[str] | None:
    """Labels the series under ``node`` can carry, or None when a metric is unknown."""
    labels: set[str] = set()
    for selector, _ in selectors(node):
        name = metric_name(selector)
        metric = catalog_metric(ctx, name)
        if metric is None:
            if name in PROMETHEUS_SERIES:
                labels |= {"job", "instance"}
                continue
            return None
        labels |= set(metric.labels) | ({"le"} if name and name.endswith("_bucket") else set())
    return labels
