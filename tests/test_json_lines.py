"""Lines of JSON values by pointer, for lint findings in JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from phoenix_dash.json_lines import line_of, pointer_lines
from tests.support.grafana_schemas import REALWORLD
from tests.support.project import oracle


def test_members_and_items_get_the_line_where_they_start() -> None:
    text = '{\n  "a": 1,\n  "b": [\n    {"c": "x"},\n    [true, null]\n  ],\n  "d": {}\n}\n'
    assert pointer_lines(text) == {
        "": 1,
        "/a": 2,
        "/b": 3,
        "/b/0": 4,
        "/b/0/c": 4,
        "/b/1": 5,
        "/b/1/0": 5,
        "/b/1/1": 5,
        "/d": 7,
    }


def test_strings_with_quotes_brackets_and_escapes_do_not_confuse_it() -> None:
    text = '{"k\\"ey": "a } ] , \\" {",\n "u": "\\u00e9\\n",\n "n": -1.5e3, "x/y": [1]}'
    lines = pointer_lines(text)
    assert lines['/k"ey'] == 1 and lines["/u"] == 2 and lines["/n"] == 3 and lines["/x/y/0"] == 3


def test_a_pointer_without_a_line_falls_back_to_its_parent() -> None:
    lines = {"": 1, "/panels": 3, "/panels/0": 4}
    assert line_of("/panels/0/options/", lines) == 4
    assert line_of("/", lines) == 1
    assert line_of("/nothing/here", {}) is None


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.stem)
def test_every_value_of_a_real_dashboard_has_its_line(path: Path) -> None:
    text = oracle(path).read_text()
    lines = pointer_lines(text)
    source = text.splitlines()

    def walk(value: Any, pointer: str) -> None:
        assert pointer in lines, pointer
        if isinstance(value, dict):
            for key, child in value.items():
                assert json.dumps(key) in source[lines[f"{pointer}/{key}"] - 1]
                walk(child, f"{pointer}/{key}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{pointer}/{index}")

    walk(json.loads(text), "")
