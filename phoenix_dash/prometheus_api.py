"""How to reach a Prometheus-compatible query API (Prometheus, VictoriaMetrics, Mimir,
Thanos, a proxy in front of them): the URL, credentials from the environment, a CA bundle,
extra headers such as a tenant's ``X-Scope-OrgID``. Settings come from phoenix-dash.yaml's
``prometheus:`` section, overridden by the command line; credentials only from the
environment, as Grafana's do (``grafana.settings``), and never reach output."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import ConfigError, Location, PhoenixDashError
from .grafana.settings import Credentials, basic_from, http_url, token_from
from .http_client import Answer, HttpPool, NoAnswer
from .quantities import parse_duration
from .web_answers import looks_like_html, no_answer
from .workers import InFlight

TOKEN_ENV = "PROMETHEUS_TOKEN"
USER_ENV, PASSWORD_ENV = "PROMETHEUS_USER", "PROMETHEUS_PASSWORD"
# Headers that carry credentials: they come from the environment, never from settings.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class PrometheusSettings:
    url: str
    credentials: Credentials
    headers: Mapping[str, str] = field(default_factory=dict)
    ca_bundle: str | None = None
    insecure_skip_verify: bool = False
    timeout: float = 30.0  # seconds for one request (prometheus.timeout)

    @property
    def verify(self) -> bool | str:
        return False if self.insecure_skip_verify else (self.ca_bundle or True)

    def how_to_log_in(self) -> str:
        """For a refusal: what was sent, and what to set instead."""
        if self.credentials.kind == "none":
            return (
                f"no credentials were sent (set ${TOKEN_ENV}, or ${USER_ENV} and ${PASSWORD_ENV})"
            )
        return f"{self.credentials.describe()} was refused"


def prometheus_settings(
    section: Mapping[str, object],
    file: str,
    url: str | None = None,
    headers: Sequence[str] = (),
    ca_bundle: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> PrometheusSettings:
    """Settings from phoenix-dash.yaml's ``prometheus:`` ``section``, the command line's
    ``url``, ``headers`` ("Name: value") and ``ca_bundle`` winning."""
    environ = os.environ if environ is None else environ
    chosen = url or section.get("url")
    if not isinstance(chosen, str) or not chosen:
        raise ConfigError(
            "no Prometheus URL: pass --prometheus URL or set prometheus.url",
            Location(file, None, "prometheus.url"),
        )
    chosen = http_url(chosen, "Prometheus", f"${TOKEN_ENV}, or ${USER_ENV} and ${PASSWORD_ENV}")
    configured = section.get("headers") or {}
    assert isinstance(configured, Mapping)  # the config schema says so
    merged = {str(k): str(v) for k, v in configured.items()}
    merged.update(_parse_header(h) for h in headers)
    for name in merged:
        if name.lower() in CREDENTIAL_HEADERS:
            raise ConfigError(
                f"header {name} carries credentials: set ${TOKEN_ENV}, or ${USER_ENV} and "
                f"${PASSWORD_ENV}, instead"
            )
    bundle = ca_bundle or section.get("ca_bundle")
    timeout = section.get("timeout")
    return PrometheusSettings(
        chosen,
        token_from(environ, TOKEN_ENV) or basic_from(environ, USER_ENV, PASSWORD_ENV),
        merged,
        str(bundle) if bundle else None,
        bool(section.get("insecure_skip_verify", False)),
        parse_duration(timeout) if isinstance(timeout, str) else 30.0,
    )


def _parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(ch.isspace() for ch in name.strip()):
        raise ConfigError(f"--header {name.strip()!r}: expected 'Name: value'")
    return name.strip(), value.strip()


class PrometheusUnreachable(PhoenixDashError):
    """The Prometheus-compatible API does not answer, or does not let these credentials in."""


class PrometheusQueryError(PhoenixDashError):
    """Prometheus's API answered, with an error about the query (``status: error``)."""

    exit_code = 1


class PrometheusAPI:
    """Requests to one Prometheus-compatible API: its credentials and headers sent, its CA
    trusted, no redirect followed (a login page: the credentials stay here), secrets kept
    out of every message."""

    def __init__(self, settings: PrometheusSettings, pool_size: int = 8):
        self.settings = settings
        self.timeout = settings.timeout
        self.waiting = InFlight()  # what a command says when the server goes quiet
        self.http = HttpPool(
            settings.url,
            settings.timeout,
            settings.timeout,
            settings.verify,
            headers={**settings.headers, **settings.credentials.headers()},
            size=pool_size,
        )

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Answer:
        """Raises NoAnswer when there is no answer (see ``failure``)."""
        with self.waiting.on(f"GET {path}"):
            return self.http.request("GET", path, params=dict(params or {}))

    def failure(self, exc: NoAnswer) -> str:
        """Why a request got no answer, on one line, secrets redacted."""
        text = self.settings.credentials.redact(no_answer(exc.cause, self.timeout))
        if exc.is_tls:
            return f"{text} (trust its CA with --ca-bundle or prometheus.ca_bundle)"
        return text

    def answer(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The ``data`` of a successful answer of Prometheus's API. Prometheus's own error
        about the query is PrometheusQueryError; anything else (no answer, refused
        credentials, an HTML page, a redirect) is PrometheusUnreachable."""
        url = f"{self.settings.url}{path}"
        try:
            response = self.get(path, params)
        except NoAnswer as exc:
            raise PrometheusUnreachable(
                f"cannot reach Prometheus at {self.settings.url}: {self.failure(exc)}"
            ) from None
        refused = self.refusal(response, path)
        if refused is not None:
            raise refused
        return self.data_of(response, url)

    def data_of(self, response: Answer, url: str) -> Any:
        """The answer's ``data``, or PrometheusUnreachable saying what came instead."""
        if response.is_redirect:
            what = f"a redirect to {response.header('Location') or 'elsewhere'}"
        elif looks_like_html(response.text):
            what = f"an HTML page ({response.status})"
        else:
            try:
                answer = orjson.loads(response.body)
            except orjson.JSONDecodeError:
                answer = None
            if isinstance(answer, dict) and answer.get("status") == "success":
                return answer.get("data")
            if isinstance(answer, dict) and answer.get("status") == "error":
                raise PrometheusQueryError(str(answer.get("error") or "(no message)"))
            what = f"{response.status} and no Prometheus answer"
        raise PrometheusUnreachable(
            f"{url} answered with {what}, not Prometheus's API: is the URL right?"
        )

    def refusal(self, response: Answer, path: str) -> PrometheusUnreachable | None:
        """The error for an answer that refuses these credentials, or None."""
        if response.status not in (401, 403):
            return None
        verdict = "Unauthorized" if response.status == 401 else "Forbidden"
        return PrometheusUnreachable(
            f"{self.settings.url}{path} answered {response.status} {verdict}: "
            f"{self.settings.how_to_log_in()}"
        )


class MalformedAnswer(ValueError):
    """A query's answer says success but is not shaped as Prometheus's API answers."""


def query_series(data: Any) -> list[dict[str, Any]]:
    """The series of a query answer's ``data``: a vector's or a matrix's items, a scalar or
    string as one series without labels. Anything else raises MalformedAnswer (a proxy's
    made-up answer must not count as data)."""
    if not isinstance(data, dict):
        raise MalformedAnswer(f"data is {_shown(data)}, not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind in ("scalar", "string"):
        if not (isinstance(result, list) and len(result) == 2):
            raise MalformedAnswer(f"a {kind} result is {_shown(result)}, not [time, value]")
        return [{"metric": {}, "value": result}]
    if kind not in ("vector", "matrix"):
        raise MalformedAnswer(f"resultType is {_shown(kind)}")
    if not isinstance(result, list):
        raise MalformedAnswer(f"a {kind} result is {_shown(result)}, not a list")
    for item in result:
        if not isinstance(item, dict) or not isinstance(item.get("metric", {}), dict):
            raise MalformedAnswer(f"a {kind} item is {_shown(item)}, not a series")
    return result


def _shown(value: Any) -> str:
    text = "null" if value is None else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
