"""The rule model as a Prometheus (or vmalert) rule file.

A rule's condition graph is compiled to one PromQL expression: an instant query is the
expression itself; a reducer over a range query becomes ``<fn>_over_time`` on a subquery; a
threshold becomes a comparison; a math expression has its ``$refs`` replaced by their PromQL.
"""

from __future__ import annotations

from typing import Any

from ..errors import DefinitionError
from ..quantities import format_duration
from .model import Math, Node, Query, Reduce, Rule, RuleGroup, Threshold

OVER_TIME = {
    "mean": "avg_over_time",
    "min": "min_over_time",
    "max": "max_over_time",
    "sum": "sum_over_time",
    "count": "count_over_time",
    "last": "last_over_time",
}
# Grafana's own annotations that link a rule to a panel, under Prometheus-friendly names.
LINK_ANNOTATIONS = {"dashboard_uid", "panel_id"}


def rule_file(groups: list[RuleGroup]) -> dict[str, Any]:
    return {
        "groups": [
            {
                "name": group.name,
                "interval": format_duration(group.interval_seconds),
                "rules": [_rule(rule) for rule in group.rules],
            }
            for group in groups
        ]
    }


def _rule(rule: Rule) -> dict[str, Any]:
    annotations = dict(rule.annotations)
    if rule.dashboard_uid:
        annotations["dashboard_uid"] = rule.dashboard_uid
        if rule.panel_id:
            annotations["panel_id"] = str(rule.panel_id)
    out: dict[str, Any] = {"alert": rule.title, "expr": promql(rule)}
    if rule.for_seconds:
        out["for"] = format_duration(rule.for_seconds)
    out["labels"] = dict(rule.labels)
    out["annotations"] = annotations
    return out


def promql(rule: Rule) -> str:
    """The rule's condition as one PromQL expression."""
    return _compile(rule, rule.node(rule.condition))


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _compile(rule: Rule, node: Node) -> str:
    if isinstance(node, Query):
        return node.expr
    if isinstance(node, Reduce):
        return _reduce(rule, node)
    if isinstance(node, Threshold):
        inner = _wrap(_compile(rule, rule.node(node.input)))
        low = number(node.params[0])
        if node.evaluator == "gt":
            return f"{inner} > {low}"
        if node.evaluator == "lt":
            return f"{inner} < {low}"
        high = number(node.params[1])
        if node.evaluator == "within_range":
            return f"({inner} > {low}) < {high}"
        return f"{inner} < {low} or {inner} > {high}"
    assert isinstance(node, Math)
    expression = node.expression
    for ref in sorted(node.refs, key=len, reverse=True):
        compiled = _wrap(_compile(rule, rule.node(ref)))
        expression = expression.replace("${" + ref + "}", compiled).replace("$" + ref, compiled)
    return expression


def _reduce(rule: Rule, node: Reduce) -> str:
    source = rule.node(node.input)
    inner = _compile(rule, source)
    if isinstance(source, Query) and source.instant:
        if node.function == "count":
            raise DefinitionError(
                f"rule {rule.title!r}: {node.ref_id} counts the samples of an "
                "instant query, which is always 1",
                rule.location,
            )
        return inner  # one sample: every other reducer returns it
    if not isinstance(source, Query):
        raise DefinitionError(
            f"rule {rule.title!r}: {node.ref_id} reduces {source.ref_id}, "
            "which is not a query; Prometheus has no equivalent",
            rule.location,
        )
    window = format_duration(source.range_seconds)
    return f"{OVER_TIME[node.function]}({_wrap(inner)}[{window}:])"


def _wrap(expr: str) -> str:
    # Always parenthesised: cheaper than proving a query needs no parentheses.
    return f"({expr})"
