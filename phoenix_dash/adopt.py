"""`adopt`: a dashboard's JSON (an export, or a file `pull` wrote) as a grafanalib module for
dashboards/, so a dashboard made in the UI comes under code review like the others.

The JSON is modernised first, then written as grafanalib calls for what grafanalib models
(the dashboard, its variables, panels by type with their sizes, datasource and queries). What a
panel holds beyond that goes into its ``extraJson``, computed as the difference between the
modern panel and what grafanalib would write, so building the module gives the same panels
back. Dashboard-level settings grafanalib has no place for are named in a comment."""

from __future__ import annotations

import copy
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import grafanalib.core as gl

from .dashboard_file import read_dashboard, stamped
from .errors import ConfigError, Location
from .filenames import module_stem
from .loader import to_plain
from .modern import ModernizeContext, modernize_dashboard
from .modern.common import JSON
from .provenance import strip_stamps
from .pysource import WIDTH, Call, call_names, render

# Grafana panel type -> grafanalib class; other types stay plain dicts.
PANEL_CLASSES = {
    "timeseries": "TimeSeries",
    "stat": "Stat",
    "gauge": "GaugePanel",
    "bargauge": "BarGauge",
    "table": "Table",
    "text": "Text",
    "heatmap": "Heatmap",
    "logs": "Logs",
    "piechart": "PieChartv2",
    "barchart": "BarChart",
    "state-timeline": "StateTimeline",
    "histogram": "Histogram",
    "news": "News",
    "dashlist": "DashboardList",
}
# What the generated call passes itself; never repeated in extraJson.
OWNED_PANEL_KEYS = frozenset(
    {
        "type",
        "title",
        "description",
        "datasource",
        "gridPos",
        "targets",
        "id",
        "panels",
        "collapsed",
    }
)
TARGET_FIELDS = (
    "expr",
    "legendFormat",
    "refId",
    "instant",
    "interval",
    "format",
    "hide",
    "datasource",
)  # what grafanalib's Target takes under the same names
TEMPLATE_FIELDS = {
    "name": "name",
    "query": "query",
    "type": "type",
    "datasource": "dataSource",
    "label": "label",
    "multi": "multi",
    "includeAll": "includeAll",
    "allValue": "allValue",
    "refresh": "refresh",
    "hide": "hide",
    "regex": "regex",
    "sort": "sort",
}
DASHBOARD_FIELDS = (
    "uid",
    "title",
    "description",
    "tags",
    "timezone",
    "refresh",
    "graphTooltip",
    "editable",
)
# Keys grafanalib or the modern layer rebuild: not worth a comment.
REBUILT_DASHBOARD_KEYS = frozenset(
    {
        "id",
        "version",
        "schemaVersion",
        "panels",
        "templating",
        "annotations",
        "links",
        "time",
        "timepicker",
        "iteration",
    }
)
REBUILT_VARIABLE_KEYS = frozenset({"current", "options", "definition"})


@dataclass
class Adopted:
    title: str
    source: str  # the module's text
    not_carried: list[str]  # dashboard and variable settings left out, as "key.path"
    # References kept as Grafana keeps them, finding nothing (how to map each is said).
    unresolved: list[str] = field(default_factory=list)


def adopt_files(
    sources: Sequence[Path],
    ctx: ModernizeContext,
    directory: Path,
    out: Path | None = None,
    overwrite: bool = False,
) -> list[tuple[Path, Adopted]]:
    """A module for each dashboard in ``sources``: ``out`` for a single one, else
    ``directory``/<title in snake case>.py. All are made before any is written, so a bad
    file (or a module that exists, without ``overwrite``) writes nothing."""
    if out is not None and len(sources) != 1:
        raise ConfigError("--out takes a single JSON file")
    planned: dict[Path, Adopted] = {}
    for source in sources:
        adopted = adopt(stamped(read_dashboard(source), str(source)), ctx, source.name)
        target = out or directory / f"{module_stem(adopted.title)}.py"
        if target in planned:
            raise ConfigError(
                f"would also be written for {planned[target].title!r} (same "
                "title); adopt it alone with --out",
                Location(str(source)),
            )
        if target.exists() and not overwrite:
            raise ConfigError("already exists (--force replaces it)", Location(str(target)))
        planned[target] = adopted
    for target, adopted in planned.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(adopted.source, encoding="utf-8")
        os.replace(partial, target)  # never a half-written module
    return list(planned.items())


def adopt(dashboard: JSON, ctx: ModernizeContext, origin: str) -> Adopted:
    """``dashboard`` may carry provenance stamps (see dashboard_file.stamped): errors then
    name its file and line; the module never contains them."""
    # Read as Grafana reads what it saved; the module written is checked strictly at build.
    saved = replace(ctx, saved_by_grafana=True, notes=[])
    modern = strip_stamps(modernize_dashboard(dashboard, saved))
    not_carried: list[str] = []
    kwargs: dict[str, Any] = {key: modern[key] for key in DASHBOARD_FIELDS if key in modern}
    if modern.get("time"):
        kwargs["time"] = Call(
            "Time",
            {"start": modern["time"].get("from", "now-6h"), "end": modern["time"].get("to", "now")},
        )
    picker = modern.get("timepicker") or {}
    if picker.get("refresh_intervals") or picker.get("nowDelay") or picker.get("hidden"):
        kwargs["timePicker"] = Call(
            "TimePicker",
            {
                "refreshIntervals": picker.get("refresh_intervals") or [],
                "timeOptions": [],  # Grafana 12 no longer reads them
                **({"nowDelay": picker["nowDelay"]} if picker.get("nowDelay") else {}),
                **({"hidden": True} if picker.get("hidden") else {}),
            },
        )
    if modern.get("links"):
        kwargs["links"] = modern["links"]
    annotations = (modern.get("annotations") or {}).get("list") or []
    if annotations:
        kwargs["annotations"] = Call("Annotations", {"list": annotations})
    variables = (modern.get("templating") or {}).get("list", [])
    kwargs["templating"] = Call("Templating", {"list": [_variable(v) for v in variables]})
    not_carried += [
        f"templating.{v.get('name')}.{key}"
        for v in variables
        for key in sorted(v)
        if key not in TEMPLATE_FIELDS and key not in REBUILT_VARIABLE_KEYS
    ]
    kwargs["panels"] = [_panel(p) for p in modern.get("panels", [])]
    not_carried += sorted(
        key for key in modern if key not in DASHBOARD_FIELDS and key not in REBUILT_DASHBOARD_KEYS
    )
    return Adopted(
        str(modern.get("title", "")),
        _module(Call("Dashboard", kwargs), origin, not_carried),
        not_carried,
        saved.notes,
    )


def _variable(variable: JSON) -> Call:
    kwargs = {arg: variable[key] for key, arg in TEMPLATE_FIELDS.items() if key in variable}
    current = variable.get("current") or {}
    if isinstance(current.get("value"), str) and current["value"]:
        kwargs["default"] = current["value"]
    return Call("Template", kwargs)


def _panel(panel: JSON) -> Call | JSON:
    if panel.get("type") == "row":
        return Call(
            "RowPanel",
            {
                "title": panel.get("title", ""),
                "id": panel.get("id"),
                "collapsed": bool(panel.get("collapsed")),
                "gridPos": _grid(panel),
                "panels": [_panel(p) for p in panel.get("panels", [])],
            },
        )
    name = PANEL_CLASSES.get(str(panel.get("type")))
    if name is None:
        return panel  # no grafanalib class: as JSON
    kwargs: dict[str, Any] = {"title": panel.get("title", "")}
    if panel.get("id") is not None:  # kept: links and alert rules may point at it
        kwargs["id"] = panel["id"]
    if "description" in panel:
        kwargs["description"] = panel["description"]
    if panel.get("datasource") is not None:
        kwargs["dataSource"] = panel["datasource"]
    kwargs["gridPos"] = _grid(panel)
    kwargs["targets"] = [_target(t, panel.get("datasource")) for t in panel.get("targets") or []]
    written = to_plain(_instantiate(Call(name, kwargs)))
    extra = _difference(panel, written, OWNED_PANEL_KEYS)
    if extra:
        kwargs["extraJson"] = extra
    return Call(name, kwargs)


def _grid(panel: JSON) -> Call:
    grid = panel.get("gridPos") or {}
    return Call("GridPos", {key: grid.get(key, 0) for key in ("h", "w", "x", "y")})


def _target(target: JSON, panel_datasource: Any) -> Call | JSON:
    """A Target for a Prometheus-style query. What the build derives again is left out: the
    panel's datasource, ``range`` as the opposite of ``instant``, and the editor mode."""
    target = {k: v for k, v in target.items() if k != "editorMode"}
    if target.get("datasource") == panel_datasource:
        target.pop("datasource")
    if target.get("range") == (not target.get("instant")):
        target.pop("range")
    if set(target) - set(TARGET_FIELDS) or "expr" not in target:
        return target  # not a query grafanalib's Target models: as JSON
    return Call("Target", {key: target[key] for key in TARGET_FIELDS if key in target})


def _difference(want: JSON, have: JSON, skip: frozenset[str] = frozenset()) -> JSON:
    """The smallest dict that, deep-merged into ``have`` as grafanalib merges extraJson,
    makes each key of ``want`` equal."""
    out: JSON = {}
    for key, value in want.items():
        if key in skip or have.get(key) == value:
            continue
        if isinstance(value, dict) and isinstance(have.get(key), dict):
            nested = _difference(value, have[key])
            if nested:
                out[key] = nested
        else:
            out[key] = copy.deepcopy(value)
    return out


def _instantiate(value: Any) -> Any:
    """The grafanalib objects a Call tree stands for."""
    if isinstance(value, Call):
        return getattr(gl, value.name)(**{k: _instantiate(v) for k, v in value.kwargs.items()})
    if isinstance(value, list):
        return [_instantiate(v) for v in value]
    return value


def _module(dashboard: Call, origin: str, not_carried: list[str]) -> str:
    lines = [
        f'"""Adopted from {origin} by `phoenix-dash adopt`.',
        "",
        "Review it like any dashboard module: give panels descriptions and units, and move",
        'what extraJson carries into grafanalib attributes where grafanalib has them."""',
        "",
    ]
    if not_carried:
        note = f"Not carried over (grafanalib has no place for them): {', '.join(not_carried)}."
        lines += [*textwrap.wrap(note, WIDTH - 2, initial_indent="# ", subsequent_indent="# "), ""]
    imports = [f"    {name}," for name in sorted(call_names(dashboard))]
    lines += [
        "from grafanalib.core import (",
        *imports,
        ")",
        "",
        f"dashboard = {render(dashboard, 0, len('dashboard = '))}",
        "",
    ]
    return "\n".join(lines)
