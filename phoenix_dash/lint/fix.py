"""``lint --fix``: a dashboard JSON file rewritten in the shape Grafana 12/13 gives it, so that
the info findings (shapes Grafana fills in or ignores) are gone: read as Grafana reads a saved
dashboard (the modern layer: its migrations, datasource references, Angular panels it
replaces), then every key its schema requires and Grafana defaults written out, empty values
it reads as unset made empty containers, legacy keys it ignores dropped. What the author
wrote (queries, titles, layout, options) is kept."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from ..dashboard_file import as_grafana_stores, read_dashboard
from ..errors import ConfigError, Location
from ..modern.common import every_panel
from ..output import json_bytes
from ..provenance import strip_stamps
from ..sync.diffing import leaf_changes
from .schemas import FILLED, container_error, dashboard_errors, kind_of, panel_errors, plugin_errors

JSON = dict[str, Any]
PASSES = 6  # a filled key can bring its own required keys: repeat until nothing is left
SHOWN = 5  # changes named per file


@dataclass(frozen=True)
class FixedFile:
    source: Path
    target: Path
    data: bytes
    changes: list[str]  # what the rewrite changed, for people
    changed: bool


def fix_files(paths: Sequence[Path], out: Path | None = None) -> list[FixedFile]:
    """Each file fixed (written by ``write_fixed``): in place (a symbolic link's target), or
    into ``out``. Two inputs that would be written to one file are refused before anything
    is read: one of them would be lost."""
    targets = _targets(paths, out)
    fixed = []
    for path, target in zip(paths, targets, strict=True):
        read = read_dashboard(path)
        if read.schema == "v2":
            raise ConfigError(
                "a schema v2 dashboard is not rewritten by --fix", Location(str(path))
            )
        original = strip_stamps(copy.deepcopy(read.data))
        repaired = fix_dashboard(read.data)
        document = json.loads(read.text)
        if read.pointer == "/dashboard":
            document["dashboard"] = repaired
        else:
            document = repaired
        changes = describe(original, repaired)
        fixed.append(FixedFile(path, target, json_bytes(document), changes, bool(changes)))
    return fixed


def _targets(paths: Sequence[Path], out: Path | None) -> list[Path]:
    """Where each fixed file goes: ``out``/its name, or the file itself (through links)."""
    targets: list[Path] = []
    first: dict[Path, Path] = {}
    for path in paths:
        target = out / path.name if out is not None else path
        real = target.resolve()
        if real in first:
            problem = (
                f"would be written to {target}, as {first[real]} would be"
                if out is not None
                else f"is the same file as {first[real]}"
            )
            raise ConfigError(f"{problem}: nothing was written", Location(str(path)))
        first[real] = path
        targets.append(real if out is None else target)
    return targets


def write_fixed(files: Sequence[FixedFile]) -> None:
    """All or nothing: each file goes to a temporary name first, then into place, with
    the permissions the file it replaces had."""
    staged = []
    try:
        for item in files:
            if item.target == item.source.resolve() and not item.changed:
                continue
            item.target.parent.mkdir(parents=True, exist_ok=True)
            temporary = item.target.with_name(f".{item.target.name}.fix")
            temporary.write_bytes(item.data)
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temporary, stat.S_IMODE(item.target.stat().st_mode))
            staged.append((temporary, item.target))
        for temporary, target in staged:
            temporary.replace(target)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write the fixed files: {exc.strerror or exc}") from None


def fix_dashboard(dashboard: JSON) -> JSON:
    """``dashboard`` (a v1 model) in the shape Grafana 12 stores it."""
    modern = as_grafana_stores(dashboard)
    for _ in range(PASSES):
        if not _fill(modern):
            break
    return modern


def describe(before: JSON, after: JSON) -> list[str]:
    """Counts of what changed, and the first few places."""
    leaves = leaf_changes(before, after)
    if not leaves:
        return []
    added = sum(1 for _, old, _ in leaves if old is None)
    removed = sum(1 for _, _, new in leaves if new is None)
    lines = [f"{added} added, {removed} removed, {len(leaves) - added - removed} changed"]
    for path, old, new in leaves[:SHOWN]:
        what = "added" if old is None else "removed" if new is None else "changed"
        lines.append(f"{path or '/'}: {what}")
    return lines


# --- writing out what Grafana fills in ---------------------------------------------------------


def _fill(dashboard: JSON) -> bool:
    """One pass over every schema error Grafana would fill in itself; True if one was."""
    done = False
    for node, errors in _checked(dashboard):
        for error in errors:
            if kind_of(error) == FILLED:
                done |= _repair(node, error)
    return done


def _checked(dashboard: JSON) -> Iterator[tuple[Any, list[jsonschema.ValidationError]]]:
    """Each object checked, with its errors, as lint checks them."""
    yield dashboard, dashboard_errors(dashboard)
    for panel in every_panel(dashboard):
        yield panel, panel_errors(panel)
        yield from ((part, errors) for _, part, errors in plugin_errors(panel))


def _repair(root: Any, error: jsonschema.ValidationError) -> bool:
    path = list(error.absolute_path)
    if error.validator == "required":
        return _add_required(_node_at(root, path), error)
    if error.validator == "additionalProperties":
        return _drop_unknown(_node_at(root, path), error)
    if error.validator == "type" and error.instance is None and path and not container_error(error):
        parent = _node_at(root, path[:-1])  # a null scalar (gnetId): absent, as Grafana reads it
        return isinstance(parent, dict) and parent.pop(path[-1], 0) is None
    if error.validator == "type" and error.instance in ("", None) and path:
        return _replace(_node_at(root, path[:-1]), path[-1], _empty(error.validator_value))
    return False  # a string datasource: the modern layer converts it, or it stays


def _node_at(root: Any, path: list[Any]) -> Any:
    """The value at ``path`` under ``root``; None when it is gone."""
    node = root
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _add_required(node: Any, error: jsonschema.ValidationError) -> bool:
    if not isinstance(node, dict):
        return False
    properties = _schema(error).get("properties") or {}
    added = False
    required = error.validator_value if isinstance(error.validator_value, list) else []
    for name in required:
        if name not in node:
            node[name] = _default(properties.get(name) or {})
            added = True
    return added


def _drop_unknown(node: Any, error: jsonschema.ValidationError) -> bool:
    if not isinstance(node, dict):
        return False
    known = set(_schema(error).get("properties") or {})
    dropped = [key for key in list(node) if key not in known]
    for key in dropped:
        del node[key]
    return bool(dropped)


def _schema(error: jsonschema.ValidationError) -> JSON:
    return dict(error.schema) if isinstance(error.schema, dict) else {}


def _replace(parent: Any, key: Any, value: Any) -> bool:
    try:
        parent[key] = value
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _default(schema: JSON) -> Any:
    """The value Grafana gives a required key it fills in: the schema's default, else the
    empty value of its type (null where null is allowed, as a threshold's base step)."""
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    if any(branch.get("type") == "null" for branch in branches if isinstance(branch, dict)):
        return None
    for branch in [schema, *branches]:
        if isinstance(branch, dict) and "type" in branch:
            return _empty(branch["type"])
        if isinstance(branch, dict) and branch.get("enum"):
            return branch["enum"][0]
    return {}


EMPTY: dict[str, Callable[[], Any]] = {
    "array": list,
    "object": dict,
    "string": str,
    "boolean": bool,
    "number": int,
    "integer": int,
    "null": lambda: None,
}


def _empty(kind: Any) -> Any:
    kinds = kind if isinstance(kind, list) else [kind]
    for name in ("array", "object", *kinds):
        if name in kinds and name in EMPTY:
            return EMPTY[name]()
    return None
