"""Template variable rules (template/*): variables used, refreshed, typed and well-formed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import DashboardCtx, QueryCtx, datasource_uid
from ..core import JSON, Problem, rule
from ..promql import parse, variables_in


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
    "Dashboards shared between environments need a $datasource variable, not a fixed uid; "
    "with several, each one's name says which plugin it picks from.",
    'Add a datasource variable named "datasource" (several: "prometheus_datasource", '
    '"loki_datasource", ...).',
)
def datasource_variable(ctx: DashboardCtx) -> Iterator[Problem]:
    pickers = ctx.datasource_variable_types
    if not pickers:
        yield Problem("dashboard has no datasource variable", None, "/templating")
    for name, plugin in pickers.items():
        wanted = _picker_names(plugin, alone=len(pickers) == 1)
        if name not in wanted:
            yield Problem(
                f"{plugin or 'datasource'} datasource variable is named ${name}, not "
                + " or ".join(f"${w}" for w in wanted),
                ctx.variables[name],
                _variable_path(ctx, name) + "/name",
            )


@rule(
    "template/datasource-variable-label",
    "off",
    "dashboard",
    "The label is what the picker shows: one that names the plugin tells a reader which "
    "datasource they are choosing.",
    'Label it "Data source" (several: "Prometheus data source", "Loki data source", ...).',
)
def datasource_variable_label(ctx: DashboardCtx) -> Iterator[Problem]:
    pickers = ctx.datasource_variable_types
    for name, plugin in pickers.items():
        wanted = _picker_labels(plugin, alone=len(pickers) == 1)
        label = str(ctx.variables[name].get("label") or "")
        if label not in wanted:
            yield Problem(
                f"datasource variable ${name} is labelled {label!r}, not "
                + " or ".join(repr(w) for w in wanted),
                ctx.variables[name],
                _variable_path(ctx, name) + "/label",
            )


def _picker_names(plugin: str, alone: bool) -> list[str]:
    return (["datasource"] if alone else []) + [f"{plugin.lower()}_datasource"]


def _picker_labels(plugin: str, alone: bool) -> list[str]:
    return (["Data source"] if alone else []) + [f"{plugin.title()} data source"]


@rule(
    "template/job-instance-variables",
    "off",
    "dashboard",
    "Without $job and $instance variables a dashboard cannot be narrowed to one target.",
    "Add multi-value query variables job and instance (label_values(..., job)) of the "
    'datasource variable, with allValue ".+" if they include All. Option `variables`: '
    "which ones (job, instance).",
    options={"variables": ["job", "instance"]},
)
def job_instance_variables(ctx: DashboardCtx) -> Iterator[Problem]:
    reads_prometheus = "prometheus" in ctx.datasource_variable_types.values() or any(
        panel.queries for panel in ctx.panels
    )
    if not reads_prometheus:
        return
    for name in ctx.project.settings.options("template/job-instance-variables")["variables"]:
        variable = ctx.variables.get(name)
        if variable is None:
            yield Problem(f"dashboard has no ${name} variable", None, "/templating")
            continue
        path = _variable_path(ctx, name)
        for problem in _narrowing_variable_problems(ctx, name, variable):
            yield Problem(problem, variable, path)


def _narrowing_variable_problems(ctx: DashboardCtx, name: str, variable: JSON) -> Iterator[str]:
    if variable.get("type") != "query":
        yield f"${name} is a {variable.get('type')} variable, not a query"
        return
    picker = variables_in(datasource_uid(variable))
    if not picker or not picker <= set(ctx.datasource_variable_types):
        yield f"${name} is not queried through the dashboard's datasource variable"
    if not variable.get("multi"):
        yield f"${name} does not allow several values"
    # Grafana's All is otherwise a|b|c of the values loaded: long, and blind to new targets.
    if variable.get("includeAll") and variable.get("allValue") != ".+":
        yield f'${name} includes All without allValue ".+"'
    query = variable.get("query")
    text = query.get("query") if isinstance(query, dict) else query
    if text and name not in str(text):
        yield f"${name}'s query does not return {name} labels"


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
        if name in ctx.panel.repeated_over:
            continue  # each repeated copy holds one value of it
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
