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

from .errors import ConfigError, Location
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
        """For each request: a session's own ``verify`` loses to $REQUESTS_CA_BUNDLE (the
        requests family merges the environment over the session), a request's does not."""
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


def open_session(settings: PrometheusSettings, pool_size: int) -> niquests.Session:
    """A session that sends the credentials and headers (pass ``settings.verify`` with
    each request)."""
    session = niquests.Session(pool_maxsize=pool_size)
    for name, value in settings.headers.items():
        session.headers[name] = value
    credentials = settings.credentials
    if credentials.kind == "token":
        session.headers["Authorization"] = f"Bearer {credentials.token}"
    elif credentials.kind == "basic":
        session.auth = (credentials.user, credentials.password)
    session.verify = False if settings.insecure_skip_verify else (settings.ca_bundle or True)
    return session
