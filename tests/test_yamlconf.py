"""Reading project YAML: a parse is kept for texts read again (preview --watch rebuilds at
every save), never at the cost of a stale or shared answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from phoenix_dash.errors import ConfigError
from phoenix_dash.yamlconf import load_yaml

TEXT = "quotas:\n  cpu: {limit: 2, tags: [a, b]}\nwhen: 2024-01-02\n"


def test_each_read_gets_its_own_data(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(TEXT)
    first = load_yaml(path)
    first.data["quotas"]["cpu"]["tags"].append("mutated")
    first.data["quotas"]["cpu"]["limit"] = 99
    again = load_yaml(path)
    assert again.data["quotas"]["cpu"] == {"limit": 2, "tags": ["a", "b"]}
    assert again.line_of(["quotas", "cpu", "tags", 1]) == 2


def test_a_changed_file_is_read_anew(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(TEXT)
    assert load_yaml(path).data["quotas"]["cpu"]["limit"] == 2
    path.write_text(TEXT.replace("limit: 2", "limit: 3"))
    assert load_yaml(path).data["quotas"]["cpu"]["limit"] == 3


def test_the_same_mistake_is_named_in_each_file(tmp_path: Path) -> None:
    text = "a: 1\nb: 2\na: 3\n"
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_text(text)
        with pytest.raises(ConfigError) as raised:
            load_yaml(tmp_path / name, display=name)
        assert str(raised.value) == f"{name}:3: duplicate key 'a'"
