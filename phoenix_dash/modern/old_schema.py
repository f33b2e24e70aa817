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

import copy
from typing import Any

from .common import JSON, PANEL_GRID_DEFAULTS
from .grid_upgrade import upgrade_rows

# Panels Grafana's frontend made from a repeat when it saved: the repeat makes them again.
REPEAT_COPY_KEYS = ("repeatPanelId", "repeatByRow")


def upgrade_saved_dashboard(dash: JSON) -> None:
    version = dash.get("schemaVersion")
    saved_at = version if isinstance(version, int) and not isinstance(version, bool) else 0
    if saved_at < 2:
        _services_filter(dash)
        for panel in dash.get("panels", []):
            _graphite_panel(panel)
    if saved_at < 16:  # the legacy rows laid out on the grid, as Grafana does (before the
        upgrade_rows(dash)  # repeat copies go: their ids count in its numbering)
    _drop_repeat_copies(dash)
    _default_positions(dash)
    if saved_at < 27:
        for variable in dash.get("templating", {}).get("list", []):
            _constant_to_textbox(variable)
    if saved_at < 34:
        for panel in _every_panel(dash):
            _split_statistics(panel)
        _split_annotation_statistics(dash)
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


def _every_panel(dash: JSON) -> list[JSON]:
    """Panels of the grid, of its rows, and of legacy rows."""
    found = []
    for panel in dash.get("panels") or []:
        if isinstance(panel, dict):
            found.append(panel)
            found += [p for p in panel.get("panels") or [] if isinstance(p, dict)]
    for row in dash.get("rows") or []:
        if isinstance(row, dict):
            found += [p for p in row.get("panels") or [] if isinstance(p, dict)]
    return found


# --- schema 34: one CloudWatch statistic per query (schemaversion/v34.go) ---------------------

CLOUDWATCH_QUERY_KEYS = ("dimensions", "namespace", "region", "metricName")


def _statistics(value: Any) -> list[Any] | None:
    """The statistics a query or annotation names, each one query's (whatever its type, as
    Grafana's migration copies it); None when it names none as a list."""
    return list(value) if isinstance(value, list) else None


def split_statistics_keeping_nulls(raw: JSON) -> JSON:
    """Schema 34's split on a saved dashboard before its nulls are read as absent: Grafana
    makes a query of every statistic listed, a null one included. ``raw`` is left as it is
    (a changed copy is returned when there is something to split)."""
    version = raw.get("schemaVersion")
    if isinstance(version, int) and version >= 34:
        return raw
    listed = [
        t
        for p in _every_panel(raw)
        for t in p.get("targets") or []
        if isinstance(t, dict) and isinstance(t.get("statistics"), list)
    ]
    if not any(None in t["statistics"] for t in listed):
        return raw
    raw = copy.deepcopy(raw)
    for panel in _every_panel(raw):
        _split_statistics(panel)
    return raw


def _split_statistics(panel: JSON) -> None:
    """A CloudWatch query with several statistics becomes one query per statistic; the
    copies go after the panel's queries, with the next free refIds."""
    targets = panel.get("targets")
    if not isinstance(targets, list):
        return
    kept: list[Any] = []
    added: list[JSON] = []
    for target in targets:
        if not isinstance(target, dict) or not all(k in target for k in CLOUDWATCH_QUERY_KEYS):
            kept.append(target)
            continue
        target.setdefault("metricEditorMode", 0)
        target.setdefault("metricQueryType", 0)
        stats = _statistics(target.get("statistics"))
        if stats is None or (
            isinstance(target.get("statistics"), list) and not target["statistics"]
        ):
            kept.append(target)
            continue
        del target["statistics"]
        for index, stat in enumerate(stats or [None]):
            query = dict(target)
            if stat is not None:
                query["statistic"] = stat
            if index == 0:
                kept.append(query)
            else:
                query["refId"] = _next_ref_id([*targets, *added])
                added.append(query)
    panel["targets"] = kept + added


def _next_ref_id(queries: list[Any]) -> str:
    used = {q.get("refId") for q in queries if isinstance(q, dict)}
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    for candidate in [*letters, *(a + b for a in letters for b in letters)]:
        if candidate not in used:
            return candidate
    return f"X{len(queries)}"


def _split_annotation_statistics(dash: JSON) -> None:
    """The same for a legacy CloudWatch annotation query: one annotation per statistic,
    named "<name> - <statistic>"."""
    container = dash.get("annotations")
    annotations = container.get("list") if isinstance(container, dict) else None
    if not isinstance(annotations, list):
        return
    added: list[JSON] = []
    for index, annotation in enumerate(annotations):
        legacy = isinstance(annotation, dict) and all(
            k in annotation for k in (*CLOUDWATCH_QUERY_KEYS[:3], "prefixMatching", "statistics")
        )
        stats = _statistics(annotation.get("statistics")) if legacy else None
        if stats is None or annotation["statistics"] == []:
            continue
        del annotation["statistics"]
        name = annotation.get("name")
        for number, stat in enumerate(stats):
            copy = dict(annotation)
            if isinstance(stat, str):
                copy["statistic"] = stat
            if isinstance(name, str) and name and len(stats) > 1:
                copy["name"] = f"{name} - {'null' if stat is None else stat}"
            if number == 0:
                annotations[index] = copy
            else:
                added.append(copy)
    annotations.extend(added)


def _default_positions(dash: JSON) -> None:
    """A panel Grafana saved without a whole position (a test file's, or a hand edit)
    gets the frontend's PanelModel default for what it lacks: the other panels keep
    theirs, as in Grafana."""
    if dash.get("rows"):
        return  # legacy rows still (saved at 16 or later): laid out as authored
    for panel in _every_panel(dash):
        grid = panel.get("gridPos")
        grid = grid if isinstance(grid, dict) else {}
        placed = {
            key: value
            for key, value in grid.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        panel["gridPos"] = {**PANEL_GRID_DEFAULTS, **{k: int(v) for k, v in placed.items()}}
