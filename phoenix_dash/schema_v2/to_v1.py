"""A schema v2 (or v2beta1) spec -> the v1 dashboard JSON: the inverse of ``dashboard.to_v2``,
so a dashboard stored as v2 can be pulled, adopted, linted and compared as phoenix-dash's v1
model. Positions inside rows become absolute again, rows stacked in order."""

from __future__ import annotations

from typing import Any

from ..provenance import SOURCE_KEY
from .common import JSON, flag, number, text
from .dashboard import CURSOR_SYNC
from .variables import HIDE, LEGACY_STRING, REFRESH, SORT

MIXED = {"type": "datasource", "uid": "-- Mixed --"}
V1_SCHEMA_VERSION = 42


def to_v1(spec: JSON, uid: str = "") -> JSON:
    settings = spec.get("timeSettings") or {}
    dashboard: JSON = {
        "annotations": {"list": [_annotation(a) for a in spec.get("annotations") or []]},
        "editable": flag(spec, "editable", True),
        "fiscalYearStartMonth": number(settings, "fiscalYearStartMonth"),
        "graphTooltip": _code(spec.get("cursorSync"), CURSOR_SYNC),
        "links": [_link(link) for link in spec.get("links") or []],
        "panels": _panels(spec),
        "refresh": text(settings, "autoRefresh"),
        "schemaVersion": V1_SCHEMA_VERSION,
        "tags": list(spec.get("tags") or []),
        "templating": {"list": [_variable(v) for v in spec.get("variables") or []]},
        "time": {"from": text(settings, "from", "now-6h"), "to": text(settings, "to", "now")},
        "timepicker": _timepicker(settings),
        "timezone": text(settings, "timezone", "browser"),
        "title": text(spec, "title"),
    }
    for key in ("description", "liveNow", "preload", "revision"):
        if key in spec:
            dashboard[key] = spec[key]
    if text(settings, "weekStart"):
        dashboard["weekStart"] = text(settings, "weekStart")
    if uid:
        dashboard["uid"] = uid
    return carry(spec, dashboard)


def carry(source: JSON, made: JSON) -> JSON:
    """``made`` with the stamp of the v2 object it was made from (a dashboard file's line:
    findings about the v1 model then name the line in the v2 file). Objects copied whole
    keep theirs; these are the ones made anew."""
    if SOURCE_KEY in source:
        made[SOURCE_KEY] = source[SOURCE_KEY]
    return made


def _code(name: Any, names: dict[int, str]) -> int:
    return next((code for code, known in names.items() if known == name), 0)


def _timepicker(settings: JSON) -> JSON:
    picker: JSON = {"refresh_intervals": list(settings.get("autoRefreshIntervals") or [])}
    if flag(settings, "hideTimepicker"):
        picker["hidden"] = True
    if text(settings, "nowDelay"):
        picker["nowDelay"] = text(settings, "nowDelay")
    if settings.get("quickRanges"):
        picker["quick_ranges"] = settings["quickRanges"]
    return picker


def _link(link: JSON) -> JSON:
    return {k: v for k, v in link.items() if k != "placement" or v}


def _reference(query: JSON) -> JSON | None:
    name = (query.get("datasource") or {}).get("name")
    group = text(query, "group")
    if not name and not group:
        return None
    ref: JSON = {"type": group} if group else {}
    if name:
        ref["uid"] = name
    return ref


def _annotation(annotation: JSON) -> JSON:
    spec = annotation.get("spec") or {}
    query = spec.get("query") or {}
    out: JSON = {
        "enable": flag(spec, "enable"),
        "hide": flag(spec, "hide"),
        "iconColor": text(spec, "iconColor"),
        "name": text(spec, "name"),
    }
    ref = _reference(query)
    if ref is not None:
        out["datasource"] = ref
    if query.get("spec"):
        out["target"] = query["spec"]
    if "builtIn" in spec:
        out["builtIn"] = 1 if spec["builtIn"] else 0
    if "filter" in spec:
        out["filter"] = spec["filter"]
    if "mappings" in spec:
        out["mappings"] = spec["mappings"]
    out.update(spec.get("legacyOptions") or {})
    if out.get("builtIn") and "type" not in out:
        out["type"] = "dashboard"  # what Grafana's built-in annotation says of itself
    return carry(annotation, out)


# --- panels and positions ---------------------------------------------------------------


def _panels(spec: JSON) -> list[JSON]:
    elements = spec.get("elements") or {}
    layout = spec.get("layout") or {}
    if layout.get("kind") == "RowsLayout":
        return _rows(layout, elements)
    return [_panel(item, elements, 0) for item in _items(layout)]


def _items(grid: JSON) -> list[JSON]:
    return [i for i in (grid.get("spec") or {}).get("items") or [] if isinstance(i, dict)]


def _rows(layout: JSON, elements: JSON) -> list[JSON]:
    panels: list[JSON] = []
    top = 0
    for row in (layout.get("spec") or {}).get("rows") or []:
        spec = row.get("spec") or {}
        items = _items(spec.get("layout") or {})
        header = not flag(spec, "hideHeader")
        offset = top + (1 if header else 0)
        inside = [_panel(item, elements, offset) for item in items]
        height = max(
            (number(i["spec"], "y") + number(i["spec"], "height") for i in items), default=0
        )
        if header:
            row_panel: JSON = {
                "collapsed": flag(spec, "collapse"),
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": top},
                "id": _row_id(panels, elements),
                "panels": inside if flag(spec, "collapse") else [],
                "title": text(spec, "title"),
                "type": "row",
            }
            carry(row, row_panel)
            if spec.get("repeat"):
                row_panel["repeat"] = spec["repeat"].get("value", "")
            panels.append(row_panel)
            top += 1
        if not (header and flag(spec, "collapse")):
            panels += inside
            top += height
    return panels


def _row_id(panels: list[JSON], elements: JSON) -> int:
    """A row panel's id: v2 rows have none; one above every panel id keeps ids unique."""
    ids = [number(e.get("spec") or {}, "id") for e in elements.values() if isinstance(e, dict)]
    ids += [number(p, "id") for p in panels]
    return max(ids, default=0) + 1


def _panel(item: JSON, elements: JSON, offset: int) -> JSON:
    spec = item.get("spec") or {}
    element = elements.get(str((spec.get("element") or {}).get("name")), {})
    grid = {
        "h": number(spec, "height", 3),
        "w": number(spec, "width", 6),
        "x": number(spec, "x"),
        "y": number(spec, "y") + offset,
    }
    body = element.get("spec") or {}
    if element.get("kind") == "LibraryPanel":
        panel: JSON = {
            "gridPos": grid,
            "id": number(body, "id"),
            "libraryPanel": body.get("libraryPanel") or {},
            "title": text(body, "title"),
        }
    else:
        panel = _visual_panel(body, grid)
    repeat = spec.get("repeat")
    if isinstance(repeat, dict) and repeat.get("value"):
        panel["repeat"] = repeat["value"]
        if repeat.get("direction"):
            panel["repeatDirection"] = repeat["direction"]
        if repeat.get("maxPerRow"):
            panel["maxPerRow"] = repeat["maxPerRow"]
    return carry(element, panel)


def _visual_panel(body: JSON, grid: JSON) -> JSON:
    data = (body.get("data") or {}).get("spec") or {}
    viz = body.get("vizConfig") or {}
    targets = [_target(q.get("spec") or {}) for q in data.get("queries") or []]
    panel: JSON = {
        "datasource": _panel_datasource(targets),
        "description": text(body, "description"),
        "fieldConfig": _field_config((viz.get("spec") or {}).get("fieldConfig") or {}),
        "gridPos": grid,
        "id": number(body, "id"),
        "links": body.get("links") or [],
        "options": (viz.get("spec") or {}).get("options") or {},
        "targets": targets,
        "title": text(body, "title"),
        "type": text(viz, "group") or text(viz, "kind"),
    }
    if panel["datasource"] is None:
        del panel["datasource"]
    if text(viz, "version"):
        panel["pluginVersion"] = text(viz, "version")
    if data.get("transformations"):
        panel["transformations"] = [_transformation(t) for t in data["transformations"]]
    panel.update(data.get("queryOptions") or {})
    if flag(body, "transparent"):
        panel["transparent"] = True
    return panel


def _target(query: JSON) -> JSON:
    inner = query.get("query") or {}
    target: JSON = {**(inner.get("spec") or {}), "refId": text(query, "refId", "A")}
    ref = _reference(inner)
    if ref is not None:
        target["datasource"] = ref
    if flag(query, "hidden"):
        target["hide"] = True
    return target


def _panel_datasource(targets: list[JSON]) -> JSON | None:
    refs = [t.get("datasource") for t in targets if t.get("datasource")]
    if not refs:
        return None
    return refs[0] if all(r == refs[0] for r in refs) else dict(MIXED)


def _transformation(step: JSON) -> JSON:
    spec = step.get("spec") or {}
    out: JSON = {"id": text(spec, "id") or text(step, "group") or text(step, "kind")}
    out.update({k: v for k, v in spec.items() if k != "id"})
    return out


def _field_config(config: JSON) -> JSON:
    overrides = []
    for override in config.get("overrides") or []:
        entry = {k: v for k, v in override.items() if k != "systemRef"}
        if "systemRef" in override:
            entry["__systemRef"] = override["systemRef"]
        overrides.append(entry)
    return {"defaults": config.get("defaults") or {}, "overrides": overrides}


# --- variables --------------------------------------------------------------------------


def _variable(variable: JSON) -> JSON:
    kind = str(variable.get("kind") or "")
    spec = dict(variable.get("spec") or {})
    out: JSON = {"type": VARIABLE_TYPES.get(kind, kind.removesuffix("Variable").lower())}
    out.update({k: v for k, v in spec.items() if k not in ("hide", "refresh", "sort", "query")})
    out["hide"] = _code(spec.get("hide"), HIDE)
    if "refresh" in spec:
        out["refresh"] = _code(spec.get("refresh"), REFRESH)
    if "sort" in spec:
        out["sort"] = _code(spec.get("sort"), SORT)
    query = spec.get("query")
    if kind == "QueryVariable" and isinstance(query, dict):
        inner = query.get("spec") or {}
        out["query"] = inner.get(LEGACY_STRING, inner) if LEGACY_STRING in inner else inner
        ref = _reference(query)
        if ref is not None:
            out["datasource"] = ref
    elif kind == "DatasourceVariable":
        out["query"] = out.pop("pluginId", "")
    elif query is not None:
        out["query"] = query
    if kind in ("AdhocVariable", "GroupByVariable"):
        ref = _reference({"group": variable.get("group"), "datasource": variable.get("datasource")})
        if ref is not None:
            out["datasource"] = ref
    return carry(variable, out)


VARIABLE_TYPES = {
    "QueryVariable": "query",
    "DatasourceVariable": "datasource",
    "CustomVariable": "custom",
    "AdhocVariable": "adhoc",
    "ConstantVariable": "constant",
    "IntervalVariable": "interval",
    "TextVariable": "textbox",
    "SwitchVariable": "switch",
    "GroupByVariable": "groupby",
}
