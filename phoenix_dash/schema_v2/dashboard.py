"""A v1 dashboard (schemaVersion 42/43 JSON) -> its schema v2 spec, in agreement with
Grafana's own converter (apps/dashboard/pkg/migration/conversion): the spec of
``dashboard.grafana.app/v2beta1`` and of ``/v2``, which differs only in how a
transformation names itself."""

from __future__ import annotations

from . import layout as layouts
from .common import JSON, DatasourceIndex, data_query, flag, number, strings, text
from .panels import element, element_name
from .variables import variables

CURSOR_SYNC = {0: "Off", 1: "Crosshair", 2: "Tooltip"}
REFRESH_INTERVALS = ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]
ANNOTATION_KEYS = frozenset(
    {"name", "datasource", "enable", "hide", "iconColor", "filter", "target", "builtIn",
     "type", "mappings"}
)  # fmt: skip


def to_v2beta1(dashboard: JSON, index: DatasourceIndex) -> JSON:
    """The v2beta1 spec of ``dashboard``; its datasource references are completed with
    ``index`` (uid -> type, the default's type), as Grafana completes them with its own."""
    elements: dict[str, JSON] = {}

    def add(panel: JSON) -> str | None:
        name = element_name(panel)
        elements[name] = element(panel, index)
        return name

    panels = [p for p in dashboard.get("panels") or [] if isinstance(p, dict)]
    spec: JSON = {
        "annotations": _annotations(dashboard),
        "cursorSync": CURSOR_SYNC.get(number(dashboard, "graphTooltip"), "Off"),
        "editable": flag(dashboard, "editable", True),
        "elements": elements,
        "layout": layouts.layout(panels, add),
        "links": _links(dashboard),
        "liveNow": flag(dashboard, "liveNow"),
        "preload": flag(dashboard, "preload"),
        "tags": strings(dashboard, "tags"),
        "timeSettings": _time_settings(dashboard),
        "title": text(dashboard, "title"),
        "variables": variables(dashboard, index),
    }
    if text(dashboard, "description"):
        spec["description"] = text(dashboard, "description")
    revision = dashboard.get("revision")
    if isinstance(revision, (int, float)) and not isinstance(revision, bool):
        spec["revision"] = int(revision)
    return spec


def to_v2(dashboard: JSON, index: DatasourceIndex) -> JSON:
    """The v2 spec: v2beta1's, each transformation a ``Transformation`` of its id's group."""
    return beta1_to_v2(to_v2beta1(dashboard, index))


def beta1_to_v2(spec: JSON) -> JSON:
    out = dict(spec)
    out["elements"] = {name: _v2_element(e) for name, e in spec.get("elements", {}).items()}
    return out


def _v2_element(element_: JSON) -> JSON:
    if element_.get("kind") != "Panel":
        return element_
    data = element_["spec"]["data"]
    steps = [
        {
            "kind": "Transformation",
            "group": step["kind"],
            "spec": {k: v for k, v in step["spec"].items() if k != "id"},
        }
        for step in data["spec"].get("transformations", [])
    ]
    data = {**data, "spec": {**data["spec"], "transformations": steps}}
    return {**element_, "spec": {**element_["spec"], "data": data}}


def _time_settings(dashboard: JSON) -> JSON:
    time = dashboard.get("time") if isinstance(dashboard.get("time"), dict) else {}
    assert isinstance(time, dict)
    settings: JSON = {
        "timezone": dashboard["timezone"]
        if isinstance(dashboard.get("timezone"), str)
        else "browser",
        "from": text(time, "from", "now-6h"),
        "to": text(time, "to", "now"),
        "autoRefresh": text(dashboard, "refresh"),
        "autoRefreshIntervals": REFRESH_INTERVALS,
        "hideTimepicker": False,
        "fiscalYearStartMonth": number(dashboard, "fiscalYearStartMonth"),
    }
    if text(dashboard, "weekStart"):
        settings["weekStart"] = text(dashboard, "weekStart")
    picker = dashboard.get("timepicker")
    if isinstance(picker, dict):
        intervals = strings(picker, "refresh_intervals")
        if intervals:
            settings["autoRefreshIntervals"] = intervals
        settings["hideTimepicker"] = flag(picker, "hidden")
        if text(picker, "nowDelay"):
            settings["nowDelay"] = text(picker, "nowDelay")
        ranges = picker.get("quick_ranges")
        if isinstance(ranges, list):
            settings["quickRanges"] = [
                {"display": text(r, "display"), "from": text(r, "from"), "to": text(r, "to")}
                for r in ranges
                if isinstance(r, dict)
            ]
    return settings


def _links(dashboard: JSON) -> list[JSON]:
    out = []
    for link in dashboard.get("links") or []:
        if not isinstance(link, dict):
            continue
        entry: JSON = {
            "title": text(link, "title"),
            "type": text(link, "type", "link"),
            "icon": text(link, "icon"),
            "tooltip": text(link, "tooltip"),
            "tags": strings(link, "tags"),
            "asDropdown": flag(link, "asDropdown"),
            "targetBlank": flag(link, "targetBlank"),
            "includeVars": flag(link, "includeVars"),
            "keepTime": flag(link, "keepTime"),
        }
        for key in ("url", "placement"):
            if isinstance(link.get(key), str):
                entry[key] = link[key]
        out.append(entry)
    return out


def _annotations(dashboard: JSON) -> list[JSON]:
    found = dashboard.get("annotations")
    listed = found.get("list") if isinstance(found, dict) else None
    return [
        _annotation(a) for a in (listed if isinstance(listed, list) else []) if isinstance(a, dict)
    ]


def _annotation(annotation: JSON) -> JSON:
    ref = annotation.get("datasource") if isinstance(annotation.get("datasource"), dict) else {}
    assert isinstance(ref, dict)
    kind, uid = text(ref, "type"), text(ref, "uid")
    target = annotation.get("target")
    query = data_query(
        kind, uid if (kind and uid) else "", target if isinstance(target, dict) else {}
    )
    spec: JSON = {
        "query": query,
        "enable": flag(annotation, "enable"),
        "hide": flag(annotation, "hide"),
        "iconColor": text(annotation, "iconColor", "red"),
        "name": text(annotation, "name"),
    }
    built_in = annotation.get("builtIn")
    if isinstance(built_in, (bool, int, float)):
        spec["builtIn"] = bool(built_in)
    if isinstance(annotation.get("filter"), dict):
        spec["filter"] = _filter(annotation["filter"])
    if isinstance(annotation.get("mappings"), dict):
        spec["mappings"] = _event_mappings(annotation["mappings"])
    legacy = {k: v for k, v in annotation.items() if k not in ANNOTATION_KEYS}
    if text(annotation, "type"):
        legacy["type"] = text(annotation, "type")
    if legacy:
        spec["legacyOptions"] = legacy
    return {"kind": "AnnotationQuery", "spec": spec}


def _filter(found: JSON) -> JSON:
    out: JSON = {"ids": [int(i) for i in found.get("ids") or [] if isinstance(i, (int, float))]}
    if flag(found, "exclude"):
        out["exclude"] = True
    return out


def _event_mappings(mappings: JSON) -> JSON:
    out: JSON = {}
    for key, value in mappings.items():
        if isinstance(value, str) and value:
            out[key] = {"source": "field", "value": value}
        elif isinstance(value, dict):
            entry: JSON = {"source": text(value, "source", "field")}
            for name in ("value", "regex"):
                if text(value, name):
                    entry[name] = text(value, name)
            out[key] = entry
    return out
