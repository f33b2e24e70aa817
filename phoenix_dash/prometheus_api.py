"""How to reach a Prometheus-compatible query API (Prometheus, VictoriaMetrics, Mimir,
Thanos, a proxy in front of them): the URL, credentials from the environment, a CA bundle,
extra headers such as a tenant's ``X-Scope-OrgID``. Settings come from phoenix-dash.yaml's
``prometheus:`` section, overridden by the command line; credentials only from the
environment, as Grafana's do (``grafana.settings``), and never reach output."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import niquests

from .errors import ConfigError, Location, PhoenixDashError
from .grafana.settings import Credentials, basic_from, http_url, token_from

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
    return PrometheusSettings(
        chosen,
        token_from(environ, TOKEN_ENV) or basic_from(environ, USER_ENV, PASSWORD_ENV),
        merged,
        str(bundle) if bundle else None,
        bool(section.get("insecure_skip_verify", False)),
    )


def _parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(ch.isspace() for ch in name.strip()):
        raise ConfigError(f"--header {name.strip()!r}: expected 'Name: value'")
    return name.strip(), value.strip()


class PrometheusUnreachable(PhoenixDashError):
    """The Prometheus-compatible API does not answer, or does not let these credentials in."""


class PrometheusAPI:
    """Requests to one Prometheus-compatible API: its credentials and headers sent, its CA
    trusted, no redirect followed (a login page: the credentials stay here), secrets kept
    out of every message."""

    def __init__(self, settings: PrometheusSettings, pool_size: int = 8, timeout: float = 30.0):
        self.settings = settings
        self.timeout = timeout
        self.session = niquests.Session(pool_maxsize=pool_size)
        for name, value in settings.headers.items():
            self.session.headers[name] = value
        credentials = settings.credentials
        if credentials.kind == "token":
            self.session.headers["Authorization"] = f"Bearer {credentials.token}"
        elif credentials.kind == "basic":
            self.session.auth = (credentials.user, credentials.password)

    def get(self, path: str, params: Mapping[str, str] | None = None) -> niquests.Response:
        """Raises niquests' RequestException when there is no answer (see ``failure``)."""
        return self.session.get(
            f"{self.settings.url}{path}",
            params=dict(params or {}),
            timeout=self.timeout,
            # Per request: a session's own verify loses to $REQUESTS_CA_BUNDLE.
            verify=self.settings.verify,
            allow_redirects=False,
        )

    def failure(self, exc: Exception) -> str:
        """Why a request got no answer, on one line, secrets redacted."""
        text = self.settings.credentials.redact(" ".join(str(exc).split()))[:200]
        if isinstance(exc, niquests.exceptions.SSLError):
            return f"{text} (trust its CA with --ca-bundle or prometheus.ca_bundle)"
        return text

    def refusal(self, response: niquests.Response, path: str) -> PrometheusUnreachable | None:
        """The error for an answer that refuses these credentials, or None."""
        if response.status_code not in (401, 403):
            return None
        verdict = "Unauthorized" if response.status_code == 401 else "Forbidden"
        return PrometheusUnreachable(
            f"{self.settings.url}{path} answered {response.status_code} {verdict}: "
            f"{self.settings.how_to_log_in()}"
        )
