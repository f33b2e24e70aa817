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
    schema: str = "v1"  # "v2": converted from schema v2, so no line maps into the file

    def lines(self) -> dict[str, int]:
        """Line of each value of the dashboard, by its pointer inside the dashboard."""
        if self.schema != "v1":
            return {}
        return {
            pointer.removeprefix(self.pointer): line
            for pointer, line in pointer_lines(self.text).items()
            if pointer.startswith(self.pointer)
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
        return DashboardFile(v1_model(data), text, "", "v2")
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


def stamped(file: DashboardFile, display: str) -> JSON:
    """A copy of the dashboard with every object stamped with its line in the file, as
    Python-built JSON is with its source line: errors then point into the file."""
    lines = file.lines()

    def stamp(value: Any, pointer: str) -> Any:
        if isinstance(value, dict):
            out = {key: stamp(item, f"{pointer}/{key}") for key, item in value.items()}
            if pointer in lines:
                out.update(provenance.stamp(Location(display, lines[pointer])))
            return out
        if isinstance(value, list):
            return [stamp(item, f"{pointer}/{index}") for index, item in enumerate(value)]
        return value

    result: JSON = stamp(file.data, "")
    return result
