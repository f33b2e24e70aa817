"""Project values files (thresholds, quotas...): YAML validated with a JSON Schema, with
quantities converted to numbers.

A schema marks a string as a quantity with ``"format"``: ``quantity`` (Kubernetes units,
``64Gi``), ``percent`` (``80%``, at most 100 %) or ``duration`` (``5m``). Values come back as
floats (seconds for durations, fractions for percentages); every error names the file, line
and key path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ConfigError, Location
from .quantities import QuantityError, parse_duration, parse_percent, parse_quantity
from .yamlconf import PathItems, YamlDocument, load_yaml, validate

CONVERTERS = {"quantity": parse_quantity, "percent": parse_percent, "duration": parse_duration}


def load_values(path: Path, schema_path: Path, display: str | None = None) -> dict[str, Any]:
    """Read ``path``, validate it against the schema in ``schema_path``, convert quantities."""
    try:
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read schema: {exc}", Location(str(schema_path))) from None
    doc = load_yaml(path, display)
    validate(doc, schema)
    converted: dict[str, Any] = _convert(doc, doc.data, schema, schema, [])
    return converted


def _convert(
    doc: YamlDocument, value: Any, schema: dict[str, Any], root: dict[str, Any], path: PathItems
) -> Any:
    schema = _resolve(schema, root)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            key: _convert(
                doc,
                item,
                properties.get(key, extra if isinstance(extra, dict) else {}),
                root,
                [*path, key],
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        items = schema.get("items", {})
        return [_convert(doc, item, items, root, [*path, i]) for i, item in enumerate(value)]
    kind = schema.get("format")
    if kind not in CONVERTERS:
        return value
    try:
        number = CONVERTERS[kind](value)
    except QuantityError as exc:
        raise doc.error(path, str(exc)) from None
    if number < 0:
        raise doc.error(path, f"{value!r} is negative")
    if kind == "percent" and not 0 < number <= 1:
        raise doc.error(path, f"{value!r} is not a percentage between 0 and 100 %")
    return number


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return _resolve(target, root)
    return schema
