"""A quick first look at a document against a project's own JSON Schema (a values file's,
say), before jsonschema: importing jsonschema costs every build 30 ms, for a file that is
valid nearly always.

``certainly_valid`` answers True only where jsonschema (Draft 2020-12, as ``yamlconf``
validates) would accept the document too. It knows the keywords such files use (types,
properties, required, enums, bounds, lengths, patterns, items, local ``$ref``); anything
else, or anything it is unsure of (1.0 as an integer, a list in an enum), is "not certain",
and jsonschema decides and words the error. So it may only ever refuse too much, which
costs the import and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # bool is an int to Python, not a number to JSON Schema; a float that is whole is an
    # integer to jsonschema: not certain here, jsonschema decides.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}
# Keywords that only describe (or hold definitions for $ref): nothing to check.
ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples", "format"}
    | {"deprecated", "readOnly", "writeOnly", "definitions", "$defs"}
)
SCALARS = (str, int, float, bool, type(None))


def certainly_valid(instance: Any, schema: Any) -> bool:
    """True only if jsonschema would find ``instance`` valid against ``schema``."""
    return _valid(instance, schema, schema)


def _valid(instance: Any, schema: Any, root: Any) -> bool:
    if schema is True or schema == {}:
        return True
    if not isinstance(schema, dict):
        return False  # false, or not a schema: jsonschema says
    if "$id" in schema and schema is not root:
        return False  # a new base for the $refs inside: jsonschema resolves those
    for keyword, value in schema.items():
        if keyword in ANNOTATIONS:
            continue
        check = KEYWORDS.get(keyword)
        if check is None or not check(instance, value, schema, root):
            return False
    return True


def _type(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(name in JSON_TYPES and JSON_TYPES[name](instance) for name in names)


def _ref(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("#/") or "%" in value:
        return False  # remote, anchors, escapes: jsonschema resolves those
    target: Any = root
    for part in value[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    return _valid(instance, target, root)


def _properties(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in instance):
        return False
    return all(_valid(item, value[key], root) for key, item in instance.items() if key in value)


def _additional(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema or not all(isinstance(key, str) for key in instance):
        return False
    known = schema.get("properties", {})
    return all(_valid(item, value, root) for key, item in instance.items() if key not in known)


def _required(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    return not isinstance(instance, dict) or (
        isinstance(value, list) and all(key in instance for key in value)
    )


def _items(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    if not isinstance(instance, list):
        return True
    return "prefixItems" not in schema and all(_valid(item, value, root) for item in instance)


def _enum(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    return isinstance(value, list) and any(_same(instance, option) for option in value)


def _const(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    return _same(instance, value)


def _same(a: Any, b: Any) -> bool:
    # Scalars of one Python type only: jsonschema's equality (1 == 1.0, True != 1, lists
    # and objects) is for it to judge.
    return isinstance(a, SCALARS) and type(a) is type(b) and a == b


def _bound(holds: Callable[[Any, Any], bool]) -> Callable[[Any, Any, Any, Any], bool]:
    def check(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
        if not JSON_TYPES["number"](instance):
            return True
        return JSON_TYPES["number"](value) and holds(instance, value)

    return check


def _size(
    measured: type[str | list[Any] | dict[Any, Any]], holds: Callable[[int, Any], bool]
) -> Callable[[Any, Any, Any, Any], bool]:
    def check(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
        if not isinstance(instance, measured):
            return True
        return JSON_TYPES["integer"](value) and holds(len(instance), value)

    return check


def _pattern(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        return isinstance(value, str) and re.search(value, instance) is not None
    except re.error:
        return False


def _all_of(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    return isinstance(value, list) and all(_valid(instance, part, root) for part in value)


def _any_of(instance: Any, value: Any, schema: Mapping[str, Any], root: Any) -> bool:
    return isinstance(value, list) and any(_valid(instance, part, root) for part in value)


KEYWORDS: dict[str, Callable[[Any, Any, Mapping[str, Any], Any], bool]] = {
    "type": _type,
    "$ref": _ref,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "enum": _enum,
    "const": _const,
    "minimum": _bound(lambda v, limit: v >= limit),
    "maximum": _bound(lambda v, limit: v <= limit),
    "exclusiveMinimum": _bound(lambda v, limit: v > limit),
    "exclusiveMaximum": _bound(lambda v, limit: v < limit),
    "minLength": _size(str, lambda n, limit: n >= limit),
    "maxLength": _size(str, lambda n, limit: n <= limit),
    "minItems": _size(list, lambda n, limit: n >= limit),
    "maxItems": _size(list, lambda n, limit: n <= limit),
    "minProperties": _size(dict, lambda n, limit: n >= limit),
    "maxProperties": _size(dict, lambda n, limit: n <= limit),
    "pattern": _pattern,
    "allOf": _all_of,
    "anyOf": _any_of,
}
