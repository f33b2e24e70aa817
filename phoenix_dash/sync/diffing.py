"""Differences people can read: per panel, per query, per threshold, per rule. Each is a
`Detail`: a short line showing both sides of the part that changed, and the whole of both
values (a unified diff) for ``diff --full``."""

from __future__ import annotations

import copy
import difflib
import json
from typing import Any

from ..modern.common import panels_by_key
from .normalize import HASH_ANNOTATION, normalize_dashboard

JSON = dict[str, Any]
CONTEXT = 24  # characters kept either side of a change in a short line
MIDDLE = 60  # the longest changed part a short line shows whole
LEAVES = 3  # changed values a short line names, of a nested setting


class Detail(str):
    """One difference: the short line it reads as (a ``str``, so plans, JSON and tests take
    it as text) and ``full``, both whole values as a unified diff ("" when the line is
    already whole)."""

    full: str

    def __new__(cls, text: str, full: str = "") -> Detail:
        detail = super().__new__(cls, text)
        detail.full = full
        return detail


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(middle: str) -> str:
    if len(middle) <= MIDDLE:
        return middle
    half = MIDDLE // 2
    return f"{middle[:half]}…{middle[-half:]}"


def around_change(old: str, new: str) -> tuple[str, str]:
    """Both sides of the part of ``old`` and ``new`` that differs, with a little context:
    "…p95 latency of …" / "…p99 latency of …" rather than the first 70 characters of one."""
    old, new = _one_line(old), _one_line(new)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    start = max(0, prefix - CONTEXT)

    def side(text: str) -> str:
        end = len(text) - suffix
        head = ("…" if start else "") + text[start:prefix]
        tail = text[end : end + CONTEXT] + ("…" if end + CONTEXT < len(text) else "")
        return f"{head}{_cut(text[prefix:end])}{tail}"

    return side(old), side(new)


def unified(old: Any, new: Any) -> str:
    """The whole of both values, as a unified diff (JSON for structured values)."""
    before = _json_lines(old) if not isinstance(old, str) else old.splitlines()
    after = _json_lines(new) if not isinstance(new, str) else new.splitlines()
    lines = difflib.unified_diff(before, after, "before", "after", lineterm="", n=3)
    return "\n".join(lines)


def _json_lines(value: Any) -> list[str]:
    if value is None:
        return []
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False).splitlines()


def _sides(old: Any, new: Any) -> tuple[str, str]:
    """The two sides of a change as a short line shows them."""
    if old is None or new is None:
        return (
            "unset" if old is None else _one_line(_text(old)),
            "unset" if new is None else _one_line(_text(new)),
        )
    return around_change(_text(old), _text(new))


def value_change(label: str, old: Any, new: Any) -> Detail:
    """``label: old -> new``, both sides of what changed; whole in ``full`` when a side
    was cut or spans lines."""
    short_old, short_new = _sides(old, new)
    text = f"{label}: {short_old or repr('')} -> {short_new or repr('')}"
    whole = (_one_line(_text(old)), _one_line(_text(new)))
    multiline = "\n" in _text(old) + _text(new)
    cut = (short_old, short_new) != whole and old is not None and new is not None
    return Detail(text, unified(old, new) if cut or multiline else "")


def leaf_changes(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted path, old, new) of every value that differs in two nested settings."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key) != new.get(key):
                where = f"{path}.{key}" if path else str(key)
                found += leaf_changes(old.get(key), new.get(key), where)
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                found += leaf_changes(a, b, f"{path}[{index}]")
        return found
    return [(path, old, new)]


def settings_change(label: str, old: Any, new: Any) -> Detail:
    """A nested setting that changed: its first few changed values, both sides; the whole
    setting on both sides as a unified diff in ``full``."""
    leaves = leaf_changes(old, new)
    shown = [value_change(path or label, a, b) for path, a, b in leaves[:LEAVES]]
    more = f"; {len(leaves) - LEAVES} more" if len(leaves) > LEAVES else ""
    return Detail(f"{label} changed: {'; '.join(shown)}{more}", unified(old, new))


def full_diff(detail: str) -> str:
    """The whole of both sides of a detail, for ``--full``; "" when its line is whole."""
    return detail.full if isinstance(detail, Detail) else ""


def _prefixed(prefix: str, detail: str) -> Detail:
    return Detail(f"{prefix}{detail}", full_diff(detail))


def _steps(panel: JSON) -> list[Any]:
    thresholds = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds") or {}
    return [step.get("value") for step in thresholds.get("steps") or []]


def _unit(panel: JSON) -> Any:
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")


def _query_changes(old: JSON, new: JSON, label: str = "query") -> list[str]:
    old_targets = {t.get("refId"): t for t in old.get("targets") or []}
    new_targets = {t.get("refId"): t for t in new.get("targets") or []}
    changes: list[str] = []
    for ref in sorted(set(old_targets) | set(new_targets), key=str):
        before, after = old_targets.get(ref), new_targets.get(ref)
        if before is None:
            added = new_targets[ref]
            changes.append(Detail(f"{label} {ref} added: {_one_line(_text(added.get('expr')))}"))
        elif after is None:
            changes.append(Detail(f"{label} {ref} removed"))
        elif before.get("expr") != after.get("expr"):
            changes.append(
                value_change(f"{label} {ref} changed", before.get("expr"), after.get("expr"))
            )
        elif before != after:
            changes.append(settings_change(f"{label} {ref} settings", before, after))
    return changes


def panel_changes(old: JSON, new: JSON) -> list[str]:
    name = new.get("title") or old.get("title") or new.get("type")
    changes: list[str] = []
    if old.get("title") != new.get("title"):
        changes.append(Detail(f"renamed {old.get('title')!r} -> {new.get('title')!r}"))
    if old.get("type") != new.get("type"):
        changes.append(Detail(f"type {old.get('type')} -> {new.get('type')}"))
    changes += _query_changes(old, new)
    old_steps, new_steps = _steps(old), _steps(new)
    if old_steps != new_steps:
        pairs = [f"{a} -> {b}" for a, b in zip(old_steps, new_steps, strict=False) if a != b]
        pairs += [f"+{b}" for b in new_steps[len(old_steps) :]]
        pairs += [f"-{a}" for a in old_steps[len(new_steps) :]]
        changes.append(Detail(f"threshold {', '.join(pairs)}"))
    if _unit(old) != _unit(new):
        changes.append(Detail(f"unit {_unit(old)} -> {_unit(new)}"))
    if old.get("gridPos") != new.get("gridPos"):
        changes.append(Detail(f"moved or resized: {_grid(old)} -> {_grid(new)}"))
    if old.get("description") != new.get("description"):
        changes.append(value_change("description", old.get("description"), new.get("description")))
    handled = {"title", "type", "targets", "fieldConfig", "gridPos", "description"}
    for key in sorted(
        k for k in set(old) | set(new) if k not in handled and old.get(k) != new.get(k)
    ):
        changes.append(settings_change(key, old.get(key), new.get(key)))
    old_config, new_config = _without_shown(old), _without_shown(new)
    if old_config != new_config:
        changes.append(settings_change("fieldConfig", old_config, new_config))
    return [_prefixed(f"{name}: ", change) for change in changes]


def _grid(panel: JSON) -> str:
    grid = panel.get("gridPos") or {}
    return f"x={grid.get('x')} y={grid.get('y')} w={grid.get('w')} h={grid.get('h')}"


def _without_shown(panel: JSON) -> JSON:
    """A panel's fieldConfig without the unit and threshold steps (shown on their own)."""
    config: JSON = copy.deepcopy(panel.get("fieldConfig") or {})
    defaults = config.get("defaults") or {}
    defaults.pop("unit", None)
    (defaults.get("thresholds") or {}).pop("steps", None)
    return config


DASHBOARD_FIELDS = ("title", "tags", "refresh", "time", "editable", "description")


def dashboard_changes(
    remote: JSON, desired: JSON, remote_folder: str | None = None, desired_folder: str | None = None
) -> list[str]:
    old, new = normalize_dashboard(remote), normalize_dashboard(desired)
    changes: list[str] = []
    if (remote_folder or "") != (desired_folder or "") and remote_folder is not None:
        changes.append(
            Detail(f"folder {remote_folder or 'General'} -> {desired_folder or 'General'}")
        )
    for key in DASHBOARD_FIELDS:
        if old.get(key) != new.get(key):
            changes.append(value_change(key, old.get(key), new.get(key)))
    old_vars = {v.get("name"): v for v in (old.get("templating") or {}).get("list") or []}
    new_vars = {v.get("name"): v for v in (new.get("templating") or {}).get("list") or []}
    for name in sorted(set(old_vars) | set(new_vars), key=str):
        if name not in old_vars:
            changes.append(Detail(f"variable ${name} added"))
        elif name not in new_vars:
            changes.append(Detail(f"variable ${name} removed"))
        elif old_vars[name] != new_vars[name]:
            changes.append(settings_change(f"variable ${name}", old_vars[name], new_vars[name]))
    if old.get("links") != new.get("links"):
        changes.append(settings_change("links", old.get("links"), new.get("links")))
    old_panels, new_panels = panels_by_key(old), panels_by_key(new)
    for key in [*old_panels, *(k for k in new_panels if k not in old_panels)]:
        before, after = old_panels.get(key), new_panels.get(key)
        if before is None and after is not None:
            changes.append(Detail(f"{after.get('title') or after.get('type')}: added"))
        elif after is None and before is not None:
            changes.append(Detail(f"{before.get('title') or before.get('type')}: removed"))
        elif before is not None and after is not None and before != after:
            changes += panel_changes(before, after)
    handled = {*DASHBOARD_FIELDS, "templating", "links", "panels", "uid"}
    for key in sorted(
        k for k in set(old) | set(new) if k not in handled and old.get(k) != new.get(k)
    ):
        changes.append(settings_change(key, old.get(key), new.get(key)))
    return changes


def group_changes(remote: JSON, desired: JSON) -> list[str]:
    changes: list[str] = []
    if remote.get("interval") != desired.get("interval"):
        changes.append(Detail(f"interval {remote.get('interval')}s -> {desired.get('interval')}s"))
    old = {r.get("uid"): r for r in remote.get("rules") or []}
    new = {r.get("uid"): r for r in desired.get("rules") or []}
    for uid in [*old, *(u for u in new if u not in old)]:
        before, after = old.get(uid), new.get(uid)
        title = (after or before or {}).get("title")
        if before is None:
            changes.append(Detail(f"rule {title!r}: added"))
        elif after is None:
            changes.append(Detail(f"rule {title!r}: removed"))
        else:
            changes += [_prefixed(f"rule {title!r}: ", c) for c in rule_changes(before, after)]
    return changes


OPERATORS = {"gt": ">", "lt": "<", "within_range": "within", "outside_range": "outside"}


def _threshold(model: JSON) -> str:
    """ "> 25.6" for a threshold expression's condition."""
    tests = []
    for condition in model.get("conditions") or []:
        evaluator = condition.get("evaluator") or {}
        operator = OPERATORS.get(str(evaluator.get("type")), str(evaluator.get("type")))
        params = " ".join(_number(p) for p in evaluator.get("params") or [])
        tests.append(f"{operator} {params}")
    return ", ".join(tests)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


RULE_FIELDS = ("title", "for", "condition", "noDataState", "execErrState", "labels")


def rule_changes(old: JSON, new: JSON) -> list[str]:
    changes: list[str] = [
        value_change(key, old.get(key), new.get(key))
        for key in RULE_FIELDS
        if old.get(key) != new.get(key)
    ]
    old_nodes = {n.get("refId"): n.get("model") or {} for n in old.get("data") or []}
    new_nodes = {n.get("refId"): n.get("model") or {} for n in new.get("data") or []}
    for ref in sorted(set(old_nodes) | set(new_nodes), key=str):
        before, after = old_nodes.get(ref, {}), new_nodes.get(ref, {})
        if before.get("expr") != after.get("expr"):
            changes.append(
                value_change(f"query {ref} changed", before.get("expr"), after.get("expr"))
            )
        old_test, new_test = _threshold(before), _threshold(after)
        if old_test != new_test:
            changes.append(Detail(f"threshold {old_test or 'none'} -> {new_test or 'none'}"))
    old_notes = {k: v for k, v in (old.get("annotations") or {}).items() if k != HASH_ANNOTATION}
    new_notes = {k: v for k, v in (new.get("annotations") or {}).items() if k != HASH_ANNOTATION}
    for key in sorted(set(old_notes) | set(new_notes)):
        if old_notes.get(key) != new_notes.get(key):
            changes.append(
                value_change(f"annotation {key}", old_notes.get(key), new_notes.get(key))
            )
    return changes


def datasource_changes(old: JSON, new: JSON) -> list[str]:
    changes: list[str] = [
        value_change(key, old.get(key), new.get(key))
        for key in sorted(set(old) | set(new))
        if key != "jsonData" and old.get(key) != new.get(key)
    ]
    old_json, new_json = old.get("jsonData") or {}, new.get("jsonData") or {}
    if old_json != new_json:
        changes.append(settings_change("jsonData", old_json, new_json))
    return changes


def tree_changes(old: JSON, new: JSON, sides: tuple[str, str] = ("Grafana", "code")) -> list[str]:
    """A change to a notification policy route, as the lines of its tree that went (-) and
    came (+), each indented as deep as it sits; the unified diff of both in ``full``, its
    sides named ``sides``."""
    from ..notifications.canonical import tree_lines

    before = tree_lines(old) if old else []
    after = tree_lines(new) if new else []
    full = "\n".join(difflib.unified_diff(before, after, *sides, lineterm=""))
    changed = [f"{line[0]} {line[2:]}" for line in difflib.ndiff(before, after) if line[0] in "+-"]
    return [Detail(text, full if index == 0 else "") for index, text in enumerate(changed)]
