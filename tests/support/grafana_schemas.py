"""Validation against Grafana's official JSON Schemas in ../shared/grafana/jsonschema.

These are test oracles only: the product never reads ../shared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.support.oracles import locate, pinned

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMAS = locate("grafana/jsonschema")
# The real-world dashboards, where they are or should be (tests skip on a missing one).
REALWORLD = [locate(item.relative) for item in pinned() if item.relative.startswith("realworld/")]


@cache
def schema_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / f"{name}.jsonschema.json").read_text())
    return data


def validator(name: str, definition: str) -> jsonschema.Draft7Validator:
    return _validator(name, definition)


@cache
def _validator(name: str, definition: str) -> jsonschema.Draft7Validator:
    doc = dict(schema_file(name))
    doc.pop("$ref", None)
    doc["$ref"] = f"#/definitions/{definition}"
    return jsonschema.Draft7Validator(doc)


# Places where the generated official schema is stricter than Grafana itself: the CUE source
# types these as "any", Grafana writes strings there, and every real export has them.
KNOWN_SCHEMA_ARTEFACTS = (
    re.compile(r"/fieldConfig/overrides/\d+/matcher/options: .* is not of type 'object'"),
    re.compile(r"/fieldConfig/overrides/\d+/properties/\d+/value: .* is not of type 'object'"),
    # oneOf over cell option variants that all accept every "type": no value can match one.
    re.compile(r"/custom/cellOptions: .* is not valid under any of the given schemas"),
)


def without_artefacts(found: list[str]) -> list[str]:
    return [e for e in found if not any(p.search(e) for p in KNOWN_SCHEMA_ARTEFACTS)]


def errors(name: str, definition: str, instance: Any, where: str) -> list[str]:
    return [
        f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name, definition).iter_errors(instance)
    ]


def all_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", []) if panel.get("type") == "row" else []


def panel_schema_errors(panel: dict[str, Any], where: str) -> list[str]:
    kind = str(panel.get("type")).replace("-", "")  # state-timeline -> statetimeline
    if kind == "row" or not (SCHEMAS / f"{kind}.jsonschema.json").exists():
        return []
    definitions = schema_file(kind)["definitions"]
    found = []
    if "Options" in definitions:
        found += errors(kind, "Options", panel.get("options", {}), f"{where}/options")
    custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
    if custom is not None and "FieldConfig" in definitions:
        found += errors(kind, "FieldConfig", custom, f"{where}/fieldConfig/defaults/custom")
    return found


QUERY_SCHEMAS = {"prometheus": ("prometheus", "Dataquery"), "loki": ("loki", "dataquery")}


def target_schema_errors(panel: dict[str, Any], where: str) -> list[str]:
    found = []
    for index, target in enumerate(panel.get("targets", [])):
        ds_type = (target.get("datasource") or {}).get("type")
        name = QUERY_SCHEMAS.get(str(ds_type))
        if name:
            found += errors(*name, target, f"{where}/targets/{index}")
    return found


def dashboard_errors(dashboard: dict[str, Any]) -> list[str]:
    found = errors("dashboard", "Dashboard", dashboard, "")
    for panel in all_panels(dashboard):
        where = f"panel {panel.get('title')!r}"
        # Panel by panel too: the dashboard's oneOf(Panel, RowPanel) hides the reason.
        kind = "RowPanel" if panel.get("type") == "row" else "Panel"
        found += errors("dashboard", kind, panel, where)
        found += panel_schema_errors(panel, where)
        found += target_schema_errors(panel, where)
    return found


def v2_dashboard_errors(spec: dict[str, Any]) -> list[str]:
    """A schema v2 spec against dashboardv2.jsonschema.json, and each panel's visualization
    options and custom field config against its panel's schema."""
    found = errors("dashboardv2", "Dashboard", spec, "")
    for name, element in (spec.get("elements") or {}).items():
        if element.get("kind") != "Panel":
            continue
        viz = element["spec"]["vizConfig"]
        panel = {
            "type": viz.get("group"),
            "options": viz["spec"].get("options", {}),
            "fieldConfig": viz["spec"].get("fieldConfig", {}),
        }
        found += without_artefacts(panel_schema_errors(panel, f"element {name}"))
    return found
