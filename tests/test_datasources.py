"""Datasources as code: definitions, build output with placeholders, sync with secrets from
the environment (and nowhere else), conflicts, prune."""

from __future__ import annotations

import json
import logging

import pytest
import yaml

from phoenix_dash.build import Build
from tests.support.project import ROOT, Project
from tests.support.synced import EXTRA_DATASOURCE, LOKI_SECRET, ONE_API, RESOURCES, Synced


def test_build_emits_datasources_with_secret_placeholders(repo_build: Build) -> None:
    files = repo_build.files()
    loki = json.loads(files["datasources/phoenix-loki.json"])
    assert loki["secureJsonData"] == {"basicAuthPassword": "${LOKI_PASSWORD}"}
    derived = loki["jsonData"]["derivedFields"][0]
    assert derived["datasourceUid"] == "phoenix-tempo" and derived["url"] == "${__value.raw}"
    tempo = json.loads(files["datasources/phoenix-tempo.json"])["jsonData"]
    assert tempo["tracesToLogsV2"]["datasourceUid"] == "phoenix-loki"
    assert tempo["tracesToMetrics"]["datasourceUid"] == "phoenix-prometheus"
    assert tempo["serviceMap"]["datasourceUid"] == "phoenix-prometheus"
    assert tempo["nodeGraph"]["enabled"] is True
    prometheus = json.loads(files["datasources/phoenix-prometheus.json"])["jsonData"]
    assert prometheus["exemplarTraceIdDestinations"] == [
        {"name": "trace_id", "datasourceUid": "phoenix-tempo"}
    ]
    provisioning = yaml.safe_load(files["datasources/provisioning.yaml"])
    assert provisioning["apiVersion"] == 1
    by_uid = {d["uid"]: d for d in provisioning["datasources"]}
    assert by_uid["phoenix-loki"]["secureJsonData"] == {"basicAuthPassword": "$LOKI_PASSWORD"}
    # Grafana expands $VARIABLE in provisioning files: literal dollars are doubled.
    assert by_uid["phoenix-loki"]["jsonData"]["derivedFields"][0]["url"] == "$${__value.raw}"


def test_the_logs_panel_uses_the_log_format_and_the_loki_uid(repo_build: Build) -> None:
    overview = next(d for d in repo_build.dashboards if d.uid == "phoenix-overview").clean
    logs = next(p for p in overview["panels"] if p["type"] == "logs")
    assert logs["datasource"] == {"type": "loki", "uid": "phoenix-loki"}
    expr = logs["targets"][0]["expr"]
    assert "| json" in expr and 'level="error"' in expr


BAD_DEFINITIONS = {
    "literal secret": (
        "    secureJsonData: {basicAuthPassword: hunter2}\n",
        "datasources[0].secureJsonData.basicAuthPassword: a secret is written "
        "{env: VARIABLE}, never as its value",
    ),
    "password in url": ("    type: prometheus\n", "datasources[0].url: the URL holds a password"),
    "unknown type": ("    type: mysql\n", "datasources[0].type: 'mysql' is not one of"),
}


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_bad_definitions_are_one_line_errors(case: str, project: Project) -> None:
    extra, message = BAD_DEFINITIONS[case]
    project.write(
        "phoenix-dash.yaml",
        "version: 1\npaths: {datasources: ds.yaml}\n"
        "datasources:\n  prometheus: {type: prometheus, uid: prom}\n",
    )
    url = "http://phoenix:hunter2@p:9090" if case == "password in url" else "http://p:9090"
    project.write(
        "ds.yaml",
        "datasources:\n  - uid: prom\n    name: Prom\n"
        f"    url: {url}\n" + (extra if "type" in extra else "    type: prometheus\n" + extra),
    )
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output.startswith("error: ds.yaml:") and message in result.output
    assert "hunter2" not in result.output and len(result.output.splitlines()) == 1
    assert not (project.root / "build").exists()


def test_names_in_the_config_must_be_defined(project: Project) -> None:
    project.write(
        "phoenix-dash.yaml",
        "version: 1\npaths: {datasources: ds.yaml}\n"
        "datasources:\n  prometheus: {type: prometheus, uid: other}\n",
    )
    project.write(
        "ds.yaml",
        "datasources:\n  - {uid: prom, name: Prom, type: prometheus, url: 'http://p:9090'}\n",
    )
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: phoenix-dash.yaml:4: datasources.prometheus: uid "
        "'other' (prometheus) is not defined in ds.yaml"
    )


@ONE_API
def test_sync_writes_secrets_only_in_secure_json_data(
    synced: Synced, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = synced.grafana.require_emulator()
    with caplog.at_level(logging.DEBUG):
        result = synced.run("sync", "--verbose")
    assert result.exit_code == 0, result.output
    assert LOKI_SECRET not in result.output and LOKI_SECRET not in caplog.text
    carriers = [entry for entry in emulator.log if LOKI_SECRET in json.dumps(entry.body)]
    assert [(e.method, e.path) for e in carriers] == [("POST", "/api/datasources")]
    assert carriers[0].body["secureJsonData"] == {"basicAuthPassword": LOKI_SECRET}
    body_without = {k: v for k, v in carriers[0].body.items() if k != "secureJsonData"}
    assert LOKI_SECRET not in json.dumps(body_without)
    assert all(LOKI_SECRET not in json.dumps(e.headers) for e in emulator.log)
    stored = emulator.state.org(1).datasources["phoenix-loki"]
    assert LOKI_SECRET not in json.dumps(stored)  # Grafana keeps it write-only
    assert stored["secureJsonFields"] == {"basicAuthPassword": True}
    build_dir = synced.root / "build"
    assert not build_dir.exists() or all(
        LOKI_SECRET not in p.read_text() for p in build_dir.rglob("*") if p.is_file()
    )


@ONE_API
def test_a_secret_missing_in_grafana_is_written_again(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    del emulator.state.org(1).datasources["phoenix-loki"]["secureJsonFields"]["basicAuthPassword"]
    plan = synced.run("diff")
    assert plan.exit_code == 1
    assert "secret basicAuthPassword is not set in Grafana" in plan.output
    result = synced.run("sync")
    assert result.exit_code == 0, result.output
    assert "~ datasource phoenix-loki" in result.output and "1 to update" in result.output
    assert emulator.state.org(1).datasources["phoenix-loki"]["secureJsonFields"] == {
        "basicAuthPassword": True
    }
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


@ONE_API
def test_a_missing_secret_stops_before_any_write(synced: Synced) -> None:
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    emulator = synced.grafana.require_emulator()
    result = CliRunner().invoke(
        main,
        ["sync", "--config", str(synced.config)],
        env={"GRAFANA_TOKEN": synced.grafana.token, "GRAFANA_URL": "", "LOKI_PASSWORD": ""},
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: datasource phoenix-loki: basicAuthPassword needs "
        "$LOKI_PASSWORD, which is not set; nothing was changed"
    )
    assert emulator.writes() == []


@ONE_API
def test_datasource_edits_are_conflicts_and_prune_deletes_removed_ones(synced: Synced) -> None:
    emulator = synced.grafana.require_emulator()
    assert synced.run("sync").exit_code == 0
    emulator.ui_edit_datasource("phoenix-prometheus", lambda d: d.update(url="http://edited:9090"))
    result = synced.run("sync", "--only", "datasource")
    assert result.exit_code == 1
    assert (
        "CONFLICT datasource phoenix-prometheus: saved by someone else since phoenix-dash's "
        "last write (version 2, phoenix-dash wrote version 1)" in result.output
    )
    assert synced.run("sync", "--only", "datasource", "--force").exit_code == 0
    assert (
        emulator.state.org(1).datasources["phoenix-prometheus"]["url"] == "http://prometheus:9090"
    )
    synced.edit("datasources.yaml", *EXTRA_DATASOURCE)
    assert synced.run("sync").exit_code == 0
    assert "extra" in emulator.state.org(1).datasources
    synced.edit("datasources.yaml", *reversed(EXTRA_DATASOURCE))
    pruned = synced.run("sync", "--prune", "--only", "datasource")
    assert pruned.exit_code == 0, pruned.output
    assert "extra" not in emulator.state.org(1).datasources
    assert f"{RESOURCES} unchanged" in synced.run("sync").output


def test_lint_reports_datasource_problems_at_their_yaml_line(project: Project) -> None:
    project.write(
        "phoenix-dash.yaml",
        "version: 1\npaths: {datasources: ds.yaml}\n"
        "datasources:\n  prometheus: {type: prometheus, uid: prom}\n",
    )
    definition = """\
        datasources:
          - uid: prom
            name: Prom
            type: prometheus
            url: http://p:9090
            jsonData:
              exemplarTraceIdDestinations:
                - {name: trace_id, datasourceUid: no-such-tempo}
        """
    project.write("ds.yaml", definition)
    result = project.run("lint", "--format", "json")
    assert result.exit_code == 1, result.output
    findings = {
        (f["rule"], f["file"], f["line"], f["path"]) for f in json.loads(result.output)["findings"]
    }
    assert findings == {
        (
            "datasource/correlation-target",
            "ds.yaml",
            8,
            "jsonData.exemplarTraceIdDestinations[0].datasourceUid",
        ),
    }


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("  httpHeaderValue1: glsa_abcdefghijklmnopqrstuvwxyz012345", "httpHeaderValue1"),
        ("  password: s3cr3t-value", "password"),
        ("  tlsAuthToken: Bearer s3cr3t-value", "tlsAuthToken"),
    ],
)
def test_a_secret_in_clear_stops_build_and_lint_at_its_line(
    project: Project, line: str, key: str
) -> None:
    """It would land in the committed build/: "cannot work" is a build error, not a finding."""
    project.write(
        "phoenix-dash.yaml",
        "version: 1\npaths: {datasources: ds.yaml}\n"
        "datasources:\n  prometheus: {type: prometheus, uid: prom}\n",
    )
    project.write(
        "ds.yaml",
        "datasources:\n  - uid: prom\n    name: Prom\n"
        "    type: prometheus\n    url: http://p:9090\n    jsonData:\n"
        f"    {line}\n",
    )
    for command in ("build", "lint"):
        result = project.run(command)
        assert result.exit_code == 2, result.output
        assert result.output == (
            f"error: ds.yaml:7: datasources[0].jsonData.{key}: holds a "
            "secret in clear; move it to secureJsonData as {env: "
            "VARIABLE}\n"
        )
    assert project.build_files() == {}


def test_the_repository_lints_clean_with_its_datasources() -> None:
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    result = CliRunner().invoke(main, ["lint", "--config", str(ROOT / "phoenix-dash.yaml")])
    assert result.exit_code == 0 and "no findings" in result.output


@pytest.mark.parametrize(
    "definition",
    [
        {"url": "http://phoenix:s3cr3t-value@prometheus:9090"},
        {"jsonData": {"httpHeaderName1": "Authorization", "httpHeaderValue1": "s3cr3t-value"}},
        {"jsonData": {"oauth": {"clientSecret": "s3cr3t-value"}}},
        {"jsonData": {"customHeader": "Bearer s3cr3t-value"}},
    ],
)
def test_secret_literals_are_found_and_never_repeated(definition: dict[str, object]) -> None:
    from phoenix_dash.lint.runner import lint_json

    body = {
        "uid": "prom",
        "name": "Prom",
        "type": "prometheus",
        "url": "http://p:9090",
        **definition,
    }
    findings = [
        f for f in lint_json([], datasources=[body]) if f.rule == "datasource/secret-literal"
    ]
    assert len(findings) == 1
    assert "s3cr3t-value" not in repr(findings)


def test_grafanas_own_fields_do_not_make_a_datasource_differ(repo_build: Build) -> None:
    from phoenix_dash.sync.handlers import normalize_datasource

    loki = next(d for d in repo_build.datasources if d.uid == "phoenix-loki")
    # Every field of Grafana's DataSource answer (OpenAPI), filled as Grafana fills them.
    answer = {
        **loki.body,
        "id": 7,
        "orgId": 1,
        "version": 3,
        "readOnly": False,
        "secureJsonFields": {"basicAuthPassword": True},
        "typeLogoUrl": "public/loki.svg",
        "withCredentials": False,
        "database": "",
        "user": "",
        "accessControl": {},
        "apiVersion": "",
        "isDefault": False,
    }
    assert normalize_datasource(answer) == normalize_datasource(dict(loki.body))
    assert normalize_datasource({**answer, "url": "http://elsewhere:3100"}) != normalize_datasource(
        dict(loki.body)
    )
