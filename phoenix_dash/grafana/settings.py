"""Where Grafana is and how to log in: from phoenix-dash.yaml's `grafana:` section and the
environment. Credentials never come from the command line and never reach output."""

from __future__ import annotations

import base64
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError, Location

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
REDACTED = "***"


# Requests in flight at once. Each waits mostly on the round trip, so 16 halve a 200-dashboard
# sync's time against 8; a Grafana on SQLite serialises writes itself (and retries its locks),
# a small one may want fewer (grafana.max_concurrency).
DEFAULT_CONCURRENCY = 16


@dataclass(frozen=True)
class GrafanaSettings:
    url: str
    org_id: int | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5  # seconds, doubled each retry, with jitter
    max_concurrency: int = DEFAULT_CONCURRENCY
    ca_bundle: str | None = None
    insecure_skip_verify: bool = False
    allow_insecure_http: bool = False
    token_env: str = "GRAFANA_TOKEN"
    token_file: str | None = None

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def is_loopback(self) -> bool:
        if self.host in LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


@dataclass(frozen=True)
class Credentials:
    """A service-account token or a user and password; ``repr`` never shows the secret."""

    kind: str  # token | basic | none
    source: str  # where it came from, for messages: "$GRAFANA_TOKEN", "token file x"
    token: str = field(default="", repr=False)
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.token, self.password) if s]

    def describe(self) -> str:
        if self.kind == "token":
            return f"the service-account token from {self.source}"
        if self.kind == "basic":
            return f"basic auth for user {self.user!r} from {self.source}"
        return "no credentials"

    def headers(self) -> dict[str, str]:
        """The Authorization header these credentials send (none without credentials)."""
        if self.kind == "token":
            return {"Authorization": f"Bearer {self.token}"}
        if self.kind == "basic":
            pair = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {pair}"}
        return {}

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


# Grafana service-account tokens and Cloud tokens, or anything too long to be a variable name.
TOKEN_LIKE_RE = re.compile(r"glsa_|glc_|.{65}")
VARIABLE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def settings_from(
    data: Mapping[str, Any], file: str, environ: Mapping[str, str]
) -> GrafanaSettings:
    url = environ.get("GRAFANA_URL") or data.get("url")
    if not url:
        raise ConfigError(
            "no Grafana URL: set grafana.url in phoenix-dash.yaml or $GRAFANA_URL",
            Location(file, None, "grafana.url"),
        )
    url = http_url(
        url,
        "Grafana",
        "$GRAFANA_TOKEN, or $GRAFANA_USER and $GRAFANA_PASSWORD",
        Location(file, None, "grafana.url"),
    )
    token_env = str(data.get("token_env", "GRAFANA_TOKEN"))
    if TOKEN_LIKE_RE.match(token_env) or not VARIABLE_NAME_RE.fullmatch(token_env):
        # Never quoted: a token pasted here by mistake must not end up in CI logs.
        raise ConfigError(
            "must name the environment variable that holds "
            "the token (e.g. GRAFANA_TOKEN), not hold the token",
            Location(file, None, "grafana.token_env"),
        )
    timeout = data.get("timeout", {})
    return GrafanaSettings(
        url=url,
        org_id=data.get("org_id"),
        connect_timeout=float(timeout.get("connect", 5.0)),
        read_timeout=float(timeout.get("read", 30.0)),
        retries=int(data.get("retries", 4)),
        backoff=float(data.get("backoff", 0.5)),
        max_concurrency=int(data.get("max_concurrency", DEFAULT_CONCURRENCY)),
        ca_bundle=data.get("ca_bundle"),
        insecure_skip_verify=bool(data.get("insecure_skip_verify", False)),
        allow_insecure_http=bool(data.get("allow_insecure_http", False)),
        token_env=token_env,
        token_file=data.get("token_file"),
    )


def http_url(url: str, service: str, login: str, location: Location | None = None) -> str:
    """``url`` checked (no password in it, http(s)://host), without a trailing slash. The
    password check comes first: the other message quotes the URL."""
    parts = urlsplit(url)
    if parts.password is not None:
        raise ConfigError(f"the {service} URL holds a password; use {login}", location)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{service} URL {url!r} is not http(s)://host[:port][/path]", location)
    return url.rstrip("/")


def token_from(environ: Mapping[str, str], variable: str) -> Credentials | None:
    """A bearer token from ``$variable``, checked; None when it is not set."""
    token = environ.get(variable, "").strip()
    if not token:
        return None
    check_token(token, f"${variable}")
    return Credentials("token", f"${variable}", token=token)


def basic_from(
    environ: Mapping[str, str], user_variable: str, password_variable: str
) -> Credentials:
    """Basic auth from the two variables; no credentials when neither is set."""
    user, password = environ.get(user_variable, ""), environ.get(password_variable, "")
    if user and password:
        source = f"${user_variable}/${password_variable}"
        return Credentials("basic", source, user=user, password=password)
    if user or password:
        raise ConfigError(f"set both ${user_variable} and ${password_variable} for basic auth")
    return Credentials("none", "")


def check_token(token: str, source: str) -> None:
    """A token with a space or a line break inside is a paste gone wrong (two lines of a
    file, a "Bearer " prefix): it would be refused as a header, and the refusal would quote it.
    Said without quoting it."""
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise ConfigError(
            f"{source} holds spaces, line breaks or control characters inside "
            "the token; it must be the token alone (no 'Bearer ' prefix)"
        )


def credentials_from(
    settings: GrafanaSettings, environ: Mapping[str, str] | None = None, root: Path | None = None
) -> Credentials:
    """A token ($GRAFANA_TOKEN or the configured variable, else the token file), else basic
    auth ($GRAFANA_USER and $GRAFANA_PASSWORD), else none."""
    environ = os.environ if environ is None else environ
    from_variable = token_from(environ, settings.token_env)
    if from_variable is not None:
        return from_variable
    if settings.token_file:
        path = Path(settings.token_file)
        if root is not None and not path.is_absolute():
            path = root / path
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the token file: {exc.strerror}", Location(str(path))
            ) from None
        if not token:
            raise ConfigError("the token file is empty", Location(str(path)))
        check_token(token, f"the token file {settings.token_file}")
        return Credentials("token", f"token file {settings.token_file}", token=token)
    return basic_from(environ, "GRAFANA_USER", "GRAFANA_PASSWORD")
