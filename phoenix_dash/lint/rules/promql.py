"""PromQL rules (promql/*): syntax, histograms, regexes, rates and matchers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import promql_parser as pp

from ...catalog import Metric
from ..context import QueryCtx
from ..core import Problem, rule
from ..promql import (
    MACRO_DURATIONS,
    VARIABLE_DURATION,
    aggregation_op,
    enclosing_functions,
    function_name,
    grouping,
    metric_name,
    variables_in,
    walk,
)

RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})


COUNTER_SAFE = frozenset(
    {
        "rate",
        "irate",
        "increase",
        "resets",
        "absent",
        "absent_over_time",
        "present_over_time",
        "changes",
        "timestamp",
        "count_over_time",
    }
)


COUNTER_SAFE_AGGREGATIONS = frozenset({"count", "group", "count_values"})


PROMETHEUS_SERIES = frozenset(
    {
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
        "ALERTS",
        "ALERTS_FOR_STATE",
    }
)


REGEX_CHARS = re.compile(r"[.*+?()\[\]{}|^$\\]")


PLACEHOLDER_RANGES = frozenset({*MACRO_DURATIONS.values(), VARIABLE_DURATION})


def _where(ctx: QueryCtx) -> str:
    refid = ctx.target.get("refId", "")
    owner = f"panel {ctx.panel.title!r}" if ctx.panel is not None else "alert query"
    return f"{owner}, query {refid}" if refid else owner


def query_problem(ctx: QueryCtx, message: str) -> Problem:
    return Problem(f"{_where(ctx)}: {message}", ctx.target, ctx.path + "/expr")


def query_ast(ctx: QueryCtx) -> Any:
    return ctx.parsed.ast


def query_selectors(ctx: QueryCtx) -> list[tuple[Any, tuple[Any, ...]]]:
    return [
        (node, above) for node, above in ctx.parsed.nodes if isinstance(node, pp.VectorSelector)
    ]


@rule(
    "promql/syntax",
    "error",
    "query",
    "A query that does not parse shows an error instead of data.",
    "Fix the PromQL (run it in Prometheus' expression browser to see the error).",
)
def syntax(ctx: QueryCtx) -> Iterator[Problem]:
    if ctx.parsed.error is not None:
        yield query_problem(ctx, f"PromQL does not parse: {ctx.parsed.error}")


@rule(
    "promql/experimental-function",
    "warning",
    "query",
    "Experimental functions need a Prometheus feature flag and may change or go away.",
    "Use a stable function, or make sure every Prometheus runs with the flag.",
)
def experimental_function(ctx: QueryCtx) -> Iterator[Problem]:
    for node, _ in ctx.parsed.nodes:
        if isinstance(node, pp.Call) and node.func.experimental:
            yield query_problem(ctx, f"{node.func.name}() is experimental")


def _aggregations_below(node: Any) -> Iterator[Any]:
    for inner, _ in walk(node):
        if isinstance(inner, pp.AggregateExpr):
            yield inner


@rule(
    "promql/histogram-quantile-le",
    "error",
    "query",
    "histogram_quantile needs the le label; aggregating it away returns nothing.",
    "Keep le in the aggregation: sum by (le, ...) (rate(x_bucket[...])).",
)
def histogram_quantile_le(ctx: QueryCtx) -> Iterator[Problem]:
    for node, _ in ctx.parsed.nodes:
        if function_name(node) != "histogram_quantile" or len(node.args) < 2:
            continue
        for aggregation in _aggregations_below(node.args[1]):
            clause = grouping(aggregation)
            kind, labels = clause if clause else ("by", [])
            if (kind == "by" and "le" not in labels) or (kind == "without" and "le" in labels):
                yield query_problem(
                    ctx,
                    f"histogram_quantile over {aggregation_op(aggregation)}() that "
                    "drops the le label",
                )
                break


@rule(
    "promql/bucket-outside-histogram-quantile",
    "warning",
    "query",
    "Raw _bucket series are cumulative counts per bound, meaningless on a graph.",
    "Wrap them in histogram_quantile(), or show them in a heatmap panel.",
)
def bucket_outside_quantile(ctx: QueryCtx) -> Iterator[Problem]:
    if query_ast(ctx) is None:
        return
    heatmap = (ctx.panel is not None and ctx.panel.type == "heatmap") or ctx.target.get(
        "format"
    ) == "heatmap"
    for selector, ancestors in query_selectors(ctx):
        name = metric_name(selector) or ""
        if (
            name.endswith("_bucket")
            and not heatmap
            and "histogram_quantile" not in enclosing_functions(ancestors)
        ):
            yield query_problem(ctx, f"{name} is used outside histogram_quantile()")


@rule(
    "promql/regex-static-string",
    "off",
    "query",
    "A regex matcher on a plain string is slower and less clear than an equality matcher.",
    "Use = (or !=) instead of =~ (or !~).",
)
def regex_static(ctx: QueryCtx) -> Iterator[Problem]:
    for selector, _ in query_selectors(ctx):
        for matcher in selector.matchers.matchers:
            if (
                matcher.op in (pp.MatchOp.Re, pp.MatchOp.NotRe)
                and matcher.value
                and not REGEX_CHARS.search(matcher.value)
            ):
                yield query_problem(
                    ctx, f'{matcher.name}=~"{matcher.value}" matches one fixed string'
                )


@rule(
    "promql/regex-match-all",
    "warning",
    "query",
    '=~".*" matches every value, including a missing label: it filters nothing.',
    'Remove the matcher, or use =~".+" to require the label.',
)
def regex_match_all(ctx: QueryCtx) -> Iterator[Problem]:
    for selector, _ in query_selectors(ctx):
        for matcher in selector.matchers.matchers:
            if matcher.op == pp.MatchOp.Re and matcher.value in (".*", "(.*)", "^.*$"):
                yield query_problem(ctx, f'{matcher.name}=~"{matcher.value}" matches everything')


@rule(
    "promql/division-in-aggregation",
    "warning",
    "query",
    "Aggregating ratios (sum(a / b)) gives NaN when any b is 0 and weights wrongly.",
    "Divide the aggregates instead: sum(a) / sum(b).",
)
def division_in_aggregation(ctx: QueryCtx) -> Iterator[Problem]:
    for node, _ in ctx.parsed.nodes:
        if not isinstance(node, pp.AggregateExpr):
            continue
        inner = node.expr
        while isinstance(inner, pp.ParenExpr):
            inner = inner.expr
        if (
            isinstance(inner, pp.BinaryExpr)
            and str(inner.op) == "/"
            and aggregation_op(node) in ("sum", "avg")
        ):
            yield query_problem(ctx, f"{aggregation_op(node)}() over a division")


@rule(
    "promql/rate-interval",
    "warning",
    "query",
    "rate() over $__interval, or over a fixed window shorter than four scrape intervals, "
    "misses samples (a scrape failing or late leaves the window with one sample) and "
    "jumps between zoom levels; $__rate_interval is at least four scrape intervals.",
    "Use [$__rate_interval] in rate(), irate() and increase() on dashboards. Option "
    "`require_rate_interval`: every rate() and irate() window must be $__rate_interval.",
    # dashboard-linter's policy: every rate() and irate() window is $__rate_interval, even
    # a long fixed one chosen to smooth the line.
    options={"require_rate_interval": False},
)
def rate_interval(ctx: QueryCtx) -> Iterator[Problem]:
    if ctx.panel is None or query_ast(ctx) is None:
        return
    scrape = ctx.project_ctx.scrape_seconds
    always = ctx.project_ctx.settings.options("promql/rate-interval")["require_rate_interval"]
    for node, _ in ctx.parsed.nodes:
        name = function_name(node)
        if name not in RATE_FUNCTIONS or not node.args:
            continue
        window = node.args[0]
        if not isinstance(window, pp.MatrixSelector):
            continue
        if always and name != "increase" and window.range != MACRO_DURATIONS["__rate_interval"]:
            yield query_problem(ctx, f"{name}() window is not $__rate_interval")
        elif window.range == MACRO_DURATIONS["__interval"]:
            yield query_problem(ctx, f"{name}() over $__interval; use $__rate_interval")
        elif window.range not in PLACEHOLDER_RANGES and (
            2 * scrape <= window.range.total_seconds() < 4 * scrape
        ):
            yield query_problem(
                ctx,
                f"{name}() over [{int(window.range.total_seconds())}s], under four "
                f"{scrape:g}s scrape intervals; use $__rate_interval",
            )


@rule(
    "promql/job-instance-matchers",
    "off",
    "query",
    "Selectors without the $job/$instance matchers ignore the dashboard's variables.",
    'Add job=~"$job", instance=~"$instance" to every selector. Options: `labels`, the '
    "variables to match (job, instance); `undefined_too`, ask for them even where the "
    "dashboard defines no such variable.",
    # undefined_too: dashboard-linter's policy, the matcher even where the dashboard has no
    # such variable yet (template/job-instance-variables asks for it).
    options={"labels": ["job", "instance"], "undefined_too": False},
)
def job_instance_matchers(ctx: QueryCtx) -> Iterator[Problem]:
    if ctx.panel is None or query_ast(ctx) is None:
        return
    options = ctx.project_ctx.settings.options("promql/job-instance-matchers")
    defined = ctx.panel.dashboard.variables
    labels = [name for name in options["labels"] if options["undefined_too"] or name in defined]
    for selector, _ in query_selectors(ctx):
        matchers = selector.matchers.matchers
        for label in labels:
            # =~, since $job and $instance are multi-value (template/multi-value-equality)
            if not any(
                m.name == label and m.op == pp.MatchOp.Re and variables_in(m.value) == {label}
                for m in matchers
            ):
                yield query_problem(
                    ctx, f'{metric_name(selector) or "selector"} has no {label}=~"${label}" matcher'
                )


def catalog_metric(ctx: QueryCtx, name: str | None) -> Metric | None:
    catalog = ctx.project_ctx.catalog
    return catalog.by_series().get(name) if catalog is not None and name else None


def _is_counter(ctx: QueryCtx, name: str) -> bool:
    metric = catalog_metric(ctx, name)
    if metric is not None:
        return metric.type == "counter" or (
            metric.type in ("histogram", "summary") and name.endswith(("_count", "_sum", "_bucket"))
        )
    return name.endswith(("_total", "_count", "_sum", "_bucket"))


def counters_read_raw(ctx: QueryCtx) -> Iterator[tuple[str, tuple[Any, ...]]]:
    for selector, ancestors in query_selectors(ctx):
        name = metric_name(selector)
        if not name or not _is_counter(ctx, name):
            continue
        functions = set(enclosing_functions(ancestors))
        aggregations = {aggregation_op(a) for a in ancestors if isinstance(a, pp.AggregateExpr)}
        if not functions & COUNTER_SAFE and not aggregations & COUNTER_SAFE_AGGREGATIONS:
            yield name, ancestors


@rule(
    "promql/counter-agg",
    "warning",
    "query",
    "A counter's raw value only grows and resets on restart; graphs of it mislead.",
    "Wrap the counter in rate() or increase() (recognised by name: _total, _count, ...).",
)
def counter_agg(ctx: QueryCtx) -> Iterator[Problem]:
    # dashboard-linter's rule, without its bug: foo_total{job="x"} is a counter selector too.
    for name, _ in counters_read_raw(ctx):
        if catalog_metric(ctx, name) is None:
            yield query_problem(ctx, f"counter {name} is read without rate() or increase()")
