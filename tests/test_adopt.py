"""`phoenix-dash adopt`: a dashboard's JSON becomes a grafanalib module that builds back to the
same dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from phoenix_dash.build import build_project, modernize_context
from phoenix_dash.cli import main
from phoenix_dash.config import load_config
from phoenix_dash.modern import modernize_dashboard
from phoenix_dash.pysource import Call, call_names, render
from tests.support.api import Api
from tests.support.grafana_schemas import REALWORLD
from tests.support.oracles import locate
from tests.support.project import Project, oracle
from tests.support.synced import ONE_API, RESOURCES, Synced

CONFIG = (
    "version: 1\ndatasources:\n  prometheus: {type: prometheus, uid: prom}\n"
    "default_datasource: prometheus\n"
)
# A variable's current selection and editor text: Grafana rebuilds them; adopt leaves them out.
VARIABLE_STATE = {"current", "definition"}
INSTANCE_KEYS = {"id", "version", "iteration"}  # the Grafana instance's, not the dashboard's
JSON = dict[str, Any]


def lost_or_changed(original: Any, built: Any, path: str = "") -> list[str]:
    """Where ``built`` lacks or changes something of ``original``. Keys only ``built`` has
    are grafanalib's spelled-out defaults, which Grafana assumes anyway."""
    if isinstance(original, dict) and isinstance(built, dict):
        return [
            problem
            for key, value in original.items()
            for problem in (
                [f"{path}/{key}: lost"]
                if key not in built
                else lost_or_changed(value, built[key], f"{path}/{key}")
            )
        ]
    if isinstance(original, list) and isinstance(built, list) and len(original) == len(built):
        return [
            problem
            for index, (a, b) in enumerate(zip(original, built, strict=True))
            for problem in lost_or_changed(a, b, f"{path}/{index}")
        ]
    return [] if original == built else [f"{path}: {original!r} became {built!r}"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def adopting(project: Project) -> Project:
    project.write("phoenix-dash.yaml", CONFIG)
    return project


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.stem)
def test_an_adopted_dashboard_builds_back_to_the_same_dashboard(
    path: Path, adopting: Project
) -> None:
    config_file = adopting.root / "phoenix-dash.yaml"
    result = run("adopt", str(oracle(path)), "--config", str(config_file))
    assert result.exit_code == 0, result.output
    config = load_config(config_file)
    (built,) = build_project(config, with_sources=False).dashboards
    modern = modernize_dashboard(json.loads(path.read_text()), modernize_context(config))
    reported = result.output.partition("not carried over")[2]
    problems = []
    for problem in lost_or_changed(modern, built.json):
        parts = problem.split(":")[0].split("/")
        if (
            parts[1] in INSTANCE_KEYS
            or parts[1] in reported
            or (parts[1] == "templating" and parts[4:5] and parts[4] in VARIABLE_STATE)
        ):
            continue
        problems.append(problem)
    assert problems == []
    assert len(built.json["panels"]) == len(modern["panels"])
    linted = run("lint", "--format", "json", "--config", str(config_file))
    findings = json.loads(linted.output)["findings"]
    assert [f["message"] for f in findings if f["severity"] == "error"] == []


def test_the_module_is_grafanalib_code_with_the_rest_in_extra_json(adopting: Project) -> None:
    source = oracle(locate("realworld/kube-prometheus-nodes.json"))
    run("adopt", str(source), "--config", str(adopting.root / "phoenix-dash.yaml"))
    (module,) = (adopting.root / "dashboards").glob("*.py")
    assert module.name == "node_exporter_nodes.py"
    text = module.read_text()
    compile(text, str(module), "exec")
    assert text.isascii() and max(len(line) for line in text.splitlines()) <= 100  # ruff-clean
    for call in (
        "Dashboard(",
        "Template(",
        "RowPanel(",
        "TimeSeries(",
        "GridPos(",
        "Target(",
        "extraJson=",
    ):
        assert call in text
    imported = text.split("from grafanalib.core import (")[1].split(")")[0].split()
    assert all(text.count(name.rstrip(",") + "(") >= 1 for name in imported)
    config = adopting.root / "phoenix-dash.yaml"  # a policy rule on, for findings to place
    config.write_text(config.read_text() + "lint: {rules: {panel/missing-description: info}}\n")
    lint = run("lint", "--format", "json", "--config", str(config))
    findings = json.loads(lint.output)["findings"]
    assert findings and all(
        f["file"] == "dashboards/node_exporter_nodes.py" and f["line"]
        for f in findings
        if f["file"].endswith(".py")
    )


def test_an_existing_module_is_kept_unless_forced(adopting: Project) -> None:
    source = str(oracle(locate("realworld/kube-prometheus-nodes.json")))
    config = str(adopting.root / "phoenix-dash.yaml")
    module = adopting.root / "dashboards" / "mine.py"
    module.parent.mkdir(exist_ok=True)
    module.write_text("# my work\n")
    refused = run("adopt", source, "--out", str(module), "--config", config)
    assert refused.exit_code == 2
    assert refused.output.strip() == f"error: {module}: already exists (--force replaces it)"
    assert module.read_text() == "# my work\n"
    assert run("adopt", source, "--out", str(module), "--config", config, "--force").exit_code == 0
    assert "TimeSeries(" in module.read_text()


def test_bad_json_is_one_line_and_writes_nothing(adopting: Project) -> None:
    broken = adopting.root / "broken.json"
    broken.write_text('{\n  "title": "x",\n  "panels": [\n}\n')
    result = run("adopt", str(broken), "--config", str(adopting.root / "phoenix-dash.yaml"))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {broken}:4: invalid JSON")
    assert len(result.output.splitlines()) == 1
    assert not list(adopting.root.rglob("*.py"))


@ONE_API
def test_pull_adopt_sync_takes_over_a_dashboard_made_in_the_ui(synced: Synced, api: Api) -> None:
    made_in_ui = json.loads(oracle(locate("realworld/kube-prometheus-nodes.json")).read_text())
    assert api.call("POST", "/dashboards/db", {"dashboard": made_in_ui})[0] == 200
    uid = made_in_ui["uid"]
    assert synced.run("pull", "--uid", uid, "--out", str(synced.root / "pulled")).exit_code == 0
    adopted = synced.run("adopt", str(synced.root / "pulled" / f"{uid}.json"))
    assert adopted.exit_code == 0, adopted.output
    first = synced.run("sync")
    assert first.exit_code == 1  # not phoenix-dash's yet: someone else's work is not overwritten
    assert f"CONFLICT dashboard {uid}" in first.output and "not by phoenix-dash" in first.output
    taken = synced.run("sync", "--only", uid, "--force")
    assert taken.exit_code == 0, taken.output
    assert f"{RESOURCES + 1} unchanged" in synced.run("sync").output


@pytest.mark.parametrize(
    "value",
    [
        "x" * 500,
        'sum(rate(node_cpu_seconds_total{mode="idle"}[5m])) ' * 6,
        "caf\u00e9 \u2013 \"quoted\" 'single' back\\slash\nnewline " * 5,
        {"a" * 50: ["b" * 60, {"c": "d" * 90}], "n": [1, 2.5, None, True]},
        Call("Outer", {"inner": Call("Inner", {"text": "y" * 300}), "items": list(range(40))}),
    ],
)
def test_rendered_source_is_the_same_value_within_the_width(value: Any) -> None:
    source = render(value, 2, 10)  # after 8 spaces of indent and 10 characters
    first, *rest = source.splitlines()
    assert source.isascii() and len(first) <= 100 - 8 - 10
    assert all(len(line) <= 100 for line in rest)

    class Recorder:
        def __getattr__(self, name: str) -> Any:
            return lambda **kwargs: Call(name, kwargs)

    namespace = {name: getattr(Recorder(), name) for name in call_names(value)}
    assert eval(source, namespace) == value


def test_a_datasource_nobody_has_is_kept_said_at_its_line_and_mapped_on_request(
    adopting: Project,
) -> None:
    legacy = adopting.root / "legacy.json"
    legacy.write_text(
        '{"title": "Old", "uid": "old", "schemaVersion": 16, "panels": [\n'
        '  {"type": "graph", "title": "CPU", "datasource": "MyProm",\n'
        '   "targets": [{"expr": "rate(cpu_seconds_total[5m])"}]}]}\n'
    )
    config = str(adopting.root / "phoenix-dash.yaml")
    result = run("adopt", str(legacy), "--config", config)
    assert result.exit_code == 0, result.output
    assert (
        f"  kept unresolved, as Grafana keeps it: {legacy}:2: panel 'CPU': datasource 'MyProm' "
        "is none of this project's: map it with --datasource 'MyProm'=<name>"
    ) in result.output
    built = run("build", "--config", config)  # the module names it at its line until mapped
    assert built.exit_code == 2 and "dashboards/old.py:" in built.output
    assert "'MyProm'" in built.output
    fixed = run(
        "adopt", str(legacy), "--config", config, "--force", "--datasource", "MyProm=prometheus"
    )
    assert fixed.exit_code == 0 and "kept unresolved" not in fixed.output, fixed.output
    assert "'uid': 'prom'" in (adopting.root / "dashboards" / "old.py").read_text()
    assert run("build", "--config", config).exit_code == 0


def test_several_files_at_once_all_or_nothing(adopting: Project) -> None:
    config = str(adopting.root / "phoenix-dash.yaml")
    broken = adopting.root / "broken.json"
    broken.write_text('{"title": "x", "panels": 3}\n')
    refused = run("adopt", *(str(oracle(p)) for p in REALWORLD), str(broken), "--config", config)
    assert refused.exit_code == 2
    assert (
        refused.output.strip() == f"error: {broken}: not a Grafana dashboard: panels is not a list"
    )
    assert not list(adopting.root.rglob("*.py"))
    assert (
        run(
            "adopt", str(REALWORLD[0]), str(REALWORLD[1]), "--out", "x.py", "--config", config
        ).exit_code
        == 2
    )
    result = run("adopt", *map(str, REALWORLD), "--config", config)
    assert result.exit_code == 0, result.output
    assert result.output.count("adopted ") == len(REALWORLD)
    built = build_project(load_config(adopting.root / "phoenix-dash.yaml"), with_sources=False)
    assert len(built.dashboards) == len(REALWORLD)


def test_panels_grafana_saved_with_one_id_are_renumbered_as_grafana_does(
    adopting: Project,
) -> None:
    """Authored code with two panels of one id is an error; a dashboard Grafana saved that
    way (its migration renumbers them) is adopted, the later panel given the next id."""
    panel = {
        "type": "timeseries",
        "datasource": {"type": "prometheus"},  # by type alone: Grafana uses its default
        "targets": [{"expr": "up", "refId": "A"}],
    }
    source = adopting.write(
        "saved.json",
        json.dumps(
            {
                "title": "Saved elsewhere",
                "uid": "saved-elsewhere",
                "schemaVersion": 39,
                "panels": [
                    {**panel, "id": 7, "title": "A", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}},
                    {**panel, "id": 7, "title": "B", "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0}},
                ],
            }
        ),
    )
    adopted = run("adopt", str(source), "--config", str(adopting.root / "phoenix-dash.yaml"))
    assert adopted.exit_code == 0, adopted.output
    module = (adopting.root / "dashboards" / "saved_elsewhere.py").read_text()
    assert "id=7," in module and "id=8," in module


# --- datasources as Grafana resolves them (issue 27) ---------------------------------------

INPUT = {
    "name": "DS_PROMETHEUS",
    "label": "Prometheus",
    "type": "datasource",
    "pluginId": "prometheus",
    "pluginName": "Prometheus",
}


def grafana_com_export() -> dict[str, Any]:
    """What "Export for sharing externally" writes (and grafana.com serves): the datasource
    an input of __inputs, ${DS_PROMETHEUS} wherever it is used, gnetId and id null."""
    ref = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
    return {
        "__inputs": [INPUT],
        "__requires": [{"type": "datasource", "id": "prometheus", "name": "Prometheus"}],
        "gnetId": None,
        "id": None,
        "uid": "svc-export",
        "title": "Service export",
        "schemaVersion": 39,
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Requests",
                "description": "Requests per second.",
                "datasource": ref,
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "targets": [{"refId": "A", "datasource": ref, "expr": "sum(rate(up[5m]))"}],
            },
            {
                "id": 2,
                "type": "stat",
                "title": "Targets up",
                "description": "Scrape targets answering.",
                "datasource": "${DS_PROMETHEUS}",
                "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0},
                "targets": [{"refId": "A", "expr": 'sum(up{job=~"$job"})'}],
            },
        ],
        "templating": {
            "list": [
                {
                    "name": "job",
                    "type": "query",
                    "datasource": "${DS_PROMETHEUS}",
                    "query": "label_values(up, job)",
                    "refresh": 1,
                }
            ]
        },
    }


def test_a_grafana_com_export_adopts_builds_and_lints_in_one_command(adopting: Project) -> None:
    export = adopting.root / "export.json"
    export.write_text(json.dumps(grafana_com_export(), indent=2))
    config = str(adopting.root / "phoenix-dash.yaml")
    result = run("adopt", str(export), "--config", config)
    assert result.exit_code == 0, result.output
    module = (adopting.root / "dashboards" / "service_export.py").read_text()
    assert "DS_PROMETHEUS" not in module and "'uid': 'prom'" in module
    assert run("build", "--config", config).exit_code == 0
    lint = run("lint", "--config", config, "--format", "json")
    errors = [f for f in json.loads(lint.output)["findings"] if f["severity"] == "error"]
    assert errors == []


def test_an_export_input_goes_where_datasource_says_or_says_how(adopting: Project) -> None:
    adopting.write(
        "phoenix-dash.yaml",
        "version: 1\ndatasources:\n  prometheus: {type: prometheus, uid: prom}\n"
        "  long-term: {type: prometheus, uid: vm}\n",
    )
    export = adopting.root / "export.json"
    export.write_text(json.dumps(grafana_com_export(), indent=2))
    config = str(adopting.root / "phoenix-dash.yaml")
    ambiguous = run("adopt", str(export), "--config", config)
    assert ambiguous.exit_code == 2
    assert (
        "datasource input ${DS_PROMETHEUS} (a prometheus datasource, from __inputs) is none "
        "of this project's: map it with --datasource 'DS_PROMETHEUS'=<name> (phoenix-dash.yaml "
        "datasources of type prometheus: long-term, prometheus)"
    ) in ambiguous.output
    assert f"{export}:" in ambiguous.output  # at its line
    chosen = run(
        "adopt", str(export), "--config", config, "--datasource", "DS_PROMETHEUS=long-term"
    )
    assert chosen.exit_code == 0, chosen.output
    assert "'uid': 'vm'" in (adopting.root / "dashboards" / "service_export.py").read_text()
    wrong = run("adopt", str(export), "--config", config, "--datasource", "DS_PROMETHEUS=nope")
    assert wrong.exit_code == 2
    assert (
        "--datasource DS_PROMETHEUS=nope: 'nope' is none of phoenix-dash.yaml's datasources "
        "(long-term, prometheus)"
    ) in wrong.output


def test_grafana_7_names_and_no_datasource_read_as_grafana_reads_them(adopting: Project) -> None:
    old = {
        "uid": "g7",
        "title": "Grafana 7",
        "schemaVersion": 27,
        "gnetId": None,
        "panels": [
            {
                "id": 1,
                "type": "graph",
                "title": "CPU",
                "datasource": "Prometheus",  # its default datasource's name then
                "legend": True,  # Grafana 2's form
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "targets": [{"refId": "A", "expr": "up"}],
            },
            {
                "id": 2,
                "type": "graph",
                "title": "Mem",
                "datasource": None,  # Grafana: the default datasource
                "gridPos": {"h": 8, "w": 12, "x": 12, "y": 0},
                "targets": [{"refId": "A", "expr": "up", "datasource": ""}],
            },
        ],
    }
    path = adopting.root / "g7.json"
    path.write_text(json.dumps(old, indent=2))
    config = str(adopting.root / "phoenix-dash.yaml")
    result = run("adopt", str(path), "--config", config)
    assert result.exit_code == 0, result.output
    module = (adopting.root / "dashboards" / "grafana_7.py").read_text()
    assert module.count("'uid': 'prom'") >= 2 and "Prometheus'" not in module
    assert run("build", "--config", config).exit_code == 0


def test_lint_fix_keeps_an_export_an_export(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps(grafana_com_export(), indent=2))
    before = run("lint", "--json-file", str(export), "--format", "json")
    found = json.loads(before.output)["findings"]
    assert [f for f in found if f["severity"] == "error"] == []
    gnet = [f for f in found if f["path"] == "/gnetId"]
    assert gnet and gnet[0]["severity"] == "info"
    assert gnet[0]["message"] == "gnetId: null where the schema wants string; read as unset"
    fixed = run("lint", "--fix", "--json-file", str(export), "--out", str(tmp_path / "out"))
    assert fixed.exit_code == 0, fixed.output
    written = json.loads((tmp_path / "out" / "export.json").read_text())
    assert written["__inputs"] == [INPUT] and "gnetId" not in written
    assert written["panels"][1]["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
    assert written["templating"]["list"][0]["datasource"]["uid"] == "${DS_PROMETHEUS}"


def test_a_variable_is_called_a_variable(adopting: Project) -> None:
    dashboard = {
        "uid": "v",
        "title": "V",
        "schemaVersion": 39,
        "panels": [],
        "templating": {"list": [{"name": "job", "type": "query", "datasource": "${ds}"}]},
    }
    path = adopting.root / "v.json"
    path.write_text(json.dumps(dashboard, indent=2))
    result = run("adopt", str(path), "--config", str(adopting.root / "phoenix-dash.yaml"))
    assert result.exit_code == 2
    assert "variable $job: datasource variable $ds is not defined" in result.output
    assert "query panel" not in result.output


def _uses_library_panel(uid: str, title: str, place: dict[str, int], panel_id: int) -> JSON:
    """A dashboard as pull writes it: the library panel's content at its place, with the
    reference Grafana keeps."""
    return {
        "uid": uid,
        "title": title,
        "schemaVersion": 42,
        "panels": [
            {
                "id": panel_id,
                "type": "stat",
                "title": "Error ratio",
                "description": "Share of failed requests.",
                "datasource": {"type": "prometheus", "uid": "prom"},
                "gridPos": place,
                "fieldConfig": {"defaults": {"unit": "percentunit"}, "overrides": []},
                "targets": [{"refId": "A", "expr": "sum(rate(errors_total[$__rate_interval]))"}],
                "libraryPanel": {"uid": "shared-errors", "name": "5xx error ratio"},
            }
        ],
    }


def test_a_library_panel_becomes_one_module_both_dashboards_import(adopting: Project) -> None:
    """Two dashboards showing one library panel: adopt writes its module once
    (dashboards/_library_panels/), each dashboard imports it and places it, and build gives
    the same library element and references back."""
    config = str(adopting.root / "phoenix-dash.yaml")
    files = []
    for uid, place, panel_id in (
        ("one", {"x": 0, "y": 0, "w": 6, "h": 4}, 1),
        ("two", {"x": 6, "y": 2, "w": 12, "h": 8}, 7),
    ):
        path = adopting.root / f"{uid}.json"
        path.write_text(json.dumps(_uses_library_panel(uid, f"Board {uid}", place, panel_id)))
        files.append(str(path))
    result = run("adopt", *files, "--config", config)
    assert result.exit_code == 0, result.output
    assert "wrote library panel module dashboards/_library_panels/panel_5xx_error_ratio.py" in (
        result.output
    )
    module = adopting.root / "dashboards" / "_library_panels" / "panel_5xx_error_ratio.py"
    text = module.read_text()
    compile(text, str(module), "exec")
    assert "PANEL_5XX_ERROR_RATIO = LibraryPanel(" in text and "Stat(" in text
    for board in ("board_one", "board_two"):
        source = (adopting.root / "dashboards" / f"{board}.py").read_text()
        assert (
            "from dashboards._library_panels.panel_5xx_error_ratio import PANEL_5XX_ERROR_RATIO"
            in source
        )
        assert "PANEL_5XX_ERROR_RATIO(gridPos=GridPos(" in source and "Stat(" not in source
    built = build_project(load_config(Path(config)), with_sources=False)
    [definition] = built.library_panels
    assert (definition.uid, definition.name, definition.used_by) == (
        "shared-errors",
        "5xx error ratio",
        ("one", "two"),
    )
    assert definition.model["targets"][0]["expr"] == "sum(rate(errors_total[$__rate_interval]))"
    by_uid = {d.uid: d.json["panels"][0] for d in built.dashboards}
    assert by_uid["two"]["gridPos"] == {"x": 6, "y": 2, "w": 12, "h": 8}
    assert by_uid["two"]["id"] == 7
    assert by_uid["one"]["libraryPanel"] == {"uid": "shared-errors", "name": "5xx error ratio"}


def test_an_existing_library_panel_module_is_kept_and_said(adopting: Project) -> None:
    config = str(adopting.root / "phoenix-dash.yaml")
    path = adopting.root / "one.json"
    path.write_text(
        json.dumps(_uses_library_panel("one", "One", {"x": 0, "y": 0, "w": 6, "h": 4}, 1))
    )
    assert run("adopt", str(path), "--config", config).exit_code == 0
    module = adopting.root / "dashboards" / "_library_panels" / "panel_5xx_error_ratio.py"
    edited = module.read_text().replace("Share of failed requests.", "Edited by the team.")
    module.write_text(edited)
    again = run("adopt", str(path), "--config", config, "--out", str(adopting.root / "x.py"))
    assert again.exit_code == 0, again.output
    assert "panel_5xx_error_ratio.py exists and was kept (--force replaces it)" in again.output
    assert module.read_text() == edited
