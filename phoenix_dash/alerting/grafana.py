"""The rule model as Grafana wants it: provisioning API rule groups and file provisioning."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..config import Folder
from ..quantities import QuantityError, format_duration, parse_duration
from .model import Math, Node, Query, Reduce, Rule, RuleGroup, Threshold

EXPR_UID = "__expr__"  # grafanalib writes the legacy "-100"
EXPR_DATASOURCE = {"type": "__expr__", "uid": EXPR_UID}
ORG_ID = 1
# An alert carrying this label is routed by the routing tree it names (Grafana 13.1's named
# trees), not by the default tree.
ROUTING_TREE_LABEL = "__grafana_managed_route__"
VALUE_RE = re.compile(r"\$value\b(?!s)")
TEMPLATE_RE = re.compile(r"\{\{.*?\}\}", re.S)

JSON = dict[str, Any]

# The keys this module writes, per level of a rule: what phoenix-dash owns in a rule Grafana
# stores. Grafana adds others (keep_firing_for, notification_settings, record, id, updated,
# provenance, and whatever its next release brings); comparing only these keeps them out of
# every decision. A test holds the writer to this list.
OWNED_RULE_KEYS = frozenset(
    {
        "uid",
        "folderUID",
        "ruleGroup",
        "title",
        "condition",
        "data",
        "noDataState",
        "execErrState",
        "for",
        "labels",
        "annotations",
        "isPaused",
    }
)
OWNED_QUERY_KEYS = frozenset({"refId", "queryType", "relativeTimeRange", "datasourceUid", "model"})
# intervalMs and maxDataPoints are Grafana's defaults, which it adds to every stored query model
# (R2 in BEHAVIOR.md); the writer states them on queries with the same values.
OWNED_MODEL_KEYS = frozenset(
    {
        "refId",
        "datasource",
        "expr",
        "instant",
        "range",
        "editorMode",
        "type",
        "expression",
        "reducer",
        "settings",
        "conditions",
    }
)
GRAFANA_MODEL_DEFAULTS = frozenset({"intervalMs", "maxDataPoints"})


def owned_rule(rule: JSON) -> JSON:
    """The part of a rule (as written, or as Grafana answers it) that phoenix-dash sets, with
    ``for`` in the one form Grafana writes it back in."""
    owned = {k: v for k, v in rule.items() if k in OWNED_RULE_KEYS}
    owned["data"] = [
        {
            **{k: v for k, v in query.items() if k in OWNED_QUERY_KEYS},
            "model": {k: v for k, v in (query.get("model") or {}).items() if k in OWNED_MODEL_KEYS},
        }
        for query in rule.get("data") or []
    ]
    if isinstance(owned.get("for"), str):
        owned["for"] = _canonical_duration(owned["for"])
    owned.setdefault("isPaused", False)
    owned.setdefault("labels", {})
    owned["labels"] = owned["labels"] or {}
    owned["annotations"] = owned.get("annotations") or {}
    return owned


def _canonical_duration(text: str) -> str:
    try:
        return format_duration(parse_duration(text))
    except QuantityError:
        return text


def routed(groups: list[RuleGroup], routing_tree: str | None) -> list[RuleGroup]:
    """``groups`` as Grafana runs them: with ``routing_tree``, each rule labelled with it.
    Only Grafana's forms carry the label; the Prometheus form has no such tree."""
    if not routing_tree:
        return groups
    label = {ROUTING_TREE_LABEL: routing_tree}
    return [
        replace(group, rules=tuple(replace(r, labels={**r.labels, **label}) for r in group.rules))
        for group in groups
    ]


def api_group(group: RuleGroup) -> JSON:
    """An ``AlertRuleGroup`` for PUT /api/v1/provisioning/folder/{uid}/rule-groups/{group}."""
    return {
        "title": group.name,
        "folderUid": group.folder_uid,
        "interval": group.interval_seconds,
        "rules": [api_rule(rule, group) for rule in group.rules],
    }


def api_rule(rule: Rule, group: RuleGroup) -> JSON:
    """A ``ProvisionedAlertRule``."""
    return {
        "uid": rule.uid,
        "orgID": ORG_ID,
        "folderUID": group.folder_uid,
        "ruleGroup": group.name,
        **_rule_body(rule),
    }


def file_provisioning(groups: list[RuleGroup], folders: Mapping[str, Folder]) -> JSON:
    """Grafana's alerting file-provisioning document (``apiVersion: 1``)."""
    return {
        "apiVersion": 1,
        "groups": [
            {
                "orgId": ORG_ID,
                "name": group.name,
                "folder": folders[group.folder_uid].title,
                "interval": format_duration(group.interval_seconds),
                "rules": [{"uid": rule.uid, **_rule_body(rule)} for rule in group.rules],
            }
            for group in groups
        ],
    }


def _rule_body(rule: Rule) -> JSON:
    annotations = {key: grafana_template(text, rule) for key, text in rule.annotations.items()}
    if rule.dashboard_uid:
        annotations["__dashboardUid__"] = rule.dashboard_uid
        if rule.panel_id:
            annotations["__panelId__"] = str(rule.panel_id)
    return {
        "title": rule.title,
        "condition": rule.condition,
        "data": [_node(node) for node in rule.nodes],
        "noDataState": rule.no_data_state,
        "execErrState": rule.exec_err_state,
        "for": format_duration(rule.for_seconds),
        "labels": dict(rule.labels),
        "annotations": annotations,
        "isPaused": False,
    }


def grafana_template(text: str, rule: Rule) -> str:
    """Prometheus-style ``$value`` means the compared number; Grafana's ``$value`` is a debug
    string of every expression, so point it at the value the condition compares."""
    replacement = f"$values.{rule.value_ref}.Value"
    return TEMPLATE_RE.sub(lambda m: VALUE_RE.sub(replacement, m.group(0)), text)


def _node(node: Node) -> JSON:
    if isinstance(node, Query):
        return {
            "refId": node.ref_id,
            "queryType": "",
            "relativeTimeRange": {"from": node.range_seconds, "to": 0},
            "datasourceUid": node.datasource.uid,
            "model": {
                "refId": node.ref_id,
                "datasource": node.datasource.as_json(),
                "expr": node.expr,
                "instant": node.instant,
                "range": not node.instant,
                "editorMode": "code",
                "intervalMs": 1000,
                "maxDataPoints": 43200,
            },
        }
    model: JSON = {"refId": node.ref_id, "datasource": dict(EXPR_DATASOURCE)}
    if isinstance(node, Reduce):
        model |= {
            "type": "reduce",
            "expression": node.input,
            "reducer": node.function,
            "settings": {"mode": node.mode},
        }
    elif isinstance(node, Threshold):
        model |= {
            "type": "threshold",
            "expression": node.input,
            "conditions": [{"evaluator": {"type": node.evaluator, "params": list(node.params)}}],
        }
    elif isinstance(node, Math):
        model |= {"type": "math", "expression": node.expression}
    return {
        "refId": node.ref_id,
        "queryType": "",
        "relativeTimeRange": {"from": 0, "to": 0},
        "datasourceUid": EXPR_UID,
        "model": model,
    }
