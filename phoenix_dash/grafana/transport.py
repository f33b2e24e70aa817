"""What the transport to Grafana may do: which answers are retried (and that a refused
connection is not), when credentials may travel over plain HTTP, and keeping secrets out of
the log."""

from __future__ import annotations

import logging
from typing import Any

from urllib3.util.retry import Retry

from ..errors import ConfigError, Location
from ..web_answers import refused
from .settings import Credentials, GrafanaSettings

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class RefusedIsFinal(Retry):
    """urllib3's retries, except for a refused connection: nothing listens at that address,
    and saying so at once beats saying it after every backoff (8 s with the defaults)."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        error = kwargs.get("error") if "error" in kwargs else (args[3] if len(args) > 3 else None)
        if refused(error):
            return Retry.increment(self.new(total=0, connect=0), *args, **kwargs)
        return super().increment(*args, **kwargs)


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
