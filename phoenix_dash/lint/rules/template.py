"""Template variable rules (template/*): variables used, refreshed, typed and well-formed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import DashboardCtx, QueryCtx
from ..core import Problem, rule
from ..promql import parse


def _variable_path(ctx: DashboardCtx, name: str) -> str:
    names = list(ctx.variables)
    return f"/templating/list/{names.index(name)}"


@rule(
    "template/unused-variable",
    "warning",
    "dashboard",
    "A variable nothing uses still costs a query on every load and confuses readers.",
    "Use the variable in a query, or remove it.",
)
def unused_variable(ctx: DashboardCtx) -> Iterator[Problem]:
    used = ctx.used_variables
    for name, variable in ctx.variables.items():
        if name not in used and variable.get("type") not in ("constant", "adhoc"):
            yield Problem(
                f"variable ${name} is defined but never used", variable, _variable_path(ctx, name)
            )


@rule(
    "template/refresh-on-time-range",
    "off",
    "dashboard",
    "A query variable refreshed only on load keeps values that left the time range.",
    "Set refresh=2 (on time range change).",
)
def refresh_on_time_range(ctx: DashboardCtx) -> Iterator[Problem]:
    for name, variable in ctx.variables.items():
        if variable.get("type") == "query" and variable.get("refresh") != 2:
            yield Problem(
                f"query variable ${name} does not refresh on time range change",
                variable,
                _variable_path(ctx, name) + "/refresh",
            )


@rule(
    "template/datasource-variable",
    "off",
    "dashboard",
    "Dashboards shared between environments need a $datasource variable, not a fixed uid.",
    'Add a datasource variable named "datasource" of type prometheus.',
)
def datasource_variable(ctx: DashboardCtx) -> Iterator[Problem]:
    datasource_vars = {n: v for n, v in ctx.variables.items() if v.get("type") == "datasource"}
    prometheus = [n for n, v in datasource_vars.items() if v.get("query") == "prometheus"]
    if not prometheus:
        yield Problem("dashboard has no Prometheus datasource variable", None, "/templating")
    elif "datasource" not in prometheus:
        name = prometheus[0]
        yield Problem(
            f"Prometheus datasource variable is named ${name}, not $datasource",
            datasource_vars[name],
            _variable_path(ctx, name),
        )


@rule(
    "template/job-instance-variables",
    "off",
    "dashboard",
    "Without $job and $instance variables a dashboard cannot be narrowed to one target.",
    "Add multi-value query variables job and instance (label_values(..., job)).",
)
def job_instance_variables(ctx: DashboardCtx) -> Iterator[Problem]:
    for name in ("job", "instance"):
        variable = ctx.variables.get(name)
        if variable is None:
            yield Problem(f"dashboard has no ${name} variable", None, "/templating")
            continue
        path = _variable_path(ctx, name)
        if variable.get("type") != "query":
            yield Problem(
                f"${name} is a {variable.get('type')} variable, not a query", variable, path
            )
        elif not (variable.get("multi") and variable.get("includeAll")):
            yield Problem(f"${name} does not allow several values and All", variable, path)
        elif name not in str(variable.get("query", "")):
            yield Problem(f"${name}'s query does not return {name} labels", variable, path)


LABEL_VALUES_RE = re.compile(
    r"^\s*label_values\((?:(?P<selector>.+),\s*)?(?P<label>\w+)\s*\)\s*$", re.S
)


QUERY_FUNCTIONS_RE = re.compile(r"^\s*(label_names|metrics|query_result)\((?P<arg>.*)\)\s*$", re.S)


@rule(
    "template/query-syntax",
    "error",
    "dashboard",
    "A variable query Grafana cannot run leaves the variable empty and every panel blank.",
    "Write label_values(<selector>, <label>) with a valid selector.",
)
def query_syntax(ctx: DashboardCtx) -> Iterator[Problem]:
    for name, variable in ctx.variables.items():
        query = variable.get("query")
        ds = variable.get("datasource")
        if (
            variable.get("type") != "query"
            or not isinstance(query, str)
            or (isinstance(ds, dict) and ds.get("type") not in (None, "prometheus"))
        ):
            continue
        match = LABEL_VALUES_RE.match(query)
        function = QUERY_FUNCTIONS_RE.match(query)
        expr = match.group("selector") if match else (function.group("arg") if function else None)
        if match is None and function is None:
            yield Problem(
                f"variable ${name}: {query!r} is not label_values(), label_names(), "
                "metrics() or query_result()",
                variable,
                _variable_path(ctx, name) + "/query",
            )
        elif expr and parse(expr).error is not None:
            yield Problem(
                f"variable ${name}: {expr!r} does not parse: {parse(expr).error}",
                variable,
                _variable_path(ctx, name) + "/query",
            )


# label="$var" or label!="${var}": an exact match on a variable's value.
EQUALITY_RE = re.compile(r'([a-zA-Z_]\w*)\s*(!=|=)(?![=~])\s*"\$(?:\{(\w+)\}|(\w+))"')


@rule(
    "template/multi-value-equality",
    "error",
    "query",
    "A multi-value or include-all variable becomes a|b (or .*) when several values are "
    "chosen; compared with = or != that matches nothing, so the panel goes empty.",
    "Compare with =~ (or !~), which Grafana's regex formatting of the value is made for.",
)
def multi_value_equality(ctx: QueryCtx) -> Iterator[Problem]:
    if ctx.panel is None:
        return
    variables = ctx.panel.dashboard.variables
    expr = str(ctx.target.get("expr") or "")
    for label, operator, braced, plain in EQUALITY_RE.findall(expr):
        name = braced or plain
        variable = variables.get(name) or {}
        if variable.get("multi") or variable.get("includeAll"):
            kind = "multi-value" if variable.get("multi") else "include-all"
            yield Problem(
                f'query {ctx.target.get("refId", "")}: {label}{operator}"${name}" compares '
                f"with {operator} the {kind} variable ${name}: use {operator}~",
                ctx.target,
                ctx.path + "/expr",
            )


@rule(
    "template/variable-order",
    "error",
    "dashboard",
    "Grafana resolves variables in order: one whose query uses a variable that is not "
    "defined, or defined after it, is queried with the name as literal text and offers "
    "no values (or stale ones).",
    "Define the variables a query uses before it, or fix the name.",
)
def variable_order(ctx: DashboardCtx) -> Iterator[Problem]:
    from ..context import BUILTIN_VARIABLES
    from ..promql import variables_in

    names = list(ctx.variables)
    for position, (name, variable) in enumerate(ctx.variables.items()):
        query = variable.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") != "query" or not isinstance(text, str):
            continue
        for used in sorted(variables_in(text) - BUILTIN_VARIABLES - ctx.export_inputs):
            if used not in ctx.variables:
                reason = "which is not defined"
            elif names.index(used) > position:
                reason = "which is defined after it"
            else:
                continue
            yield Problem(
                f"variable ${name}: its query uses ${used}, {reason}",
                variable,
                _variable_path(ctx, name) + "/query",
            )
