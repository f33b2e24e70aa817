"""Failing and passing examples of the template/* lint rules."""

from __future__ import annotations

from .builders import CLEAN, SEL, Example, _dash, _query, _set, variable

USES_JOB = 'label_values(requests_total{job=~"$job"}, instance)'


def _instance_uses_job(before_job: bool) -> Example:
    def change(dashboard: dict[str, object]) -> None:
        variables = dashboard["templating"]["list"]  # type: ignore[index]
        variables[2]["query"] = USES_JOB
        if before_job:
            variables[1], variables[2] = variables[2], variables[1]

    return _dash(change)


EXAMPLES: dict[str, tuple[Example, Example]] = {
    "template/unused-variable": (
        _dash(lambda d: d["templating"]["list"].append(variable("cluster"))),
        CLEAN,
    ),
    "template/refresh-on-time-range": (_dash(_set(["templating", "list", 1, "refresh"], 1)), CLEAN),
    "template/datasource-variable": (_dash(_set(["templating", "list", 0, "name"], "ds")), CLEAN),
    "template/datasource-variable-label": (
        _dash(_set(["templating", "list", 0, "label"], "DS")),
        CLEAN,
    ),
    "template/job-instance-variables": (
        _dash(_set(["templating", "list", 2, "multi"], False)),
        CLEAN,
    ),
    "template/multi-value-equality": (
        _query('sum(rate(requests_total{job="$job", instance=~"$instance"}[$__rate_interval]))'),
        _query(f"sum(rate(requests_total{SEL}[$__rate_interval]))"),
    ),
    "template/variable-order": (_instance_uses_job(True), _instance_uses_job(False)),
    "template/query-syntax": (
        _dash(_set(["templating", "list", 1, "query"], "label_values(requests_total{job=}, job)")),
        CLEAN,
    ),
}
