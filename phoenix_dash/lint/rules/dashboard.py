"""Dashboard rules (dashboard/*): schema, uids, titles, editability."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import JSON, DashboardCtx
from ..core import Problem, rule
from ..schemas import (
    BREAKS,
    FILLED,
    TYPO,
    dashboard_errors,
    kind_of,
    panel_errors,
    schema_message,
)

UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")


def _dashboard_schema_errors(ctx: DashboardCtx, kind: str) -> Iterator[Problem]:
    if "schema" not in ctx.memo:  # one validation serves the three schema rules
        ctx.memo["schema"] = list(_validate(ctx))
    for found, problem in ctx.memo["schema"]:
        if found == kind:
            yield problem


def _validate(ctx: DashboardCtx) -> Iterator[tuple[str, Problem]]:
    for error in dashboard_errors(ctx.json):
        path = "/" + "/".join(map(str, error.absolute_path))
        yield kind_of(error), Problem(schema_message(error), None, path)
    for panel in ctx.panels:
        for error in panel_errors(panel.panel):
            path = panel.path + "/" + "/".join(map(str, error.absolute_path))
            yield (
                kind_of(error),
                Problem(f"panel {panel.title!r}: {schema_message(error)}", panel.panel, path),
            )


@rule(
    "dashboard/schema",
    "error",
    "dashboard",
    "Grafana 12 rejects or silently drops values its dashboard schema does not allow.",
    "Fix the value's type or choose one of the allowed values.",
)
def schema(ctx: DashboardCtx) -> Iterator[Problem]:
    yield from _dashboard_schema_errors(ctx, BREAKS)


@rule(
    "dashboard/schema-defaults",
    "info",
    "dashboard",
    "The schema requires keys Grafana fills in with defaults when it loads the dashboard; "
    "datasources named the old way (a string) it migrates; legacy keys it ignores: the "
    "dashboard works, in another shape.",
    "`phoenix-dash lint --fix --json-file FILE` writes the keys out.",
)
def schema_defaults(ctx: DashboardCtx) -> Iterator[Problem]:
    yield from _dashboard_schema_errors(ctx, FILLED)


@rule(
    "dashboard/schema-unknown-key",
    "warning",
    "dashboard",
    "A key the schema does not know, close to one it does, is likely a typo: Grafana "
    "ignores it, and the setting meant is not applied.",
    "Correct the key's name.",
)
def schema_unknown_key(ctx: DashboardCtx) -> Iterator[Problem]:
    yield from _dashboard_schema_errors(ctx, TYPO)


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
    "off",
    "dashboard",
    "Edits made in the UI to a dashboard kept as code are lost on the next sync.",
    "Set editable=False so people change the code instead.",
)
def editable(ctx: DashboardCtx) -> Iterator[Problem]:
    if ctx.json.get("editable", True):
        yield Problem("dashboard is editable in the UI", None, "/editable")


# A link into Grafana to a dashboard by uid: /d/<uid>, relative or absolute, with or without
# a sub-path before it, a slug after it and a query.
DASHBOARD_LINK_RE = re.compile(r"(?:^|/)d/([A-Za-z0-9_-]{1,40})(?:[/?#]|$)")


def _links(ctx: DashboardCtx) -> Iterator[tuple[str, str, JSON]]:
    """(url, path, the object holding it) of the dashboard's links and its panels' links
    and data links."""
    for index, link in enumerate(ctx.json.get("links") or []):
        if isinstance(link, dict) and link.get("type", "link") == "link":
            yield str(link.get("url") or ""), f"/links/{index}/url", link
    for panel in ctx.panels:
        for index, link in enumerate(panel.panel.get("links") or []):
            if isinstance(link, dict):
                yield str(link.get("url") or ""), f"{panel.path}/links/{index}/url", link
        defaults = (panel.panel.get("fieldConfig") or {}).get("defaults") or {}
        for index, link in enumerate(defaults.get("links") or []):
            if isinstance(link, dict):
                path = f"{panel.path}/fieldConfig/defaults/links/{index}/url"
                yield str(link.get("url") or ""), path, link


@rule(
    "dashboard/link-target",
    "warning",
    "dashboard",
    "A link to a dashboard uid that none of the dashboards linted has leads to "
    '"Dashboard not found" (a uid renamed, or never synced).',
    "Link to a uid the project defines, or lint the linked dashboard along with this one.",
)
def link_target(ctx: DashboardCtx) -> Iterator[Problem]:
    known = ctx.project.dashboard_uids
    if known is None:  # JSON files linted alone: the dashboards they link to are elsewhere
        return
    for url, path, link in _links(ctx):
        if "$" in url.split("?")[0]:  # a variable chooses the dashboard: not checked
            continue
        for uid in DASHBOARD_LINK_RE.findall(url.split("://", 1)[-1].split("?")[0] + "?"):
            if uid not in known:
                yield Problem(
                    f"link {url!r} goes to dashboard uid {uid!r}, which no "
                    "dashboard linted here has",
                    link,
                    path,
                )
