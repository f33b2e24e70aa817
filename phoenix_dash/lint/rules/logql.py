"""LogQL rules (logql/*): Loki queries are well-formed."""

from __future__ import annotations

from collections.abc import Iterator

from .. import logql
from ..context import PanelCtx
from ..core import JSON, Problem, rule


def _loki_queries(ctx: PanelCtx) -> Iterator[tuple[int, JSON, str]]:
    """(index, target, expr) of each Loki query of the panel."""
    for index, target in enumerate(ctx.panel.get("targets") or []):
        if not isinstance(target, dict) or not isinstance(target.get("expr"), str):
            continue
        if ctx.query_language(target) == "loki":
            yield index, target, target["expr"]


@rule(
    "logql/syntax",
    "error",
    "panel",
    "A Loki query that does not parse shows an error instead of logs.",
    'Start with a stream selector {label="value"} and use known pipeline stages.',
)
def logql_syntax(ctx: PanelCtx) -> Iterator[Problem]:
    for index, target, expr in _loki_queries(ctx):
        problem = logql.check(expr)
        if problem:
            yield Problem(
                f"panel {ctx.title!r}: LogQL {problem}",
                target,
                f"{ctx.path}/targets/{index}/expr",
            )


# The [range] of a LogQL range aggregation: $__auto follows the panel's step, so each point
# counts its own interval; $__range is the whole time range (a stat's total).
FOLLOWS_THE_PANEL = frozenset({"$__auto", "${__auto}", "$__range", "${__range}"})


@rule(
    "logql/range-auto",
    "off",
    "panel",
    "A fixed log range counts the wrong interval once the panel is zoomed: wider than the "
    "step, points overlap and each counts lines many times; narrower, lines between points "
    "are never counted. [$__auto] follows the step.",
    "Write the range as [$__auto] (or [$__range] for a total over the time range).",
)
def logql_range_auto(ctx: PanelCtx) -> Iterator[Problem]:
    for index, target, expr in _loki_queries(ctx):
        fixed = [r for r in logql.ranges(expr) if r.strip() not in FOLLOWS_THE_PANEL]
        if fixed:
            yield Problem(
                f"panel {ctx.title!r}: LogQL range [{fixed[0].strip()}] is fixed; use [$__auto]",
                target,
                f"{ctx.path}/targets/{index}/expr",
            )
