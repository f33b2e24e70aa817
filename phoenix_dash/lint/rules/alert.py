"""Alert rule rules (alert/*): schema, expression graph, labels, annotations and templates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import promql_parser as pp

from ...quantities import QuantityError, parse_duration
from ..context import AlertCtx, GroupCtx
from ..core import Problem, rule
from ..promql import grouping
from ..schemas import schema_errors

# Team policy, off until a project turns it on in phoenix-dash.yaml (lint.rules), with
# these defaults for its options.
SEVERITY_VALUES = ["info", "warning", "critical"]


TEMPLATE_RE = re.compile(r"\{\{(.*?)\}\}", re.S)


LABEL_REF_RE = re.compile(r"\$labels\.(\w+)")


VALUE_RE = re.compile(r"\$value\b|\$values\.\w+\.Value|\.Value\b")


TEMPLATE_FUNCTIONS = frozenset(
    {
        "humanize",
        "humanize1024",
        "humanizeDuration",
        "humanizePercentage",
        "humanizeTimestamp",
        "printf",
        "title",
        "toUpper",
        "toLower",
        "reReplaceAll",
        "match",
        "graphLink",
        "tableLink",
        "args",
        "safeHtml",
        "first",
        "label",
        "value",
        "sortByLabel",
        "stripPort",
        "stripDomain",
        "query",
        "externalURL",
        "pathPrefix",
        "toTime",
        "urlUnescape",
        "parseDuration",
        "since",
        "len",
        "index",
        "and",
        "or",
        "not",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "print",
        "println",
        "html",
        "js",
        "urlquery",
        "range",
        "end",
        "if",
        "else",
        "with",
        "define",
        "template",
    }
)


def alert_problem(ctx: AlertCtx | GroupCtx, message: str, suffix: str = "") -> Problem:
    return Problem(message, None, ctx.path + suffix)


def _title(ctx: AlertCtx) -> str:
    return f"rule {ctx.rule.get('title')!r}"


def _nodes(ctx: AlertCtx) -> dict[str, dict[str, Any]]:
    return {str(n.get("refId")): n for n in ctx.rule.get("data") or [] if isinstance(n, dict)}


def _inputs(node: dict[str, Any]) -> list[str]:
    model = node.get("model") or {}
    if node.get("datasourceUid") != "__expr__":
        return []
    expression = str(model.get("expression") or "")
    if model.get("type") == "math":
        return re.findall(r"\$\{?(\w+)\}?", expression)
    return [expression.lstrip("$").strip("{}")] if expression else []


@rule(
    "alert/schema",
    "error",
    "alert",
    "The provisioning API answers 400 to a rule that breaks its schema.",
    "Fix the field named in the message.",
)
def schema(ctx: AlertCtx) -> Iterator[Problem]:
    for error in schema_errors("alerting", "Rule", ctx.rule):
        path = "/" + "/".join(map(str, error.absolute_path))
        yield alert_problem(ctx, f"{_title(ctx)}: {path}: {error.message}", path)


@rule(
    "alert/condition-ref",
    "error",
    "alert",
    "A condition naming a missing refId makes Grafana reject the rule.",
    "Point condition at one of the rule's queries or expressions.",
)
def condition_ref(ctx: AlertCtx) -> Iterator[Problem]:
    condition = ctx.rule.get("condition")
    if condition not in _nodes(ctx):
        yield alert_problem(
            ctx, f"{_title(ctx)}: condition {condition!r} is not a refId of the rule", "/condition"
        )


@rule(
    "alert/expression-refs",
    "error",
    "alert",
    "An expression reading a missing or circular refId cannot be evaluated.",
    "Make every $ref name an earlier query or expression, without cycles.",
)
def expression_refs(ctx: AlertCtx) -> Iterator[Problem]:
    nodes = _nodes(ctx)
    for ref, node in nodes.items():
        for missing in (r for r in _inputs(node) if r not in nodes):
            yield alert_problem(ctx, f"{_title(ctx)}: {ref} refers to missing refId {missing!r}")
    state: dict[str, str] = {}

    def cyclic(ref: str) -> bool:
        if state.get(ref) == "open":
            return True
        if state.get(ref) == "done" or ref not in nodes:
            return False
        state[ref] = "open"
        found = any(cyclic(child) for child in _inputs(nodes[ref]))
        state[ref] = "done"
        return found

    if any(cyclic(ref) for ref in nodes):
        yield alert_problem(ctx, f"{_title(ctx)}: expressions form a cycle")


@rule(
    "alert/for-format",
    "error",
    "alert",
    "A `for` Grafana cannot parse is rejected; a typo silently changes the delay.",
    "Write a Prometheus duration: 30s, 5m, 1h30m.",
)
def for_format(ctx: AlertCtx) -> Iterator[Problem]:
    value = ctx.rule.get("for")
    try:
        parse_duration(str(value))
    except QuantityError as exc:
        yield alert_problem(ctx, f"{_title(ctx)}: for: {exc}", "/for")


@rule(
    "alert/no-comparison",
    "error",
    "alert",
    "A condition that compares nothing fires for every series the query returns.",
    'End the rule with a threshold or math comparison ("$B > 80").',
)
def no_comparison(ctx: AlertCtx) -> Iterator[Problem]:
    node = _nodes(ctx).get(str(ctx.rule.get("condition")))
    if node is None:
        return
    model = node.get("model") or {}
    kind = model.get("type")
    comparison = kind in ("threshold", "classic_conditions") or (
        kind == "math" and re.search(r"[<>]=?|==|!=", str(model.get("expression", "")))
    )
    if node.get("datasourceUid") == "__expr__" and not comparison:
        yield alert_problem(
            ctx, f"{_title(ctx)}: condition {node.get('refId')} ({kind}) compares nothing"
        )
    if node.get("datasourceUid") != "__expr__":
        yield alert_problem(
            ctx, f"{_title(ctx)}: condition {node.get('refId')} is a query, not a comparison"
        )


@rule(
    "alert/severity",
    "off",
    "alert",
    "Routing and paging depend on a severity everyone uses the same way (team policy).",
    "Set labels.severity to one of the values lint.rules gives (default: info, warning, critical).",
    options={"values": SEVERITY_VALUES},
)
def severity(ctx: AlertCtx) -> Iterator[Problem]:
    allowed = list(ctx.project.settings.options("alert/severity")["values"])
    value = (ctx.rule.get("labels") or {}).get("severity")
    if value is not None and value not in allowed:
        yield alert_problem(
            ctx,
            f"{_title(ctx)}: severity {value!r} is not one of {', '.join(allowed)}",
            "/labels/severity",
        )


@rule(
    "alert/required-labels",
    "off",
    "alert",
    "Alertmanager routes on the labels a team agrees on (team policy); without them alerts "
    "go astray.",
    "Add the missing labels.",
    options={"labels": ["severity"]},
)
def required_labels(ctx: AlertCtx) -> Iterator[Problem]:
    labels = ctx.rule.get("labels") or {}
    required = ctx.project.settings.options("alert/required-labels")["labels"]
    missing = [name for name in required if not labels.get(name)]
    if missing:
        yield alert_problem(ctx, f"{_title(ctx)}: missing labels {', '.join(missing)}", "/labels")


@rule(
    "alert/required-annotations",
    "off",
    "alert",
    "The person paged needs what the team agreed every alert says (team policy): a summary, "
    "a runbook.",
    "Add the missing annotations.",
    options={"annotations": ["summary"]},
)
def required_annotations(ctx: AlertCtx) -> Iterator[Problem]:
    annotations = ctx.rule.get("annotations") or {}
    required = ctx.project.settings.options("alert/required-annotations")["annotations"]
    missing = [name for name in required if not annotations.get(name)]
    if missing:
        yield alert_problem(
            ctx, f"{_title(ctx)}: missing annotations {', '.join(missing)}", "/annotations"
        )


def output_labels(ast: Any) -> set[str] | None:
    """Labels the query's result series carry, when that can be told; None when not."""
    while isinstance(ast, pp.ParenExpr):
        ast = ast.expr
    if isinstance(ast, pp.AggregateExpr):
        clause = grouping(ast)
        if clause is None:
            return set()
        kind, labels = clause
        if kind == "by":
            return set(labels)
        inner = output_labels(ast.expr)
        return None if inner is None else inner - set(labels)
    if isinstance(ast, pp.BinaryExpr):
        sides = [output_labels(ast.lhs), output_labels(ast.rhs)]
        known = [s for s in sides if s is not None]
        if isinstance(ast.lhs, pp.NumberLiteral) or isinstance(ast.rhs, pp.NumberLiteral):
            return known[0] if known else None
        return set.intersection(*known) if len(known) == 2 else None
    if isinstance(ast, pp.Call) and ast.func.name == "absent":
        selector = ast.args[0]
        return (
            {m.name for m in selector.matchers.matchers if m.op == pp.MatchOp.Equal}
            if isinstance(selector, pp.VectorSelector)
            else set()
        )
    if isinstance(ast, pp.Call) and ast.func.name == "histogram_quantile":
        inner = output_labels(ast.args[1])
        return None if inner is None else inner - {"le"}
    return None  # selectors and other functions: whatever the series have


@rule(
    "alert/template",
    "error",
    "alert",
    "A broken template or a label the query aggregated away renders as an empty string.",
    "Fix the {{ }} syntax, and keep the labels you print in the query's by (...).",
)
def template(ctx: AlertCtx) -> Iterator[Problem]:
    annotations = ctx.rule.get("annotations") or {}
    query = ctx.queries[0] if ctx.queries else None
    survivors = output_labels(query.parsed.ast) if query and query.parsed.ast else None
    for key, text in sorted(annotations.items()):
        if key.startswith("__"):
            continue
        if text.count("{{") != text.count("}}"):
            yield alert_problem(
                ctx, f"{_title(ctx)}: annotation {key}: unbalanced {{{{ }}}}", f"/annotations/{key}"
            )
            continue
        for body in TEMPLATE_RE.findall(text):
            for word in re.findall(r"(?:^|\|)\s*([a-zA-Z_]\w*)", body):
                if word not in TEMPLATE_FUNCTIONS:
                    yield alert_problem(
                        ctx,
                        f"{_title(ctx)}: annotation {key}: unknown template function {word!r}",
                        f"/annotations/{key}",
                    )
        for label in LABEL_REF_RE.findall(text):
            if survivors is not None and label not in survivors:
                yield alert_problem(
                    ctx,
                    f"{_title(ctx)}: annotation {key} prints $labels.{label}, which the "
                    "query aggregates away",
                    f"/annotations/{key}",
                )


@rule(
    "alert/value-humanize",
    "warning",
    "alert",
    "A raw rate or ratio prints as 0.0123456789 in the notification.",
    "Pipe the value through humanize, humanizePercentage or humanizeDuration.",
)
def value_humanize(ctx: AlertCtx) -> Iterator[Problem]:
    query = ctx.queries[0] if ctx.queries else None
    computed = (
        query is not None
        and query.parsed.ast is not None
        and any(isinstance(n, (pp.Call, pp.BinaryExpr)) for n, _ in query.parsed.nodes)
    )
    for key, text in sorted((ctx.rule.get("annotations") or {}).items()):
        for body in TEMPLATE_RE.findall(text):
            if (
                computed
                and VALUE_RE.search(body)
                and "humanize" not in body
                and "printf" not in body
            ):
                yield alert_problem(
                    ctx,
                    f"{_title(ctx)}: annotation {key} prints the value without humanize",
                    f"/annotations/{key}",
                )


@rule(
    "alert/duplicate",
    "error",
    "alert",
    "Two rules with one title and the same labels produce indistinguishable alerts.",
    "Rename one rule or tell them apart with a label.",
)
def duplicate(ctx: AlertCtx) -> Iterator[Problem]:
    mine = (ctx.rule.get("title"), tuple(sorted((ctx.rule.get("labels") or {}).items())))
    for other in ctx.project.alert_rules:
        if other is ctx.rule:
            break
        if (other.get("title"), tuple(sorted((other.get("labels") or {}).items()))) == mine:
            yield alert_problem(
                ctx, f"{_title(ctx)} has the same title and labels as rule {other.get('uid')!r}"
            )
            return


@rule(
    "alert/name-length",
    "error",
    "alert",
    "Grafana limits titles to 190 characters and uids to 40.",
    "Shorten the title or the uid.",
)
def name_length(ctx: AlertCtx) -> Iterator[Problem]:
    if len(str(ctx.rule.get("title") or "")) > 190:
        yield alert_problem(ctx, f"{_title(ctx)}: title is longer than 190 characters", "/title")
    if len(str(ctx.rule.get("uid") or "")) > 40:
        yield alert_problem(ctx, f"{_title(ctx)}: uid is longer than 40 characters", "/uid")
