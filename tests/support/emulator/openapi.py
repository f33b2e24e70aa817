"""Request bodies checked against Grafana's OpenAPI (Swagger 2.0) spec, so the client under
test cannot drift from what the real API accepts."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.support.oracles import locate

# Grafana's OpenAPI spec, an oracle: without it the emulator answers as usual and checks no
# request body (the README's test command must pass on a bare clone).
SPEC = locate("grafana/openapi/api-merged.json")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    body_schema: dict[str, Any] | None


@cache
def _spec(path: Path = SPEC) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(path.read_text())
    spec = copy.deepcopy(spec)
    # The spec is generated from Go types: a rule's `for` is a model.Duration, which Grafana's
    # JSON encodes as a string ("5m") although the type is an int64 nanosecond count.
    rule = spec["definitions"]["ProvisionedAlertRule"]["properties"]
    rule["for"] = {"type": ["string", "integer"]}
    # The contact point type's enum is generated with a space before every name but the
    # first (" slack"); Grafana itself accepts the names.
    point = spec["definitions"]["EmbeddedContactPoint"]["properties"]["type"]
    point["enum"] = [name.strip() for name in point["enum"]]
    # A route's matchers are Alertmanager's Matchers, whose JSON form is a list of strings
    # ("team=\"x\""), not the Go struct the spec describes.
    route = spec["definitions"]["Route"]["properties"]
    route["matchers"] = {"type": "array", "items": {"type": "string"}}
    return spec


@cache
def operations() -> list[Operation]:
    if not SPEC.exists():
        return []
    spec = _spec()
    found = []
    for template, item in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            if method == "parameters":
                continue
            body = next(
                (p["schema"] for p in operation.get("parameters", []) if p.get("in") == "body"),
                None,
            )
            found.append(Operation(method.upper(), template, pattern, body))
    # Literal paths before templated ones (/folders/id/... vs /folders/{uid}).
    return sorted(found, key=lambda o: o.template.count("{"))


@cache
def _by_method(method: str) -> list[Operation]:
    return [operation for operation in operations() if operation.method == method]


def find(method: str, path: str) -> Operation | None:
    """The operation for ``path`` (relative to /api)."""
    for operation in _by_method(method):
        if operation.pattern.match(path):
            return operation
    return None


@cache
def _validator(method: str, template: str) -> jsonschema.Draft4Validator:
    """One validator per operation, made once (making one resolves the spec's definitions)."""
    operation = next(o for o in _by_method(method) if o.template == template)
    assert operation.body_schema is not None
    schema = {**operation.body_schema, "definitions": _spec()["definitions"]}
    return jsonschema.Draft4Validator(schema)


def body_errors(operation: Operation, body: Any) -> list[str]:
    if operation.body_schema is None:
        return []
    validator = _validator(operation.method, operation.template)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
        for e in validator.iter_errors(body)
    ]
