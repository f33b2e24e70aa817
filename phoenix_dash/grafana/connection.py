"""One connection to Grafana that owns the cross-cutting concerns: base URL with sub-path,
organisation, timeouts, retries with backoff and jitter (honouring Retry-After), a bound on
concurrent requests, TLS settings, and turning every failure into a GrafanaError that names
method, path, status and Grafana's message, with any secret redacted. How answers are read
is answers.py's; what the transport may do (retries, plain HTTP, the log's secrets) is
transport.py's; the requests themselves are http_client's."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import orjson

from .. import __version__
from ..http_client import Answer, HttpPool, NoAnswer
from ..web_answers import DNS_HINTS, looks_like_html, no_answer, short_reason
from ..workers import InFlight
from .answers import ALWAYS_THERE, LIST_READS, about_a_manager, refusal_reason
from .errors import (
    GrafanaAuthError,
    GrafanaBadRequest,
    GrafanaConflict,
    GrafanaError,
    GrafanaForbidden,
    GrafanaManagedElsewhere,
    GrafanaNotAPI,
    GrafanaNotFound,
    GrafanaServerError,
    GrafanaTLSError,
    GrafanaUnreachable,
)
from .settings import Credentials, GrafanaSettings
from .transport import RETRY_STATUSES, check_transport, retry_policy

log = logging.getLogger("phoenix_dash.grafana")
JSON = dict[str, Any]


class GrafanaConnection:
    def __init__(self, settings: GrafanaSettings, credentials: Credentials) -> None:
        self.settings = settings
        self.credentials = credentials
        self.warnings: list[str] = []
        check_transport(settings, credentials)
        verify: bool | str = True
        if settings.ca_bundle:
            verify = settings.ca_bundle
        if settings.insecure_skip_verify:
            verify = False
            self.warnings.append(
                f"TLS certificate verification is OFF for {settings.host} "
                "(grafana.insecure_skip_verify)"
            )
        self.http = HttpPool(
            settings.url.rstrip("/"),
            settings.connect_timeout,
            settings.read_timeout,
            verify,
            retry_policy(settings),
            _headers(settings, credentials),
            settings.max_concurrency,
        )
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)
        self.waiting = InFlight()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """``path`` is relative to /api (``/dashboards/db``). Returns the decoded body."""
        return self._send(method, path, "/api" + path, json, params, headers)

    def request_root(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """``path`` is relative to the server root: the resource APIs (``/apis/...``) and
        ``/bootdata``. Returns the decoded body."""
        return self._send(method, path, path, json, params, headers)

    def _send(
        self,
        method: str,
        path: str,
        url_path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str] | None,
    ) -> Any:
        start = time.perf_counter()
        data = None
        if json is not None:  # orjson: several times faster than the stdlib for dashboards
            data = orjson.dumps(json)
            headers = {"Content-Type": "application/json", **(headers or {})}
        with self._slots, self.waiting.on(f"{method} {url_path}"):
            try:
                answer = self.http.request(
                    method, url_path, params=params, body=data, headers=headers
                )
            except NoAnswer as exc:
                raise self._from_transport(exc, method, path, url_path) from None
        result = self._read(answer, method, path, url_path)
        log.debug("%s %s -> ok (%.0f ms)", method, url_path, (time.perf_counter() - start) * 1000)
        self._check_shape(method, path, url_path, result)
        return result

    def _read(self, answer: Answer, method: str, path: str, url_path: str) -> Any:
        """The decoded body of an answer (JSON; text when it says so; None for 204), or the
        GrafanaError it means."""
        if answer.is_redirect:
            raise self._redirected(answer, method, path, url_path)
        if answer.status >= 400:
            error = self._from_response(answer, method, path, url_path)
            log.debug("%s %s -> %s", method, url_path, error.status)
            raise error
        if answer.status == 204:
            return None
        if not answer.body or answer.header("Content-Type").startswith("text/"):
            return answer.text
        try:
            return orjson.loads(answer.body)  # several times faster than the stdlib
        except orjson.JSONDecodeError:
            raise self._not_api(method, path, url_path, "a body that is not JSON") from None

    def _check_shape(self, method: str, path: str, url_path: str, result: Any) -> None:
        if isinstance(result, str) and result:
            html = looks_like_html(result)
            raise self._not_api(method, path, url_path, "an HTML page" if html else "plain text")
        wanted: type = list if method == "GET" and path in LIST_READS else dict
        if (method == "GET" or result) and not isinstance(result, wanted):
            raise self._not_api(
                method,
                path,
                url_path,
                f"JSON of another shape (a {type(result).__name__}"
                f" where Grafana answers a {wanted.__name__})",
            )
        if isinstance(result, list) and not all(isinstance(item, dict) for item in result):
            raise self._not_api(
                method,
                path,
                url_path,
                "JSON of another shape (a list of other things than the objects Grafana answers)",
            )

    def check_api(self) -> JSON:
        """Grafana's health answer (no credentials needed): that the URL is a Grafana API
        root at all, before anything else is asked; a server that answers 404 to everything
        would otherwise look like an empty Grafana."""
        health: JSON = self.request("GET", "/health")
        if "database" not in health and "version" not in health:
            raise self._not_api(
                "GET", "/health", "/api/health", "JSON that is not Grafana's health answer"
            )
        return health

    def _url(self, url_path: str) -> str:
        return self.settings.url.rstrip("/") + url_path

    def _not_api(self, method: str, path: str, url_path: str, what: str) -> GrafanaError:
        url = self._url(url_path)
        return GrafanaNotAPI(
            f"{url} answered with {what}, not Grafana's API: is the URL right?", None, method, path
        )

    def _from_response(self, answer: Answer, method: str, path: str, url_path: str) -> GrafanaError:
        status = answer.status
        body: Any
        try:
            body = orjson.loads(answer.body)
        except orjson.JSONDecodeError:
            body = answer.text
        message = body.get("message", "") if isinstance(body, dict) else str(body or "")
        message = self.credentials.redact(str(message))
        reason = refusal_reason(body)
        kinds: dict[int, type[GrafanaError]] = {
            400: GrafanaBadRequest,
            401: GrafanaAuthError,
            403: GrafanaForbidden,
            404: GrafanaNotFound,
            409: GrafanaConflict,
            412: GrafanaConflict,
        }
        if status == 403 and about_a_manager(body):
            return GrafanaManagedElsewhere(message, status, method, path, message, reason)
        not_there = path in ALWAYS_THERE or (body and not isinstance(body, dict))
        if status == 404 and url_path.startswith("/api/") and not_there:
            url = self._url(url_path)
            return GrafanaNotAPI(
                f"{url} answered 404 Not Found: {self.settings.url} does not "
                "look like a Grafana API root (is grafana.url right?)",
                None,
                method,
                path,
            )
        text = message or "(no message)"
        if status == 401:
            text = f"{text}: {self.credentials.describe()} was refused"
        elif status in RETRY_STATUSES:  # only these are retried
            text = f"{text} (after {self.settings.retries} retries)"
        kind = kinds.get(
            status, GrafanaServerError if status >= 500 or status == 429 else GrafanaError
        )
        return kind(text, status, method, path, message, reason)

    def _redirected(self, answer: Answer, method: str, path: str, url_path: str) -> GrafanaError:
        """Grafana's API does not redirect: a redirect is a proxy or a login page, and its
        target is named instead of being sent the credentials."""
        target = self.credentials.redact(urljoin(self.settings.url, answer.header("Location")))
        return GrafanaNotAPI(
            f"{self._url(url_path)} redirects to "
            f"{target or 'another address'} (host "
            f"{urlsplit(target).hostname or '?'}): Grafana's API does not "
            "redirect; set grafana.url to where Grafana answers",
            None,
            method,
            path,
        )

    def _from_transport(self, exc: NoAnswer, method: str, path: str, url_path: str) -> GrafanaError:
        text = self.credentials.redact(" ".join(str(exc).split()))
        host = self.settings.host
        if exc.is_tls or "certificate" in text.lower():
            return GrafanaTLSError(
                f"TLS failure talking to {host}: {short_reason(text)} (set "
                "grafana.ca_bundle to trust a private CA)",
                None,
                method,
                path,
            )
        if any(hint in text.lower() for hint in DNS_HINTS):
            return GrafanaUnreachable(
                f"cannot resolve host {host} ({method} {self._url(url_path)})", None, method, path
            )
        if exc.is_timeout or "timed out" in text.lower():
            return GrafanaUnreachable(
                f"no answer from {host} within the timeout (after {self.settings.retries} "
                f"retries; {method} {self._url(url_path)})",
                None,
                method,
                path,
            )
        return GrafanaUnreachable(
            f"cannot connect to {self._url(url_path)}: {no_answer(exc.cause)}", None, method, path
        )


def _headers(settings: GrafanaSettings, credentials: Credentials) -> dict[str, str]:
    """What every request carries: who sends it, its credentials, its organisation."""
    headers = {
        "User-Agent": f"phoenix-dash/{__version__}",
        "Accept": "application/json",
        **credentials.headers(),
    }
    if settings.org_id is not None:
        headers["X-Grafana-Org-Id"] = str(settings.org_id)
    return headers
