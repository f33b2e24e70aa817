"""`phoenix-dash check`: run every panel query and alert query of the build against a live
Prometheus (or VictoriaMetrics), so a panel that would show "No data" is caught before merge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .alerting.model import Query
from .build import Build
from .grafana.settings import Credentials
from .modern.common import every_panel
from .prometheus_api import (
    MalformedAnswer,
    PrometheusAPI,
    PrometheusQueryError,
    PrometheusSettings,
    PrometheusUnreachable,
    query_series,
)
from .workers import worker_pool

VARIABLE_RE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]")


@dataclass(frozen=True)
class QueryCheck:
    kind: str  # panel | alert
    owner: str  # "dashboard uid / panel title" or the alert rule's title
    ref: str
    expr: str  # as sent, macros and variables substituted
    status: str  # ok | empty | error | skipped
    message: str = ""
    series: int = 0

    @property
    def failed(self) -> bool:
        # An alert query may well be empty while nothing is wrong (absent(), a filter).
        return self.status == "error" or (self.kind == "panel" and self.status == "empty")

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "owner": self.owner,
            "ref": self.ref,
            "expr": self.expr,
            "status": self.status,
            "message": self.message,
            "series": self.series,
        }


def substitute(expr: str, scrape_seconds: float) -> str:
    """Grafana's macros as Grafana would send them; every variable as "all values" (.+)."""
    rate_interval = f"{int(max(4 * scrape_seconds, 1))}s"
    replacements = {
        "__rate_interval": rate_interval,
        "__interval": f"{int(max(scrape_seconds, 1))}s",
        "__range": "1h",
        "__range_s": "3600",
        "__range_ms": "3600000",
        "__interval_ms": str(int(scrape_seconds * 1000)),
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        return replacements.get(name, ".+")

    return VARIABLE_RE.sub(replace, expr)


def planned_queries(build: Build, scrape_seconds: float) -> list[tuple[str, str, str, str]]:
    """(kind, owner, ref, expr) of every Prometheus query of the build."""
    found = []
    for dashboard in build.dashboards:
        for panel in every_panel(dashboard.json):
            for target in panel.get("targets") or []:
                datasource = target.get("datasource") or {}
                if not isinstance(target.get("expr"), str):
                    continue
                owner = f"{dashboard.uid} / {panel.get('title')}"
                if isinstance(datasource, dict) and datasource.get("type") not in (
                    None,
                    "prometheus",
                ):
                    found.append(
                        ("panel", owner, str(target.get("refId")), f"<{datasource.get('type')}>")
                    )
                    continue
                found.append(
                    (
                        "panel",
                        owner,
                        str(target.get("refId")),
                        substitute(target["expr"], scrape_seconds),
                    )
                )
    for group in build.alert_groups:
        for rule in group.rules:
            for node in rule.nodes:
                if isinstance(node, Query) and node.datasource.type == "prometheus":
                    found.append(("alert", rule.title, node.ref_id, node.expr))
    return found


def _probe(api: PrometheusAPI) -> None:
    """One query first: the URL must answer as Prometheus's API does, and let these
    credentials in, or nothing is run."""
    try:
        api.answer("/api/v1/query", {"query": "1"})
    except PrometheusQueryError:
        return  # an answer in Prometheus's shape: a server that speaks its API


def run_checks(
    build: Build,
    prometheus: PrometheusAPI | PrometheusSettings | str,
    scrape_seconds: float,
    concurrency: int = 8,
) -> list[QueryCheck]:
    """Every query of ``build`` against ``prometheus`` (a client, its settings, or a plain
    URL)."""
    if isinstance(prometheus, str):
        prometheus = PrometheusSettings(prometheus.rstrip("/"), Credentials("none", ""))
    api = prometheus if isinstance(prometheus, PrometheusAPI) else PrometheusAPI(prometheus)
    _probe(api)

    def check(item: tuple[str, str, str, str]) -> QueryCheck:
        kind, owner, ref, expr = item
        if expr.startswith("<"):
            return QueryCheck(
                kind, owner, ref, expr, "skipped", f"not a Prometheus query ({expr.strip('<>')})"
            )
        try:
            count = len(query_series(api.answer("/api/v1/query", {"query": expr})))
        except (PrometheusQueryError, PrometheusUnreachable) as exc:
            return QueryCheck(kind, owner, ref, expr, "error", exc.message)
        except MalformedAnswer as exc:
            return QueryCheck(kind, owner, ref, expr, "error", f"malformed answer: {exc}")
        return QueryCheck(kind, owner, ref, expr, "ok" if count else "empty", "", count)

    with worker_pool(concurrency) as pool:
        return list(pool.map(check, planned_queries(build, scrape_seconds)))
