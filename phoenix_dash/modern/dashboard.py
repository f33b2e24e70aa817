"""The dashboard-level pass: grafanalib's schemaVersion 12 JSON in, schemaVersion 42 out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import DatasourceRef
from ..provenance import SOURCE_KEY
from .common import JSON, drop_if, drop_nulls, fail, pop_keys
from .datasources import NO_DATASOURCE_PANELS, DatasourceResolver
from .ids import assign_ids
from .layout import GRID_COLUMNS, ROW_HEIGHT, as_placed, layout, size_hint
from .old_schema import split_statistics_keeping_nulls, upgrade_saved_dashboard
from .panels import modernize_panel
from .targets import modernize_targets

SCHEMA_VERSION = 42
EXPORT_KEYS = ("__inputs", "__requires")  # what an export for sharing declares
LEGACY_DASHBOARD_KEYS = (
    "__inputs",
    "__requires",
    "hideControls",
    "sharedCrosshair",
    "style",
    "rows",
    "id",
    "version",
    "gnetId",
)
ROW_KEYS = ("id", "type", "title", "collapsed", "repeat", "gridPos", SOURCE_KEY)
LEGACY_VARIABLE_KEYS = ("useTags", "tagsQuery", "tagValuesQuery", "tags")
INTERVAL_ONLY_KEYS = ("auto", "auto_min", "auto_count")
LINK_DEFAULTS: JSON = {
    "icon": "external link",
    "tooltip": "",
    "tags": [],
    "asDropdown": False,
    "targetBlank": False,
    "includeVars": False,
    "keepTime": False,
}
BUILTIN_ANNOTATION: JSON = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}


@dataclass(frozen=True)
class ModernizeContext:
    datasources: Mapping[str, DatasourceRef] = field(default_factory=dict)
    default_datasource: str | None = None
    # A dashboard Grafana saved (adopt), read as Grafana reads it: duplicate panel ids
    # renumbered, references by type alone kept. Authored code stays strict.
    saved_by_grafana: bool = False
    # adopt --datasource NAME=PROJECT_NAME: an export's input, or a name or uid, mapped.
    mapped_datasources: Mapping[str, DatasourceRef] = field(default_factory=dict)
    # lint --fix on a foreign file: references the project cannot map kept as Grafana keeps
    # them (datasources.py, DatasourceResolver).
    keep_unknown_datasources: bool = False
    # Filled by modernize_dashboard: references adopting kept unresolved, for people.
    notes: list[str] = field(default_factory=list)


def modernize_dashboard(raw: JSON, ctx: ModernizeContext, *, consume: bool = False) -> JSON:
    """Return the Grafana 12 form of ``raw`` (grafanalib's JSON, or any exported dashboard).

    ``raw`` is left as it is, unless ``consume`` says the caller hands over a private,
    null-free tree (the loader's), which then is modernised in place to save a deep copy.
    """
    if ctx.saved_by_grafana and not consume:
        raw = split_statistics_keeping_nulls(raw)
    dash: JSON = raw if consume else drop_nulls(raw)
    if ctx.saved_by_grafana:
        upgrade_saved_dashboard(dash)
    if dash.get("sharedCrosshair") and not dash.get("graphTooltip"):
        dash["graphTooltip"] = 1
    positioned = has_positions(dash, overlaps_kept=ctx.saved_by_grafana)
    items = _authoring_items(dash, positioned)
    resolver = DatasourceResolver.for_dashboard(  # before __inputs goes with the legacy keys
        dash,
        ctx.datasources,
        ctx.default_datasource,
        ctx.saved_by_grafana,
        ctx.mapped_datasources,
        ctx.keep_unknown_datasources,
        ctx.notes,
    )
    # A foreign file kept as Grafana keeps it keeps its export contract (its inputs).
    kept = EXPORT_KEYS if ctx.keep_unknown_datasources else ()
    pop_keys(dash, *(key for key in LEGACY_DASHBOARD_KEYS if key not in kept))
    dash["schemaVersion"] = SCHEMA_VERSION
    variables = dash.setdefault("templating", {}).setdefault("list", [])
    for variable in variables:
        _modernize_variable(variable, resolver, ctx)
    _modernize_annotations(dash, resolver)
    dash["links"] = [{**LINK_DEFAULTS, **link} for link in dash.get("links", [])]
    _modernize_timepicker(dash)
    drop_if(dash, "description", "")
    for item in items:
        _modernize_item(item, resolver)
    assign_ids(items, renumber=ctx.saved_by_grafana)
    dash["panels"] = as_placed(items) if positioned else layout(items)
    return dash


def _authoring_items(dash: JSON, positioned: bool = False) -> list[JSON]:
    """Top-level panels and rows, children nested in their row, sizes read as hints (and,
    for a dashboard that has positions, its positions kept).

    grafanalib's legacy ``rows`` (Row objects) become row panels.
    """
    items: list[JSON] = []
    for row in dash.get("rows", []):
        children = row.get("panels", [])
        for child in children:
            child["gridPos"] = _hint(child, row.get("height"))
        if not row.get("showTitle", True) and not row.get("repeat"):
            items.extend(children)
            continue
        converted = {
            "type": "row",
            "title": row.get("title", ""),
            "collapsed": bool(row.get("collapse", False)),
            "panels": children,
        }
        if row.get("repeat"):
            converted["repeat"] = row["repeat"]
        if SOURCE_KEY in row:
            converted[SOURCE_KEY] = row[SOURCE_KEY]
        items.append(converted)
    for panel in dash.get("panels", []):
        if panel.get("type") == "row":
            for child in panel.get("panels", []):
                child["gridPos"] = _hint(child, keep=positioned)
            if positioned:
                panel["gridPos"] = {**panel["gridPos"], "h": ROW_HEIGHT, "w": GRID_COLUMNS}
        else:
            panel["gridPos"] = _hint(panel, keep=positioned)
        items.append(panel)
    return items


def _hint(panel: JSON, default_height: Any = None, keep: bool = False) -> JSON:
    width, height = size_hint(panel, default_height)
    grid = panel.get("gridPos") if keep else None
    x, y = (grid["x"], grid["y"]) if isinstance(grid, dict) else (0, 0)
    return {"h": height, "w": width, "x": x, "y": y}


def has_positions(dash: JSON, overlaps_kept: bool = False) -> bool:
    """Whether the dashboard places its panels itself: every panel has a whole position
    and no two overlap (as in anything Grafana saved). Then the positions are kept;
    otherwise (grafanalib's sizes, all at 0,0) the automatic layout places them. A
    dashboard Grafana saved keeps its positions even where two overlap (``overlaps_kept``):
    Grafana stores them so, and its grid pushes one down when it shows them."""
    if dash.get("rows"):
        return False
    shown: list[tuple[int, int, int, int]] = []
    for panel in dash.get("panels", []):
        if not _placed(panel):
            return False
        grid = panel["gridPos"]
        width = GRID_COLUMNS if panel.get("type") == "row" else grid["w"]
        height = ROW_HEIGHT if panel.get("type") == "row" else grid["h"]
        shown.append((grid["x"], grid["y"], width, height))
        if panel.get("type") == "row" and not all(_placed(c) for c in panel.get("panels", [])):
            return False
    return bool(shown) and (
        overlaps_kept
        or not any(_overlap(a, b) for i, a in enumerate(shown) for b in shown[i + 1 :])
    )


def _placed(panel: Any) -> bool:
    grid = panel.get("gridPos") if isinstance(panel, dict) else None
    return isinstance(grid, dict) and all(
        isinstance(grid.get(k), int) and not isinstance(grid.get(k), bool)
        for k in ("x", "y", "w", "h")
    )


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _modernize_item(item: JSON, resolver: DatasourceResolver) -> None:
    if item.get("type") != "row":
        _modernize_one(item, resolver)
        return
    children = item.get("panels", [])
    for child in children:
        if child.get("type") == "row":
            raise fail(child, f"row {child.get('title')!r} is nested inside another row")
        _modernize_one(child, resolver)
    kept: JSON = {k: item[k] for k in ROW_KEYS if k in item}
    item.clear()
    item.update(kept)
    item["collapsed"] = bool(item.get("collapsed", False))
    item["panels"] = children


def _modernize_one(panel: JSON, resolver: DatasourceResolver) -> None:
    modernize_panel(panel)
    if panel.get("type") in NO_DATASOURCE_PANELS:
        panel.pop("datasource", None)
        panel.pop("targets", None)
        return
    ref = resolver.resolve(panel.get("datasource"), panel)
    if ref is not None:
        panel["datasource"] = ref
    modernize_targets(panel, ref, resolver)
    if "datasource" not in panel:
        default = resolver.default_ref(panel)
        if default is not None:
            panel["datasource"] = default


def _modernize_variable(
    variable: JSON, resolver: DatasourceResolver, ctx: ModernizeContext
) -> None:
    pop_keys(variable, *LEGACY_VARIABLE_KEYS)
    kind = variable.get("type", "query")
    if kind != "interval":
        pop_keys(variable, *INTERVAL_ONLY_KEYS)
    for option in variable.get("options", []):
        pop_keys(option, "tags")
    if kind == "datasource":
        variable.pop("datasource", None)
        _default_datasource_choice(variable, ctx)
    elif "datasource" in variable or kind in ("query", "adhoc"):
        what = f"variable ${variable.get('name')}"
        ref = resolver.resolve(variable.get("datasource"), variable, what)
        ref = ref if ref is not None else resolver.default_ref(variable, what)
        if ref is not None:
            variable["datasource"] = ref
        else:
            variable.pop("datasource", None)
    if kind == "query" and isinstance(variable.get("query"), str):
        variable.setdefault("definition", variable["query"])
    _modernize_current(variable)


def _default_datasource_choice(variable: JSON, ctx: ModernizeContext) -> None:
    current = variable.get("current") or {}
    if current.get("value"):
        return
    kind = variable.get("query")
    candidates = [(n, r) for n, r in ctx.datasources.items() if r.type == kind]
    # Prefer the datasource named after its type ("prometheus"), else the only one of the type.
    candidates = [c for c in candidates if c[0] == kind] or candidates
    if len(candidates) == 1:
        name, ref = candidates[0]
        variable["current"] = {"text": name, "value": ref.uid}


def _modernize_current(variable: JSON) -> None:
    current = variable.get("current")
    if not isinstance(current, dict):
        return
    pop_keys(current, "tags")
    if "value" not in current or "text" not in current:
        if variable.get("includeAll"):
            all_choice = ["All"] if variable.get("multi") else "All"
            all_value = ["$__all"] if variable.get("multi") else "$__all"
            variable["current"] = {"text": all_choice, "value": all_value}
        else:
            del variable["current"]
        return
    drop_if(current, "selected", False)


def _modernize_annotations(dash: JSON, resolver: DatasourceResolver) -> None:
    container = dash.setdefault("annotations", {})
    annotations = container.setdefault("list", [])
    for annotation in annotations:
        what = f"annotation {annotation.get('name')!r}"
        ref = resolver.resolve(annotation.get("datasource"), annotation, what)
        if ref is not None:
            annotation["datasource"] = ref
    if not any(a.get("builtIn") for a in annotations):
        annotations.insert(0, dict(BUILTIN_ANNOTATION))


def _modernize_timepicker(dash: JSON) -> None:
    picker = dash.get("timepicker")
    if not isinstance(picker, dict):
        return
    pop_keys(picker, "time_options", "collapse", "enable", "notice", "now", "status", "type")
    drop_if(picker, "nowDelay", "")
    drop_if(picker, "hidden", False)
    if not picker:
        del dash["timepicker"]
