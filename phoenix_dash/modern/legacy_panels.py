"""Angular-era panels that Grafana 12 no longer renders, converted the way Grafana's own
auto-migration does: graph -> timeseries, singlestat -> stat, old heatmap -> heatmap."""

from __future__ import annotations

from typing import Any

from .common import JSON, describe, fail, pop_keys

GRAPH_KEYS = (
    "aliasColors",
    "bars",
    "dashLength",
    "dashes",
    "fill",
    "fillGradient",
    "grid",
    "legend",
    "lines",
    "linewidth",
    "nullPointMode",
    "percentage",
    "pointradius",
    "points",
    "seriesOverrides",
    "spaceLength",
    "stack",
    "steppedLine",
    "thresholds",
    "timeRegions",
    "tooltip",
    "xaxis",
    "yaxes",
    "yaxis",
    "decimals",
    "hiddenSeries",
)
LEGEND_CALCS = (
    ("avg", "mean"),
    ("min", "min"),
    ("max", "max"),
    ("current", "lastNotNull"),
    ("total", "sum"),
)
SINGLESTAT_CALCS = {
    "avg": "mean",
    "current": "lastNotNull",
    "max": "max",
    "min": "min",
    "total": "sum",
    "first": "firstNotNull",
    "delta": "delta",
    "diff": "diff",
    "range": "range",
    "last_time": "lastNotNull",
    "name": "lastNotNull",
}
SINGLESTAT_KEYS = (
    "cacheTimeout",
    "colorBackground",
    "colorPostfix",
    "colorPrefix",
    "colorValue",
    "colors",
    "decimals",
    "format",
    "gauge",
    "mappingType",
    "mappingTypes",
    "nullPointMode",
    "nullText",
    "postfix",
    "postfixFontSize",
    "prefix",
    "prefixFontSize",
    "rangeMaps",
    "sparkline",
    "tableColumn",
    "thresholds",
    "valueFontSize",
    "valueMaps",
    "valueName",
)
HEATMAP_KEYS = (
    "cards",
    "color",
    "dataFormat",
    "heatmap",
    "hideZeroBuckets",
    "highlightCards",
    "legend",
    "reverseYBuckets",
    "tooltip",
    "xAxis",
    "xBucketNumber",
    "xBucketSize",
    "yAxis",
    "yBucketBound",
    "yBucketNumber",
    "yBucketSize",
    "tooltipDecimals",
)
THRESHOLD_COLORS = {"critical": "red", "warning": "orange", "ok": "green"}
CELL_LAYOUT = {"upper": "le", "lower": "ge", "middle": "unknown"}


def _number(panel: JSON, value: Any) -> float | None:
    if value in (None, "", "null"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise fail(panel, f"{describe(panel)}: {value!r} is not a number") from None


def _set(target: JSON, key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def convert_graph(panel: JSON) -> None:
    old = {k: panel.pop(k) for k in GRAPH_KEYS if k in panel}
    panel["type"] = "timeseries"
    config = panel.setdefault("fieldConfig", {})
    config.setdefault("overrides", [])
    defaults = config.setdefault("defaults", {})
    yaxes = old.get("yaxes") or [{}]
    left = yaxes[0] if isinstance(yaxes[0], dict) else {}
    _set(defaults, "unit", left.get("format") if left.get("format") != "short" else None)
    _set(defaults, "min", _number(panel, left.get("min")))
    _set(defaults, "max", _number(panel, left.get("max")))
    _set(defaults, "decimals", old.get("decimals"))
    bars, lines, points = old.get("bars", False), old.get("lines", True), old.get("points", False)
    stacking = {"group": "A", "mode": "none"}
    if old.get("stack"):
        stacking["mode"] = "percent" if old.get("percentage") else "normal"
    defaults["custom"] = {
        "drawStyle": "bars" if bars else ("points" if points and not lines else "line"),
        "lineWidth": old.get("linewidth", 1),
        "fillOpacity": int(old.get("fill", 1)) * 10,
        "showPoints": "always" if points else "never",
        "pointSize": old.get("pointradius", 5),
        "spanNulls": old.get("nullPointMode") == "connected",
        "lineInterpolation": "stepAfter" if old.get("steppedLine") else "linear",
        "axisPlacement": "auto" if left.get("show", True) else "hidden",
        "stacking": stacking,
    }
    legend = _flag_or_object(old.get("legend"))  # Grafana 2 wrote "legend": true
    tooltip = _flag_or_object(old.get("tooltip"))
    panel["options"] = {
        "legend": {
            "showLegend": bool(legend.get("show", True)),
            "displayMode": "table" if legend.get("alignAsTable") else "list",
            "placement": "right" if legend.get("rightSide") else "bottom",
            "calcs": [calc for key, calc in LEGEND_CALCS if legend.get(key)],
        },
        "tooltip": {
            "mode": "multi" if tooltip.get("shared", True) else "single",
            "sort": {0: "none", 1: "desc", 2: "asc"}.get(tooltip.get("sort", 0), "none"),
        },
    }
    _graph_thresholds(panel, old.get("thresholds") or [], defaults)
    _series_overrides(panel, old.get("seriesOverrides") or [], config["overrides"])


def _flag_or_object(value: Any) -> JSON:
    """An old panel's legend or tooltip: an object, or a bare true/false for its "show"."""
    if isinstance(value, bool):
        return {"show": value}
    return value if isinstance(value, dict) else {}


def _graph_thresholds(panel: JSON, thresholds: list[JSON], defaults: JSON) -> None:
    if not thresholds:
        return
    steps: list[JSON] = [{"color": "green", "value": None}]
    for threshold in sorted(thresholds, key=lambda t: _number(panel, t.get("value")) or 0):
        mode = str(threshold.get("colorMode"))
        color = threshold.get("lineColor") or THRESHOLD_COLORS.get(mode, "red")
        steps.append({"color": color, "value": _number(panel, threshold.get("value"))})
    defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    defaults["custom"]["thresholdsStyle"] = {"mode": "line"}


def _series_overrides(panel: JSON, overrides: list[JSON], out: list[JSON]) -> None:
    for override in overrides:
        alias = override.get("alias")
        if not alias:
            continue
        props: list[JSON] = []
        if override.get("yaxis") == 2:
            props.append({"id": "custom.axisPlacement", "value": "right"})
        if override.get("color"):
            color = {"mode": "fixed", "fixedColor": override["color"]}
            props.append({"id": "color", "value": color})
        if "fill" in override:
            props.append({"id": "custom.fillOpacity", "value": int(override["fill"]) * 10})
        if "linewidth" in override:
            props.append({"id": "custom.lineWidth", "value": override["linewidth"]})
        if props:
            out.append({"matcher": {"id": "byName", "options": alias}, "properties": props})


def convert_singlestat(panel: JSON) -> None:
    old = {k: panel.pop(k) for k in SINGLESTAT_KEYS if k in panel}
    gauge = old.get("gauge") or {}
    # A stat even when the singlestat showed a gauge: Grafana 12 migrates every singlestat
    # to stat (autoMigrateAngular), so that is what its users already see.
    panel["type"] = "stat"
    config = panel.setdefault("fieldConfig", {})
    config.setdefault("overrides", [])
    defaults = config.setdefault("defaults", {})
    _set(defaults, "unit", old.get("format"))
    _set(defaults, "decimals", old.get("decimals"))
    if gauge.get("show"):
        _set(defaults, "min", _number(panel, gauge.get("minValue")))
        _set(defaults, "max", _number(panel, gauge.get("maxValue")))
    colors = old.get("colors") or ["green", "orange", "red"]
    levels = [v for v in str(old.get("thresholds") or "").split(",") if v.strip()]
    if levels:
        steps: list[JSON] = [{"color": colors[0], "value": None}]
        for index, level in enumerate(levels, start=1):
            steps.append(
                {
                    "color": colors[min(index, len(colors) - 1)],
                    "value": _number(panel, level.strip()),
                }
            )
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mappings = [*(old.get("valueMaps") or []), *(old.get("rangeMaps") or [])]
    if mappings:
        defaults["mappings"] = mappings
    calc = SINGLESTAT_CALCS.get(str(old.get("valueName", "avg")), "mean")
    opts = panel["options"] = {"reduceOptions": {"calcs": [calc], "fields": "", "values": False}}
    sparkline = old.get("sparkline") or {}
    opts["graphMode"] = "area" if sparkline.get("show") else "none"
    opts["colorMode"] = (
        "background"
        if old.get("colorBackground")
        else ("value" if old.get("colorValue") else "none")
    )


def convert_heatmap(panel: JSON) -> None:
    """Angular heatmap (dataFormat/cards/color/yAxis...) to the React heatmap's options."""
    if "calculate" in (panel.get("options") or {}):
        return  # already the new heatmap
    old = {k: panel.pop(k) for k in HEATMAP_KEYS if k in panel}
    color = old.get("color") or {}
    cards = old.get("cards") or {}
    y_axis = old.get("yAxis") or {}
    scheme = str(color.get("colorScheme") or "interpolateOranges").removeprefix("interpolate")
    color_options: JSON = {
        "mode": "scheme" if color.get("mode", "spectrum") == "spectrum" else "opacity",
        "scheme": scheme,
        "fill": color.get("cardColor") or "dark-orange",
        "scale": "exponential" if color.get("colorScale", "sqrt") == "sqrt" else "linear",
        "exponent": float(color.get("exponent", 0.5)),
        "steps": 64,
        "reverse": False,
    }
    _set(color_options, "min", _number(panel, color.get("min")))
    _set(color_options, "max", _number(panel, color.get("max")))
    axis: JSON = {
        "axisPlacement": "left" if y_axis.get("show", True) else "hidden",
        "reverse": bool(old.get("reverseYBuckets", False)),
    }
    _set(axis, "unit", y_axis.get("format") if y_axis.get("format") != "short" else None)
    _set(axis, "decimals", y_axis.get("decimals"))
    _set(axis, "min", _number(panel, y_axis.get("min")))
    _set(axis, "max", _number(panel, y_axis.get("max")))
    legend = old.get("legend") or {}
    tooltip = old.get("tooltip") or {}
    opts: JSON = {
        "calculate": old.get("dataFormat", "timeseries") != "tsbuckets",
        "color": color_options,
        "yAxis": axis,
        "rowsFrame": {"layout": CELL_LAYOUT.get(str(old.get("yBucketBound")), "auto")},
        "cellGap": int(cards.get("cardPadding") or 1),
        "showValue": "auto",
        "legend": {"show": bool(legend.get("show", True))},
        "tooltip": {
            "mode": "single" if tooltip.get("show", True) else "none",
            "yHistogram": bool(tooltip.get("showHistogram", False)),
            "showColorScale": False,
        },
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
        "cellValues": {},
    }
    _set(opts, "cellRadius", _number(panel, cards.get("cardRound")))
    if old.get("hideZeroBuckets"):
        opts["filterValues"] = {"le": 1e-9}
    panel["options"] = opts
    panel["fieldConfig"] = {
        "defaults": {
            "custom": {
                "scaleDistribution": {"type": "linear"},
                "hideFrom": {"legend": False, "tooltip": False, "viz": False},
            }
        },
        "overrides": [],
    }
    if not opts["calculate"]:
        for target in panel.get("targets") or []:
            if target.get("format", "time_series") == "time_series":
                target["format"] = "heatmap"
    pop_keys(panel, "thresholds")
