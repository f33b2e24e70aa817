"""YAML project files validated with JSON Schema, with errors that name the key path and line.

PyYAML's node tree keeps a line for every key; we read the data and the nodes from one parse,
so any jsonschema error path can be turned into ``file:line: key.path: message``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ConfigError, Location

if TYPE_CHECKING:
    from jsonschema import ValidationError

PathItems = Sequence[str | int]
# libyaml's parser when PyYAML has it (about ten times faster than the pure-Python one); the
# documents, node marks and errors are the same.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dotted(path: PathItems) -> str:
    """Render a key path as ``a.b[2].c``."""
    out = ""
    for item in path:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else str(item))
    return out or "(top level)"


class YamlDocument:
    """A parsed YAML file: its data and a way to find the line of any key path."""

    def __init__(self, file: str, data: Any, root: yaml.Node | None) -> None:
        self.file = file
        self.data = data
        self._root = root

    def line_of(self, path: PathItems) -> int | None:
        """1-based line of the deepest node on ``path`` that exists."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for item in path:
            child = _child(node, item)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def key_lines(self, path: PathItems) -> dict[str, int]:
        """Line of every key and item under ``path``, by dotted path relative to it."""
        node = self._root
        for item in path:
            node = _child(node, item)
        lines: dict[str, int] = {}
        _collect_lines(node, [], lines)
        return lines

    def location(self, path: PathItems) -> Location:
        return Location(self.file, self.line_of(path), dotted(path) if path else None)

    def error(self, path: PathItems, message: str) -> ConfigError:
        return ConfigError(message, self.location(path))


def _child(node: yaml.Node | None, item: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == item:
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(item, int) and item < len(node.value):
        return node.value[item]  # type: ignore[no-any-return]
    return None


def _collect_lines(node: yaml.Node | None, path: list[str | int], lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        children = [(key.value, key, value) for key, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = [(index, value, value) for index, value in enumerate(node.value)]
    else:
        return
    for item, marker, value in children:
        lines[dotted([*path, item])] = marker.start_mark.line + 1
        _collect_lines(value, [*path, item], lines)


def _check_duplicate_keys(node: yaml.Node | None, file: str) -> None:
    # PyYAML silently keeps the last of two equal keys; in a config that hides mistakes.
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                raise ConfigError(
                    f"duplicate key {key.value!r}", Location(file, key.start_mark.line + 1)
                )
            seen.add(key.value)
            _check_duplicate_keys(value, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, file)


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read and parse a YAML file; any failure is a one-line ConfigError."""
    file = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", Location(file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", Location(file)) from None
    try:
        data, root = _parsed(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", Location(file, line)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", Location(file)) from None
    if root is None:
        raise ConfigError("the file is empty", Location(file))
    _check_duplicate_keys(root, file)
    return YamlDocument(file, _copied(data), root)


@lru_cache(maxsize=32)
def _parsed(text: str) -> tuple[Any, yaml.Node | None]:
    """One parse: the node tree (for lines) and the data built from it. Kept for the texts
    read last: a long-lived process (``preview --watch``, a caller's own) reads the same
    files again at every build, and parsing is most of reading them. Nodes are never
    changed; each caller gets its own copy of the data (``_copied``)."""
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    finally:
        loader.dispose()


def _copied(value: Any) -> Any:
    # What a safe load makes: dicts, lists and sets (of hashable, so immutable, members)
    # around immutable scalars (str, numbers, dates, bytes, None).
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, set):
        return set(value)
    return value


@cache
def bundled_schema(name: str) -> dict[str, Any]:
    """One of phoenix-dash's own JSON Schemas, shipped inside the package."""
    text = resources.files("phoenix_dash").joinpath("schemas", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_bundled(doc: YamlDocument, name: str) -> None:
    """``validate`` against one of phoenix-dash's own schemas (``name``: config.schema.json):
    first with its compiled form (schemas/compiled/, a millisecond), and only when that
    refuses, with jsonschema, which judges and words the error (importing it costs every
    command 30 ms of start-up, for a file that is valid nearly always)."""
    import importlib

    compiled = importlib.import_module(f"phoenix_dash.schemas.compiled.{name.split('.')[0]}")
    try:
        compiled.validate(doc.data)
    except ValueError:  # refused (or stricter than jsonschema): jsonschema decides
        validate(doc, bundled_schema(name))


def validate(doc: YamlDocument, schema: dict[str, Any]) -> None:
    """Validate ``doc`` and raise the first error (in document order) as a ConfigError.
    A document ``quick_schema`` finds valid spares the import of jsonschema."""
    from .quick_schema import certainly_valid

    if certainly_valid(doc.data, schema):
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(doc.data),
        key=lambda e: (doc.line_of(list(e.absolute_path)) or 0, list(map(str, e.absolute_path))),
    )
    if errors:
        first = _most_specific(errors[0])
        path = list(first.absolute_path)
        line_path = [*path, *_unexpected_keys(first)[:1]]  # the line of the stray key itself
        raise ConfigError(
            _describe(first),
            Location(doc.file, doc.line_of(line_path), dotted(path) if path else None),
        )


def _most_specific(error: ValidationError) -> ValidationError:
    # For oneOf/anyOf failures the best sub-error is more helpful than "is not valid under".
    from jsonschema.exceptions import best_match

    best = best_match([error])
    return best if best is not None else error


def _unexpected_keys(error: ValidationError) -> list[str]:
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    return [key for key in error.instance if key not in known]


def _describe(error: ValidationError) -> str:
    if error.validator == "additionalProperties" and isinstance(error.schema, dict):
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message} (allowed: {', '.join(allowed)})" if allowed else error.message
    return error.message
