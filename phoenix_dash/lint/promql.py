"""PromQL through a real parser (promql-parser), after Grafana's macros and variables are
replaced by placeholders that keep the query parseable and can be recognised afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import promql_parser as pp

# Grafana's range macros become durations no one writes, so rules can tell them apart.
MACRO_DURATIONS = {
    "__rate_interval": timedelta(seconds=111111),
    "__interval": timedelta(seconds=222222),
    "__range": timedelta(seconds=333333),
    "__auto": timedelta(seconds=444444),
}
VARIABLE_DURATION = timedelta(seconds=555555)
NUMBER_MACROS = {"__interval_ms": "60000", "__range_ms": "3600000", "__range_s": "3600"}
VARIABLE_RE = re.compile(r"\$\{(?P<braced>\w+)(?::[^}]*)?\}|\$(?P<plain>\w+)|\[\[(?P<old>\w+)\]\]")
# Inside by (...), without (...), on (...) and the like: a variable there is a label name
# (Grafana's ${v:csv} formats one variable into several).
LABEL_LIST_RE = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*$")
STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')


@dataclass(frozen=True)
class Parsed:
    """A query as parsed; ``error`` is set instead of ``ast`` when it does not parse."""

    expr: str
    substituted: str
    ast: Any
    error: str | None
    variables: frozenset[str]  # Grafana variables used anywhere in the query
    # Every node with its ancestors, walked once: many rules look at each query, and each
    # step through promql-parser's objects builds new Python wrappers.
    nodes: tuple[tuple[Any, tuple[Any, ...]], ...] = ()


def _replace_outside_strings(text: str, replace: Any) -> str:
    out, last = [], 0
    for match in STRING_RE.finditer(text):
        out.append(replace(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(replace(text[last:]))
    return "".join(out)


def _placeholder(match: re.Match[str], before: str) -> str:
    name = match.group("braced") or match.group("plain") or match.group("old")
    if name in MACRO_DURATIONS:
        return f"{int(MACRO_DURATIONS[name].total_seconds())}s"
    if name in NUMBER_MACROS:
        return NUMBER_MACROS[name]
    if before.rstrip().endswith(("[", ":")):
        return f"{int(VARIABLE_DURATION.total_seconds())}s"
    if LABEL_LIST_RE.search(before):
        return f"__grafana_var_{name}"
    if before.rstrip().endswith(("(", ",")):
        return "1"  # a scalar parameter such as topk($n, ...)
    return f"__grafana_var_{name}"


def substitute(expr: str) -> str:
    def replace(chunk: str) -> str:
        out, last = [], 0
        for match in VARIABLE_RE.finditer(chunk):
            out.append(chunk[last : match.start()])
            out.append(_placeholder(match, chunk[: match.start()]))
            last = match.end()
        out.append(chunk[last:])
        return "".join(out)

    return _replace_outside_strings(expr, replace)


def variables_in(text: str) -> frozenset[str]:
    names = {
        m.group("braced") or m.group("plain") or m.group("old") for m in VARIABLE_RE.finditer(text)
    }
    return frozenset(names - set(MACRO_DURATIONS) - set(NUMBER_MACROS))


@lru_cache(maxsize=8192)
def parse(expr: str) -> Parsed:
    substituted = substitute(expr)
    try:
        ast = pp.parse(substituted)
    except (ValueError, TypeError) as exc:
        message = " ".join(str(exc).split())
        return Parsed(expr, substituted, None, message, variables_in(expr))
    return Parsed(expr, substituted, ast, None, variables_in(expr), tuple(walk(ast)))


def children(node: Any) -> list[Any]:
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [node.expr] + ([node.param] if node.param is not None else [])
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return [node.expr]
    return []


def walk(node: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every node with its ancestors (outermost first)."""
    yield node, ancestors
    for child in children(node):
        yield from walk(child, (*ancestors, node))


def selectors(ast: Any) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    for node, ancestors in walk(ast):
        if isinstance(node, pp.VectorSelector):
            yield node, ancestors


def metric_name(selector: Any) -> str | None:
    if selector.name:
        return str(selector.name)
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and matcher.op == pp.MatchOp.Equal:
            return str(matcher.value)
    return None


def function_name(node: Any) -> str | None:
    return str(node.func.name) if isinstance(node, pp.Call) else None


def enclosing_functions(ancestors: tuple[Any, ...]) -> list[str]:
    return [name for a in ancestors if (name := function_name(a))]


def aggregation_op(node: Any) -> str:
    return str(node.op).lower()


def grouping(node: Any) -> tuple[str, list[str]] | None:
    """("by"|"without", labels) of an aggregation, None without a clause."""
    modifier = node.modifier
    if modifier is None:
        return None
    kind = "without" if modifier.type == pp.AggModifierType.Without else "by"
    return kind, [str(label) for label in modifier.labels]
