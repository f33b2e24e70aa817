"""What the transport to Grafana may do: which answers are retried (and that a refused
connection is not), when credentials may travel over plain HTTP, and keeping secrets out of
the log."""

from __future__ import annotations

import logging

from ..errors import ConfigError, Location
from ..http_client import RetryPolicy
from .settings import Credentials, GrafanaSettings

RETRY_STATUSES = frozenset({429, 502, 503, 504})


def retry_policy(settings: GrafanaSettings) -> RetryPolicy:
    """Grafana's answers worth another try: throttling and a proxy's or a restarting
    Grafana's 502/503/504, never a 500 (Grafana's own error: the same request fails again);
    every failure to get an answer but a refused connection."""
    return RetryPolicy(settings.retries, settings.backoff, RETRY_STATUSES)


def check_transport(settings: GrafanaSettings, credentials: Credentials) -> None:
    if (
        settings.scheme == "http"
        and credentials.kind != "none"
        and not settings.is_loopback
        and not settings.allow_insecure_http
    ):
        raise ConfigError(
            f"refusing to send credentials over plain http to {settings.host}: use https, or "
            "set grafana.allow_insecure_http: true",
            Location("phoenix-dash.yaml", None, "grafana.url"),
        )


class SecretFilter(logging.Filter):
    """Redacts secrets from every record of the phoenix_dash loggers (--verbose output)."""

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.credentials.redact(str(record.getMessage()))
        record.args = ()
        return True
