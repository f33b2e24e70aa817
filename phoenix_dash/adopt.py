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

from .adopt_library import (
    LIBRARY_DIRECTORY,
    AdoptedLibraryPanel,
    dashboards_package,
    library_identifier,
)
from .dashboard_file import read_dashboard, stamped
from .errors import ConfigError, Location
from .filenames import module_stem
from .library_panels import library_model
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
    library_panels: list[AdoptedLibraryPanel] = field(default_factory=list)  # it uses


@dataclass(frozen=True)
class AdoptResult:
    dashboards: list[tuple[Path, Adopted]]  # each module written, and what it holds
    library_modules: list[Path]  # written for the library panels the dashboards use
    notes: list[str]  # about library panels: kept modules, definitions that differ


@dataclass
class LibraryPanels:
    """The library panels met while adopting, by uid: one module each, however many
    dashboards use it. ``package``: how dashboards import from their directory."""

    package: str = "dashboards"
    by_uid: dict[str, AdoptedLibraryPanel] = field(default_factory=dict)
    models: dict[str, JSON] = field(default_factory=dict)  # as first met
    notes: list[str] = field(default_factory=list)

    def use(self, panel: JSON) -> Call:
        reference, model = panel["libraryPanel"], library_model(panel)
        uid, name = str(reference["uid"]), str(reference.get("name") or "")
        known = self.by_uid.get(uid)
        if known is None:
            stems = {p.stem for p in self.by_uid.values()}
            stem = library_identifier(name, uid)
            if stem in stems:
                stem = f"{stem}_{module_stem(uid)}"
            known = AdoptedLibraryPanel(uid, name, stem.upper(), stem, _panel(model, self))
            self.by_uid[uid], self.models[uid] = known, model
        elif self.models[uid] != model:
            self.notes.append(
                f"library panel {name!r} ({uid}) differs between the dashboards adopted; "
                "the first one's definition is kept"
            )
        return known.use(panel)


def adopt_files(
    sources: Sequence[Path],
    ctx: ModernizeContext,
    directory: Path,
    out: Path | None = None,
    overwrite: bool = False,
    root: Path | None = None,
) -> AdoptResult:
    """A module for each dashboard in ``sources``: ``out`` for a single one, else
    ``directory``/<title in snake case>.py, and one for each library panel they use
    (adopt_library). All are made before any is written, so a bad file (or a module that
    exists, without ``overwrite``) writes nothing. ``root``: the project's, from which
    the dashboards import their library panels."""
    if out is not None and len(sources) != 1:
        raise ConfigError("--out takes a single JSON file")
    planned: dict[Path, Adopted] = {}
    library = LibraryPanels(dashboards_package(directory, root) if root else "dashboards")
    for source in sources:
        read = stamped(read_dashboard(source), str(source))
        adopted = adopt(read, ctx, source.name, library)
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
    texts = {target: adopted.source for target, adopted in planned.items()}
    modules = _library_modules(library, directory, overwrite, sources[0].name)
    for target, text in {**texts, **modules}.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)  # never a half-written module
    return AdoptResult(list(planned.items()), list(modules), library.notes)


def _library_modules(
    library: LibraryPanels, directory: Path, overwrite: bool, origin: str
) -> dict[Path, str]:
    """Each library panel's module to write; one that exists is kept (it may hold the
    team's edits) unless ``overwrite``, and said."""
    texts: dict[Path, str] = {}
    for panel in library.by_uid.values():
        target = directory / LIBRARY_DIRECTORY / f"{panel.stem}.py"
        text = panel.source(origin)
        if target.exists() and not overwrite:
            if target.read_text(encoding="utf-8") != text:
                library.notes.append(
                    f"library panel {panel.name!r}: {target.name} exists and was kept "
                    "(--force replaces it)"
                )
            continue
        texts[target] = text
    return texts


def adopt(
    dashboard: JSON, ctx: ModernizeContext, origin: str, library: LibraryPanels | None = None
) -> Adopted:
    """``dashboard`` may carry provenance stamps (see dashboard_file.stamped): errors then
    name its file and line; the module never contains them. ``library``: the library panels
    met so far (shared by the dashboards adopted together)."""
    library = library if library is not None else LibraryPanels()
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
    kwargs["panels"] = [_panel(p, library) for p in modern.get("panels", [])]
    not_carried += sorted(
        key for key in modern if key not in DASHBOARD_FIELDS and key not in REBUILT_DASHBOARD_KEYS
    )
    dashboard_call = Call("Dashboard", kwargs)
    used = [p for p in library.by_uid.values() if p.constant in call_names(dashboard_call)]
    imports = [p.import_line(library.package) for p in used]
    return Adopted(
        str(modern.get("title", "")),
        _module(dashboard_call, origin, not_carried, imports, {p.constant for p in used}),
        not_carried,
        saved.notes,
        used,
    )


def _variable(variable: JSON) -> Call:
    kwargs = {arg: variable[key] for key, arg in TEMPLATE_FIELDS.items() if key in variable}
    current = variable.get("current") or {}
    if isinstance(current.get("value"), str) and current["value"]:
        kwargs["default"] = current["value"]
    return Call("Template", kwargs)


def _panel(panel: JSON, library: LibraryPanels) -> Call | JSON:
    reference = panel.get("libraryPanel")
    if isinstance(reference, dict) and reference.get("uid") and "type" in panel:
        return library.use(panel)  # a bare reference (no type) stays as Grafana keeps it
    if panel.get("type") == "row":
        return Call(
            "RowPanel",
            {
                "title": panel.get("title", ""),
                "id": panel.get("id"),
                "collapsed": bool(panel.get("collapsed")),
                "gridPos": _grid(panel),
                "panels": [_panel(p, library) for p in panel.get("panels", [])],
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
    if "gridPos" in panel:  # a library panel's definition has none: each use has its own
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


def _module(
    dashboard: Call,
    origin: str,
    not_carried: list[str],
    imports: list[str],
    library_constants: set[str],
) -> str:
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
    grafanalib = sorted(call_names(dashboard) - library_constants)
    lines += [
        "from grafanalib.core import (",
        *(f"    {name}," for name in grafanalib),
        ")",
        "",
        *([*imports, ""] if imports else []),
        f"dashboard = {render(dashboard, 0, len('dashboard = '))}",
        "",
    ]
    return "\n".join(lines)
