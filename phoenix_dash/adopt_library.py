"""What `adopt` makes of a library panel: a module of its own that defines it once
(``<dashboards>/_library_panels/<name>.py``, a ``LibraryPanel``), imported by every adopted
dashboard that uses it, so the link Grafana keeps between them survives and `build` gives
the same library element back. The directory starts with ``_``: the loader reads helpers
there, not dashboards.

A use on a dashboard is the constant called with its place: ``SERVICE_HEALTH(gridPos=...,
id=3)``; Grafana lets a use differ from its library panel in nothing else."""

from __future__ import annotations

import keyword
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, Location
from .filenames import module_stem
from .modern.common import JSON
from .pysource import WIDTH, Call, call_names, render

LIBRARY_DIRECTORY = "_library_panels"


@dataclass(frozen=True)
class AdoptedLibraryPanel:
    uid: str
    name: str
    constant: str  # what the module defines and dashboards import: SERVICE_HEALTH
    stem: str  # the module's name in LIBRARY_DIRECTORY
    panel: Call | JSON  # the library's panel, as the dashboard module would write it

    def import_line(self, package: str) -> str:
        return f"from {package}.{LIBRARY_DIRECTORY}.{self.stem} import {self.constant}"

    def use(self, panel: JSON) -> Call:
        """The call a dashboard writes where it shows the panel: its place only."""
        place = {k: panel[k] for k in ("gridPos", "id") if panel.get(k) is not None}
        if "gridPos" in place:
            grid = place["gridPos"]
            place["gridPos"] = Call("GridPos", {k: grid.get(k, 0) for k in ("h", "w", "x", "y")})
        return Call(self.constant, place)

    def source(self, origin: str) -> str:
        definition = Call("LibraryPanel", {"uid": self.uid, "name": self.name, "panel": self.panel})
        grafanalib = sorted(call_names(self.panel))
        docstring = (
            f"Library panel {self.name!r} (uid {self.uid!r}), adopted from {origin} by "
            f"`phoenix-dash adopt`. Dashboards show it with {self.constant}(gridPos=...); "
            "an edit here changes it on every one."
        )
        lines = ['"""' + "\n".join(textwrap.wrap(docstring, WIDTH - 3)) + '"""', ""]
        if grafanalib:  # one block: both are installed packages in a team's project
            lines += ["from grafanalib.core import (", *(f"    {n}," for n in grafanalib), ")"]
        lines += [
            "from phoenix_dash.library_panels import LibraryPanel",
            "",
            f"{self.constant} = {render(definition, 0, len(self.constant) + 3)}",
            "",
        ]
        return "\n".join(lines)


def library_identifier(name: str, uid: str) -> str:
    """A module name for the library panel ``name``: importable (no leading digit, no
    keyword), as a dashboard's module is named after its title."""
    stem = module_stem(name or uid)
    if stem[0].isdigit() or keyword.iskeyword(stem):
        stem = f"panel_{stem}"
    return stem


def dashboards_package(directory: Path, root: Path) -> str:
    """The dotted name dashboards import their helpers by (``dashboards``, as
    ``from dashboards._phoenix import ...``): the dashboards directory, from the project's
    root."""
    try:
        parts = directory.resolve().relative_to(root.resolve()).parts
    except ValueError:
        parts = ()
    if not parts or not all(part.isidentifier() for part in parts):
        raise ConfigError(
            "a library panel's module must be importable by the dashboards that use it, and "
            f"{directory} is not a package under the project (paths.dashboards)",
            Location(str(directory)),
        )
    return ".".join(parts)
