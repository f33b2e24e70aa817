"""What the lint rule examples are built from (see lint_examples/__init__.py).

Examples are built from a clean modern dashboard and a clean alert rule group, each changed
in one place, so a rule's bad example differs from its good one only where the rule looks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = '{job=~"$job", instance=~"$instance"}'


def target(expr: str, **extra: Any) -> JSON:
    return {"refId": "A", "expr": expr, "datasource": DS, **extra}


def panel(title: str = "Requests", expr: str | None = None, **extra: Any) -> JSON:
    return {
        "type": "timeseries",
        "title": title,
        "id": 1,
        "description": "What it shows.",
        "datasource": DS,
        "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
        "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
        "options": {
            "legend": {
                "showLegend": True,
                "displayMode": "list",
                "placement": "bottom",
                "calcs": [],
            },
            "tooltip": {"mode": "single", "sort": "none"},
        },
        "targets": [target(expr or f"sum(rate(requests_total{SEL}[$__rate_interval]))")],
        **extra,
    }


def variable(name: str, **extra: Any) -> JSON:
    return {
        "name": name,
        "type": "query",
        "datasource": DS,
        "refresh": 2,
        "multi": True,
        "includeAll": True,
        "allValue": ".+",
        "query": f"label_values(requests_total, {name})",
        **extra,
    }


def dashboard(*panels: JSON, **extra: Any) -> JSON:
    return {
        "uid": "example",
        "title": "Example",
        "schemaVersion": 42,
        "editable": False,
        "annotations": {"list": []},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                },
                variable("job"),
                variable("instance"),
            ]
        },
        "panels": list(panels) or [panel()],
        **extra,
    }


def alert_rule(**extra: Any) -> JSON:
    return {
        "uid": "rule-1",
        "title": "Errors high",
        "orgID": 1,
        "folderUID": "f",
        "ruleGroup": "g",
        "condition": "C",
        "for": "5m",
        "noDataState": "OK",
        "execErrState": "Error",
        "labels": {"severity": "warning", "team": "platform", "component": "api"},
        "annotations": {
            "summary": "{{ $labels.job }} fails",
            "description": "{{ $values.B.Value | humanizePercentage }} fail",
            "runbook_url": "https://runbooks/errors",
        },
        "data": [
            {
                "refId": "A",
                "datasourceUid": "prom",
                "relativeTimeRange": {"from": 600, "to": 0},
                "model": {
                    "refId": "A",
                    "expr": "sum by (job) (rate(request_errors_total[5m]))",
                    "instant": True,
                },
            },
            {
                "refId": "B",
                "datasourceUid": "__expr__",
                "model": {"refId": "B", "type": "reduce", "expression": "A", "reducer": "last"},
            },
            {
                "refId": "C",
                "datasourceUid": "__expr__",
                "model": {
                    "refId": "C",
                    "type": "threshold",
                    "expression": "B",
                    "conditions": [{"evaluator": {"type": "gt", "params": [1]}}],
                },
            },
        ],
        **extra,
    }


def group(*rules: JSON, **extra: Any) -> JSON:
    return {
        "title": "g",
        "folderUid": "f",
        "interval": 60,
        "rules": list(rules) or [alert_rule()],
        **extra,
    }


Example = (
    tuple[list[JSON], list[JSON]]
    | tuple[list[JSON], list[JSON], list[JSON]]
    | tuple[list[JSON], list[JSON], list[JSON], JSON]
)
# (dashboards, alert groups[, datasource definitions[, notifications.yaml's content]])


def datasource(uid: str, **extra: Any) -> JSON:
    return {"uid": uid, "name": uid, "type": "prometheus", "url": "http://prometheus:9090", **extra}


def _dash(fn: Callable[[JSON], None] | None = None, *panels: JSON, **extra: Any) -> Example:
    built = dashboard(*panels, **extra)
    if fn is not None:
        fn(built)
    return [built], []


def _query(expr: str, **panel_extra: Any) -> Example:
    return _dash(None, panel(expr=expr, **panel_extra))


def _alert(fn: Callable[[JSON], None] | None = None, **extra: Any) -> Example:
    rule = alert_rule(**extra)
    if fn is not None:
        fn(rule)
    return [], [group(rule)]


def _set(path: list[Any], value: Any) -> Callable[[JSON], None]:
    def apply(obj: JSON) -> None:
        for key in path[:-1]:
            obj = obj[key]
        if value is _DELETE:
            del obj[path[-1]]
        else:
            obj[path[-1]] = value

    return apply


_DELETE = object()
CLEAN = _dash()
CLEAN_ALERT = _alert()
RATE = "$__rate_interval"


def two(first: JSON, second: JSON) -> list[JSON]:
    return [first, second]
