"""LogQL rules (logql/*): Loki queries are well-formed."""

from __future__ import annotations

from collections.abc import Iterator

from .. import logql
from ..context import PanelCtx
from ..core import Problem, rule


@rule(
    "logql/syntax",
    "error",
    "panel",
    "A Loki query that does not parse shows an error instead of logs.",
    'Start with a stream selector {label="value"} and use known pipeline stages.',
)
def logql_syntax(ctx: PanelCtx) -> Iterator[Problem]:
    for index, target in enumerate(ctx.panel.get("targets") or []):
        ds = target.get("datasource") if isinstance(target, dict) else None
        panel_ds = ctx.panel.get("datasource")
        kind = (ds or panel_ds or {}).get("type") if isinstance(ds or panel_ds, dict) else None
        if kind == "loki" and isinstance(target.get("expr"), str):
            problem = logql.check(target["expr"])
            if problem:
                yield Problem(
                    f"panel {ctx.title!r}: LogQL {problem}",
                    target,
                    f"{ctx.path}/targets/{index}/expr",
                )
