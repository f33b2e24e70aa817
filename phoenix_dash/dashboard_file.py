"""Reading a dashboard from a JSON file: an export, a file `pull` wrote, the answer of
Grafana's GET /api/dashboards/uid/{uid} (the dashboard under "dashboard"), or a schema v2
dashboard (a dashboard.grafana.app/v2 resource, as build writes with dashboards.schema: v2,
or its bare spec), read as the v1 model it converts to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import provenance
from .errors import ConfigError, Location
from .json_lines import pointer_lines
from .modern.common import JSON


@dataclass(frozen=True)
class DashboardFile:
    data: JSON  # the dashboard itself (the v1 model)
    text: str  # the whole file
    pointer: str  # where the dashboard sits in the file: "" or "/dashboard"
    schema: str = "v1"  # "v2": ``data`` is the v1 model of the v2 dashboard in the file
    # For a v2 file: the line in the file of each v1 object made from one of its objects.
    converted_lines: dict[str, int] | None = None

    def lines(self) -> dict[str, int]:
        """Line of each value of the dashboard, by its pointer inside the dashboard."""
        if self.converted_lines is not None:
            return self.converted_lines
        return _lines_under(self.text, self.pointer)


def _lines_under(text: str, pointer: str) -> dict[str, int]:
    return {
        inner.removeprefix(pointer): line
        for inner, line in pointer_lines(text).items()
        if inner.startswith(pointer)
    }


def read_dashboard(path: Path) -> DashboardFile:
    """Bad input is a one-line ConfigError naming the file (and line, for invalid JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise ConfigError("file not found", Location(str(path))) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg}", Location(str(path), exc.lineno)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", Location(str(path))) from None
    pointer = ""
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data, pointer = data["dashboard"], "/dashboard"
    if _v2_spec(data) is not None:
        return _converted(data, text, pointer)
    problem = _not_a_dashboard(data)
    if problem:
        raise ConfigError(f"not a Grafana dashboard: {problem}", Location(str(path)))
    return DashboardFile(data, text, pointer)


DASHBOARD_KEYS = ("panels", "rows", "schemaVersion", "templating")


def v1_model(data: JSON) -> JSON:
    """``data`` (a dashboard in either schema) as the v1 model."""
    v2 = _v2_spec(data)
    if v2 is None:
        return data
    from .schema_v2.to_v1 import to_v1

    return to_v1(*v2)


def _v2_spec(data: Any) -> tuple[JSON, str] | None:
    """(spec, uid) of a schema v2 dashboard: a dashboard.grafana.app/v2* resource or its
    bare spec (elements and layout)."""
    if not isinstance(data, dict):
        return None
    if str(data.get("apiVersion", "")).startswith("dashboard.grafana.app/v2"):
        spec, metadata = data.get("spec"), data.get("metadata") or {}
        if isinstance(spec, dict) and isinstance(spec.get("elements"), dict):
            return spec, str(metadata.get("name") or "")
    if isinstance(data.get("elements"), dict) and isinstance(data.get("layout"), dict):
        return data, ""
    return None


def _not_a_dashboard(data: Any) -> str:
    """Why ``data`` is not a dashboard in Grafana's classic JSON model, or ""."""
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, where an object was expected"
    if not isinstance(data.get("title"), str) or not any(key in data for key in DASHBOARD_KEYS):
        found = ", ".join(sorted(map(str, data))[:8]) or "none"
        return f"no title and panels (keys found: {found})"
    if not isinstance(data.get("panels", []), list):
        return "panels is not a list"
    return ""


def _converted(data: JSON, text: str, pointer: str) -> DashboardFile:
    """A v2 dashboard read as its v1 model, each v1 value knowing the line of the v2 value
    it was made from: the v2 objects are stamped with their pointers (to_v1 carries the
    stamps over), and a member of a carried object is found under its own name there."""
    lines = _lines_under(text, pointer)
    model = v1_model(_with_lines(data, lines, display=None))
    converted: dict[str, int] = {}

    def collect(value: Any, at: str) -> None:
        if isinstance(value, dict):
            origin = provenance.stamped_at(value)
            if origin is not None and origin.line is not None:
                converted[at] = origin.line
            for key, item in value.items():
                member = f"{origin.file}/{key}" if origin is not None else None
                if member in lines:
                    converted[f"{at}/{key}"] = lines[member]
                collect(item, f"{at}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                collect(item, f"{at}/{index}")

    collect(model, "")
    return DashboardFile(provenance.strip_stamps(model), text, "", "v2", converted)


def stamped(file: DashboardFile, display: str) -> JSON:
    """A copy of the dashboard with every object stamped with its line in the file, as
    Python-built JSON is with its source line: errors then point into the file."""
    return _with_lines(file.data, file.lines(), display)


def _with_lines(data: JSON, lines: dict[str, int], display: str | None) -> JSON:
    """A copy with each object stamped with its line, and as its file ``display``, or its
    own pointer when ``display`` is None."""

    def stamp(value: Any, pointer: str) -> Any:
        if isinstance(value, dict):
            out = {key: stamp(item, f"{pointer}/{key}") for key, item in value.items()}
            if pointer in lines:
                where = pointer if display is None else display
                out.update(provenance.stamp(Location(where, lines[pointer])))
            return out
        if isinstance(value, list):
            return [stamp(item, f"{pointer}/{index}") for index, item in enumerate(value)]
        return value

    result: JSON = stamp(data, "")
    return result


def as_grafana_stores(data: JSON) -> JSON:
    """A dashboard file's model, of any schema version Grafana has written, as Grafana 12/13
    reads it: migrated, panels upgraded (units, thresholds and colours where Grafana keeps
    them now), datasource references as Grafana keeps them."""
    from .modern import ModernizeContext, modernize_dashboard

    context = ModernizeContext(saved_by_grafana=True, keep_unknown_datasources=True)
    modern: JSON = provenance.strip_stamps(modernize_dashboard(data, context))
    return modern
