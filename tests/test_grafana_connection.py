"""The Grafana connection layer: auth, TLS, retries, errors, redaction, and `phoenix-dash ping`."""

from __future__ import annotations

import logging
import re
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from phoenix_dash.cli import main
from phoenix_dash.errors import ConfigError
from phoenix_dash.grafana.connection import GrafanaConnection
from phoenix_dash.grafana.errors import (
    GrafanaAuthError,
    GrafanaBadRequest,
    GrafanaForbidden,
    GrafanaNotFound,
    GrafanaServerError,
    GrafanaTLSError,
    GrafanaUnreachable,
)
from phoenix_dash.grafana.settings import Credentials, GrafanaSettings, credentials_from
from tests.support.emulator import Fault, GrafanaEmulator
from tests.support.grafana import ADMIN_TOKEN, VIEWER_TOKEN, GrafanaTarget
from tests.support.project import Project

SECRET = "glsa_RECOGNISABLE_SECRET_4f1d2c"


def token(value: str) -> Credentials:
    return Credentials("token", "$GRAFANA_TOKEN", token=value)


def connect(url: str, credentials: Credentials, **settings: Any) -> GrafanaConnection:
    defaults: dict[str, Any] = {"backoff": 0.01, "read_timeout": 5.0}
    return GrafanaConnection(GrafanaSettings(url, **{**defaults, **settings}), credentials)


@pytest.fixture
def conn(grafana: GrafanaTarget) -> GrafanaConnection:
    return connect(grafana.url, token(grafana.token))


def test_reads_and_writes(conn: GrafanaConnection) -> None:
    assert conn.request("GET", "/health")["database"] == "ok"
    with pytest.raises(GrafanaNotFound, match=r"GET /dashboards/uid/nope-x1: 404 Dashboard not"):
        conn.request("GET", "/dashboards/uid/nope-x1")


def test_base_url_with_a_sub_path() -> None:
    emulator = GrafanaEmulator(prefix="/grafana").start()
    emulator.add_token(ADMIN_TOKEN)
    try:
        connection = connect(emulator.url, token(ADMIN_TOKEN))
        assert connection.request("GET", "/search") == []
        assert emulator.log[-1].path == "/api/search"
    finally:
        emulator.stop()


def test_bad_token_names_the_credential_and_exits_2(grafana: GrafanaTarget) -> None:
    with pytest.raises(GrafanaAuthError) as caught:
        connect(grafana.url, token("glsa_wrong")).request("GET", "/search")
    assert str(caught.value) == (
        "GET /search: 401 Invalid API key: the service-account token "
        "from $GRAFANA_TOKEN was refused"
    )
    assert caught.value.exit_code == 2


def test_bad_password_names_the_user(grafana: GrafanaTarget) -> None:
    credentials = Credentials(
        "basic", "$GRAFANA_USER/$GRAFANA_PASSWORD", user="admin", password="wrong"
    )
    with pytest.raises(GrafanaAuthError, match="basic auth for user 'admin'"):
        connect(grafana.url, credentials).request("GET", "/search")


def test_missing_credentials(grafana: GrafanaTarget) -> None:
    with pytest.raises(GrafanaAuthError, match="401 Unauthorized: no credentials was refused"):
        connect(grafana.url, Credentials("none", "")).request("GET", "/search")


def test_viewer_write_names_the_permission(grafana: GrafanaTarget) -> None:
    if not grafana.viewer_token:
        pytest.skip("set PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN for the real-Grafana run")
    with pytest.raises(GrafanaForbidden, match="Permissions needed: folders:create"):
        connect(grafana.url, token(grafana.viewer_token)).request(
            "POST", "/folders", json={"uid": "viewer-x", "title": "x"}
        )


@pytest.mark.parametrize(
    "fault",
    [
        Fault("GET", "/api/search", "status", count=2, status=502),
        Fault("GET", "/api/search", "status", count=2, status=503),
        Fault("GET", "/api/search", "status", count=2, status=504),
        Fault("GET", "/api/search", "status", count=1, status=429, retry_after=1),
        Fault("GET", "/api/search", "drop", count=2),
        Fault("GET", "/api/search", "timeout", count=1, delay=1.0),
    ],
    ids=["502", "503", "504", "429", "drop", "timeout"],
)
def test_each_fault_kind_is_recovered_by_retries(grafana: GrafanaTarget, fault: Fault) -> None:
    emulator = grafana.require_emulator()
    emulator.inject(fault)
    attempts = fault.count
    start = time.monotonic()
    assert (
        connect(grafana.url, token(grafana.token), read_timeout=0.3).request("GET", "/search") == []
    )
    searches = [e for e in emulator.log if e.path == "/api/search"]
    assert len(searches) == attempts + 1 and searches[-1].status == 200
    if fault.retry_after:
        assert time.monotonic() - start >= fault.retry_after * 0.9  # Retry-After honoured


def test_a_post_is_retried_too(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.inject(Fault("POST", "/api/folders", "status", count=1, status=503))
    folder = connect(grafana.url, token(grafana.token)).request(
        "POST", "/folders", json={"uid": "retried", "title": "Retried"}
    )
    assert folder["uid"] == "retried"


def test_retries_exhausted_give_a_server_error(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.inject(Fault("GET", "/api/search", "status", count=99, status=503))
    with pytest.raises(GrafanaServerError) as caught:
        connect(grafana.url, token(grafana.token), retries=3).request("GET", "/search")
    assert str(caught.value) == "GET /search: 503 Service Unavailable (after 3 retries)"
    assert caught.value.exit_code == 1
    assert len([e for e in emulator.log if e.path == "/api/search"]) == 4


def test_internal_server_errors_are_not_retried(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.inject(Fault("GET", "/api/search", "status", count=1, status=500))
    with pytest.raises(GrafanaServerError, match="500 Internal Server Error"):
        connect(grafana.url, token(grafana.token)).request("GET", "/search")
    assert len([e for e in emulator.log if e.path == "/api/search"]) == 1


def test_timeouts_exhausted_are_unreachable(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.inject(Fault("GET", "/api/search", "timeout", count=9, delay=0.6))
    with pytest.raises(GrafanaUnreachable, match=r"no answer from 127\.0\.0\.1 within the timeout"):
        connect(grafana.url, token(grafana.token), read_timeout=0.2, retries=1).request(
            "GET", "/search"
        )


def test_unreachable_and_unresolvable_hosts() -> None:
    with pytest.raises(GrafanaUnreachable, match="connection refused") as caught:
        connect("http://127.0.0.1:9", Credentials("none", ""), retries=1).request("GET", "/health")
    assert caught.value.exit_code == 2
    with pytest.raises(GrafanaUnreachable, match=r"cannot resolve host grafana\.invalid"):
        connect("http://grafana.invalid", Credentials("none", ""), retries=0).request(
            "GET", "/health"
        )


def test_concurrency_is_bounded(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.latency = 0.05
    connection = connect(grafana.url, token(grafana.token), max_concurrency=2)
    threads = [
        threading.Thread(target=connection.request, args=("GET", "/search")) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert emulator.max_in_flight == 2


# --- secrets ------------------------------------------------------------------------------


def test_token_never_appears_in_errors(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.add_token(SECRET)
    emulator.inject(
        Fault("GET", "/api/search", "status", status=400, message="bad header {authorization}")
    )
    with pytest.raises(GrafanaBadRequest) as caught:
        connect(grafana.url, token(SECRET)).request("GET", "/search")
    text = f"{caught.value} {caught.value!r} {caught.value.grafana_message} {caught.value.args}"
    assert SECRET not in text and "Bearer ***" in str(caught.value)
    assert SECRET not in repr(token(SECRET))


def test_token_never_appears_in_verbose_logs(
    grafana: GrafanaTarget, caplog: pytest.LogCaptureFixture
) -> None:
    from phoenix_dash.grafana.transport import SecretFilter

    credentials = token(grafana.token)
    secret_filter = SecretFilter(credentials)
    caplog.handler.addFilter(secret_filter)
    with caplog.at_level(logging.DEBUG, logger="phoenix_dash"):
        connection = connect(grafana.url, credentials)
        logging.getLogger("phoenix_dash.grafana").debug("token is %s", grafana.token)
        connection.request("GET", "/search")
    caplog.handler.removeFilter(secret_filter)
    assert "GET /api/search -> ok" in caplog.text
    assert grafana.token not in caplog.text and "token is ***" in caplog.text


# --- TLS and plain http -------------------------------------------------------------------


@pytest.fixture
def https_emulator(tmp_path: Path) -> Any:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    emulator = GrafanaEmulator().start(tls=context)
    emulator.add_token(ADMIN_TOKEN)
    yield emulator, str(bundle)
    emulator.stop()


def test_tls_is_verified_by_default(https_emulator: Any) -> None:
    emulator, _ = https_emulator
    with pytest.raises(GrafanaTLSError) as caught:
        connect(emulator.url, token(ADMIN_TOKEN), retries=0).request("GET", "/search")
    assert caught.value.exit_code == 2 and "grafana.ca_bundle" in str(caught.value)


def test_tls_with_the_ca_bundle(https_emulator: Any) -> None:
    emulator, bundle = https_emulator
    assert (
        connect(emulator.url, token(ADMIN_TOKEN), ca_bundle=bundle).request("GET", "/search") == []
    )


def test_skipping_verification_needs_the_key_and_warns(https_emulator: Any) -> None:
    emulator, _ = https_emulator
    connection = connect(emulator.url, token(ADMIN_TOKEN), insecure_skip_verify=True)
    assert connection.request("GET", "/search") == []
    assert connection.warnings == [
        "TLS certificate verification is OFF for 127.0.0.1 (grafana.insecure_skip_verify)"
    ]


def test_credentials_over_plain_http_to_a_remote_host_are_refused() -> None:
    with pytest.raises(ConfigError, match="refusing to send credentials over plain http"):
        connect("http://grafana.example.com", token(SECRET))
    connect("http://grafana.example.com", token(SECRET), allow_insecure_http=True)
    connect("http://grafana.example.com", Credentials("none", ""))
    connect("http://localhost:3000", token(SECRET))


def test_credentials_come_from_env_or_file_never_half(tmp_path: Path) -> None:
    settings = GrafanaSettings("http://localhost", token_env="MY_TOKEN", token_file="token.txt")
    assert credentials_from(settings, {"MY_TOKEN": "a"}).token == "a"
    (tmp_path / "token.txt").write_text("from-file\n")
    from_file = credentials_from(settings, {}, tmp_path)
    assert (from_file.kind, from_file.token) == ("token", "from-file")
    (tmp_path / "token.txt").unlink()
    with pytest.raises(ConfigError, match="cannot read the token file"):
        credentials_from(settings, {}, tmp_path)
    plain = GrafanaSettings("http://localhost")
    basic = credentials_from(plain, {"GRAFANA_USER": "u", "GRAFANA_PASSWORD": "p"})
    assert (basic.kind, basic.user) == ("basic", "u")
    with pytest.raises(ConfigError, match="set both"):
        credentials_from(plain, {"GRAFANA_USER": "u"})


# --- phoenix-dash ping --------------------------------------------------------------------


def ping(project: Project, url: str, env: dict[str, str], *args: str) -> Any:
    project.write(
        "phoenix-dash.yaml",
        f"""\
version: 1
datasources:
  prometheus: {{type: prometheus, uid: p}}
grafana:
  url: {url}
  retries: 1
  backoff: 0.01
""",
    )
    return CliRunner().invoke(
        main,
        ["ping", "--config", str(project.root / "phoenix-dash.yaml"), *args],
        env=env,
        catch_exceptions=False,
    )


def test_ping_reports_version_identity_and_permissions(
    project: Project, grafana: GrafanaTarget
) -> None:
    result = ping(project, grafana.url, {"GRAFANA_TOKEN": grafana.token})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["ok", "reachable"]
    assert any("health" in line and re.search(r"Grafana 1[23]\.", line) for line in lines)
    assert any("identity" in line and "$GRAFANA_TOKEN" in line for line in lines)
    assert any("write dashboards" in line and "can write" in line for line in lines)


def test_ping_as_viewer_lists_missing_permissions(project: Project, grafana: GrafanaTarget) -> None:
    if not grafana.viewer_token:
        pytest.skip("set PHOENIX_DASH_TEST_GRAFANA_VIEWER_TOKEN for the real-Grafana run")
    result = ping(project, grafana.url, {"GRAFANA_TOKEN": grafana.viewer_token})
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "write dashboards" in line)
    assert line.split()[0] == "FAIL"
    assert line.endswith("missing dashboards:create, dashboards:write")


def test_ping_with_a_bad_token_is_one_line_exit_2(project: Project, grafana: GrafanaTarget) -> None:
    result = ping(project, grafana.url, {"GRAFANA_TOKEN": SECRET}, "--verbose")
    assert result.exit_code == 2
    assert (
        "error: GET /user: 401 Invalid API key: the service-account token from "
        "$GRAFANA_TOKEN was refused" in result.output
    )
    assert SECRET not in result.output


def test_ping_unreachable_exits_2(project: Project) -> None:
    result = ping(project, "http://127.0.0.1:9", {"GRAFANA_TOKEN": SECRET})
    assert result.exit_code == 2
    assert result.output.strip().endswith("connection refused")
    assert SECRET not in result.output


def test_viewer_token_constant_is_distinct() -> None:
    assert VIEWER_TOKEN != ADMIN_TOKEN


def test_org_id_is_sent_with_every_request(grafana: GrafanaTarget) -> None:
    emulator = grafana.require_emulator()
    emulator.add_token("glsa_org3", "Admin", org_id=3)
    connection = connect(grafana.url, token("glsa_org3"), org_id=3)
    assert connection.request("GET", "/search") == []
    assert emulator.log[-1].headers.get("X-Grafana-Org-Id") == "3"
    assert emulator.log[-1].org == 3


def test_version_conflicts_are_conflict_errors(conn: GrafanaConnection) -> None:
    import uuid

    from phoenix_dash.grafana.errors import GrafanaConflict

    body = {"dashboard": {"uid": f"conflict-{uuid.uuid4().hex[:10]}", "title": "c"}}
    conn.request("POST", "/dashboards/db", json=body)
    with pytest.raises(GrafanaConflict) as caught:
        conn.request("POST", "/dashboards/db", json=body)
    assert caught.value.status == 412
    assert caught.value.grafana_message == "The dashboard has been changed by someone else"
    assert caught.value.exit_code == 1


@pytest.mark.parametrize(
    ("grafana_yaml", "key"),
    [
        ("{url: 'https://admin:glsa_Pasted0123456789@grafana.example.com'}", "grafana.url"),
        (
            "{url: 'https://grafana.example.com', token_env: glsa_Pasted0123456789}",
            "grafana.token_env",
        ),
        (
            "{url: 'https://grafana.example.com', token_env: 'eyJrIjoiglsa_Pasted0123456789=='}",
            "grafana.token_env",
        ),
    ],
)
def test_a_credential_pasted_into_the_config_is_refused_unquoted(
    project: Project, grafana_yaml: str, key: str
) -> None:
    project.write(
        "phoenix-dash.yaml",
        "version: 1\ndatasources:\n  prometheus: "
        f"{{type: prometheus, uid: p}}\ngrafana: {grafana_yaml}\n",
    )
    result = project.run("ping")
    assert result.exit_code == 2
    assert f"phoenix-dash.yaml: {key}: " in result.output, result.output
    assert "Pasted0123456789" not in result.output and len(result.output.splitlines()) == 1
