"""Computing the plan: desired resources from the build, their live state from Grafana, one
Change each (reads run concurrently; the connection bounds them)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from ..build import Build
from ..errors import ConfigError, Location
from ..grafana.connection import GrafanaConnection
from ..grafana.errors import GrafanaNotFound
from ..grafana.resources import ResourceAPI, choose_api
from ..workers import paused_gc, worker_pool
from .handlers import Handler, handlers_for
from .model import KINDS, Action, Change, Plan, Resource
from .normalize import canonical, version_message
from .options import PlanOptions, Selection
from .target import Target


def check_selection(build: Build, target: Target, selection: Selection) -> None:
    """--only and --exclude checked against what the project defines, before Grafana is
    asked anything: a typo is the error to report, not an unreachable Grafana."""
    if selection.only or selection.exclude:
        handlers = handlers_for(None, target)
        selection.check([r for h in handlers for r in h.desired(build, target)])


def make_plan(
    conn: GrafanaConnection,
    build: Build,
    target: Target,
    options: PlanOptions,
    api: ResourceAPI | Literal["choose"] | None = "choose",
) -> Plan:
    """``api``: the API choose_api made for ``conn`` (sync asks while the build runs)."""
    plan = Plan(message=version_message(target.revision, "<content hash>", target.note))
    plan.api = choose_api(conn, target.grafana, target.settings_file) if api == "choose" else api
    _check_schema(plan, conn, target)
    handlers = handlers_for(plan.api, target)
    workers = conn.settings.max_concurrency
    with paused_gc(), worker_pool(workers) as pool:
        every = {h.kind: h.desired(build, target) for h in handlers}
        options.selection.check([r for rs in every.values() for r in rs])
        wanted = {kind: [r for r in rs if options.selection.keeps(r)] for kind, rs in every.items()}
        _check_datasources(pool, conn, [r for rs in wanted.values() for r in rs], target)
        _check_library_panels(conn, wanted, target)
        plan.changes += _changes_of_every_kind(conn, handlers, wanted, target, options)
    _check_folders(plan, build, target)
    plan.changes.sort(key=_order)
    if options.prune:
        _check_deletions(plan, options)
    return plan


def _changes_of_every_kind(
    conn: GrafanaConnection,
    handlers: list[Handler],
    wanted: dict[str, list[Resource]],
    target: Target,
    options: PlanOptions,
) -> list[Change]:
    """Every kind at once, each reading its lists and then planning its resources on a pool
    of its own (the connection bounds the requests in flight): a no-op's critical path is
    the slowest kind, not the sum of them, and a kind's one request does not queue behind
    another kind's two hundred."""

    def kind_changes(handler: Handler) -> list[Change]:
        desired = wanted[handler.kind]
        handler.prefetch(conn, desired)
        with worker_pool(conn.settings.max_concurrency) as own:
            changes = list(own.map(lambda r: handler.plan(conn, r, target), desired))
            if options.prune:
                changes += _deletions(own, conn, handler, desired, target, options)
        return changes

    with worker_pool(max(1, len(handlers))) as kinds:
        return [change for changes in kinds.map(kind_changes, handlers) for change in changes]


def _check_schema(plan: Plan, conn: GrafanaConnection, target: Target) -> None:
    """Schema v2 dashboards need Grafana 13's dashboard.grafana.app/v2."""
    if target.dashboard_schema != "v2" or (plan.api is not None and plan.api.dashboards_v2):
        return
    served = "the legacy API only" if plan.api is None else f"{plan.api.dashboards}, not v2"
    raise ConfigError(
        f"dashboards.schema is v2, but {conn.settings.url} serves dashboards through "
        f"{served} (Grafana 13 serves dashboard.grafana.app/v2); use schema v1 for it",
        Location(target.settings_file, None, "dashboards.schema"),
    )


def _check_deletions(plan: Plan, options: PlanOptions) -> None:
    """--prune deletes neither more than --max-deletions nor every managed resource of a
    kind (what a wrong path or an emptied module looks like) without being told to."""
    deleting = plan.by_action(Action.DELETE)
    if len(deleting) > options.max_deletions:
        noun = "resource" if len(deleting) == 1 else "resources"
        raise ConfigError(
            f"the plan deletes {len(deleting)} {noun}, more than "
            f"--max-deletions {options.max_deletions}: {_labels(deleting)}; "
            "nothing was changed"
        )
    if options.allow_delete_all:
        return
    staying = (Action.UPDATE, Action.UNCHANGED, Action.CONFLICT)
    for kind in KINDS:
        gone = [c for c in deleting if c.resource.kind == kind]
        if gone and not any(c.resource.kind == kind and c.action in staying for c in plan.changes):
            raise ConfigError(
                f"the plan deletes every managed {kind} in Grafana "
                f"({_labels(gone)}); refusing without --allow-delete-all; "
                "nothing was changed"
            )


def _labels(changes: list[Change]) -> str:
    return ", ".join(c.resource.key for c in changes)


def _deletions(
    pool: ThreadPoolExecutor,
    conn: GrafanaConnection,
    handler: Handler,
    desired: list[Resource],
    target: Target,
    options: PlanOptions,
) -> list[Change]:
    wanted = {r.key for r in desired}
    gone = [
        r
        for r in handler.managed(conn, target)
        if r.key not in wanted and options.selection.keeps(r)
    ]
    changes = list(pool.map(lambda r: handler.plan_delete(conn, r, target), gone))
    return [c for c in changes if c.action != Action.UNCHANGED]


BUILTIN_DATASOURCES = frozenset(
    {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "__expr__", "-100"}
)


# Read off canonical JSON (sorted keys: "type" precedes "uid"), much faster than a walk: a
# v1 reference {type, uid}, a rule's datasourceUid, a schema v2 query's datasource {name}.
DATASOURCE_UID_RE = re.compile(
    rb'"datasource":\{(?:"type":"(?:[^"\\]|\\.)*",)?"uid":"((?:[^"\\]|\\.)*)"\}'
    rb'|"datasourceUid":"((?:[^"\\]|\\.)*)"'
    rb'|"datasource":\{"name":"((?:[^"\\]|\\.)*)"\}'
)


# A library panel reference, in canonical JSON (v1 panels and v2 elements alike).
LIBRARY_PANEL_RE = re.compile(
    rb'"libraryPanel":\{"name":"(?:[^"\\]|\\.)*","uid":"((?:[^"\\]|\\.)*)"\}'
)


def _datasource_uids(value: Any) -> set[str]:
    found = DATASOURCE_UID_RE.findall(canonical(value))
    return {(a or b or c).decode() for a, b, c in found}


def _check_datasources(
    pool: ThreadPoolExecutor, conn: GrafanaConnection, resources: list[Resource], target: Target
) -> None:
    """A dashboard or rule naming a datasource the target lacks stops the sync before any
    write (variables such as ${datasource} are the viewer's choice and not checked)."""
    defined = {r.key for r in resources if r.kind == "datasource"}
    users: dict[str, str] = {}
    for resource in resources:
        for uid in sorted(_datasource_uids(resource.desired)):
            if not uid.startswith("$") and uid not in BUILTIN_DATASOURCES and uid not in defined:
                users.setdefault(uid, resource.label)

    def missing(uid: str) -> bool:
        try:
            conn.request("GET", f"/datasources/uid/{uid}")
        except GrafanaNotFound:
            return True
        return False

    for uid, absent in zip(users, pool.map(missing, users), strict=True):
        if absent:
            raise ConfigError(
                f"{users[uid]} uses datasource uid {uid!r}, which the "
                f"{target.name} Grafana does not have; nothing was changed"
            )


def _check_library_panels(
    conn: GrafanaConnection, wanted: dict[str, list[Resource]], target: Target
) -> None:
    """A dashboard using a library panel that is neither synced with it nor in Grafana
    would show a broken panel (Grafana 12 even refuses it, after storing it: L7)."""
    synced = {r.key for r in wanted.get("library-panel", [])}
    for dashboard in wanted.get("dashboard", []):
        found = LIBRARY_PANEL_RE.findall(canonical(dashboard.desired))
        for uid in sorted({match.decode() for match in found} - synced):
            try:
                conn.request("GET", f"/library-elements/{uid}")
            except GrafanaNotFound:
                raise ConfigError(
                    f"{dashboard.label} uses library panel {uid!r}, which the {target.name} "
                    "Grafana does not have and this sync does not write (--only "
                    "library-panels adds it); nothing was changed"
                ) from None


def _check_folders(plan: Plan, build: Build, target: Target) -> None:
    """Every dashboard and rule group must land in a folder the plan knows."""
    known = {c.resource.key for c in plan.changes if c.resource.kind == "folder"}
    known |= {target.folder_uid(uid) for uid in build.folders}
    for change in plan.changes:
        folder = change.resource.folder
        if change.resource.kind != "folder" and folder and folder not in known:
            raise ConfigError(
                f"{change.resource.label} goes to folder {folder!r}, which is not "
                "in phoenix-dash.yaml folders"
            )


def _order(change: Change) -> tuple[int, int]:
    """Dependency order: folders, then dashboards and rule groups; deletes last, reversed."""
    rank = KINDS.index(change.resource.kind)
    return (1, -rank) if change.action == Action.DELETE else (0, rank)
