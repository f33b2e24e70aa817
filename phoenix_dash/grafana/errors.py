"""Grafana failures as phoenix-dash errors: status, Grafana's message, method and path.

``exit_code`` is 2 for what stops everything (connection, TLS, credentials, permissions) and
1 for a failure of one resource.
"""

from __future__ import annotations

from ..errors import PhoenixDashError


class GrafanaError(PhoenixDashError):
    exit_code = 1

    def __init__(
        self,
        message: str,
        status: int | None = None,
        method: str = "",
        path: str = "",
        grafana_message: str = "",
        grafana_status: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.path = path
        self.grafana_message = grafana_message
        # Grafana's machine-readable reason: the body's "status" ("version-mismatch",
        # "plugin-dashboard") or "messageId" ("alerting.provenanceMismatch"), or a resource
        # API Status's "reason" ("Conflict", "AlreadyExists", "Invalid").
        self.grafana_status = grafana_status

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        status = f"{self.status} " if self.status else ""
        return f"{where}{status}{self.message}"


class GrafanaNotAPI(GrafanaError):
    """The URL answers, but not as Grafana's API does: an HTML page, JSON of another shape, a
    redirect, a 404 where every Grafana answers."""

    exit_code = 2

    def __str__(self) -> str:
        return self.message  # names the URL itself


class GrafanaUnreachable(GrafanaError):
    """DNS failure, refused or dropped connection, timeout (after retries)."""

    exit_code = 2

    def __str__(self) -> str:
        return self.message  # names the URL itself, as the waiting line does


class GrafanaTLSError(GrafanaError):
    exit_code = 2


class GrafanaAuthError(GrafanaError):
    """401: the credential was refused."""

    exit_code = 2


class GrafanaForbidden(GrafanaError):
    """403: the credential lacks a permission."""

    exit_code = 2


class GrafanaManagedElsewhere(GrafanaError):
    """403 from the resource APIs for one resource: another manager owns it (Terraform, Git
    Sync, file provisioning), or a change of manager was refused. Not a credential problem."""


class GrafanaNotFound(GrafanaError):
    pass


class GrafanaConflict(GrafanaError):
    """409/412: someone else changed the resource (or it exists already)."""


class GrafanaBadRequest(GrafanaError):
    pass


class GrafanaServerError(GrafanaError):
    """5xx or 429 still failing after the retries."""
