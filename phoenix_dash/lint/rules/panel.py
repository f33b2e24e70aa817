"""Panel rules (panel/*): options, queries, titles, units, ids, grid and variables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ...modern.common import PANEL_GRID_DEFAULTS
from ...modern.datasources import BUILTIN
from ..context import NO_QUERY_PANELS, DashboardCtx, PanelCtx, datasource_uid
from ..core import JSON, Problem, rule
from ..promql import variables_in
from ..schemas import (
    BREAKS,
    FILLED,
    TYPO,
    kind_of,
    known_units,
    plugin_errors,
)


@rule(
    "panel/id-unique",
    "error",
    "dashboard",
    "Grafana addresses panels by id (links, alert rules, viewPanel); duplicates collide.",
    "Let phoenix-dash derive ids, or give each panel its own id.",
)
def panel_id_unique(ctx: DashboardCtx) -> Iterator[Problem]:
    counts = Counter(p.panel.get("id") for p in ctx.panels if p.panel.get("id") is not None)
    reported = set()
    for panel in ctx.panels:
        panel_id = panel.panel.get("id")
        if panel_id is not None and counts[panel_id] > 1 and panel_id not in reported:
            reported.add(panel_id)
            yield Problem(
                f"panel id {panel_id} is used by {counts[panel_id]} panels",
                panel.panel,
                panel.path + "/id",
            )


@rule(
    "panel/grid-bounds",
    "error",
    "dashboard",
    "A panel past the 24th column or with no size is cut or moved by Grafana.",
    "Keep x + w <= 24 with w, h > 0 (or let phoenix-dash lay panels out).",
)
def grid_bounds(ctx: DashboardCtx) -> Iterator[Problem]:
    for panel in ctx.panels:
        box = _box(panel.panel)
        if box is None:
            yield Problem(
                f"panel {panel.title!r} has no gridPos Grafana can read",
                panel.panel,
                panel.path + "/gridPos",
            )
            continue
        x, y, w, h = box
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > 24:
            yield Problem(
                f"panel {panel.title!r} at x={x} w={w} h={h} is outside the 24-column grid",
                panel.panel,
                panel.path + "/gridPos",
            )


@rule(
    "panel/grid-overlap",
    "error",
    "dashboard",
    "Overlapping panels are pushed around by Grafana, so the layout differs from the code.",
    "Move or resize one of the panels (or let phoenix-dash lay panels out).",
)
def grid_overlap(ctx: DashboardCtx) -> Iterator[Problem]:
    # Collapsed rows' panels are laid out for when the row opens; compare them among
    # themselves, not with the panels that follow the row while it is closed.
    groups: dict[str, list[tuple[str, dict[str, object], str, tuple[int, int, int, int]]]] = {}
    for panel in ctx.panels:
        box = _box(panel.panel)
        if box is not None:
            inside = "/panels/" in panel.path.removeprefix("/panels/")
            key = panel.path.rsplit("/panels/", 1)[0] if inside else "top"
            groups.setdefault(key, []).append((panel.title, panel.panel, panel.path, box))
    for members in groups.values():
        for index, (title, node, path, (x, y, w, h)) in enumerate(members):
            for other_title, _, _, (ox, oy, ow, oh) in members[:index]:
                if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                    yield Problem(
                        f"panel {title!r} overlaps panel {other_title!r}", node, path + "/gridPos"
                    )


def _options_errors(ctx: PanelCtx) -> Iterator[tuple[str, Problem]]:
    for part, _, errors in plugin_errors(ctx.panel):
        pointer = "/" + part.replace(".", "/")
        for error in errors:
            path = "/".join(map(str, error.absolute_path))
            yield (
                kind_of(error),
                Problem(
                    f"panel {ctx.title!r}: {part}/{path}: {error.message}",
                    ctx.panel,
                    f"{ctx.path}{pointer}/{path}" if part == "options" else ctx.path + pointer,
                ),
            )


def _options_of_kind(ctx: PanelCtx, kinds: tuple[str, ...]) -> Iterator[Problem]:
    if "options" not in ctx.memo:  # one validation serves both rules
        ctx.memo["options"] = list(_options_errors(ctx))
    yield from (problem for kind, problem in ctx.memo["options"] if kind in kinds)


@rule(
    "panel/options-schema",
    "error",
    "panel",
    "Options a panel plugin does not understand are ignored or break the panel.",
    "Fix the option's value, or drop the option.",
)
def options_schema(ctx: PanelCtx) -> Iterator[Problem]:
    yield from _options_of_kind(ctx, (BREAKS,))


@rule(
    "panel/options-unknown-key",
    "warning",
    "panel",
    "An option the panel plugin does not know, close to one it does, is likely a typo: the "
    "plugin ignores it, and the setting meant is not applied.",
    "Correct the option's name.",
)
def options_unknown_key(ctx: PanelCtx) -> Iterator[Problem]:
    yield from _options_of_kind(ctx, (TYPO,))


@rule(
    "panel/options-defaults",
    "info",
    "panel",
    "The panel plugin's schema requires options Grafana fills in with their defaults when "
    "it loads the panel, and legacy options it ignores: it works, in another shape.",
    "`phoenix-dash lint --fix --json-file FILE` writes the options out.",
)
def options_defaults(ctx: PanelCtx) -> Iterator[Problem]:
    yield from _options_of_kind(ctx, (FILLED,))


# Grafana 12's autoMigrateAngular (public/app/features/dashboard/state/PanelModel.ts): the
# Angular panels it replaces on load, and with what.
AUTO_MIGRATED = {
    "graph": "timeseries",
    "table-old": "table",
    "singlestat": "stat",
    "grafana-singlestat-panel": "stat",
    "grafana-piechart-panel": "piechart",
    "grafana-worldmap-panel": "geomap",
    "natel-discrete-panel": "state-timeline",
}


@rule(
    "panel/angular",
    "warning",
    "panel",
    "Grafana 12 no longer runs Angular panels: it replaces this one on load with its React "
    "successor, whose options only approximate the old ones, and saves that.",
    "`phoenix-dash lint --fix` converts graph and singlestat panels as Grafana does; move "
    "the others to their successor by hand.",
)
def angular(ctx: PanelCtx) -> Iterator[Problem]:
    successor = AUTO_MIGRATED.get(ctx.type)
    if successor is not None:
        yield Problem(
            f"panel {ctx.title!r}: Angular {ctx.type} panel; Grafana 12 shows it as {successor}",
            ctx.panel,
            f"{ctx.path}/type",
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
    "off",
    "panel",
    "Untitled panels are hard to find, link and discuss.",
    "Give the panel a title.",
)
def missing_title(ctx: PanelCtx) -> Iterator[Problem]:
    if ctx.type != "text" and not ctx.title.strip():
        yield Problem(f"{ctx.type} panel has no title", ctx.panel, ctx.path)


@rule(
    "panel/missing-description",
    "off",
    "panel",
    "The description is the on-call engineer's only help when reading the panel.",
    "Say what the panel shows and what a bad value means.",
)
def missing_description(ctx: PanelCtx) -> Iterator[Problem]:
    if ctx.type not in ("row", "text") and not str(ctx.panel.get("description") or "").strip():
        yield Problem(f"panel {ctx.title!r} has no description", ctx.panel, ctx.path)


@rule(
    "panel/unknown-unit",
    "warning",  # the number is right; the made-up unit beside it misleads
    "panel",
    "Grafana shows a unit it does not know as plain text after the number.",
    "Use one of Grafana's unit ids (bytes, s, percentunit, reqps, ...). Option `required`: "
    'a number panel without a unit is a finding too ("none" says it has none).',
    # dashboard-linter's policy: a number panel states its unit ("none" when it has none).
    options={"required": False},
)
def unknown_unit(ctx: PanelCtx) -> Iterator[Problem]:
    defaults = (ctx.panel.get("fieldConfig") or {}).get("defaults") or {}
    if ctx.dashboard.project.settings.options("panel/unknown-unit")["required"]:
        yield from _missing_unit(ctx, defaults)
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


# Panels that show numbers, where a missing unit leaves the reader guessing.
NUMBER_PANELS = frozenset({"timeseries", "graph", "stat", "singlestat", "gauge", "bargauge"})


def _missing_unit(ctx: PanelCtx, defaults: JSON) -> Iterator[Problem]:
    if ctx.type not in NUMBER_PANELS or defaults.get("unit"):
        return
    overrides = (ctx.panel.get("fieldConfig") or {}).get("overrides") or []
    mapped = bool(defaults.get("mappings")) or any(
        isinstance(p, dict) and p.get("id") == "mappings"
        for o in overrides
        if isinstance(o, dict)
        for p in o.get("properties") or []
    )
    options = ctx.panel.get("options")
    reduce = options.get("reduceOptions") if isinstance(options, dict) else None
    # a stat of one chosen field (a version string, a name) has no unit to state
    shows_text = ctx.type == "stat" and isinstance(reduce, dict) and bool(reduce.get("fields"))
    if not mapped and not shows_text:
        yield Problem(
            f"panel {ctx.title!r} has no unit", ctx.panel, f"{ctx.path}/fieldConfig/defaults/unit"
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

    defined = set(ctx.dashboard.variables) | BUILTIN_VARIABLES | ctx.dashboard.export_inputs
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


@rule(
    "panel/datasource-variable",
    "off",
    "dashboard",
    "A panel pinned to one datasource (a uid, a name, or none: the default) ignores the "
    "dashboard's datasource picker, so it shows another environment's data.",
    'Set the panel\'s datasource to {"type": "prometheus", "uid": "${datasource}"}.',
)
def panel_datasource_variable(ctx: DashboardCtx) -> Iterator[Problem]:
    pickers = set(ctx.datasource_variable_types)
    for panel in ctx.panels:
        if panel.type in NO_QUERY_PANELS:
            continue
        reference = panel.panel.get("datasource")
        uid = datasource_uid(panel.panel)
        picked = variables_in(uid)
        # Grafana's own (-- Mixed --, -- Dashboard --, -- Grafana --) are no environment's.
        if uid in BUILTIN or (picked and picked <= pickers):
            continue
        if isinstance(reference, dict) and reference.get("type") not in (None, "prometheus"):
            continue  # the picker rule is about Prometheus panels
        yield Problem(
            f"panel {panel.title!r} uses "
            + (f"datasource {uid!r}" if uid else "the default datasource")
            + ", not a datasource variable",
            panel.panel,
            panel.path + "/datasource",
        )


def _box(panel: dict[str, object]) -> tuple[int, int, int, int] | None:
    grid = panel.get("gridPos", {})  # none at all: Grafana's save left out the default
    if not isinstance(grid, dict):
        return None
    try:
        x, y, w, h = (int(grid.get(k, PANEL_GRID_DEFAULTS[k])) for k in ("x", "y", "w", "h"))
    except (TypeError, ValueError):
        return None
    return x, y, w, h


@rule(
    "panel/duplicate-ref-id",
    "error",
    "panel",
    "Two queries of one panel with the same refId: Grafana keys results and expressions by "
    "refId, so one query's series replace the other's.",
    "Give each query of the panel its own refId (A, B, C...).",
)
def duplicate_ref_id(ctx: PanelCtx) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, target in enumerate(ctx.panel.get("targets") or []):
        ref = target.get("refId") if isinstance(target, dict) else None
        if not isinstance(ref, str) or not ref:
            continue
        if ref in seen:
            yield Problem(
                f"panel {ctx.title!r}: queries {seen[ref] + 1} and {index + 1} both have "
                f"refId {ref!r}",
                target,
                f"{ctx.path}/targets/{index}/refId",
            )
        else:
            seen[ref] = index
