"""Failing and passing examples of the logql/* lint rules."""

from __future__ import annotations

from .builders import Example, _dash, panel


def _loki(expr: str) -> Example:
    """The clean dashboard with its panel reading Loki."""
    loki = {"type": "loki", "uid": "logs"}
    return _dash(None, panel(datasource=loki, targets=[{"refId": "A", "expr": expr}]))


EXAMPLES: dict[str, tuple[Example, Example]] = {
    "logql/syntax": (_loki('{job="x"} | jsn'), _loki('{job="x"} | json | level="error"')),
    "logql/range-auto": (
        _loki('sum(count_over_time({job="x"}[5m]))'),
        _loki('sum(count_over_time({job="x"}[$__auto]))'),
    ),
}
