"""The compiled schemas (phoenix_dash/schemas/compiled/, a quick first check before
jsonschema) are what tests/support/compile_schemas.py gives, and never accept a document
jsonschema refuses: they only spare valid files the import of jsonschema."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml

from tests.support.compile_schemas import COMPILED, NAMES, SCHEMAS, compiled
from tests.support.mutants import mutants
from tests.support.project import ROOT

SAMPLES = {
    "config": ["phoenix-dash.yaml", "phoenix_dash/scaffold/phoenix-dash.yaml"],
    "catalog": ["metrics.yaml", "phoenix_dash/scaffold/metrics.yaml"],
    "datasources": ["datasources.yaml", "phoenix_dash/scaffold/datasources.yaml"],
    "notifications": ["notifications.yaml", "phoenix_dash/scaffold/notifications.yaml"],
}


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return found


@pytest.mark.parametrize("name", NAMES)
def test_the_committed_modules_are_what_the_generator_gives(name: str) -> None:
    pytest.importorskip("fastjsonschema", reason="pip install -e '.[test]' installs it")
    committed = (COMPILED / f"{name}.py").read_text()
    assert committed == compiled(name), "run: python -m tests.support.compile_schemas"


@pytest.mark.parametrize("name", NAMES)
def test_no_ref_has_siblings_so_draft_07_reads_them_as_2020_12_does(name: str) -> None:
    def refs_with_siblings(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            if "$ref" in value and set(value) - {"$ref", "description", "title"}:
                yield str(value)
            for item in value.values():
                yield from refs_with_siblings(item)
        elif isinstance(value, list):
            for item in value:
                yield from refs_with_siblings(item)

    assert not list(refs_with_siblings(schema(name)))


@pytest.mark.parametrize("name", NAMES)
def test_the_compiled_check_never_accepts_what_jsonschema_refuses(name: str) -> None:
    quick = importlib.import_module(f"phoenix_dash.schemas.compiled.{name}").validate
    judge = jsonschema.Draft202012Validator(schema(name))

    def accepted(document: Any) -> bool:
        try:
            quick(document)
        except ValueError:
            return False
        return True

    agree = judged = total = 0
    for sample in SAMPLES[name]:
        document = yaml.safe_load((ROOT / sample).read_text())
        assert accepted(document) and judge.is_valid(document), sample
        for mutant in mutants(document):
            taken = accepted(mutant)
            # Every accepted mutant is judged; of the refused, one in four (what agreement
            # needs), as jsonschema's judgement is most of this test's time.
            if taken or total % 4 == 0:
                valid = judge.is_valid(mutant)
                assert not taken or valid, f"{sample}: accepted {mutant!r}"
                agree += taken == valid
                judged += 1
            total += 1
    assert total > 100 and agree / judged > 0.99  # refusing more would only cost the import
