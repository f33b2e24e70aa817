"""A failing and a passing example for every lint rule (used by test_lint_rules.py).

Examples are built from a clean modern dashboard and a clean alert rule group, each changed
in one place, so a rule's bad example differs from its good one only where the rule looks.
"""

from __future__ import annotations

import copy
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
                {"name": "datasource", "type": "datasource", "query": "prometheus"},
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


Example = tuple[list[JSON], list[JSON]] | tuple[list[JSON], list[JSON], list[JSON]]
# (dashboards, alert groups[, datasource definitions])


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


EXAMPLES: dict[str, tuple[Example, Example]] = {
    "dashboard/schema": (_dash(_set(["graphTooltip"], 7)), CLEAN),
    "dashboard/schema-unknown-key": (_dash(_set(["style"], "dark")), CLEAN),
    "dashboard/uid-format": (_dash(_set(["uid"], "has spaces")), CLEAN),
    "dashboard/uid-unique": (
        ([dashboard(), dashboard(title="Other")], []),
        ([dashboard(), dashboard(uid="other", title="Other")], []),
    ),
    "dashboard/title-unique": (
        ([dashboard(), dashboard(uid="other")], []),
        ([dashboard(), dashboard(uid="other", title="Other")], []),
    ),
    "dashboard/missing-title": (_dash(_set(["title"], "")), CLEAN),
    "dashboard/editable": (_dash(_set(["editable"], True)), CLEAN),
    "panel/id-unique": (
        _dash(None, panel("a"), panel("b", gridPos={"x": 12, "y": 0, "w": 12, "h": 8})),
        _dash(None, panel("a"), panel("b", id=2, gridPos={"x": 12, "y": 0, "w": 12, "h": 8})),
    ),
    "panel/grid-bounds": (_dash(None, panel(gridPos={"x": 20, "y": 0, "w": 8, "h": 8})), CLEAN),
    "panel/grid-overlap": (
        _dash(None, panel("a"), panel("b", id=2)),
        _dash(None, panel("a"), panel("b", id=2, gridPos={"x": 0, "y": 8, "w": 12, "h": 8})),
    ),
    "panel/options-schema": (
        _dash(None, panel(options={"legend": {"displayMode": "nope"}})),
        CLEAN,
    ),
    "panel/no-targets": (_dash(None, panel(targets=[])), CLEAN),
    "panel/missing-title": (_dash(None, panel(title="")), CLEAN),
    "panel/missing-description": (_dash(None, panel(description="")), CLEAN),
    "panel/unknown-unit": (
        _dash(None, panel(fieldConfig={"defaults": {"unit": "requests"}, "overrides": []})),
        CLEAN,
    ),
    "datasource/plain-string": (_dash(None, panel(datasource="Prometheus")), CLEAN),
    "panel/repeat-undefined-variable": (
        _dash(None, panel(repeat="agent")),
        _dash(None, panel(repeat="job")),
    ),
    "panel/undefined-variable": (
        _query(f'sum(rate(requests_total{{agent="$agent"}}[{RATE}]))'),
        CLEAN,
    ),
    "template/unused-variable": (
        _dash(lambda d: d["templating"]["list"].append(variable("cluster"))),
        CLEAN,
    ),
    "template/refresh-on-time-range": (_dash(_set(["templating", "list", 1, "refresh"], 1)), CLEAN),
    "template/datasource-variable": (_dash(_set(["templating", "list", 0, "name"], "ds")), CLEAN),
    "template/job-instance-variables": (
        _dash(_set(["templating", "list", 2, "multi"], False)),
        CLEAN,
    ),
    "template/query-syntax": (
        _dash(_set(["templating", "list", 1, "query"], "label_values(requests_total{job=}, job)")),
        CLEAN,
    ),
    "panel/datasource-variable": (
        _dash(None, panel(datasource={"type": "prometheus", "uid": "prom-1"})),
        CLEAN,
    ),
    "promql/syntax": (_query("sum(rate(requests_total[5m])"), CLEAN),
    "promql/experimental-function": (
        _query(f'sort_by_label(sum by (job) (rate(requests_total{SEL}[{RATE}])), "job")'),
        CLEAN,
    ),
    "promql/histogram-quantile-le": (
        _query(
            f"histogram_quantile(0.9, sum by (job) (rate(request_duration_seconds_bucket{SEL}"
            f"[{RATE}])))"
        ),
        _query(
            f"histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket{SEL}"
            f"[{RATE}])))"
        ),
    ),
    "promql/bucket-outside-histogram-quantile": (
        _query(f"sum by (le) (rate(request_duration_seconds_bucket{SEL}[{RATE}]))"),
        _query(
            f"sum by (le) (rate(request_duration_seconds_bucket{SEL}[{RATE}]))",
            type="heatmap",
            options={},
            fieldConfig={"defaults": {}, "overrides": []},
        ),
    ),
    "promql/regex-static-string": (
        _query(
            f'sum(rate(requests_total{{job=~"$job", instance=~"$instance", status=~"500"}}'
            f"[{RATE}]))"
        ),
        _query(
            f'sum(rate(requests_total{{job=~"$job", instance=~"$instance", status=~"5.."}}'
            f"[{RATE}]))"
        ),
    ),
    "promql/regex-match-all": (
        _query(
            f'sum(rate(requests_total{{job=~"$job", instance=~"$instance", status=~".*"}}[{RATE}]))'
        ),
        CLEAN,
    ),
    "promql/division-in-aggregation": (
        _query(f"sum(rate(request_errors_total{SEL}[{RATE}]) / rate(requests_total{SEL}[{RATE}]))"),
        _query(
            f"sum(rate(request_errors_total{SEL}[{RATE}])) / sum(rate(requests_total{SEL}[{RATE}]))"
        ),
    ),
    "promql/rate-interval": (_query(f"sum(rate(requests_total{SEL}[5m]))"), CLEAN),
    "promql/job-instance-matchers": (_query(f"sum(rate(requests_total[{RATE}]))"), CLEAN),
    "promql/counter-agg": (
        _query('sum(foo_total{job="x", instance=~"$instance"})'),
        _query(f'sum(rate(foo_total{{job=~"$job", instance=~"$instance"}}[{RATE}]))'),
    ),
    "catalog/counter-without-rate": (_query(f"sum(requests_total{SEL})"), CLEAN),
    "catalog/rate-on-gauge": (_query(f"sum(rate(open_connections{SEL}[{RATE}]))"), CLEAN),
    "catalog/unknown-metric": (_query(f"sum(rate(request_total{SEL}[{RATE}]))"), CLEAN),
    "catalog/unknown-label": (
        _query(f"sum by (agent) (rate(requests_total{SEL}[{RATE}]))"),
        _query(f"sum by (status) (rate(requests_total{SEL}[{RATE}]))"),
    ),
    "catalog/range-too-short": (
        _query(f"sum(rate(requests_total{SEL}[20s]))"),
        _query(f"sum(rate(requests_total{SEL}[1m]))"),
    ),
    "datasource/unknown-uid": (
        _dash(None, panel(datasource={"type": "prometheus", "uid": "no-such-uid"})),
        CLEAN,
    ),
    "datasource/alert-uid": (
        _alert(_set(["data", 0, "datasourceUid"], "no-such-uid")),
        CLEAN_ALERT,
    ),
    "datasource/correlation-target": (
        ([], [], [datasource("tempo", jsonData={"tracesToLogsV2": {"datasourceUid": "gone"}})]),
        ([], [], [datasource("tempo", jsonData={"tracesToLogsV2": {"datasourceUid": "prom"}})]),
    ),
    "datasource/url": (
        ([], [], [datasource("prom", url="prometheus:9090")]),
        ([], [], [datasource("prom")]),
    ),
    "datasource/secret-literal": (
        ([], [], [datasource("prom", jsonData={"httpHeaderValue1": "x", "apiToken": "abc"})]),
        ([], [], [datasource("prom", jsonData={"timeInterval": "15s"})]),
    ),
    "logql/syntax": (
        _dash(
            None,
            panel(
                datasource={"type": "loki", "uid": "logs"},
                targets=[{"refId": "A", "expr": '{job="x"} | jsn'}],
            ),
        ),
        _dash(
            None,
            panel(
                datasource={"type": "loki", "uid": "logs"},
                targets=[{"refId": "A", "expr": '{job="x"} | json | level="error"'}],
            ),
        ),
    ),
    "alert/schema": (_alert(_set(["noDataState"], "No Data")), CLEAN_ALERT),
    "alert/condition-ref": (_alert(condition="Z"), CLEAN_ALERT),
    "alert/expression-refs": (_alert(_set(["data", 2, "model", "expression"], "X")), CLEAN_ALERT),
    "alert/for-format": (_alert(None, **{"for": "5 minutes"}), CLEAN_ALERT),
    "alert/no-comparison": (_alert(condition="B"), CLEAN_ALERT),
    "alert/severity": (
        _alert(labels={"severity": "page", "team": "t", "component": "c"}),
        CLEAN_ALERT,
    ),
    "alert/required-labels": (_alert(labels={"severity": "warning"}), CLEAN_ALERT),
    "alert/required-annotations": (
        _alert(_set(["annotations", "runbook_url"], _DELETE)),
        CLEAN_ALERT,
    ),
    "alert/template": (
        _alert(_set(["annotations", "summary"], "{{ $labels.instance }} fails")),
        CLEAN_ALERT,
    ),
    "alert/value-humanize": (
        _alert(_set(["annotations", "description"], "{{ $values.B.Value }} fail")),
        CLEAN_ALERT,
    ),
    "alert/duplicate": (
        ([], [group(alert_rule(), alert_rule(uid="rule-2"))]),
        ([], [group(alert_rule(), alert_rule(uid="rule-2", title="Other"))]),
    ),
    "alert/name-length": (_alert(title="x" * 191), CLEAN_ALERT),
    "group/interval": (([], [group(interval=600)]), CLEAN_ALERT),
    "group/size": (
        ([], [group(*[alert_rule(uid=f"r{i}", title=f"r{i}") for i in range(21)])]),
        CLEAN_ALERT,
    ),
}


KNOWN_DATASOURCES = [datasource("prom"), datasource("logs", type="loki")]


def example(rule_id: str, good: bool) -> tuple[list[JSON], list[JSON], list[JSON]]:
    chosen = EXAMPLES[rule_id][1 if good else 0]
    extra = list(chosen[2]) if len(chosen) == 3 else []
    return (
        copy.deepcopy(chosen[0]),
        copy.deepcopy(chosen[1]),
        copy.deepcopy(KNOWN_DATASOURCES + extra),
    )
