"""grafanalib alert objects -> the rule model, with every check a bad definition needs."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grafanalib.core import AlertExpression, AlertGroup, AlertRulev8, AlertRulev9, Target

from ..config import DatasourceRef, Folder
from ..errors import DefinitionError, Location
from ..modern.datasources import variable_name
from ..provenance import SourceTracker
from ..quantities import QuantityError, parse_duration
from .model import (
    EXEC_ERR_STATES,
    MAX_TITLE,
    NO_DATA_STATES,
    UID_RE,
    Math,
    Node,
    Query,
    Reduce,
    Rule,
    RuleGroup,
    Threshold,
)

REF_RE = re.compile(r"\$\{?([A-Za-z0-9_]+)\}?")
COMPARISON_RE = re.compile(
    r"^\s*\$\{?(?P<ref>[A-Za-z0-9_]+)\}?\s*(?P<op>[<>])\s*(?P<value>[-+]?\d+(\.\d*)?([eE][-+]?\d+)?)\s*$"
)
REDUCERS = frozenset({"last", "mean", "min", "max", "sum", "count"})
REDUCE_MODES = frozenset({"strict", "dropNN", "replaceNN"})
BASE_INTERVAL = 10  # Grafana evaluates rule groups on multiples of 10 s


@dataclass(frozen=True)
class AlertContext:
    datasources: Mapping[str, DatasourceRef]
    folders: Mapping[str, Folder]
    default_datasource: str | None


def convert_group(
    group: AlertGroup, where: Location, tracker: SourceTracker, ctx: AlertContext
) -> RuleGroup:
    if not isinstance(group.name, str) or not 0 < len(group.name) <= MAX_TITLE:
        raise DefinitionError(
            f"rule group name {group.name!r} must be 1-{MAX_TITLE} characters", where
        )
    if group.folder not in ctx.folders:
        known = ", ".join(sorted(ctx.folders)) or "none"
        raise DefinitionError(
            f"rule group {group.name!r}: folder {group.folder!r} is not in "
            f"phoenix-dash.yaml folders (known: {known})",
            where,
        )
    interval = _duration(group.evaluateInterval, "evaluation interval", where)
    if interval <= 0 or interval % BASE_INTERVAL:
        raise DefinitionError(
            f"rule group {group.name!r}: interval {group.evaluateInterval!r} "
            f"must be a positive multiple of {BASE_INTERVAL}s",
            where,
        )
    rules = tuple(
        _convert_rule(rule, group, tracker.location_of(rule) or where, ctx) for rule in group.rules
    )
    if not rules:
        raise DefinitionError(f"rule group {group.name!r} has no rules", where)
    return RuleGroup(group.name, group.folder, int(interval), rules, where, slug(group.name))


def _duration(value: Any, what: str, where: Location) -> float:
    try:
        return parse_duration(value)
    except QuantityError as exc:
        raise DefinitionError(f"{what}: {exc}", where) from None


def _convert_rule(rule: Any, group: AlertGroup, where: Location, ctx: AlertContext) -> Rule:
    if isinstance(rule, AlertRulev8) or not isinstance(rule, AlertRulev9):
        raise DefinitionError(
            f"rule group {group.name!r}: rules must be AlertRulev9, not {type(rule).__name__}",
            where,
        )
    title = rule.title
    if not isinstance(title, str) or not 0 < len(title) <= MAX_TITLE:
        raise DefinitionError(f"rule title {title!r} must be 1-{MAX_TITLE} characters", where)
    label = f"rule {title!r}"
    nodes = tuple(_node(trigger, rule, label, where, ctx) for trigger in rule.triggers)
    _check_graph(nodes, rule.condition, label, where)
    return Rule(
        uid=_uid(rule.uid, group.name, title, label, where),
        title=title,
        condition=rule.condition,
        nodes=nodes,
        for_seconds=_duration(rule.evaluateFor, f"{label}: for", where),
        labels=_strings(rule.labels, f"{label}: labels", where),
        annotations=_strings(rule.annotations, f"{label}: annotations", where),
        no_data_state=_state(rule.noDataAlertState, NO_DATA_STATES, f"{label}: no-data", where),
        exec_err_state=_state(rule.errorAlertState, EXEC_ERR_STATES, f"{label}: error", where),
        location=where,
        dashboard_uid=rule.dashboard_uid or None,
        panel_id=rule.panel_id or None,
    )


# $name, ${name}, ${name:format}, [[name]]; Grafana's global macros ($__interval,
# $__rate_interval, ...) are resolved for alert queries too.
DASHBOARD_VARIABLE_RE = re.compile(
    r"\$\{(?!__)\w+(?::\w+)?\}|\$(?!__)[A-Za-z_]\w*|\[\[(?!__)\w+\]\]"
)


def _node(trigger: Any, rule: AlertRulev9, label: str, where: Location, ctx: AlertContext) -> Node:
    if isinstance(trigger, Target):
        if not trigger.expr.strip():
            raise DefinitionError(f"{label}: query {trigger.refId} has no expr", where)
        if rule.timeRangeTo != 0:
            raise DefinitionError(f"{label}: timeRangeTo must be 0 (now)", where)
        variable = DASHBOARD_VARIABLE_RE.search(trigger.expr)
        if variable:  # no dashboard around an alert rule to give it a value
            raise DefinitionError(
                f"{label}: query {trigger.refId} uses the dashboard variable "
                f"{variable.group(0)}, which an alert rule cannot resolve: the "
                "rule could never fire; write the value or a regex instead",
                where,
            )
        return Query(
            trigger.refId,
            _datasource(trigger.datasource, label, where, ctx),
            trigger.expr.strip(),
            bool(trigger.instant),
            int(rule.timeRangeFrom),
        )
    assert isinstance(trigger, AlertExpression)  # grafanalib's validator allows only these two
    kind = trigger.expressionType
    if kind == "reduce":
        if trigger.reduceFunction not in REDUCERS or trigger.reduceMode not in REDUCE_MODES:
            raise DefinitionError(
                f"{label}: unsupported reducer {trigger.reduceFunction!r}/{trigger.reduceMode!r}",
                where,
            )
        return Reduce(
            trigger.refId, _ref(trigger.expression), trigger.reduceFunction, trigger.reduceMode
        )
    if kind == "math":
        comparison = COMPARISON_RE.match(trigger.expression)
        if comparison:  # Grafana's UI-native form for "$B > 80" is a threshold expression
            evaluator = "gt" if comparison.group("op") == ">" else "lt"
            return Threshold(
                trigger.refId,
                comparison.group("ref"),
                evaluator,
                (float(comparison.group("value")),),
            )
        refs = tuple(dict.fromkeys(REF_RE.findall(trigger.expression)))
        if not refs:
            raise DefinitionError(f"{label}: math expression {trigger.refId} uses no $ref", where)
        return Math(trigger.refId, trigger.expression.strip(), refs)
    raise DefinitionError(
        f"{label}: {kind} expressions have no Prometheus equivalent; use a reduce expression "
        'and a math comparison such as "$B > 80"',
        where,
    )


def _ref(expression: str) -> str:
    return expression.strip().lstrip("$").strip("{}")


def _datasource(value: Any, label: str, where: Location, ctx: AlertContext) -> DatasourceRef:
    value = value if value is not None else ctx.default_datasource
    if isinstance(value, dict) and isinstance(value.get("uid"), str):
        value = next((n for n, r in ctx.datasources.items() if r.uid == value["uid"]), value)
    if isinstance(value, str) and variable_name(value):
        raise DefinitionError(
            f"{label}: alert queries cannot use dashboard variables "
            f"({value}); name a datasource from phoenix-dash.yaml",
            where,
        )
    if not isinstance(value, str) or value not in ctx.datasources:
        known = ", ".join(sorted(ctx.datasources))
        raise DefinitionError(f"{label}: unknown datasource {value!r} (known: {known})", where)
    return ctx.datasources[value]


def _check_graph(nodes: tuple[Node, ...], condition: str, label: str, where: Location) -> None:
    by_ref: dict[str, Node] = {}
    for node in nodes:
        if node.ref_id in by_ref:
            raise DefinitionError(f"{label}: refId {node.ref_id!r} is used twice", where)
        by_ref[node.ref_id] = node
    if condition not in by_ref:
        raise DefinitionError(
            f"{label}: condition {condition!r} is not one of the refIds {', '.join(by_ref)}", where
        )
    for node in nodes:
        for ref in node.inputs:
            if ref not in by_ref:
                raise DefinitionError(
                    f"{label}: {node.ref_id} refers to missing refId {ref!r}", where
                )
    visiting: set[str] = set()

    def visit(ref: str, path: tuple[str, ...]) -> None:
        if ref in path:
            cycle = " -> ".join((*path[path.index(ref) :], ref))
            raise DefinitionError(f"{label}: expressions form a cycle {cycle}", where)
        if ref in visiting:
            return
        for child in by_ref[ref].inputs:
            visit(child, (*path, ref))
        visiting.add(ref)

    visit(condition, ())
    if not _compares(by_ref[condition], by_ref):
        raise DefinitionError(
            f"{label}: condition {condition!r} compares nothing; end with a "
            'math comparison such as "$B > 80"',
            where,
        )


COMPARING_OPERATOR = re.compile(r"[<>]|==|!=|&&|\|\||!")


def _compares(node: Node, by_ref: Mapping[str, Node]) -> bool:
    """Whether ``node`` decides anything: a threshold, or math with a comparison or a
    logical operator (``$B > 80``), or math that is just a node that does. ``$B * 2``
    fires on any non-zero value: a mistake far more often than a wish."""
    if isinstance(node, Threshold):
        return True
    if not isinstance(node, Math):
        return False
    if COMPARING_OPERATOR.search(node.expression):
        return True
    alone = node.expression.strip().removeprefix("${").removeprefix("$").removesuffix("}")
    return alone in by_ref and by_ref[alone] is not node and _compares(by_ref[alone], by_ref)


def _uid(uid: str | None, group: str, title: str, label: str, where: Location) -> str:
    if uid is None:
        digest = hashlib.sha256(f"{group}\0{title}".encode()).hexdigest()[:8]
        return f"{slug(title)[:31]}-{digest}"
    if not isinstance(uid, str) or not UID_RE.match(uid):
        raise DefinitionError(
            f"{label}: uid {uid!r} is invalid: Grafana allows 1-40 characters of [a-zA-Z0-9_-]",
            where,
        )
    return uid


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _strings(mapping: Any, what: str, where: Location) -> dict[str, str]:
    bad = [k for k, v in mapping.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        raise DefinitionError(f"{what}: {bad[0]!r} must map a string to a string", where)
    return dict(mapping)


def _state(value: str, allowed: Mapping[str, str], what: str, where: Location) -> str:
    if value not in allowed:
        raise DefinitionError(
            f"{what} state {value!r} is not one of {', '.join(sorted(set(allowed.values())))}",
            where,
        )
    return allowed[value]
