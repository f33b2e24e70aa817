"""Per-panel rules: content, units, datasources and each plugin's option schema."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import NO_QUERY_PANELS, PanelCtx, datasource_uid
from ..core import Problem, rule
from ..promql import variables_in
from ..schemas import has_schema, known_units, panel_schema_name, schema_errors


@rule(
    "panel/options-schema",
    "error",
    "panel",
    "Options a panel plugin does not understand are ignored or break the panel.",
    "Fix the option's value, or drop the option.",
)
def options_schema(ctx: PanelCtx) -> Iterator[Problem]:
    name = panel_schema_name(ctx.type)
    if ctx.type == "row":
        return
    if has_schema(name, "Options") and "options" in ctx.panel:
        for error in schema_errors(name, "Options", ctx.panel["options"]):
            path = "/".join(map(str, error.absolute_path))
            yield Problem(
                f"panel {ctx.title!r}: options/{path}: {error.message}",
                ctx.panel,
                f"{ctx.path}/options/{path}",
            )
    custom = ((ctx.panel.get("fieldConfig") or {}).get("defaults") or {}).get("custom")
    if has_schema(name, "FieldConfig") and isinstance(custom, dict):
        for error in schema_errors(name, "FieldConfig", custom):
            path = "/".join(map(str, error.absolute_path))
            yield Problem(
                f"panel {ctx.title!r}: fieldConfig.defaults.custom/{path}: {error.message}",
                ctx.panel,
                f"{ctx.path}/fieldConfig/defaults/custom",
            )


@rule(
    "panel/no-targets",
    "error",
    "panel",
    'A data panel without queries shows "No data" forever.',
    "Add a query, or use a text panel.",
)
def no_targets(ctx: PanelCtx) -> Iterator[Problem]:
    if ctx.type not in NO_QUERY_PANELS and not ctx.panel.get("targets"):
        yield Problem(f"panel {ctx.title!r} has no queries", ctx.panel, ctx.path)


@rule(
    "panel/missing-title",
    "warning",
    "panel",
    "Untitled panels are hard to find, link and discuss.",
    "Give the panel a title.",
)
def missing_title(ctx: PanelCtx) -> Iterator[Problem]:
    if ctx.type != "text" and not ctx.title.strip():
        yield Problem(f"{ctx.type} panel has no title", ctx.panel, ctx.path)


@rule(
    "panel/missing-description",
    "warning",
    "panel",
    "The description is the on-call engineer's only help when reading the panel.",
    "Say what the panel shows and what a bad value means.",
)
def missing_description(ctx: PanelCtx) -> Iterator[Problem]:
    if ctx.type not in ("row", "text") and not str(ctx.panel.get("description") or "").strip():
        yield Problem(f"panel {ctx.title!r} has no description", ctx.panel, ctx.path)


@rule(
    "panel/unknown-unit",
    "error",
    "panel",
    "Grafana shows a unit it does not know as plain text after the number.",
    "Use one of Grafana's unit ids (bytes, s, percentunit, reqps, ...).",
)
def unknown_unit(ctx: PanelCtx) -> Iterator[Problem]:
    defaults = (ctx.panel.get("fieldConfig") or {}).get("defaults") or {}
    units = [("fieldConfig.defaults.unit", defaults.get("unit"))]
    y_axis = (ctx.panel.get("options") or {}).get("yAxis") if ctx.type == "heatmap" else None
    if isinstance(y_axis, dict):
        units.append(("options.yAxis.unit", y_axis.get("unit")))
    for where, unit in units:
        if not unit or not isinstance(unit, str):
            continue
        custom = unit.startswith(("suffix:", "prefix:", "si:", "count:", "currency", "time:"))
        if not custom and unit not in known_units():
            yield Problem(
                f"panel {ctx.title!r}: unit {unit!r} is not a Grafana unit",
                ctx.panel,
                f"{ctx.path}/{where.replace('.', '/')}",
            )


@rule(
    "datasource/plain-string",
    "warning",
    "panel",
    "A datasource given by name breaks when it is renamed; Grafana 12 expects {type, uid}.",
    'Reference the datasource as {"type": ..., "uid": ...} or a $variable.',
)
def plain_string_datasource(ctx: PanelCtx) -> Iterator[Problem]:
    if isinstance(ctx.panel.get("datasource"), str):
        yield Problem(
            f"panel {ctx.title!r}: datasource {ctx.panel['datasource']!r} is a plain string",
            ctx.panel,
            ctx.path + "/datasource",
        )
    for index, target in enumerate(ctx.panel.get("targets") or []):
        if isinstance(target, dict) and isinstance(target.get("datasource"), str):
            yield Problem(
                f"panel {ctx.title!r}: target {target.get('refId', index)} datasource "
                f"{target['datasource']!r} is a plain string",
                target,
                f"{ctx.path}/targets/{index}/datasource",
            )


@rule(
    "panel/repeat-undefined-variable",
    "error",
    "panel",
    "Repeating over a variable that does not exist shows the panel once, unrepeated.",
    "Define the variable, or fix the repeat's name.",
)
def repeat_undefined(ctx: PanelCtx) -> Iterator[Problem]:
    repeat = ctx.panel.get("repeat")
    if repeat and repeat not in ctx.dashboard.variables:
        yield Problem(
            f"{'row' if ctx.type == 'row' else 'panel'} {ctx.title!r} repeats over "
            f"undefined variable ${repeat}",
            ctx.panel,
            ctx.path + "/repeat",
        )


@rule(
    "panel/undefined-variable",
    "error",
    "panel",
    "An undefined variable stays as literal text in the query and matches nothing.",
    "Define the variable under templating, or fix its name.",
)
def undefined_variable(ctx: PanelCtx) -> Iterator[Problem]:
    from ..context import BUILTIN_VARIABLES

    defined = set(ctx.dashboard.variables) | BUILTIN_VARIABLES
    seen: set[str] = set()
    for query in ctx.queries:
        for name in sorted(query.parsed.variables - defined - seen):
            seen.add(name)
            yield Problem(
                f"panel {ctx.title!r}: query {query.target.get('refId', '')} uses "
                f"undefined variable ${name}",
                query.target,
                query.path + "/expr",
            )
    for name in sorted(variables_in(datasource_uid(ctx.panel)) - defined - seen):
        yield Problem(
            f"panel {ctx.title!r}: datasource uses undefined variable ${name}",
            ctx.panel,
            ctx.path + "/datasource",
        )
