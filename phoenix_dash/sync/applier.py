"""Applying a plan: the writes, stage by stage in dependency order, each stage concurrently.
A write that fails (or meets a conflict) is reported and does not stop the others."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

from ..grafana.connection import GrafanaConnection
from ..grafana.errors import GrafanaConflict, GrafanaError
from .handlers import HANDLERS
from .model import Action, Change, Outcome, Plan
from .target import Target

Progress = Callable[[Outcome], None]


def apply_plan(conn: GrafanaConnection, plan: Plan, target: Target,
               progress: Progress | None = None) -> list[Outcome]:
    handlers = {h.kind: h for h in HANDLERS}
    outcomes: list[Outcome] = []
    writes = [c for c in plan.changes if c.writes]
    stages = groupby(writes, key=lambda c: (c.action == Action.DELETE, c.resource.kind))

    def run(change: Change) -> Outcome:
        try:
            detail = handlers[change.resource.kind].apply(conn, change, target)
            outcome = Outcome(change, True, detail)
        except GrafanaConflict as exc:
            outcome = Outcome(change, False, f"conflict: changed by someone else during the "
                                             f"sync ({exc.grafana_message or exc.message})")
        except GrafanaError as exc:
            outcome = Outcome(change, False, str(exc))
            if exc.exit_code == 2:  # auth, TLS, connection: nothing else will succeed
                raise
        if progress is not None:
            progress(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=conn.settings.max_concurrency) as pool:
        for _, stage in stages:
            outcomes += list(pool.map(run, list(stage)))
    return outcomes
