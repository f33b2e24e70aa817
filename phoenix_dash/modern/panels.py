"""Per-panel-type fixes: each converter turns grafanalib's output for one panel type into the
shape Grafana 12 stores (the panel plugin's Options and FieldConfig schemas)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import JSON, describe, drop_if, fail, pop_keys
from .legacy_panels import convert_graph, convert_heatmap, convert_singlestat
from .panel_defaults import LEGEND_PANELS, OPTION_DEFAULTS

Converter = Callable[[JSON], None]

# Top-level panel keys grafanalib writes that no Grafana 12 panel has.
LEGACY_PANEL_KEYS = ("editable", "error", "height", "minSpan", "span", "isNew", "renderer")

LEGACY_STATES = {
    "alerting": "firing",
    "pending": "pending",
    "no_data": "noData",
    "ok": "normal",
    "execution_error": "error",
    "paused": "normal",
}


def field_defaults(panel: JSON) -> JSON:
    config = panel.setdefault("fieldConfig", {})
    config.setdefault("overrides", [])
    defaults: JSON = config.setdefault("defaults", {})
    return defaults


def options(panel: JSON) -> JSON:
    opts = panel.get("options")
    if not isinstance(opts, dict):  # grafanalib's heatmap writes a list here
        opts = panel["options"] = {}
    return opts


def modernize_thresholds(panel: JSON) -> None:
    """grafanalib's Threshold objects carry index/op/line/yaxis and a "null" string."""
    defaults = field_defaults(panel)
    config = defaults.get("thresholds")
    if not isinstance(config, dict):
        return
    steps = config.get("steps") or []
    if not steps:
        del defaults["thresholds"]
        return
    converted = []
    for order, step in enumerate(sorted(steps, key=lambda s: s.get("index", 0))):
        value = step.get("value")
        if order == 0 or value in ("null", None):
            value = None
        elif not isinstance(value, (int, float)):
            raise fail(panel, f"{describe(panel)}: threshold value {value!r} is not a number")
        converted.append({"color": step["color"], "value": value})
    defaults["thresholds"] = {"mode": config.get("mode") or "absolute", "steps": converted}


def modernize_value_mappings(panel: JSON) -> None:
    """Legacy ValueMap/RangeMap dicts ({op, text, value} / {from, to, text}) to typed mappings."""
    defaults = field_defaults(panel)
    mappings = defaults.get("mappings")
    if not mappings:
        return
    converted = []
    for index, mapping in enumerate(mappings):
        if "type" in mapping:
            converted.append(mapping)
        elif "from" in mapping and "to" in mapping:
            result = {"text": str(mapping.get("text", "")), "index": index}
            bounds = {"from": _bound(mapping["from"]), "to": _bound(mapping["to"])}
            if bounds == {"from": None, "to": None}:  # singlestat's "null".."null": no value
                converted.append(
                    {"type": "special", "options": {"match": "null", "result": result}}
                )
            else:
                converted.append({"type": "range", "options": {**bounds, "result": result}})
        elif "value" in mapping:
            converted.append(
                {
                    "type": "value",
                    "options": {
                        str(mapping["value"]): {"text": str(mapping["text"]), "index": index}
                    },
                }
            )
        else:
            raise fail(panel, f"{describe(panel)}: cannot read value mapping {mapping!r}")
    defaults["mappings"] = converted


def _bound(value: Any) -> float | None:
    """A range mapping's end: a number, or open (None) for Angular's "null" or empty text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _legend_and_tooltip(panel: JSON) -> None:
    """The VizLegendOptions / VizTooltipOptions shape every graph-like panel shares."""
    opts = options(panel)
    legend = opts.setdefault("legend", {})
    if isinstance(legend, bool):  # an old export's "legend": true/false
        legend = opts["legend"] = {"showLegend": legend}
    # Grafana's v37 migration: a hidden legend is a list that is not shown.
    if legend.get("displayMode") == "hidden" or legend.get("showLegend") is False:
        legend["displayMode"] = "list"
        legend["showLegend"] = False
    for key, value in (
        ("showLegend", True),
        ("displayMode", "list"),
        ("placement", "bottom"),
        ("calcs", []),
    ):
        legend.setdefault(key, value)
    if panel.get("type") == "piechart":
        legend.setdefault("values", [])
    pop_keys(opts, "alertThreshold", "dataLinks")  # the Angular graph's options
    tooltip = opts.setdefault("tooltip", {})
    tooltip.setdefault("mode", "single")
    tooltip.setdefault("sort", "none")
    custom = field_defaults(panel).setdefault("custom", {})
    if custom.get("stacking") == {}:
        custom["stacking"] = {"group": "A", "mode": "none"}


def _reduce_options(opts: JSON) -> JSON:
    reduce: JSON = opts.setdefault("reduceOptions", {})
    reduce.setdefault("calcs", ["lastNotNull"])
    reduce.setdefault("fields", "")
    reduce.setdefault("values", False)
    return reduce


def _stat(panel: JSON) -> None:
    defaults = field_defaults(panel)
    drop_if(defaults, "noValue", "none")  # grafanalib's default prints the word "none"
    defaults.setdefault("color", {"mode": "thresholds"})
    _reduce_options(options(panel))


def _move_field_options(panel: JSON, legacy: JSON) -> None:
    """grafanalib's gauge/bargauge put reduce options and display defaults in one legacy dict.
    A modern value already there (set through extraJson) wins over the legacy one."""
    defaults = field_defaults(panel)
    opts = options(panel)
    reduce = opts.setdefault("reduceOptions", {})
    if "calcs" in legacy:
        reduce.setdefault("calcs", legacy.pop("calcs"))
    if "values" in legacy:
        reduce.setdefault("values", bool(legacy.pop("values")))
    limit = legacy.pop("limit", None)
    if limit is not None:
        reduce.setdefault("limit", limit)
    _reduce_options(opts)
    title = legacy.pop("title", None)
    if title:
        defaults["displayName"] = title
    pop_keys(legacy, "override")
    for key in ("decimals", "max", "min", "unit", "links", "mappings"):
        if key in legacy:
            defaults.setdefault(key, legacy.pop(key))
    if "thresholds" in legacy:  # bargauge's legacy thresholds list
        steps = legacy.pop("thresholds")
        defaults.setdefault("thresholds", {"mode": "absolute", "steps": steps})
    if legacy:
        raise fail(panel, f"{describe(panel)}: unexpected legacy field options {sorted(legacy)}")


def _gauge(panel: JSON) -> None:
    config = panel.setdefault("fieldConfig", {})
    defaults = config.setdefault("defaults", {})
    legacy = {
        k: defaults.pop(k)
        for k in ("calcs", "values", "limit", "title", "override")
        if k in defaults
    }
    opts = options(panel)
    for key in ("showThresholdLabels", "showThresholdMarkers"):
        if key in config:
            opts[key] = config.pop(key)
    _move_field_options(panel, legacy)


def _bargauge(panel: JSON) -> None:
    opts = options(panel)
    legacy = opts.pop("fieldOptions", None)
    if isinstance(legacy, dict):
        legacy_defaults = legacy.pop("defaults", {})
        legacy.update(legacy_defaults)
        _move_field_options(panel, legacy)
    pop_keys(opts, "showThresholdLabels", "showThresholdMarkers")
    opts.setdefault(
        "legend", {"showLegend": False, "displayMode": "list", "placement": "bottom", "calcs": []}
    )
    _reduce_options(opts)


def _table(panel: JSON) -> None:
    defaults = field_defaults(panel)
    mappings = panel.pop("mappings", None)
    if mappings:
        defaults.setdefault("mappings", mappings)
    color = panel.pop("color", None)
    if isinstance(color, dict) and "mode" in color:
        defaults.setdefault("color", color)
    pop_keys(panel, "columns", "fontSize", "styles", "transform", "sort", "scroll", "showHeader")
    custom = defaults.setdefault("custom", {})
    display = custom.pop("displayMode", None)
    if display and display != "auto" and "cellOptions" not in custom:
        custom["cellOptions"] = {"type": display}
    custom.setdefault("align", "auto")
    custom.setdefault("inspect", False)
    footer = options(panel).get("footer")
    if isinstance(footer, dict) and footer.get("fields") == "":  # Grafana 9's "all fields"
        del footer["fields"]


def _text(panel: JSON) -> None:
    opts = options(panel)
    for key in ("mode", "content"):  # very old grafanalib/Grafana kept these at the top level
        if key in panel:
            opts[key] = panel.pop(key)
    panel.pop("fieldConfig", None)


def rename_to_text(panel: JSON) -> None:
    panel["type"] = "text"


def _alertlist(panel: JSON) -> None:
    """grafanalib's AlertList is the legacy (pre unified alerting) list."""
    opts = options(panel)
    wanted = panel.pop("stateFilter", None) or []
    state_filter = {
        "firing": True,
        "pending": True,
        "noData": False,
        "normal": False,
        "error": True,
    }
    if wanted:
        state_filter = dict.fromkeys(state_filter, False)
    for legacy in wanted:
        if legacy not in LEGACY_STATES:
            raise fail(panel, f"{describe(panel)}: unknown alert state filter {legacy!r}")
        state_filter[LEGACY_STATES[legacy]] = True
    name = opts.pop("alertName", "") or panel.pop("nameFilter", "")
    opts.update(
        {
            "viewMode": "list" if panel.pop("show", "current") == "current" else "stat",
            "groupMode": "default",
            "groupBy": [],
            "maxItems": int(panel.pop("limit", 10)),
            "sortOrder": int(panel.pop("sortOrder", 1)),
            "dashboardAlerts": bool(panel.pop("onlyAlertsOnDashboard", False)),
            "alertName": name,
            "alertInstanceLabelFilter": "",
            "stateFilter": state_filter,
        }
    )
    pop_keys(panel, "dashboardTags", "nameFilter")
    panel.pop("fieldConfig", None)


CONVERTERS: dict[str, Converter] = {
    "stat": _stat,
    "gauge": _gauge,
    "bargauge": _bargauge,
    "table": _table,
    "text": _text,
    "alertlist": _alertlist,
    "heatmap": convert_heatmap,
    "graph": convert_graph,
    "singlestat": convert_singlestat,
    "grafana-singlestat-panel": convert_singlestat,  # Grafana migrates both to stat
    "text2": rename_to_text,  # the React text panel's name while it was new (schema 26)
}


def modernize_panel(panel: JSON) -> None:
    """Fix one (non-row) panel in place."""
    pop_keys(panel, *LEGACY_PANEL_KEYS)
    for key in ("transparent", "hideTimeOverride"):
        drop_if(panel, key, False)
    for key in ("links", "transformations"):
        drop_if(panel, key, [])
    drop_if(panel, "maxDataPoints", 100)  # grafanalib's default, far below screen resolution
    if "repeat" in panel:
        panel.setdefault("repeatDirection", "h")
    else:
        pop_keys(panel, "repeatDirection", "maxPerRow")
    if panel.get("alert"):
        raise fail(
            panel,
            f"{describe(panel)}: legacy panel alerts no longer exist in Grafana; "
            "define the rule under alerts/ instead",
        )
    panel.pop("alert", None)
    kind = str(panel.get("type", ""))
    converter = CONVERTERS.get(kind)
    if converter is not None:
        converter(panel)
    if panel.get("type", "") != kind:  # a legacy panel became a new one: its fixes too
        modernize_panel(panel)
        return
    for transformation in panel.get("transformations", []):
        transformation.setdefault("options", {})
    if kind in LEGEND_PANELS:
        _legend_and_tooltip(panel)
    if kind in OPTION_DEFAULTS:
        opts = options(panel)
        for key, value in OPTION_DEFAULTS[kind].items():
            opts.setdefault(key, value)
    if "fieldConfig" in panel:
        modernize_thresholds(panel)
        modernize_value_mappings(panel)
    _drop_empty_options(panel)


def _drop_empty_options(panel: JSON) -> None:
    opts: Any = panel.get("options")
    if opts in ({}, []):
        del panel["options"]
