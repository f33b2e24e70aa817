"""One connection to Grafana, through grafana-client, that owns the cross-cutting concerns:
base URL with sub-path, organisation, timeouts, retries with backoff and jitter (urllib3's
Retry, honouring Retry-After), a bound on concurrent requests, TLS settings, and turning every
failure into a GrafanaError that names method, path, status and Grafana's message, with any
secret redacted."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import niquests
import orjson
from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaException
from urllib3.util.retry import Retry

from ..errors import ConfigError, Location
from .errors import (
    GrafanaAuthError,
    GrafanaBadRequest,
    GrafanaConflict,
    GrafanaError,
    GrafanaForbidden,
    GrafanaNotFound,
    GrafanaServerError,
    GrafanaTLSError,
    GrafanaUnreachable,
)
from .settings import Credentials, GrafanaSettings

log = logging.getLogger("phoenix_dash.grafana")
RETRY_STATUSES = frozenset({429, 502, 503, 504})
DNS_HINTS = ("name or service not known", "failed to resolve", "nodename nor servname",
             "temporary failure in name resolution", "no address associated", "getaddrinfo")


class GrafanaConnection:
    def __init__(self, settings: GrafanaSettings, credentials: Credentials) -> None:
        self.settings = settings
        self.credentials = credentials
        self.warnings: list[str] = []
        _check_transport(settings, credentials)
        verify: bool | str = True
        if settings.ca_bundle:
            verify = settings.ca_bundle
        if settings.insecure_skip_verify:
            verify = False
            self.warnings.append(f"TLS certificate verification is OFF for {settings.host} "
                                 "(grafana.insecure_skip_verify)")
        parts = urlsplit(settings.url)
        prefix = parts.path.strip("/")
        auth: Any = None
        if credentials.kind == "token":
            auth = credentials.token
        elif credentials.kind == "basic":
            auth = (credentials.user, credentials.password)
        self.api = GrafanaApi(
            auth=auth, host=parts.hostname or "", port=parts.port,
            url_path_prefix=f"{prefix}/" if prefix else "", protocol=parts.scheme,
            verify=verify, timeout=(settings.connect_timeout, settings.read_timeout),
            organization_id=settings.org_id, session_pool_size=settings.max_concurrency,
        )
        self.api.client.s = self._session(self.api.client.s.headers)
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)

    def _session(self, headers: Any) -> niquests.Session:
        retry = Retry(
            total=self.settings.retries, connect=self.settings.retries,
            read=self.settings.retries, status=self.settings.retries, other=0,
            allowed_methods=None,  # POST too: the sync layer makes every write safe to repeat
            status_forcelist=RETRY_STATUSES, backoff_factor=self.settings.backoff,
            backoff_jitter=self.settings.backoff, backoff_max=30,
            respect_retry_after_header=True, raise_on_status=False,
        )
        session = niquests.Session(retries=retry, pool_maxsize=self.settings.max_concurrency)
        session.headers.update(headers)
        return session

    def request(self, method: str, path: str, *, json: Any = None,
                params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> Any:
        """``path`` is relative to /api (``/dashboards/db``). Returns the decoded body."""
        call = getattr(self.api.client, method.upper())
        start = time.perf_counter()
        data = None
        if json is not None:  # orjson: several times faster than the stdlib for dashboards
            data = orjson.dumps(json)
            headers = {"Content-Type": "application/json", **(headers or {})}
        with self._slots:
            try:
                result = call(path, data=data, params=params, headers=headers,
                              accept_empty_json=True)
            except GrafanaException as exc:
                error = self._from_response(exc, method, path)
                log.debug("%s %s -> %s (%.0f ms)", method, path, error.status,
                          (time.perf_counter() - start) * 1000)
                raise error from None
            except niquests.exceptions.RequestException as exc:
                raise self._from_transport(exc, method, path) from None
        log.debug("%s %s -> ok (%.0f ms)", method, path, (time.perf_counter() - start) * 1000)
        return result

    def _from_response(self, exc: GrafanaException, method: str, path: str) -> GrafanaError:
        status = int(exc.status_code or 0)
        body = exc.response
        message = body.get("message", "") if isinstance(body, dict) else str(body or "")
        message = self.credentials.redact(str(message))
        reason = str(body.get("status") or body.get("messageId") or "") \
            if isinstance(body, dict) else ""
        if status == 0:  # grafana-client wraps transport errors too
            cause = exc.__cause__
            if isinstance(cause, niquests.exceptions.RequestException):
                return self._from_transport(cause, method, path)
            return GrafanaUnreachable(self.credentials.redact(str(exc)), None, method, path)
        kinds: dict[int, type[GrafanaError]] = {400: GrafanaBadRequest, 401: GrafanaAuthError,
                                                403: GrafanaForbidden, 404: GrafanaNotFound,
                                                409: GrafanaConflict, 412: GrafanaConflict}
        text = message or "(no message)"
        if status == 401:
            text = f"{text}: {self.credentials.describe()} was refused"
        elif status in RETRY_STATUSES or status >= 500:
            text = f"{text} (after {self.settings.retries} retries)"
        kind = kinds.get(status, GrafanaServerError if status >= 500 or status == 429
                         else GrafanaError)
        return kind(text, status, method, path, message, reason)

    def _from_transport(self, exc: Exception, method: str, path: str) -> GrafanaError:
        text = self.credentials.redact(" ".join(str(exc).split()))
        host = self.settings.host
        if isinstance(exc, niquests.exceptions.SSLError) or "certificate" in text.lower():
            return GrafanaTLSError(f"TLS failure talking to {host}: {_short(text)} (set "
                                   "grafana.ca_bundle to trust a private CA)", None, method, path)
        if any(hint in text.lower() for hint in DNS_HINTS):
            return GrafanaUnreachable(f"cannot resolve host {host}", None, method, path)
        if isinstance(exc, niquests.exceptions.Timeout) or "timed out" in text.lower():
            return GrafanaUnreachable(f"no answer from {host} within the timeout (after "
                                      f"{self.settings.retries} retries)", None, method, path)
        return GrafanaUnreachable(f"cannot connect to {self.settings.url}: {_short(text)}",
                                  None, method, path)


def _short(text: str) -> str:
    """The interesting part of a urllib3 error chain."""
    errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if errno:
        return errno.group(1).strip().lower()
    match = re.search(r"\(Caused by \w+\((.*)\)\)", text)
    return (match.group(1) if match else text)[:300]


def _check_transport(settings: GrafanaSettings, credentials: Credentials) -> None:
    if settings.scheme == "http" and credentials.kind != "none" and not settings.is_loopback \
            and not settings.allow_insecure_http:
        raise ConfigError(
            f"refusing to send credentials over plain http to {settings.host}: use https, or "
            "set grafana.allow_insecure_http: true", Location("phoenix-dash.yaml", None,
                                                             "grafana.url"))


class SecretFilter(logging.Filter):
    """Redacts secrets from every record of the phoenix_dash loggers (--verbose output)."""

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.credentials.redact(str(record.getMessage()))
        record.args = ()
        return True
