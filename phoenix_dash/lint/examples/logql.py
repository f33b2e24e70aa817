"""Failing and passing examples of the logql/* lint rules."""

from __future__ import annotations

from .builders import Example, _dash, panel

EXAMPLES: dict[str, tuple[Example, Example]] = {
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
    "logql/range-auto": (
        _dash(
            None,
            panel(
                datasource={"type": "loki", "uid": "logs"},
                targets=[{"refId": "A", "expr": 'sum(count_over_time({job="x"}[5m]))'}],
            ),
        ),
        _dash(
            None,
            panel(
                datasource={"type": "loki", "uid": "logs"},
                targets=[{"refId": "A", "expr": 'sum(count_over_time({job="x"}[$__auto]))'}],
            ),
        ),
    ),
}
