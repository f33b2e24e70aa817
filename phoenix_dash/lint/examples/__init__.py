"""A failing and a passing example for every lint rule (used by test_lint_rules.py), one module
per rule id prefix, like the rules in phoenix_dash/lint/rules/. Each example is built from a clean
modern dashboard or alert rule group changed in one place."""

from __future__ import annotations

import copy

from . import (
    alert,
    catalog,
    dashboard,
    datasource,
    group,
    logql,
    notifications,
    panel,
    promql,
    template,
)
from .builders import JSON, Example
from .builders import datasource as definition

EXAMPLES: dict[str, tuple[Example, Example]] = {
    **alert.EXAMPLES,
    **catalog.EXAMPLES,
    **dashboard.EXAMPLES,
    **datasource.EXAMPLES,
    **group.EXAMPLES,
    **logql.EXAMPLES,
    **notifications.EXAMPLES,
    **panel.EXAMPLES,
    **promql.EXAMPLES,
    **template.EXAMPLES,
}


KNOWN_DATASOURCES = [definition("prom"), definition("logs", type="loki")]


def example(rule_id: str, good: bool) -> tuple[list[JSON], list[JSON], list[JSON], JSON | None]:
    """An example's dashboards, alert groups, datasources and notifications.yaml content
    (None: the example has none)."""
    chosen = EXAMPLES[rule_id][1 if good else 0]
    extra = list(chosen[2]) if len(chosen) >= 3 else []
    notifications = chosen[3] if len(chosen) == 4 else None
    return (
        copy.deepcopy(chosen[0]),
        copy.deepcopy(chosen[1]),
        copy.deepcopy(KNOWN_DATASOURCES + extra),
        copy.deepcopy(notifications),
    )
