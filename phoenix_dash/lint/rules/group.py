"""Alert rule group rules (group/*): evaluation interval and size."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import GroupCtx
from ..core import Problem, rule
from .alert import alert_problem


@rule(
    "group/interval",
    "warning",
    "group",
    "Groups evaluated less often than every 5 minutes alert late and miss short spikes.",
    "Evaluate every 1m (or at most 5m).",
)
def group_interval(ctx: GroupCtx) -> Iterator[Problem]:
    interval = ctx.group.get("interval")
    if isinstance(interval, int) and interval > 300:
        yield alert_problem(
            ctx, f"group {ctx.group.get('title')!r} is evaluated every {interval}s", "/interval"
        )


@rule(
    "group/size",
    "warning",
    "group",
    "Large groups evaluate slowly and change in large, hard-to-review diffs.",
    "Split the group (at most 20 rules).",
)
def group_size(ctx: GroupCtx) -> Iterator[Problem]:
    rules = ctx.group.get("rules") or []
    if len(rules) > 20:
        yield alert_problem(
            ctx, f"group {ctx.group.get('title')!r} has {len(rules)} rules", "/rules"
        )
