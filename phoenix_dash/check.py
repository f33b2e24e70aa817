"""`phoenix-dash check`: run every panel query and alert query of the build against a live
Prometheus (or VictoriaMetrics), so a panel that would show "No data" is caught before merge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import niquests

from .alerting.model import Query
from .build import Build
from .grafana.settings import Credentials
from .modern.common import every_panel
from .prometheus_api import PrometheusAPI, PrometheusSettings, PrometheusUnreachable
from .web_answers import looks_like_html
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
    path = "/api/v1/query"
    url = f"{api.settings.url}{path}"
    try:
        response = api.get(path, {"query": "1"})
    except niquests.exceptions.RequestException as exc:
        raise PrometheusUnreachable(
            f"cannot reach Prometheus at {api.settings.url}: {api.failure(exc)}"
        ) from None
    refused = api.refusal(response, path)
    if refused is not None:
        raise refused
    if response.status_code in (301, 302, 303, 307, 308):
        what = f"a redirect to {response.headers.get('Location', 'elsewhere')}"
    elif looks_like_html(response.text or ""):
        what = f"an HTML page ({response.status_code})"
    else:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and "status" in answer:
            return
        what = f"{response.status_code} and no Prometheus answer"
    raise PrometheusUnreachable(
        f"{url} answered with {what}, not Prometheus's API: is the URL right?"
    )


def run_checks(
    build: Build,
    prometheus: PrometheusSettings | str,
    scrape_seconds: float,
    timeout: float = 30.0,
    concurrency: int = 8,
) -> list[QueryCheck]:
    """Every query of ``build`` against ``prometheus`` (its settings, or a plain URL)."""
    settings = (
        prometheus
        if isinstance(prometheus, PrometheusSettings)
        else PrometheusSettings(prometheus.rstrip("/"), Credentials("none", ""))
    )
    api = PrometheusAPI(settings, concurrency, timeout)
    _probe(api)

    def check(item: tuple[str, str, str, str]) -> QueryCheck:
        kind, owner, ref, expr = item
        if expr.startswith("<"):
            return QueryCheck(
                kind, owner, ref, expr, "skipped", f"not a Prometheus query ({expr.strip('<>')})"
            )
        try:
            answer = api.get("/api/v1/query", {"query": expr}).json()
        except (niquests.exceptions.RequestException, ValueError) as exc:
            return QueryCheck(kind, owner, ref, expr, "error", api.failure(exc))
        if not isinstance(answer, dict):
            return QueryCheck(kind, owner, ref, expr, "error", "not a Prometheus answer")
        if answer.get("status") != "success":
            return QueryCheck(kind, owner, ref, expr, "error", str(answer.get("error")))
        result = answer.get("data", {}).get("result") or []
        count = len(result) if isinstance(result, list) else 1
        return QueryCheck(kind, owner, ref, expr, "ok" if count else "empty", "", count)

    with worker_pool(concurrency) as pool:
        return list(pool.map(check, planned_queries(build, scrape_seconds)))
