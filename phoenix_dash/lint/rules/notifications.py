"""notifications.yaml rules (notifications/*): every contact point is reached, every matcher
can match an alert the project's rules raise, every template parses.

A receiver or mute timing that does not exist, or a time written ``9:00``, is refused earlier,
when the file is read (build names the line): those are not lint findings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...notifications.matchers import Matcher, MatcherError
from ..context import NotificationsCtx
from ..core import Problem, rule

# Labels every Grafana alert carries, whatever its rule sets (and Alertmanager's alertname).
ALWAYS_SET = frozenset({"alertname", "grafana_folder", "__alert_rule_uid__"})
ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
OPENS = frozenset({"define", "if", "range", "with", "block"})
BRANCHES = frozenset({"if", "range", "with"})


def _routes(route: Any, path: list[str | int]) -> Iterator[tuple[dict[str, Any], list[str | int]]]:
    if isinstance(route, dict):
        yield route, path
        for index, child in enumerate(route.get("routes") or []):
            yield from _routes(child, [*path, "routes", index])


@rule(
    "notifications/unused-contact-point",
    "warning",
    "notifications",
    "A contact point no route names is never notified: a receiver left behind, or a route "
    "that names the wrong one.",
    "Name it as a route's receiver, or remove it.",
)
def unused_contact_point(ctx: NotificationsCtx) -> Iterator[Problem]:
    named = {str(r.get("receiver")) for r, _ in _routes(ctx.data.get("policies"), ["policies"])}
    for index, point in enumerate(ctx.data.get("contact_points") or []):
        if isinstance(point, dict) and point.get("name") not in named:
            path: list[str | int] = ["contact_points", index, "name"]
            yield Problem(
                f"contact point {point.get('name')!r}: no route sends alerts to it",
                ctx.at(path),
                ".".join(map(str, path)),
            )


@rule(
    "notifications/unset-label",
    "warning",
    "notifications",
    "A route matching a label no alert rule sets, or a value no rule gives it, never "
    "matches: a typo such as severtiy sends a critical alert to the default receiver, "
    "silently.",
    "Match a label the rules set (their labels, or the metric's in metrics.yaml), with a "
    "value they give it.",
)
def unset_label(ctx: NotificationsCtx) -> Iterator[Problem]:
    labels = ctx.rule_labels
    catalog = ctx.project.catalog
    series = (
        {name for metric in catalog.metrics.values() for name in metric.labels}
        if catalog
        else set()
    )
    for route, path in _routes(ctx.data.get("policies"), ["policies"]):
        for index, text in enumerate(route.get("matchers") or []):
            try:
                matcher = Matcher.parse(str(text))
            except MatcherError:
                continue  # the file's reader refuses it first
            where = [*path, "matchers", index]
            problem = _unmatched(matcher, labels, series)
            if problem:
                yield Problem(problem, ctx.at(where), ".".join(map(str, where)))


def _unmatched(matcher: Matcher, labels: dict[str, set[str]], series: set[str]) -> str:
    name = matcher.name
    if name in ALWAYS_SET or name in series or matcher.operator in ("!=", "!~"):
        return ""
    if name not in labels:
        return f"{matcher}: no alert rule sets the label {name!r}"
    values = labels[name]
    if matcher.operator == "=" and "*" not in values and matcher.value not in values:
        given = ", ".join(sorted(values))
        return f"{matcher}: no alert rule gives {name} the value {matcher.value!r} ({given})"
    return ""


@rule(
    "notifications/template-syntax",
    "error",
    "notifications",
    "A template that does not parse is refused by Grafana (400) and by Alertmanager at "
    "start: no notification goes out with it.",
    "Close every {{ and every define, if, range and with with {{ end }}.",
)
def template_syntax(ctx: NotificationsCtx) -> Iterator[Problem]:
    for name, text in (ctx.data.get("templates") or {}).items():
        problem = template_problem(str(text))
        if problem:
            path: list[str | int] = ["templates", str(name)]
            yield Problem(f"template {name!r}: {problem}", ctx.at(path), f"templates.{name}")


def template_problem(text: str) -> str:
    """What Go's text/template parser would refuse in ``text``'s structure: unbalanced
    delimiters, and blocks opened and closed out of turn."""
    if text.count("{{") != text.count("}}"):
        return "a {{ without its }} (or the other way round)"
    open_blocks: list[str] = []
    for action in ACTION.findall(text):
        word = action.split(None, 1)[0] if action.split() else ""
        if word in OPENS:
            open_blocks.append(word)
        elif word == "else" and not (open_blocks and open_blocks[-1] in BRANCHES):
            return "{{ else }} outside if, range or with"
        elif word == "end":
            if not open_blocks:
                return "{{ end }} closes nothing"
            open_blocks.pop()
    if open_blocks:
        return f"{{{{ {open_blocks[-1]} }}}} is never closed with {{{{ end }}}}"
    return ""
