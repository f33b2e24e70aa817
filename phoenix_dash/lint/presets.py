"""Rule sets a project turns on by name in ``lint.rules``, e.g. a team coming from
grafana/dashboard-linter:

```yaml
lint:
  rules:
    dashboard-linter: on                  # its 17 rules, as phoenix-dash rules
    promql/rate-interval: warning         # an entry of its own overrides the preset's
```

A preset is a list of phoenix-dash rule settings, written as a project would write them;
each peer rule says which of ours carry it (docs/lint/dashboard-linter.md shows the table,
tests/test_lint_presets.py runs the peer's own rule tests through it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeerRule:
    """One rule of the peer tool, and the phoenix-dash rule settings that carry it."""

    name: str
    checks: str  # what the peer rule demands, in a few words
    carried_by: Mapping[str, Mapping[str, Any]]  # rule id -> its setting (severity, options)


DASHBOARD_LINTER: tuple[PeerRule, ...] = (
    PeerRule(
        "template-datasource-rule",
        "a datasource variable named `datasource` (or `<type>_datasource`), labelled `Data source`",
        {
            "template/datasource-variable": {"severity": "error"},
            "template/datasource-variable-label": {"severity": "warning"},
        },
    ),
    PeerRule(
        "template-job-rule",
        "a `job` variable: a multi-value query variable of `$datasource`, allValue `.+`",
        {"template/job-instance-variables": {"severity": "error", "variables": ["job"]}},
    ),
    PeerRule(
        "template-instance-rule",
        "an `instance` variable, like `job`",
        {"template/job-instance-variables": {"severity": "error", "variables": ["instance"]}},
    ),
    PeerRule(
        "template-label-promql-rule",
        "variable queries are label_values() and friends over valid PromQL",
        {"template/query-syntax": {"severity": "error"}},
    ),
    PeerRule(
        "template-on-time-change-reload-rule",
        "query variables refresh on time range change",
        {"template/refresh-on-time-range": {"severity": "error"}},
    ),
    PeerRule(
        "panel-datasource-rule",
        "panels use a datasource variable",
        {"panel/datasource-variable": {"severity": "error"}},
    ),
    PeerRule(
        "panel-title-description-rule",
        "panels have a title and a description",
        {
            "panel/missing-title": {"severity": "error"},
            "panel/missing-description": {"severity": "error"},
        },
    ),
    PeerRule(
        "panel-units-rule",
        "panels have a known unit (or value mappings)",
        {"panel/unknown-unit": {"severity": "error", "required": True}},
    ),
    PeerRule(
        "panel-no-targets-rule",
        "data panels have queries",
        {"panel/no-targets": {"severity": "error"}},
    ),
    PeerRule(
        "target-promql-rule",
        "PromQL queries parse",
        {"promql/syntax": {"severity": "error"}},
    ),
    PeerRule(
        "target-logql-rule",
        "LogQL queries parse",
        {"logql/syntax": {"severity": "error"}},
    ),
    PeerRule(
        "target-logql-auto-rule",
        "LogQL range aggregations use `[$__auto]`",
        {"logql/range-auto": {"severity": "error"}},
    ),
    PeerRule(
        "target-rate-interval-rule",
        "every rate() and irate() range is `$__rate_interval`",
        {"promql/rate-interval": {"severity": "error", "require_rate_interval": True}},
    ),
    PeerRule(
        "target-job-rule",
        'every selector has `job=~"$job"`',
        {
            "promql/job-instance-matchers": {
                "severity": "error",
                "labels": ["job"],
                "undefined_too": True,
            }
        },
    ),
    PeerRule(
        "target-instance-rule",
        'every selector has `instance=~"$instance"`',
        {
            "promql/job-instance-matchers": {
                "severity": "error",
                "labels": ["instance"],
                "undefined_too": True,
            }
        },
    ),
    PeerRule(
        "target-counter-agg-rule",
        "counters (`_total`) are read through rate(), irate() or increase()",
        {"promql/counter-agg": {"severity": "error"}},
    ),
    PeerRule(
        "uneditable-dashboard",
        "dashboards are not editable in the UI",
        {"dashboard/editable": {"severity": "error"}},
    ),
)


@dataclass(frozen=True)
class Difference:
    """Where phoenix-dash, so configured, answers otherwise than the peer on the peer's own
    rule tests, and why (the cases: ids in tests/data/dashboard_linter/cases.json)."""

    reason: str
    cases: tuple[str, ...]


DASHBOARD_LINTER_DIFFERENCES = (
    Difference(
        "A panel without a type: dashboard-linter checks the queries of six panel types "
        "only (stat, singlestat, gauge, table-old, state-timeline, timeseries); Grafana runs "
        "the queries of every panel, and phoenix-dash checks them all.",
        ("target-logql-rule#1", "target-logql-auto-rule#1", "target-rate-interval-rule#1"),
    ),
    Difference(
        "A target without an expression: Grafana's Prometheus datasource skips it "
        "(filterQuery: no expr, no request), so nothing fails; dashboard-linter reports a "
        "parse error, and for a panelId on it an invalid panel reference, which only means "
        "something under the -- Dashboard -- datasource.",
        ("target-promql-rule#10", "target-promql-rule#11"),
    ),
    Difference(
        "`$datasource` names no variable: the test's datasource variable has no name, so "
        "Grafana looks for a datasource called `$datasource` and the variable's query fails; "
        "dashboard-linter accepts the text `$datasource` as such.",
        ("template-job-rule#6", "template-instance-rule#3"),
    ),
    Difference(
        "No `editable` key: Grafana's schema default is `editable: true`, so the dashboard "
        "is editable; dashboard-linter reads a missing key as false.",
        ("uneditable-dashboard#1",),
    ),
)


@dataclass(frozen=True)
class Preset:
    name: str
    peer: str  # the tool whose rule set this is
    rules: tuple[PeerRule, ...]
    differences: tuple[Difference, ...]
    tested_cases: int  # how many of the peer's rule tests the comparison runs
    not_carried: tuple[str, ...] = ()  # what the peer checks that no rule of ours does, and why


PRESETS: Mapping[str, Preset] = {
    "dashboard-linter": Preset(
        "dashboard-linter",
        "[grafana/dashboard-linter](https://github.com/grafana/dashboard-linter)",
        DASHBOARD_LINTER,
        DASHBOARD_LINTER_DIFFERENCES,
        tested_cases=113,
        not_carried=(
            "The labels `Job` and `Instance` it asks of $job and $instance (a warning): a "
            "variable's label is the team's wording, and Grafana shows the name without one.",
        ),
    )
}


def preset_settings(name: str) -> dict[str, dict[str, Any]]:
    """The rule settings a preset turns on: each peer rule's, merged where two peer rules
    are carried by one of ours (their lists joined: job's labels and instance's)."""
    merged: dict[str, dict[str, Any]] = {}
    for peer in PRESETS[name].rules:
        for rule_id, setting in peer.carried_by.items():
            into = merged.setdefault(rule_id, {})
            for option, value in setting.items():
                if isinstance(value, list) and isinstance(into.get(option), list):
                    value = [*into[option], *(v for v in value if v not in into[option])]
                into[option] = value
    return merged
