"""A plan as a pull-request comment (GitHub and GitLab flavoured markdown): a summary table
first, then a collapsible section per changed resource with its differences, the whole of
both sides with ``full``, and before/after pictures of a dashboard when given.

Everything taken from a plan is escaped for where it goes: table cells and list items
backslash-escape markdown's punctuation (a ``|`` in a LogQL query must not end the cell),
HTML (the ``<summary>`` line) is entity-escaped, and code fences are longer than any run of
backticks they hold."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from .diffing import full_diff
from .model import Action, Change, Plan
from .report import SYMBOL, summary_line

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can
# start or end markup inside a line (emphasis, code, links, HTML, entities, tables).
_MARKUP = re.compile(r"([\\`*_{}\[\]<>()#+!|~&$])")


URL_SAFE = ":/?#[]@!$&'*+,;=%~"
TREE_KINDS = frozenset({"policy"})  # whose differences are the lines of a tree


@dataclass(frozen=True)
class Pictures:
    """Before/after pictures of one dashboard (URLs; None when it did not exist)."""

    before: str | None
    after: str | None


def escape(text: str) -> str:
    """``text`` as literal markdown inline text, on one line."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _fence(body: str, language: str = "") -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *body.splitlines(), fence]


def _heading(plan: Plan) -> str:
    return (
        f"### phoenix-dash diff since `{plan.against}`"
        if plan.against
        else "### phoenix-dash diff against Grafana"
    )


def _what(change: Change) -> str:
    resource = change.resource
    name = f" {resource.name}" if resource.name and resource.name != resource.key else ""
    return f"{resource.kind} {resource.key}{name}"


def _count(change: Change) -> str:
    count = len(change.details)
    return f" ({count} difference{'s' if count != 1 else ''})" if count else ""


def _row(change: Change) -> str:
    resource = change.resource
    name = f" {escape(resource.name)}" if resource.name and resource.name != resource.key else ""
    reason = escape(change.reason) if change.reason else ""
    rejected = f"; **rejected by Grafana:** {escape(change.rejected)}" if change.rejected else ""
    return (
        f"| {SYMBOL[change.action]} | {escape(resource.kind)} {escape(resource.key)}{name} "
        f"| **{change.action.value}** {reason}{_count(change)}{rejected} |"
    )


def _section(change: Change, full: bool, pictures: Pictures | None) -> list[str]:
    summary = html.escape(f"{SYMBOL[change.action]} {_what(change)}{_count(change)}")
    out = [f"<details><summary>{summary}</summary>", ""]
    if change.rejected:
        out += [f"**Rejected by Grafana's dry run:** {escape(change.rejected)}", ""]
    if change.resource.kind in TREE_KINDS and change.details:
        # The policy route's differences are lines of its tree: shown as the tree, in a
        # diff with its context (the unified diff the first difference carries).
        tree = full_diff(change.details[0]) or "\n".join(map(str, change.details))
        return [*out, *_fence(tree, "diff"), "", "</details>", ""]
    for detail in change.details:
        out.append(f"- {escape(detail)}")
        if full and full_diff(detail):  # under its item: indented as the item's content
            out += ["", *(f"  {line}" for line in _fence(full_diff(detail), "diff")), ""]
    if pictures is not None:
        out += ["", *_pictures(pictures)]
    return [*out, "", "</details>", ""]


def _pictures(pictures: Pictures) -> list[str]:
    def cell(url: str | None, label: str) -> str:
        # Spaces and parentheses would end the link: percent-encoded, the rest kept.
        return f"![{label}]({quote(url, safe=URL_SAFE)})" if url else "(none)"

    return [
        "| before | after |",
        "|---|---|",
        f"| {cell(pictures.before, 'before')} | {cell(pictures.after, 'after')} |",
    ]


def plan_markdown(
    plan: Plan, full: bool = False, pictures: Mapping[str, Pictures] | None = None
) -> str:
    """The comment. ``pictures``: a dashboard's key -> its before/after pictures."""
    changed = [c for c in plan.changes if c.action != Action.UNCHANGED]
    if not changed:
        where = f"since `{plan.against}`" if plan.against else "with Grafana"
        return f"**phoenix-dash:** no differences {where}.\n"
    out = [_heading(plan), "", escape(summary_line(plan)), "", "| | resource | change |"]
    out += ["|---|---|---|", *(_row(change) for change in changed), ""]
    for change in changed:
        shown = (
            (pictures or {}).get(change.resource.key)
            if change.resource.kind == "dashboard"
            else None
        )
        if change.details or change.rejected or shown:
            out += _section(change, full, shown)
    out += [f"_{escape(note)}_" for note in plan.notes]
    return "\n".join(out).rstrip("\n") + "\n"
