"""`phoenix-dash ping`: can we reach Grafana, who are we there, and may we write?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from .connection import GrafanaConnection
from .errors import GrafanaError, GrafanaNotFound
from .resources import choose_api

# What sync needs, as Grafana's RBAC actions.
NEEDED = {
    "dashboards": ("dashboards:create", "dashboards:write"),
    "folders": ("folders:create", "folders:write"),
    "alert rules": ("alert.provisioning:write",),
    "datasources": ("datasources:write",),
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class PingReport:
    checks: list[Check] = field(default_factory=list)
    fatal: GrafanaError | None = None  # stopped before the end

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return self.fatal.exit_code
        return 0 if all(check.ok for check in self.checks) else 1


def ping(connection: GrafanaConnection, grafana: Mapping[str, Any], file: str) -> PingReport:
    """``grafana``: the project's grafana settings (which API to use, the namespace)."""
    report = PingReport()
    try:
        health = connection.request("GET", "/health")
        report.checks.append(Check("reachable", True, connection.settings.url))
        version = health.get("version", "?") if isinstance(health, dict) else "?"
        database = health.get("database", "?") if isinstance(health, dict) else "?"
        report.checks.append(
            Check("health", database == "ok", f"Grafana {version}, database {database}")
        )
        user = connection.request("GET", "/user")
        org = connection.request("GET", "/org")
        report.checks.append(
            Check(
                "identity",
                True,
                f"{user.get('login')} ({connection.credentials.describe()}) in "
                f"org {org.get('id')} {org.get('name')!r}",
            )
        )
        report.checks.append(_api(connection, grafana, file))
        report.checks += _permissions(connection)
    except GrafanaError as exc:
        report.fatal = exc
    return report


def _permissions(connection: GrafanaConnection) -> list[Check]:
    try:
        granted = connection.request("GET", "/access-control/user/permissions")
    except GrafanaNotFound:
        return [Check("permissions", True, "not reported by this Grafana (no RBAC API)")]
    checks = []
    for what, actions in NEEDED.items():
        missing = [a for a in actions if a not in (granted or {})]
        detail = "can write" if not missing else f"missing {', '.join(missing)}"
        checks.append(Check(f"write {what}", not missing, detail))
    return checks


def _api(connection: GrafanaConnection, grafana: Mapping[str, Any], file: str) -> Check:
    """Which API sync will use for dashboards and folders."""
    try:
        api = choose_api(connection, grafana, file)
    except ConfigError as exc:
        return Check("api", False, str(exc))
    if api is not None:
        return Check("api", True, f"sync uses {api.describe()}")
    why = (
        "grafana.api is legacy"
        if grafana.get("api") == "legacy"
        else "the server has no dashboard.grafana.app/v1 and folder.grafana.app/v1"
    )
    return Check("api", True, f"sync uses the legacy /api ({why})")
