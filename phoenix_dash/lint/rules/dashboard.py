"""Dashboard rules (dashboard/*): schema, uids, titles, editability."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import DashboardCtx
from ..core import Problem, rule
from ..schemas import schema_errors

UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")


STRUCTURAL = frozenset(
    {
        "type",
        "enum",
        "required",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "oneOf",
        "anyOf",
        "pattern",
    }
)


def _dashboard_schema_errors(ctx: DashboardCtx, unknown_keys: bool) -> Iterator[Problem]:
    if "schema" not in ctx.memo:  # one validation serves both schema rules
        ctx.memo["schema"] = list(_validate(ctx))
    for unknown_key, problem in ctx.memo["schema"]:
        if unknown_key == unknown_keys:
            yield problem


def _validate(ctx: DashboardCtx) -> Iterator[tuple[bool, Problem]]:
    # Panels are checked one by one below: through the schema's oneOf(Panel, RowPanel) an
    # error in one panel would only say "not valid under any of the given schemas".
    top = {k: v for k, v in ctx.json.items() if k != "panels"}
    for error in schema_errors("dashboard", "Dashboard", top):
        path = "/" + "/".join(map(str, error.absolute_path))
        yield error.validator == "additionalProperties", Problem(error.message, None, path)
    for panel in ctx.panels:
        definition = "RowPanel" if panel.type == "row" else "Panel"
        node = panel.panel
        if panel.type == "row" and node.get("panels"):
            node = {**node, "panels": []}  # its panels are checked on their own
        for error in schema_errors("dashboard", definition, node):
            path = panel.path + "/" + "/".join(map(str, error.absolute_path))
            yield (
                error.validator == "additionalProperties",
                Problem(f"panel {panel.title!r}: {error.message}", panel.panel, path),
            )


@rule(
    "dashboard/schema",
    "error",
    "dashboard",
    "Grafana 12 rejects or silently drops values its dashboard schema does not allow.",
    "Fix the value's type or choose one of the allowed values.",
)
def schema(ctx: DashboardCtx) -> Iterator[Problem]:
    yield from _dashboard_schema_errors(ctx, unknown_keys=False)


@rule(
    "dashboard/schema-unknown-key",
    "warning",
    "dashboard",
    "Keys the schema does not know are legacy or typos, and Grafana ignores them.",
    "Remove the key, or move it where the current schema expects it.",
)
def schema_unknown_key(ctx: DashboardCtx) -> Iterator[Problem]:
    yield from _dashboard_schema_errors(ctx, unknown_keys=True)


@rule(
    "dashboard/uid-format",
    "error",
    "dashboard",
    "Without a stable, valid uid a dashboard gets a new identity on every import.",
    "Set uid to 1-40 characters of [a-zA-Z0-9_-].",
)
def uid_format(ctx: DashboardCtx) -> Iterator[Problem]:
    uid = ctx.json.get("uid")
    if not uid:
        yield Problem("dashboard has no uid")
    elif not isinstance(uid, str) or not UID_RE.match(uid):
        yield Problem(f"uid {uid!r} is not 1-40 characters of [a-zA-Z0-9_-]", None, "/uid")


@rule(
    "dashboard/uid-unique",
    "error",
    "dashboard",
    "Two dashboards with one uid overwrite each other in Grafana.",
    "Give each dashboard its own uid.",
)
def uid_unique(ctx: DashboardCtx) -> Iterator[Problem]:
    same = [d for d in ctx.project.dashboards if d.uid == ctx.uid and d is not ctx]
    if ctx.uid and same:
        yield Problem(f"uid {ctx.uid!r} is also used by {same[0].file}", None, "/uid")


@rule(
    "dashboard/title-unique",
    "error",
    "dashboard",
    "Grafana refuses a second dashboard with the same title in one folder.",
    "Rename one of the dashboards or move it to another folder.",
)
def title_unique(ctx: DashboardCtx) -> Iterator[Problem]:
    title = ctx.json.get("title")
    same = [
        d
        for d in ctx.project.dashboards
        if d is not ctx and d.folder == ctx.folder and d.json.get("title") == title
    ]
    if title and same:
        yield Problem(
            f"title {title!r} is also used by {same[0].uid or same[0].file} in the same folder",
            None,
            "/title",
        )


@rule(
    "dashboard/missing-title",
    "error",
    "dashboard",
    "An untitled dashboard cannot be found in search.",
    "Give the dashboard a title.",
)
def missing_title(ctx: DashboardCtx) -> Iterator[Problem]:
    if not str(ctx.json.get("title") or "").strip():
        yield Problem("dashboard has no title", None, "/title")


@rule(
    "dashboard/editable",
    "info",
    "dashboard",
    "Edits made in the UI to a dashboard kept as code are lost on the next sync.",
    "Set editable=False so people change the code instead.",
)
def editable(ctx: DashboardCtx) -> Iterator[Problem]:
    if ctx.json.get("editable", True):
        yield Problem("dashboard is editable in the UI", None, "/editable")
