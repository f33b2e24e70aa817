"""v1 panels -> v2 elements (schema v2beta1 shapes), as Grafana's converter makes them
(apps/dashboard/pkg/migration/conversion, v1beta1 -> v2alpha1 -> v2beta1): queries with
their datasource as group and name, transformations, query options, links, and the
visualization's options and field config."""

from __future__ import annotations

from typing import Any

from .common import (
    GRAFANA_DATASOURCE_UID,
    JSON,
    DatasourceIndex,
    as_reference,
    data_query,
    flag,
    is_template_variable,
    number,
    text,
)

MIXED = "-- Mixed --"
FIELD_DEFAULT_KEYS: dict[str, type | tuple[type, ...]] = {
    "decimals": (int, float),
    "max": (int, float),
    "min": (int, float),
    "description": str,
    "displayName": str,
    "displayNameFromDS": str,
    "noValue": str,
    "path": str,
    "unit": str,
    "filterable": bool,
    "writeable": bool,
    "fieldMinMax": bool,
    "links": list,
}


def element_name(panel: JSON) -> str:
    return f"panel-{number(panel, 'id')}"


def element(panel: JSON, index: DatasourceIndex) -> JSON:
    library = panel.get("libraryPanel")
    if isinstance(library, dict):
        return {
            "kind": "LibraryPanel",
            "spec": {
                "id": number(panel, "id"),
                "title": text(panel, "title"),
                "libraryPanel": {"name": text(library, "name"), "uid": text(library, "uid")},
            },
        }
    spec: JSON = {
        "id": number(panel, "id"),
        "title": text(panel, "title"),
        "description": text(panel, "description"),
        "links": _links(panel),
        "data": {
            "kind": "QueryGroup",
            "spec": {
                "queries": _queries(panel, index),
                "transformations": _transformations(panel),
                "queryOptions": _query_options(panel),
            },
        },
        "vizConfig": _viz_config(panel),
    }
    if flag(panel, "transparent"):
        spec["transparent"] = True
    return {"kind": "Panel", "spec": spec}


def _panel_datasource(panel: JSON, index: DatasourceIndex) -> tuple[str, str] | None:
    ref = as_reference(panel.get("datasource"))
    if not isinstance(ref, dict):
        return None
    uid, kind = text(ref, "uid"), text(ref, "type")
    if not uid and not kind:
        return None  # an empty reference stays empty
    if uid and not kind and not is_template_variable(uid):
        kind = index.type_of(uid)
    if kind == "datasource" and not uid:
        uid = GRAFANA_DATASOURCE_UID
    return kind, uid


def _queries(panel: JSON, index: DatasourceIndex) -> list[JSON]:
    targets = [t for t in panel.get("targets") or [] if isinstance(t, dict)]
    if not isinstance(panel.get("targets"), list):
        return []
    used = {text(t, "refId") for t in targets if text(t, "refId")}
    named = []
    for target in targets:
        ref_id = text(target, "refId")
        if not ref_id:
            ref_id = _next_ref_id(used)
            used.add(ref_id)
        named.append((ref_id, target))
    panel_ds = _panel_datasource(panel, index)
    return [_query(ref_id, target, panel_ds, index) for ref_id, target in named]


def _next_ref_id(used: set[str]) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def name(number_: int) -> str:
        if number_ < len(letters):
            return letters[number_]
        return name(number_ // len(letters) - 1) + letters[number_ % len(letters)]

    count = 0
    while name(count) in used:
        count += 1
    return name(count)


def _query(
    ref_id: str, target: JSON, panel_ds: tuple[str, str] | None, index: DatasourceIndex
) -> JSON:
    kind, uid = "", ""
    ref = as_reference(target.get("datasource"))
    if isinstance(ref, dict) and (text(ref, "uid") or text(ref, "type")):
        uid, kind = text(ref, "uid"), text(ref, "type")
        if uid and not kind and not is_template_variable(uid):
            kind = index.type_of(uid)
        if kind == "datasource" and not uid:
            uid = GRAFANA_DATASOURCE_UID
    if not uid and not kind and panel_ds is not None:
        panel_kind, panel_uid = panel_ds
        if panel_uid and panel_uid != MIXED:
            kind, uid = panel_kind, panel_uid
        elif panel_kind == "datasource":
            kind, uid = panel_kind, GRAFANA_DATASOURCE_UID
    spec = {k: v for k, v in target.items() if k not in ("refId", "hide", "datasource")}
    return {
        "kind": "PanelQuery",
        "spec": {
            "query": data_query(kind, uid, spec),
            "refId": ref_id,
            "hidden": flag(target, "hide"),
        },
    }


def _objects(panel: JSON, key: str) -> list[JSON]:
    """The objects in the panel's list under ``key`` (anything else there is ignored)."""
    found = panel.get(key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _transformations(panel: JSON) -> list[JSON]:
    out = []
    for step in _objects(panel, "transformations"):
        spec: JSON = {"id": text(step, "id")}
        if "options" in step:
            spec["options"] = step["options"]
        out.append({"kind": text(step, "id"), "spec": spec})
    return out


def _query_options(panel: JSON) -> JSON:
    options: JSON = {}
    for key in ("cacheTimeout", "interval", "timeFrom", "timeShift"):
        if text(panel, key):
            options[key] = text(panel, key)
    if number(panel, "maxDataPoints") > 0:
        options["maxDataPoints"] = number(panel, "maxDataPoints")
    if flag(panel, "hideTimeOverride"):
        options["hideTimeOverride"] = True
    ttl = panel.get("queryCachingTTL")
    if (isinstance(ttl, (int, float)) and not isinstance(ttl, bool)) or (
        isinstance(ttl, str) and ttl.lstrip("-").isdigit()
    ):
        options["queryCachingTTL"] = int(ttl)
    return options


def _links(panel: JSON) -> list[JSON]:
    out = []
    for link in _objects(panel, "links"):
        entry: JSON = {"title": text(link, "title"), "url": text(link, "url")}
        if "targetBlank" in link:
            entry["targetBlank"] = flag(link, "targetBlank")
        out.append(entry)
    return out


def _viz_config(panel: JSON) -> JSON:
    kind = text(panel, "type", "timeseries")
    options: JSON = dict(panel["options"]) if isinstance(panel.get("options"), dict) else {}
    # Later converters also mark old (Angular) panels for the frontend's own migration
    # (options.__angularMigration); the goldens' converter does not, and phoenix-dash's
    # modern layer migrates such panels before any conversion.
    field_config = panel.get("fieldConfig") if isinstance(panel.get("fieldConfig"), dict) else {}
    return {
        "kind": "VizConfig",
        "group": kind,
        "version": text(panel, "pluginVersion"),
        "spec": {"options": options, "fieldConfig": _field_config(field_config or {})},
    }


def _field_config(field_config: JSON) -> JSON:
    defaults = field_config.get("defaults")
    return {
        "defaults": _field_defaults(defaults) if isinstance(defaults, dict) else {},
        "overrides": _overrides(field_config.get("overrides")),
    }


def _field_defaults(defaults: JSON) -> JSON:
    out: JSON = {}
    color = defaults.get("color")
    if isinstance(color, dict):
        out["color"] = {
            k: color[k] for k in ("mode", "fixedColor", "seriesBy") if isinstance(color.get(k), str)
        }
    if isinstance(defaults.get("custom"), dict):
        out["custom"] = defaults["custom"]
    for key, kinds in FIELD_DEFAULT_KEYS.items():
        value = defaults.get(key)
        if _is(value, kinds):
            out[key] = value
    if "mappings" in defaults:
        mappings = _mappings(defaults["mappings"])
        if mappings:
            out["mappings"] = mappings
    if isinstance(defaults.get("thresholds"), dict):
        out["thresholds"] = _thresholds(defaults["thresholds"])
    return out or {"custom": {}}


def _is(value: Any, kinds: type | tuple[type, ...]) -> bool:
    """isinstance, where a bool is not a number (JSON true is not 1)."""
    if isinstance(value, bool):
        return kinds is bool
    return isinstance(value, kinds)


def _thresholds(thresholds: JSON) -> JSON:
    out: JSON = {}
    if isinstance(thresholds.get("mode"), str):
        out["mode"] = thresholds["mode"]
    steps = thresholds.get("steps")
    if isinstance(steps, list):
        out["steps"] = [
            {
                "value": step.get("value")
                if isinstance(step.get("value"), (int, float))
                and not isinstance(step.get("value"), bool)
                else None,
                "color": text(step, "color"),
            }
            for step in steps
            if isinstance(step, dict)
        ]
    return out


def _mappings(mappings: Any) -> list[JSON]:
    out = []
    for mapping in mappings if isinstance(mappings, list) else []:
        if not isinstance(mapping, dict) or not isinstance(mapping.get("type"), str):
            continue
        options = mapping.get("options")
        kind = mapping["type"]
        if kind == "value":
            results = options if isinstance(options, dict) else {}
            out.append(
                {
                    "type": "value",
                    "options": {
                        k: _mapping_result(v) for k, v in results.items() if isinstance(v, dict)
                    },
                }
            )
        elif kind in ("range", "regex", "special") and isinstance(options, dict) and options:
            converted = _mapping_options(kind, options)
            if converted is not None:
                out.append({"type": kind, "options": converted})
    return out


def _mapping_options(kind: str, options: JSON) -> JSON | None:
    result = _mapping_result(options.get("result") or {})
    if kind == "range":
        if options.get("from") is None and options.get("to") is None:
            return None
        bounds = {k: options[k] for k in ("from", "to") if isinstance(options.get(k), (int, float))}
        return {**bounds, "result": result}
    if kind == "regex":
        return {"pattern": text(options, "pattern"), "result": result}
    return {"match": text(options, "match"), "result": result}


def _mapping_result(result: Any) -> JSON:
    if not isinstance(result, dict):
        return {}
    out = {k: result[k] for k in ("text", "color", "icon") if isinstance(result.get(k), str)}
    if isinstance(result.get("index"), (int, float)) and not isinstance(result["index"], bool):
        out["index"] = int(result["index"])
    return out


def _overrides(overrides: Any) -> list[JSON]:
    out = []
    for override in overrides if isinstance(overrides, list) else []:
        if not isinstance(override, dict):
            continue
        entry: JSON = {}
        if isinstance(override.get("__systemRef"), str):
            entry["__systemRef"] = override["__systemRef"]
        matcher = override.get("matcher")
        if isinstance(matcher, dict):
            entry["matcher"] = {"id": text(matcher, "id")}
            if "options" in matcher:
                entry["matcher"]["options"] = matcher["options"]
        properties = override.get("properties")
        if isinstance(properties, list):
            entry["properties"] = [
                {"id": text(p, "id"), **({"value": p["value"]} if "value" in p else {})}
                for p in properties
                if isinstance(p, dict)
            ]
        out.append(entry)
    return out
