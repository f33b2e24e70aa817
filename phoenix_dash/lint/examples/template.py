"""Failing and passing examples of the template/* lint rules."""

from __future__ import annotations

from .builders import CLEAN, Example, _dash, _set, variable

EXAMPLES: dict[str, tuple[Example, Example]] = {
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
}
