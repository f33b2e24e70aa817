"""What each panel plugin's schema asks of a panel Grafana 12/13 stores: the options it
requires, at the plugin's defaults (its Options schema's "required"), and the plugins whose
options carry a legend and a tooltip. Data, kept apart from the converters that use it."""

from __future__ import annotations

from .common import JSON

# Options each panel plugin requires (its schema's "required"), at the plugin's defaults.
OPTION_DEFAULTS: dict[str, JSON] = {
    "stat": {
        "graphMode": "area",
        "colorMode": "value",
        "justifyMode": "auto",
        "textMode": "auto",
        "wideLayout": True,
        "showPercentChange": False,
        "percentChangeColorMode": "standard",
        "orientation": "auto",
    },
    "gauge": {
        "showThresholdLabels": False,
        "showThresholdMarkers": True,
        "sizing": "auto",
        "minVizWidth": 75,
        "minVizHeight": 75,
        "orientation": "auto",
    },
    "bargauge": {
        "displayMode": "gradient",
        "valueMode": "color",
        "namePlacement": "auto",
        "showUnfilled": True,
        "sizing": "auto",
        "minVizWidth": 8,
        "minVizHeight": 16,
        "maxVizHeight": 300,
        "orientation": "auto",
    },
    "logs": {
        "showLabels": False,
        "showCommonLabels": False,
        "showTime": True,
        "showLogContextToggle": False,
        "wrapLogMessage": False,
        "prettifyLogMessage": False,
        "enableLogDetails": True,
        "sortOrder": "Descending",
        "dedupStrategy": "none",
    },
    "table": {"frameIndex": 0, "showHeader": True, "cellHeight": "sm"},
    "text": {"mode": "markdown", "content": ""},
    "piechart": {"pieType": "pie", "orientation": "auto"},
    "barchart": {
        "orientation": "auto",
        "xTickLabelRotation": 0,
        "xTickLabelMaxLength": 0,
        "stacking": "none",
        "showValue": "auto",
        "barWidth": 0.97,
        "groupWidth": 0.7,
        "fullHighlight": False,
    },
    "state-timeline": {
        "showValue": "auto",
        "rowHeight": 0.9,
        "mergeValues": True,
        "alignValue": "left",
    },
    "status-history": {"showValue": "auto", "rowHeight": 0.9},
}
# Panels whose options carry a legend and tooltip.
LEGEND_PANELS = frozenset(
    {
        "timeseries",
        "piechart",
        "histogram",
        "barchart",
        "state-timeline",
        "status-history",
        "trend",
        "xychart",
        "candlestick",
    }
)
