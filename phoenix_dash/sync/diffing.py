"""Differences people can read: per panel, per query, per threshold, per rule."""

from __future__ import annotations

from typing import Any

from .normalize import HASH_ANNOTATION, normalize_dashboard

JSON = dict[str, Any]
SHORT = 70


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _panels(dashboard: JSON) -> dict[Any, JSON]:
    found: dict[Any, JSON] = {}
    for panel in dashboard.get("panels") or []:
        found[panel.get("id", panel.get("title"))] = panel
        for child in panel.get("panels") or []:
            found[child.get("id", child.get("title"))] = child
    return found


def _steps(panel: JSON) -> list[Any]:
    thresholds = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds") or {}
    return [step.get("value") for step in thresholds.get("steps") or []]


def _unit(panel: JSON) -> Any:
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")


def panel_changes(old: JSON, new: JSON) -> list[str]:
    name = new.get("title") or old.get("title") or new.get("type")
    changes = []
    if old.get("title") != new.get("title"):
        changes.append(f"renamed {old.get('title')!r} -> {new.get('title')!r}")
    if old.get("type") != new.get("type"):
        changes.append(f"type {old.get('type')} -> {new.get('type')}")
    old_targets = {t.get("refId"): t for t in old.get("targets") or []}
    new_targets = {t.get("refId"): t for t in new.get("targets") or []}
    for ref in sorted(set(old_targets) | set(new_targets), key=str):
        before, after = old_targets.get(ref), new_targets.get(ref)
        if before is None:
            changes.append(f"query {ref} added")
        elif after is None:
            changes.append(f"query {ref} removed")
        elif before.get("expr") != after.get("expr"):
            changes.append(f"query {ref} changed: {_short(after.get('expr'))}")
        elif before != after:
            changes.append(f"query {ref} settings changed")
    old_steps, new_steps = _steps(old), _steps(new)
    if old_steps != new_steps:
        pairs = [f"{a} -> {b}" for a, b in zip(old_steps, new_steps, strict=False) if a != b]
        pairs += [f"+{b}" for b in new_steps[len(old_steps) :]]
        pairs += [f"-{a}" for a in old_steps[len(new_steps) :]]
        changes.append(f"threshold {', '.join(pairs)}")
    if _unit(old) != _unit(new):
        changes.append(f"unit {_unit(old)} -> {_unit(new)}")
    if old.get("gridPos") != new.get("gridPos"):
        changes.append("moved or resized")
    if old.get("description") != new.get("description"):
        changes.append("description changed")
    handled = {"title", "type", "targets", "fieldConfig", "gridPos", "description"}
    rest = sorted(k for k in set(old) | set(new) if k not in handled and old.get(k) != new.get(k))
    if (
        (old.get("fieldConfig") or {}) != (new.get("fieldConfig") or {})
        and _steps(old) == _steps(new)
        and _unit(old) == _unit(new)
    ):
        rest.append("fieldConfig")
    if rest:
        changes.append(f"{', '.join(rest)} changed")
    return [f"{name}: {change}" for change in changes]


def dashboard_changes(
    remote: JSON, desired: JSON, remote_folder: str | None = None, desired_folder: str | None = None
) -> list[str]:
    old, new = normalize_dashboard(remote), normalize_dashboard(desired)
    changes = []
    if (remote_folder or "") != (desired_folder or "") and remote_folder is not None:
        changes.append(f"folder {remote_folder or 'General'} -> {desired_folder or 'General'}")
    for key in ("title", "tags", "refresh", "time", "editable", "description"):
        if old.get(key) != new.get(key):
            changes.append(f"{key}: {_short(old.get(key))} -> {_short(new.get(key))}")
    old_vars = {v.get("name"): v for v in (old.get("templating") or {}).get("list") or []}
    new_vars = {v.get("name"): v for v in (new.get("templating") or {}).get("list") or []}
    for name in sorted(set(old_vars) | set(new_vars), key=str):
        if name not in old_vars:
            changes.append(f"variable ${name} added")
        elif name not in new_vars:
            changes.append(f"variable ${name} removed")
        elif old_vars[name] != new_vars[name]:
            changes.append(f"variable ${name} changed")
    if old.get("links") != new.get("links"):
        changes.append("links changed")
    old_panels, new_panels = _panels(old), _panels(new)
    for key in [*old_panels, *(k for k in new_panels if k not in old_panels)]:
        before, after = old_panels.get(key), new_panels.get(key)
        if before is None and after is not None:
            changes.append(f"{after.get('title') or after.get('type')}: added")
        elif after is None and before is not None:
            changes.append(f"{before.get('title') or before.get('type')}: removed")
        elif before is not None and after is not None and before != after:
            changes += panel_changes(before, after)
    handled = {
        "title",
        "tags",
        "refresh",
        "time",
        "editable",
        "description",
        "templating",
        "links",
        "panels",
        "uid",
    }
    rest = sorted(k for k in set(old) | set(new) if k not in handled and old.get(k) != new.get(k))
    if rest:
        changes.append(f"{', '.join(rest)} changed")
    return changes


def group_changes(remote: JSON, desired: JSON) -> list[str]:
    changes = []
    if remote.get("interval") != desired.get("interval"):
        changes.append(f"interval {remote.get('interval')}s -> {desired.get('interval')}s")
    old = {r.get("uid"): r for r in remote.get("rules") or []}
    new = {r.get("uid"): r for r in desired.get("rules") or []}
    for uid in [*old, *(u for u in new if u not in old)]:
        before, after = old.get(uid), new.get(uid)
        title = (after or before or {}).get("title")
        if before is None:
            changes.append(f"rule {title!r}: added")
        elif after is None:
            changes.append(f"rule {title!r}: removed")
        else:
            changes += [f"rule {title!r}: {c}" for c in rule_changes(before, after)]
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


def rule_changes(old: JSON, new: JSON) -> list[str]:
    changes = []
    for key in ("title", "for", "condition", "noDataState", "execErrState", "labels"):
        if old.get(key) != new.get(key):
            changes.append(f"{key}: {_short(old.get(key))} -> {_short(new.get(key))}")
    old_nodes = {n.get("refId"): n.get("model") or {} for n in old.get("data") or []}
    new_nodes = {n.get("refId"): n.get("model") or {} for n in new.get("data") or []}
    for ref in sorted(set(old_nodes) | set(new_nodes), key=str):
        before, after = old_nodes.get(ref, {}), new_nodes.get(ref, {})
        if before.get("expr") != after.get("expr"):
            changes.append(f"query {ref} changed: {_short(after.get('expr'))}")
        old_test, new_test = _threshold(before), _threshold(after)
        if old_test != new_test:
            changes.append(f"threshold {old_test or 'none'} -> {new_test or 'none'}")
    old_notes = {k: v for k, v in (old.get("annotations") or {}).items() if k != HASH_ANNOTATION}
    new_notes = {k: v for k, v in (new.get("annotations") or {}).items() if k != HASH_ANNOTATION}
    if old_notes != new_notes:
        changed = sorted(
            k for k in set(old_notes) | set(new_notes) if old_notes.get(k) != new_notes.get(k)
        )
        changes.append(f"annotations {', '.join(changed)} changed")
    return changes
