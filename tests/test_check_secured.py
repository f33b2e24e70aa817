"""`check` against a secured Prometheus-compatible API (a Mimir- or Cortex-like gateway in
front of it): TLS with a private CA, a bearer token or basic auth from the environment, a
tenant header; a refusal is one line, exit 2, never the secret."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner, Result

from phoenix_dash.cli import main
from tests.support.project import Project

TOKEN = "prom-token-s3cret"
USER, PASSWORD = "reader", "pa55-s3cret"
TENANT = "tenant-a"
SERIES = {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}}]}}


@dataclass
class Gateway:
    url: str = ""
    ca_bundle: str = ""
    seen: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    """HTTPS, a private CA; 401 without the right credentials, 403 without the tenant
    header (as Mimir's gateway answers), a series for every query otherwise."""
    state = Gateway()
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append({k.lower(): v for k, v in self.headers.items()})
            auth = self.headers.get("Authorization")
            if auth not in (f"Bearer {TOKEN}", basic):
                self.reply(401, {"status": "error", "error": "authentication required"})
            elif self.headers.get("X-Scope-OrgID") != TENANT:
                self.reply(403, {"status": "error", "error": "no org id"})
            else:
                self.reply(200, SERIES)

        def reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    state.ca_bundle = str(tmp_path / "ca.pem")
    ca.cert_pem.write_to_path(state.ca_bundle)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    state.url = f"https://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()


def check(project: Project, env: dict[str, str | None], *args: str) -> Result:
    project.dashboard("d", "dash")
    return CliRunner().invoke(
        main,
        ["check", *args, "--config", str(project.root / "phoenix-dash.yaml")],
        env={"PROMETHEUS_TOKEN": None, "PROMETHEUS_USER": None, "PROMETHEUS_PASSWORD": None, **env},
        catch_exceptions=False,
    )


def settings(project: Project, gateway: Gateway) -> None:
    config = project.root / "phoenix-dash.yaml"
    config.write_text(
        config.read_text()
        + f"prometheus:\n  url: {gateway.url}\n  ca_bundle: {gateway.ca_bundle}\n"
        + f"  headers: {{X-Scope-OrgID: {TENANT}}}\n"
    )


def test_bearer_token_ca_bundle_and_tenant_header_from_the_settings(
    project: Project, gateway: Gateway
) -> None:
    settings(project, gateway)
    result = check(project, {"PROMETHEUS_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("1 queries: 1 ok, 0 failing")
    assert all(seen["x-scope-orgid"] == TENANT for seen in gateway.seen)
    assert TOKEN not in result.output


def test_basic_auth_and_the_command_line(project: Project, gateway: Gateway) -> None:
    result = check(
        project,
        {"PROMETHEUS_USER": USER, "PROMETHEUS_PASSWORD": PASSWORD},
        "--prometheus",
        gateway.url,
        "--ca-bundle",
        gateway.ca_bundle,
        "--header",
        f"X-Scope-OrgID: {TENANT}",
    )
    assert result.exit_code == 0, result.output
    assert "1 ok" in result.output


@pytest.mark.parametrize(
    ("env", "header", "expected"),
    [
        ({}, True, "401 Unauthorized: no credentials were sent (set $PROMETHEUS_TOKEN, or "),
        (
            {"PROMETHEUS_TOKEN": "wrong-s3cret"},
            True,
            "401 Unauthorized: the service-account token from $PROMETHEUS_TOKEN was refused",
        ),
        ({"PROMETHEUS_TOKEN": TOKEN}, False, "403 Forbidden: "),
    ],
)
def test_a_refusal_is_one_line_exit_2_without_the_secret(
    project: Project,
    gateway: Gateway,
    env: dict[str, str | None],
    header: bool,
    expected: str,
) -> None:
    args = ["--prometheus", gateway.url, "--ca-bundle", gateway.ca_bundle]
    result = check(project, env, *args, *(["--header", f"X-Scope-OrgID: {TENANT}"] * header))
    output = result.output.strip()
    assert result.exit_code == 2, output
    assert output.splitlines() == [output] and output.startswith(f"error: {gateway.url}/api/v1")
    assert expected in output
    assert "s3cret" not in output
    assert len(gateway.seen) == 1  # the probe only: no query was sent


def test_an_untrusted_certificate_is_one_line_naming_the_setting(
    project: Project, gateway: Gateway
) -> None:
    result = check(project, {"PROMETHEUS_TOKEN": TOKEN}, "--prometheus", gateway.url)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "--ca-bundle or prometheus.ca_bundle" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--header", "Authorization: Bearer x"], "header Authorization carries credentials"),
        (["--header", "no colon"], "expected 'Name: value'"),
        ([], "no Prometheus URL: pass --prometheus URL or set prometheus.url"),
    ],
)
def test_bad_connection_settings_are_one_line(
    project: Project, args: list[str], message: str
) -> None:
    url = [] if not args else ["--prometheus", "https://prometheus.example.test"]
    result = check(project, {}, *url, *args)
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
