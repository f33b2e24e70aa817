"""Grafana's official schemas (vendored under phoenix_dash/schemas/grafana), fast to check.

fastjsonschema answers "valid?" quickly; only for an invalid object does jsonschema list
every error with its path, so a clean project pays little for schema checks.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
import jsonschema

from ..provenance import SOURCE_KEY

SHALLOW = frozenset({("dashboard", "Dashboard"), ("dashboard", "RowPanel")})
# Where the JSON Schema export of Grafana's CUE schemas is narrower than Grafana itself, so
# that what Grafana writes would fail it. Values CUE types as ``_`` (anything) that the
# export made "object": an override's property value (a unit string, a number, a colour), a
# matcher's options (a field name, a regex), a variable's query (a string, or the query
# editor's {"query": ..., "refId": ...}).
ANY_VALUED = {
    ("DynamicConfigValue", "value"),
    ("MatcherConfig", "options"),
    ("VariableModel", "query"),
}
# Unions whose discriminator (each branch's "type" constant) the export lost: every branch
# then accepts {"type": "auto"}, and "exactly one of" fails for what Grafana writes.
UNIONS = {"TableCellOptions"}
PANEL_SCHEMA_NAMES = {"state-timeline": "statetimeline", "status-history": "statushistory"}


@cache
def grafana_schema(name: str) -> dict[str, Any] | None:
    path = resources.files("phoenix_dash").joinpath("schemas", "grafana", f"{name}.jsonschema.json")
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _rooted(name: str, definition: str) -> dict[str, Any] | None:
    schema = grafana_schema(name)
    if schema is None or definition not in schema.get("definitions", {}):
        return None
    rooted = {k: _allow_stamps(v) for k, v in schema.items() if k != "$ref"}
    rooted["$ref"] = f"#/definitions/{definition}"
    definitions = rooted.get("definitions", {})
    for owner, key in ANY_VALUED:
        properties = definitions.get(owner, {}).get("properties", {})
        if key in properties:
            properties[key] = {"description": properties[key].get("description", "")}
    for union in UNIONS & set(definitions):
        if "oneOf" in definitions[union]:
            definitions[union]["anyOf"] = definitions[union].pop("oneOf")
    if (name, definition) in SHALLOW:
        # The linter validates panels one by one; leaving them out here keeps the compiled
        # validator small (the full Dashboard one is 0.5 MB of code).
        rooted["definitions"][definition]["properties"]["panels"] = {"type": "array"}
    return rooted


def _allow_stamps(schema: Any) -> Any:
    """A copy of ``schema`` in which closed objects also accept phoenix-dash's provenance
    stamp, so stamped JSON can be checked as it is, without a stripped copy."""
    if isinstance(schema, list):
        return [_allow_stamps(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: _allow_stamps(value) for key, value in schema.items()}
    if copy.get("additionalProperties") is False and isinstance(copy.get("properties"), dict):
        copy["properties"] = {**copy["properties"], SOURCE_KEY: {"type": "string"}}
    return copy


@cache
def _fast(name: str, definition: str) -> Callable[[Any], Any] | None:
    schema = _rooted(name, definition)
    if schema is None:
        return None
    # Grafana's schemas use "format" loosely; only structure matters here. use_default off:
    # fastjsonschema otherwise writes the schema's defaults into the object it checks, and
    # lint would see (and --fix believe) keys the file does not have.
    return fastjsonschema.compile(schema, formats={"date-time": r".*"}, use_default=False)


@cache
def _slow(name: str, definition: str) -> jsonschema.Draft7Validator:
    schema = _rooted(name, definition)
    assert schema is not None
    return jsonschema.Draft7Validator(schema)


def has_schema(name: str, definition: str) -> bool:
    return _rooted(name, definition) is not None


def schema_errors(
    name: str, definition: str, instance: Any
) -> Iterator[jsonschema.ValidationError]:
    fast = _fast(name, definition)
    if fast is None:
        return
    try:
        fast(instance)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    yield from _slow(name, definition).iter_errors(instance)


def panel_schema_name(panel_type: str) -> str:
    return PANEL_SCHEMA_NAMES.get(panel_type, panel_type)


# What lint reports and --fix repairs, checked the same way: the dashboard's own keys and each
# panel on its own (through the schema's oneOf(Panel, RowPanel) an error in one panel would
# only say "not valid under any of the given schemas"; SHALLOW leaves the nested panels out),
# then the panel plugin's options and custom field config.


def dashboard_errors(dashboard: Any) -> list[jsonschema.ValidationError]:
    """The schema's errors; an export's ``__inputs`` and ``__requires`` are not errors:
    Grafana's import reads them."""
    from ..modern.dashboard import EXPORT_KEYS

    if isinstance(dashboard, dict) and any(key in dashboard for key in EXPORT_KEYS):
        dashboard = {k: v for k, v in dashboard.items() if k not in EXPORT_KEYS}
    return list(schema_errors("dashboard", "Dashboard", dashboard))


def schema_message(error: jsonschema.ValidationError) -> str:
    """The error's message, naming the key it is about (``gnetId: None is not ...``)."""
    path = ".".join(map(str, error.absolute_path))
    if error.validator == "type" and error.instance is None:
        return f"{path}: null where the schema wants {error.validator_value}; read as unset"
    return f"{path}: {error.message}" if path else error.message


def panel_errors(panel: Any) -> list[jsonschema.ValidationError]:
    definition = "RowPanel" if panel.get("type") == "row" else "Panel"
    return list(schema_errors("dashboard", definition, panel))


def plugin_errors(panel: Any) -> Iterator[tuple[str, Any, list[jsonschema.ValidationError]]]:
    """(the part, as messages name it, the part itself, its errors) for a panel's options
    and custom field config, where its plugin has a schema."""
    name = panel_schema_name(str(panel.get("type")))
    if panel.get("type") == "row":
        return
    options = panel.get("options")
    if has_schema(name, "Options") and "options" in panel:
        yield "options", options, list(schema_errors(name, "Options", options))
    custom = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("custom")
    if has_schema(name, "FieldConfig") and isinstance(custom, dict):
        yield (
            "fieldConfig.defaults.custom",
            custom,
            list(schema_errors(name, "FieldConfig", custom)),
        )


@cache
def known_units() -> frozenset[str]:
    schema = grafana_schema("units") or {}
    return frozenset(
        str(d["const"]) for d in schema.get("definitions", {}).values() if "const" in d
    )


# How a schema error reads to a user of Grafana 12/13: it breaks something; Grafana fills
# the difference in (a default, a migration) or ignores it (a legacy key); a key that is
# probably a typo of a known one (Grafana ignores it too, and the setting meant is lost).
BREAKS, FILLED, TYPO = "breaks", "filled", "typo"
# Required keys Grafana cannot fill in: without them the object means nothing.
ESSENTIAL = frozenset({"type", "title"})


def kind_of(error: jsonschema.ValidationError) -> str:
    """Whether Grafana fills the difference in itself (a required key it defaults, a
    datasource still named by a string, which it migrates on load), ignores it (an unknown
    key), or is broken by it."""
    if error.validator == "additionalProperties":
        known = list(
            (error.schema.get("properties") or {}) if isinstance(error.schema, dict) else []
        )
        unexpected = re.findall(r"'([^']+)'", error.message.split("(", 1)[-1])
        # A typo comes alone; a legacy shape (an Angular panel's keys) comes in a bunch.
        typo = len(unexpected) == 1 and difflib.get_close_matches(unexpected[0], known, 1, 0.8)
        return TYPO if typo else FILLED
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return BREAKS if set(missing) & ESSENTIAL else FILLED
    path = list(error.absolute_path)
    if (
        error.validator == "type"
        and isinstance(error.instance, str)
        and path[-1:] == ["datasource"]
    ):
        return FILLED
    if error.validator == "type" and error.instance is None:
        return FILLED  # null (gnetId in most exports): Grafana reads it as absent
    if error.validator == "type" and error.instance == "" and container_error(error):
        return FILLED  # an empty string where a list or object belongs: read as unset
    return BREAKS


def container_error(error: jsonschema.ValidationError) -> bool:
    wanted = error.validator_value
    kinds = set(wanted) if isinstance(wanted, list) else {wanted}
    return bool(kinds & {"array", "object"})
