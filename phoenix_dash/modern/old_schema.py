"""What Grafana's schema migrations do to a dashboard it saved long ago, for the changes the
rest of the modern layer does not make anyway.

Only for dashboards Grafana saved (adopt, exports): their ``schemaVersion`` says which
migrations Grafana still applies when it loads them, so each step is gated on it as Grafana
gates it (apps/dashboard/pkg/migration/schemaversion, v2/v27/v36). grafanalib's JSON claims
schemaVersion 12 whatever its shape, so authored dashboards never come here. Once phoenix-dash
has written the dashboard at the latest schemaVersion, Grafana no longer migrates it: anything
its migrations would have done must have been done here.
"""

from __future__ import annotations

from typing import Any

from .common import JSON

# Panels Grafana's frontend made from a repeat when it saved: the repeat makes them again.
REPEAT_COPY_KEYS = ("repeatPanelId", "repeatByRow")


def upgrade_saved_dashboard(dash: JSON) -> None:
    version = dash.get("schemaVersion")
    saved_at = version if isinstance(version, int) and not isinstance(version, bool) else 0
    if saved_at < 2:
        _services_filter(dash)
        for panel in dash.get("panels", []):
            _graphite_panel(panel)
    _drop_repeat_copies(dash)
    if saved_at < 27:
        for variable in dash.get("templating", {}).get("list", []):
            _constant_to_textbox(variable)
    if saved_at < 36:
        for panel in _top_level_panels(dash, rows_upgraded=saved_at < 16):
            if not panel.get("targets"):
                panel["targets"] = [{"refId": "A"}]  # what Grafana's v36 gives a top-level panel


def _top_level_panels(dash: JSON, rows_upgraded: bool) -> list[JSON]:
    """The panels Grafana's v36 finds at the top level: with the legacy rows its v16 turned
    into a grid (panels of a collapsed row stay nested in it)."""
    panels = [p for p in dash.get("panels", []) if p.get("type") != "row"]
    if rows_upgraded:
        for row in dash.get("rows", []):
            if not row.get("collapse"):
                panels.extend(p for p in row.get("panels", []) if isinstance(p, dict))
    return panels


def _services_filter(dash: JSON) -> None:
    """Schema 1 kept the time range and the variables under services.filter."""
    services = dash.pop("services", None)
    services_filter = services.get("filter") if isinstance(services, dict) else None
    if not isinstance(services_filter, dict):
        return
    if "time" in services_filter:
        dash["time"] = services_filter["time"]
    if "list" in services_filter:
        dash.setdefault("templating", {})["list"] = services_filter["list"]


def _graphite_panel(panel: JSON) -> None:
    """Schema 1's graph panel was called "graphite" and kept its axis units in y_format."""
    if panel.get("type") != "graphite":
        return
    panel["type"] = "graph"
    formats = [panel.pop("y_format", None), panel.pop("y2_format", None)]
    if any(formats) and "yaxes" not in panel:
        panel["yaxes"] = [{"format": unit} if unit else {} for unit in formats]


def _drop_repeat_copies(dash: JSON) -> None:
    dash["panels"] = [p for p in dash.get("panels", []) if not _repeat_copy(p)]
    for panel in dash["panels"]:
        if panel.get("type") == "row" and isinstance(panel.get("panels"), list):
            panel["panels"] = [p for p in panel["panels"] if not _repeat_copy(p)]
    if isinstance(dash.get("rows"), list):
        dash["rows"] = [row for row in dash["rows"] if not row.get("repeatIteration")]
    if not dash["panels"]:
        del dash["panels"]


def _repeat_copy(panel: Any) -> bool:
    return isinstance(panel, dict) and any(key in panel for key in REPEAT_COPY_KEYS)


def _constant_to_textbox(variable: JSON) -> None:
    """Schema 27 made a visible constant a textbox holding the constant's value."""
    if variable.get("type") != "constant":
        return
    value = variable.get("query") if isinstance(variable.get("query"), str) else ""
    variable["query"] = value
    choice = {"selected": True, "text": value, "value": value}
    variable["current"] = dict(choice)
    variable["options"] = [choice]
    if variable.get("hide") in (0, 1):  # a hidden constant stays a constant
        variable["type"] = "textbox"
