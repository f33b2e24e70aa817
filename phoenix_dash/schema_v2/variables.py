"""v1 template variables -> typed v2 variables (QueryVariable, CustomVariable, ...), with
the defaults Grafana's converter gives (hide, refresh and sort as names, options always
present, allowCustomValue true). Unknown types are dropped, as Grafana drops them."""

from __future__ import annotations

from typing import Any

from .common import (
    GRAFANA_DATASOURCE_UID,
    JSON,
    DatasourceIndex,
    data_query,
    flag,
    is_template_variable,
    number,
    strings,
    text,
)

LEGACY_STRING = "__legacyStringValue"  # how v2 keeps a query that v1 wrote as a string
HIDE = {0: "dontHide", 1: "hideLabel", 2: "hideVariable"}
REFRESH = {0: "never", 1: "onDashboardLoad", 2: "onTimeRangeChanged"}
SORT = {
    0: "disabled",
    1: "alphabeticalAsc",
    2: "alphabeticalDesc",
    3: "numericalAsc",
    4: "numericalDesc",
    5: "alphabeticalCaseInsensitiveAsc",
    6: "alphabeticalCaseInsensitiveDesc",
    7: "naturalAsc",
    8: "naturalDesc",
}


def variables(dashboard: JSON, index: DatasourceIndex) -> list[JSON]:
    templating = dashboard.get("templating")
    listed = templating.get("list") if isinstance(templating, dict) else None
    out = []
    for variable in listed if isinstance(listed, list) else []:
        if not isinstance(variable, dict):
            continue
        build = BUILDERS.get(text(variable, "type"))
        if build is not None:
            out.append(build(variable, index))
    return out


def _enum(value: Any, names: dict[int, str]) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return names.get(int(value), names[0])
    if isinstance(value, str) and value in names.values():
        return value
    return names[0]


def _common(variable: JSON) -> JSON:
    spec: JSON = {"name": text(variable, "name")}
    if text(variable, "label"):
        spec["label"] = text(variable, "label")
    if text(variable, "description"):
        spec["description"] = text(variable, "description")
    spec["hide"] = _enum(variable.get("hide"), HIDE)
    spec["skipUrlSync"] = flag(variable, "skipUrlSync")
    return spec


def _string_or_list(value: Any) -> str | list[str]:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict) and isinstance(value.get(LEGACY_STRING), str):
        return str(value[LEGACY_STRING])
    return ""


def _current(variable: JSON) -> JSON:
    current = variable.get("current")
    if not isinstance(current, dict):
        return {"text": "", "value": ""}
    return {
        "text": _string_or_list(current.get("text")),
        "value": _string_or_list(current.get("value")),
    }


def _options(variable: JSON) -> list[JSON]:
    found = variable.get("options")
    return [
        {
            "selected": flag(option, "selected"),
            "text": _string_or_list(option.get("text")),
            "value": _string_or_list(option.get("value")),
        }
        for option in (found if isinstance(found, list) else [])
        if isinstance(option, dict)
    ]


def _datasource(variable: JSON, index: DatasourceIndex) -> tuple[str, str]:
    """(type, uid); a variable without a reference object (absent, or a pre-v33 string)
    names no datasource, the default applying when the dashboard loads."""
    ref = variable.get("datasource")
    if not isinstance(ref, dict):
        return "", ""
    uid, kind = text(ref, "uid"), text(ref, "type")
    if uid and not kind and not is_template_variable(uid):
        kind = index.type_of(uid)
    elif not uid and not kind:
        kind = index.default_type
    return kind, uid


def _selection(variable: JSON) -> JSON:
    spec: JSON = {
        "current": _current(variable),
        "options": _options(variable),
        "multi": flag(variable, "multi"),
        "includeAll": flag(variable, "includeAll"),
    }
    if text(variable, "allValue"):
        spec["allValue"] = text(variable, "allValue")
    return spec


def _query_spec(query: Any) -> JSON:
    if isinstance(query, dict):
        return query
    if isinstance(query, str) and query:
        return {LEGACY_STRING: query}
    return {}


def _query(variable: JSON, index: DatasourceIndex) -> JSON:
    kind, uid = _datasource(variable, index)
    spec = {
        **_common(variable),
        **_selection(variable),
        "refresh": _enum(variable.get("refresh"), REFRESH),
        "sort": _enum(variable.get("sort"), SORT),
        "regex": text(variable, "regex"),
        "query": data_query(kind, uid, _query_spec(variable.get("query"))),
        "allowCustomValue": flag(variable, "allowCustomValue", True),
    }
    if text(variable, "regexApplyTo"):
        spec["regexApplyTo"] = text(variable, "regexApplyTo")
    if isinstance(variable.get("definition"), str):
        spec["definition"] = variable["definition"]
    return {"kind": "QueryVariable", "spec": spec}


def _datasource_variable(variable: JSON, index: DatasourceIndex) -> JSON:
    query = variable.get("query")
    spec = {
        **_common(variable),
        **_selection(variable),
        "pluginId": query if isinstance(query, str) else index.default_type,
        "refresh": _enum(variable.get("refresh"), REFRESH),
        "regex": text(variable, "regex"),
        "allowCustomValue": flag(variable, "allowCustomValue", True),
    }
    return {"kind": "DatasourceVariable", "spec": spec}


def _custom(variable: JSON, index: DatasourceIndex) -> JSON:
    spec = {
        **_common(variable),
        **_selection(variable),
        "query": text(variable, "query"),
        "allowCustomValue": flag(variable, "allowCustomValue", True),
    }
    if text(variable, "valuesFormat") in ("csv", "json"):
        spec["valuesFormat"] = text(variable, "valuesFormat")
    return {"kind": "CustomVariable", "spec": spec}


def _constant(variable: JSON, index: DatasourceIndex) -> JSON:
    query = text(variable, "query")
    current = (
        _current(variable)
        if isinstance(variable.get("current"), dict)
        else {"text": query, "value": query}
    )
    return {
        "kind": "ConstantVariable",
        "spec": {**_common(variable), "query": query, "current": current},
    }


def _interval(variable: JSON, index: DatasourceIndex) -> JSON:
    query = text(variable, "query")
    if not query:
        values = [
            text(o, "value") or text(o, "text")
            for o in variable.get("options") or []
            if isinstance(o, dict)
        ]
        query = ",".join(v for v in values if v)
    spec = {
        **_common(variable),
        "query": query,
        "current": _current(variable),
        "options": _options(variable),
        "auto": flag(variable, "auto"),
        "auto_min": text(variable, "auto_min"),
        "auto_count": number(variable, "auto_count"),
        "refresh": "onTimeRangeChanged",
    }
    return {"kind": "IntervalVariable", "spec": spec}


def _textbox(variable: JSON, index: DatasourceIndex) -> JSON:
    spec = {**_common(variable), "query": text(variable, "query"), "current": _current(variable)}
    return {"kind": "TextVariable", "spec": spec}


def _adhoc(variable: JSON, index: DatasourceIndex) -> JSON:
    kind, uid = _datasource(variable, index)
    spec = {
        **_common(variable),
        "baseFilters": _filters(variable.get("baseFilters")),
        "filters": _filters(variable.get("filters")),
        "defaultKeys": _keys(variable.get("defaultKeys")),
        "allowCustomValue": flag(variable, "allowCustomValue", True),
    }
    out: JSON = {"kind": "AdhocVariable", "group": kind if uid else ""}
    out["datasource"] = {"name": uid} if uid else {}
    out["spec"] = spec
    return out


def _groupby(variable: JSON, index: DatasourceIndex) -> JSON:
    kind, uid = _datasource(variable, index)
    if kind == "datasource" and not uid:
        uid = GRAFANA_DATASOURCE_UID
    spec = {
        **_common(variable),
        "current": _current(variable),
        "options": _options(variable),
        "multi": flag(variable, "multi"),
    }
    return {"kind": "GroupByVariable", "group": kind, "datasource": {"name": uid}, "spec": spec}


def _filters(filters: Any) -> list[JSON]:
    out = []
    for item in filters if isinstance(filters, list) else []:
        if not isinstance(item, dict) or item.get("origin", "dashboard") != "dashboard":
            continue
        entry: JSON = {
            "key": text(item, "key"),
            "operator": text(item, "operator", "="),
            "value": text(item, "value"),
        }
        for key in ("keyLabel", "condition"):
            if text(item, key):
                entry[key] = text(item, key)
        for key in ("values", "valueLabels"):
            if strings(item, key):
                entry[key] = strings(item, key)
        out.append(entry)
    return out


def _keys(keys: Any) -> list[JSON]:
    out = []
    for key in keys if isinstance(keys, list) else []:
        name = text(key, "text") if isinstance(key, dict) else key if isinstance(key, str) else ""
        if name:
            out.append({"text": name, "value": name})
    return out


def _switch(variable: JSON, index: DatasourceIndex) -> JSON:
    def value_of(option: Any) -> str:
        return (text(option, "value") or text(option, "text")) if isinstance(option, dict) else ""

    options = variable.get("options") if isinstance(variable.get("options"), list) else []
    assert isinstance(options, list)
    enabled = (value_of(options[0]) if options else "") or "true"
    disabled = (value_of(options[1]) if len(options) > 1 else "") or "false"
    current = value_of(variable.get("current")) or disabled
    spec = {
        **_common(variable),
        "current": current,
        "enabledValue": enabled,
        "disabledValue": disabled,
    }
    return {"kind": "SwitchVariable", "spec": spec}


BUILDERS = {
    "query": _query,
    "datasource": _datasource_variable,
    "custom": _custom,
    "adhoc": _adhoc,
    "constant": _constant,
    "interval": _interval,
    "textbox": _textbox,
    "switch": _switch,
    "groupby": _groupby,
}
