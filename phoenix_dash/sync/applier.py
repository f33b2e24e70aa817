"""Applying a plan: the writes, stage by stage in dependency order, each stage concurrently.
A write that fails (or meets a conflict) is reported and does not stop the others."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from ..grafana.connection import GrafanaConnection
from ..grafana.errors import GrafanaConflict, GrafanaError, GrafanaForbidden, GrafanaNotFound
from ..workers import worker_pool
from .handlers import handlers_for
from .handlers.base import Handler
from .model import Action, Change, Outcome, Plan
from .target import Target

Progress = Callable[[Outcome], None]


def apply_plan(
    conn: GrafanaConnection, plan: Plan, target: Target, progress: Progress | None = None
) -> list[Outcome]:
    handlers = {h.kind: h for h in handlers_for(plan.api, target)}
    outcomes: list[Outcome] = []
    writes = [c for c in plan.changes if c.writes]
    for change in writes:  # all or nothing: what cannot be written stops the sync before
        handlers[change.resource.kind].ready(change)
    stages = groupby(writes, key=lambda c: (c.action == Action.DELETE, c.resource.kind))

    def run(change: Change) -> Outcome:
        handler = handlers[change.resource.kind]
        try:
            outcome = Outcome(change, True, handler.apply(conn, change, target))
        except GrafanaError as exc:
            if exc.exit_code == 2:  # auth, TLS, connection: nothing else will succeed
                raise
            outcome = _settle(conn, handler, change, exc)
        if progress is not None:
            progress(outcome)
        return outcome

    with worker_pool(conn.settings.max_concurrency) as pool:
        for _, stage in stages:
            outcomes += list(pool.map(run, list(stage)))
    _finish(conn, handlers, outcomes)
    return outcomes


def _finish(conn: GrafanaConnection, handlers: dict[str, Handler], outcomes: list[Outcome]) -> None:
    """Each kind that wrote records its writes; a record that fails turns the kind's last
    write into a failure, so the sync says so and exits non-zero."""
    for kind, handler in handlers.items():
        written = [o for o in outcomes if o.ok and o.change.resource.kind == kind]
        if not written:
            continue
        try:
            handler.finish(conn)
        except GrafanaError as exc:
            if exc.exit_code == 2:
                raise
            written[-1].ok = False
            written[-1].detail += f"; but phoenix-dash's record of it was not saved: {exc}"


def _settle(
    conn: GrafanaConnection, handler: Handler, change: Change, error: GrafanaError
) -> Outcome:
    """A failed write, unless Grafana is already where the write would have taken it."""
    refusal = handler.refusal(error)
    if refusal is not None:
        return Outcome(change, False, f"managed by {refusal}, not phoenix-dash; left unchanged")
    if isinstance(error, GrafanaNotFound) and change.action == Action.DELETE:
        return Outcome(change, True, "already deleted")
    if isinstance(error, GrafanaConflict):
        if change.action != Action.DELETE and handler.already_applied(conn, change):
            return Outcome(change, True, "written (an earlier attempt had succeeded)")
        return Outcome(
            change,
            False,
            f"conflict: changed by someone else during the sync "
            f"({error.grafana_message or error.message})",
        )
    return Outcome(change, False, str(error))


def dry_run(conn: GrafanaConnection, plan: Plan, target: Target) -> None:
    """Ask Grafana to judge every planned create and update without storing it (the
    resource APIs' ``dryRun=All``: admission and validation, as a real write would meet
    them), and note each refusal on its change. The legacy API has no dry run: nothing is
    asked there."""
    handlers = {h.kind: h for h in handlers_for(plan.api, target)}
    checked = [c for c in plan.changes if c.action in (Action.CREATE, Action.UPDATE)]
    new_folders = {
        c.resource.key for c in checked if c.resource.kind == "folder" and c.action == Action.CREATE
    }

    refused: list[GrafanaForbidden] = []

    def judge(change: Change) -> None:
        if refused:
            return
        try:
            handler = handlers[change.resource.kind]
            change.rejected = handler.validate(conn, change, target, new_folders)
        except GrafanaForbidden as exc:
            refused.append(exc)

    with worker_pool(conn.settings.max_concurrency) as pool:
        list(pool.map(judge, checked))
    if refused:  # a read-only credential (a PR's diff): a dry run needs write permission
        for change in checked:
            change.rejected = ""
        plan.notes.append(
            "Grafana's dry run was not asked: this credential may not write "
            f"({refused[0].grafana_message or refused[0].message})"
        )
