"""Grafana's official schemas (vendored under phoenix_dash/schemas/grafana), fast to check.

fastjsonschema answers "valid?" quickly; only for an invalid object does jsonschema list
every error with its path, so a clean project pays little for schema checks.
"""

from __future__ import annotations

import json
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
    # Grafana's schemas use "format" loosely; only structure matters here.
    return fastjsonschema.compile(schema, formats={"date-time": r".*"})


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


@cache
def known_units() -> frozenset[str]:
    schema = grafana_schema("units") or {}
    return frozenset(
        str(d["const"]) for d in schema.get("definitions", {}).values() if "const" in d
    )
