"""``quick_schema.certainly_valid``: a values file checked without importing jsonschema. It
may refuse too much (jsonschema then decides), never accept what jsonschema refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from phoenix_dash.quick_schema import certainly_valid
from tests.support.mutants import WRONG_VALUES, mutants
from tests.support.project import ROOT, copy_repo_project

# (schema, instance, what the quick check answers): every row is also checked against
# jsonschema, so a True here is a document jsonschema accepts.
CASES: list[tuple[dict[str, Any], Any, bool]] = [
    ({"type": "integer"}, 3, True),
    ({"type": "integer"}, True, False),  # a boolean is no number to JSON Schema
    ({"type": "integer"}, 3.0, False),  # whole: jsonschema's call, not ours
    ({"type": "number"}, False, False),
    ({"type": ["string", "number"]}, 2.5, True),
    ({"type": "strange"}, 1, False),
    ({"enum": [1, "a"]}, "a", True),
    ({"enum": [1]}, 1.0, False),  # equal to jsonschema, another type here
    ({"enum": [1]}, True, False),
    ({"enum": [[1]]}, [1], False),  # lists and objects: jsonschema compares them
    ({"const": None}, None, True),
    ({"minimum": 1}, 1, True),
    ({"minimum": 1}, 0, False),
    ({"minimum": 1}, "text", True),  # bounds hold for numbers only
    ({"exclusiveMaximum": 5}, 5, False),
    ({"minLength": 2}, "é€", True),  # characters, not bytes
    ({"maxLength": 1}, "ab", False),
    ({"pattern": "^[a-z]+$"}, "abc", True),
    ({"pattern": "b"}, "abc", True),  # searched anywhere, as jsonschema does
    ({"pattern": "^[a-z]+$"}, "abc\n", True),  # Python's $ (jsonschema uses re.search too)
    ({"pattern": "("}, "x", False),
    ({"required": ["a"]}, {"a": 1}, True),
    ({"required": ["a"]}, {}, False),
    ({"required": ["a"]}, [], True),  # applies to objects only
    ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"a": "x"}, True),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"b": 1}, False),
    ({"additionalProperties": {"type": "integer"}}, {"b": 1}, True),
    ({"patternProperties": {"^x": {}}, "additionalProperties": False}, {"x": 1}, False),
    ({"items": {"type": "integer"}, "minItems": 1}, [1, 2], True),
    ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1], False),
    ({"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n"}, 4, True),
    ({"definitions": {"n": {"type": "integer"}}, "$ref": "#/definitions/n"}, "4", False),
    ({"$ref": "#/definitions/missing"}, 1, False),
    ({"$ref": "https://example.com/s.json"}, 1, False),
    ({"$defs": {"a b": {}}, "$ref": "#/$defs/a%20b"}, 1, False),
    ({"properties": {"a": {"$id": "inner", "$ref": "#/x", "x": {}}}}, {"a": 1}, False),
    ({"allOf": [{"type": "integer"}, {"minimum": 0}]}, 3, True),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 3, True),
    ({"oneOf": [{"type": "integer"}]}, 3, False),  # not known here: jsonschema decides
    ({"not": {"type": "string"}}, 3, False),
    ({"if": {}, "then": {}}, 3, False),
    ({"title": "t", "description": "d", "format": "duration", "default": 1}, "5m", True),
    ({"type": "object"}, {1: "a"}, True),
    ({"properties": {"1": {}}}, {1: "a"}, False),  # YAML allows keys JSON does not
]


@pytest.mark.parametrize(("schema", "instance", "quick"), CASES, ids=range(len(CASES)))
def test_each_keyword_is_judged_as_jsonschema_does_or_left_to_it(
    schema: dict[str, Any], instance: Any, quick: bool
) -> None:
    assert certainly_valid(instance, schema) is quick
    if quick:
        assert jsonschema.Draft202012Validator(schema).is_valid(instance)


# A schema of every keyword the quick check knows, and a document it fits.
KITCHEN_SINK_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "replicas", "ratio", "mode", "tags", "limits", "spec"],
    "$defs": {
        "limit": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 2,
            "additionalProperties": {"type": ["string", "number"]},
        }
    },
    "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 20, "pattern": "^[a-z-]+$"},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "mode": {"enum": ["fast", "safe"]},
        "version": {"const": 2},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
        "limits": {"$ref": "#/$defs/limit"},
        "spec": {
            "allOf": [{"type": "object"}, {"required": ["kind"]}],
            "properties": {"kind": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        },
    },
}
KITCHEN_SINK = {
    "name": "api-gateway",
    "replicas": 3,
    "ratio": 0.5,
    "mode": "fast",
    "version": 2,
    "tags": ["a", "b"],
    "limits": {"cpu": "500m", "memory": 64},
    "spec": {"kind": None},
}
MORE_WRONG = [*WRONG_VALUES, 0, 11, 1, 1.0, 2.0, 0.0, "x" * 30, "Ab", ["a"] * 4, {"a": None}]


@pytest.mark.parametrize(
    ("schema_file", "document_file"),
    [("alerts/thresholds.schema.json", "alerts/thresholds.yaml"), (None, None)],
    ids=["phoenix thresholds", "every known keyword"],
)
def test_the_quick_check_never_accepts_what_jsonschema_refuses(
    schema_file: str | None, document_file: str | None
) -> None:
    if schema_file is None or document_file is None:
        schema, document = KITCHEN_SINK_SCHEMA, KITCHEN_SINK
    else:
        schema = json.loads((ROOT / schema_file).read_text())
        document = yaml.safe_load((ROOT / document_file).read_text())
    judge = jsonschema.Draft202012Validator(schema)
    assert certainly_valid(document, schema) and judge.is_valid(document)
    refused = total = 0
    for mutant in mutants(document, MORE_WRONG):
        total += 1
        if certainly_valid(mutant, schema):
            assert judge.is_valid(mutant), f"accepted {mutant!r}"
        else:
            refused += 1
    assert total > 50 and 0 < refused < total  # mutants of both kinds were seen


def test_a_valid_project_builds_without_importing_jsonschema(tmp_path: Path) -> None:
    """In a fresh process: the thresholds (and settings) are checked by quick looks alone,
    and the build is the committed one."""
    copy_repo_project(tmp_path)
    ran = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "phoenix_dash", "build", "--check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in ran.stderr.splitlines()]
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "alerts._phoenix" in imported and "jsonschema" not in imported
