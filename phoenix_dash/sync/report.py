"""Plans and sync results for people (text, markdown for a PR comment) and for CD (JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable

from .diffing import full_diff
from .model import Action, Change, Outcome, Plan

SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.UNCHANGED: "=",
    Action.CONFLICT: "!",
}
COLOUR = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.DELETE: "red",
    Action.UNCHANGED: None,
    Action.CONFLICT: "magenta",
}
Style = Callable[..., str]


def _plain(text: str, **_: object) -> str:
    return text


def _line(change: Change) -> str:
    resource = change.resource
    name = f" ({resource.name})" if resource.name and resource.name != resource.key else ""
    reason = f": {change.reason}" if change.reason and change.action != Action.UNCHANGED else ""
    rejected = f"; REJECTED by Grafana's dry run: {change.rejected}" if change.rejected else ""
    return (
        f"{SYMBOL[change.action]} {resource.kind} {resource.key}{name} {change.action.value}"
        f"{reason}{rejected}"
    )


def plan_text(
    plan: Plan, style: Style = _plain, show_unchanged: bool = False, full: bool = False
) -> str:
    """The plan for a terminal; ``full`` adds both whole sides of each changed value."""
    lines = []
    for change in plan.changes:
        if change.action == Action.UNCHANGED and not show_unchanged:
            continue
        lines.append(style(_line(change), fg=COLOUR[change.action]))
        for detail in change.details:
            lines.append(f"    {detail}")
            if full and full_diff(detail):
                lines += [f"        {line}" for line in full_diff(detail).splitlines()]
    lines += [f"note: {note}" for note in plan.notes]
    lines.append(summary_line(plan))
    return "\n".join(lines)


def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    parts = [f"{counts[a]} to {a}" for a in (Action.CREATE, Action.UPDATE, Action.DELETE)]
    conflicts = counts[Action.CONFLICT]
    parts += [
        f"{counts[Action.UNCHANGED]} unchanged",
        f"{conflicts} conflict{'s' if conflicts != 1 else ''}",
    ]
    if plan.rejected:
        parts.append(f"{len(plan.rejected)} rejected by Grafana's dry run")
    return ", ".join(parts)


def plan_json(plan: Plan, full: bool = False) -> str:
    """The plan for programs; ``full`` adds, per change, each detail's whole diff."""
    changes = []
    for change in plan.changes:
        entry = change.as_json()
        if full:
            entry["diffs"] = [{"detail": d, "diff": full_diff(d)} for d in change.details]
        changes.append(entry)
    return json.dumps(
        {
            "summary": {**plan.summary(), "rejected": len(plan.rejected)},
            "api": api_name(plan),
            **({"against": plan.against} if plan.against else {}),
            "notes": plan.notes,
            "changes": changes,
        },
        indent=2,
    )


def api_name(plan: Plan) -> str:
    """Which API dashboards and folders were planned through: "apis" or "legacy"."""
    return "apis" if plan.api is not None else "legacy"


def outcome_line(outcome: Outcome) -> str:
    mark = "ok" if outcome.ok else "FAILED"
    return f"{mark:6} {_line(outcome.change)} -> {outcome.detail}"


def sync_json(plan: Plan, outcomes: list[Outcome]) -> str:
    results = {id(o.change): o for o in outcomes}
    entries = []
    for change in plan.changes:
        outcome = results.get(id(change))
        entry = change.as_json()
        entry["result"] = (
            ("ok" if outcome.ok else "failed")
            if outcome
            else ("conflict" if change.action == Action.CONFLICT else "unchanged")
        )
        entry["detail"] = outcome.detail if outcome else ""
        entries.append(entry)
    failed = sum(1 for o in outcomes if not o.ok)
    return json.dumps(
        {
            "summary": {**plan.summary(), "failed": failed},
            "api": api_name(plan),
            "resources": entries,
        },
        indent=2,
    )
