"""`dashboards.schema: v2`: build writes each dashboard as a dashboard.grafana.app/v2 resource
that validates against Grafana's v2 schema, panel options included, deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phoenix_dash.build import build_project
from phoenix_dash.config import load_config
from tests.support.grafana_schemas import v2_dashboard_errors
from tests.support.project import PHOENIX_UIDS, ROOT, Project, copy_repo_project


@pytest.fixture(scope="module")
def v2_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """The repository's dashboards, built with dashboards.schema: v2."""
    root = tmp_path_factory.mktemp("v2")
    copy_repo_project(root)
    text = (ROOT / "phoenix-dash.yaml").read_text()
    assert "\ndashboards:\n" in text
    (root / "phoenix-dash.yaml").write_text(
        text.replace("\ndashboards:\n", "\ndashboards:\n  schema: v2\n", 1)
    )
    files = build_project(load_config(root / "phoenix-dash.yaml")).files()
    return {
        path.removeprefix("dashboards/").removesuffix(".json"): json.loads(data)
        for path, data in files.items()
        if path.startswith("dashboards/")
    }


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_a_v2_dashboard_is_a_resource_valid_against_grafanas_schema(
    uid: str, v2_files: dict[str, dict[str, object]], grafana_schemas: Path
) -> None:
    resource = v2_files[uid]
    assert resource["apiVersion"] == "dashboard.grafana.app/v2"
    assert resource["kind"] == "Dashboard" and resource["metadata"] == {"name": uid}
    spec = resource["spec"]
    assert isinstance(spec, dict)
    assert v2_dashboard_errors(spec) == []


def test_v2_keeps_every_panel_query_and_variable(
    v2_files: dict[str, dict[str, object]], repo_dashboards: dict[str, dict[str, object]]
) -> None:
    for uid in PHOENIX_UIDS:
        v1, spec = repo_dashboards[uid], v2_files[uid]["spec"]
        assert isinstance(spec, dict)
        panels = [
            p
            for top in v1["panels"]  # type: ignore[attr-defined]
            for p in [top, *top.get("panels", [])]
            if p["type"] != "row"
        ]
        elements = spec["elements"]
        assert sorted(e["spec"]["title"] for e in elements.values()) == sorted(
            p["title"] for p in panels
        )
        # A library panel is a reference in v2 (LibraryPanelKind): its queries are the
        # library element's (build/library-panels/).
        libraries = [e for e in elements.values() if e["kind"] == "LibraryPanel"]
        assert [e["spec"]["libraryPanel"]["uid"] for e in libraries] == [
            p["libraryPanel"]["uid"] for p in panels if "libraryPanel" in p
        ]
        queries = [
            q["spec"]["query"]["spec"].get("expr")
            for e in elements.values()
            if e["kind"] != "LibraryPanel"
            for q in e["spec"]["data"]["spec"]["queries"]
        ]
        assert sorted(map(str, queries)) == sorted(
            str(t.get("expr"))
            for p in panels
            if "libraryPanel" not in p
            for t in p.get("targets", [])
        )
        names = [v["spec"]["name"] for v in spec["variables"]]
        assert names == [v["name"] for v in v1["templating"]["list"]]  # type: ignore[index]


def test_a_v2_build_is_deterministic_and_checked_like_v1(project: Project) -> None:
    project.dashboard("board", "board-uid")
    config = project.root / "phoenix-dash.yaml"
    config.write_text(config.read_text() + "dashboards: {schema: v2}\n")
    assert project.run("build").exit_code == 0
    first = project.build_files()
    assert project.run("build").exit_code == 0
    assert project.build_files() == first
    assert project.run("build", "--check").exit_code == 0
    resource = json.loads(first["dashboards/board-uid.json"])
    assert resource["apiVersion"] == "dashboard.grafana.app/v2"
    config.write_text(config.read_text().replace("schema: v2", "schema: v3"))
    wrong = project.run("build")
    assert wrong.exit_code == 2
    assert "dashboards.schema: 'v3' is not one of ['v1', 'v2']" in wrong.output


def test_lint_and_adopt_read_a_v2_file_as_its_v1_model(
    v2_files: dict[str, dict[str, object]], project: Project
) -> None:
    v2 = project.write("overview.v2.json", json.dumps(v2_files["phoenix-overview"]))
    v1 = project.write(
        "overview.v1.json", (ROOT / "build/dashboards/phoenix-overview.json").read_text()
    )
    as_v2 = project.run("lint", "--json-file", str(v2), "--format", "json")
    as_v1 = project.run("lint", "--json-file", str(v1), "--format", "json")
    assert as_v2.exit_code == as_v1.exit_code, as_v2.output

    def rules(output: str) -> list[str]:
        return sorted(f["rule"] for f in json.loads(output)["findings"])

    assert rules(as_v2.stdout) == rules(as_v1.stdout)
    adopted = project.run("adopt", str(v2))
    assert adopted.exit_code == 0, adopted.output
    assert project.run("build").exit_code == 0
    built = json.loads(project.build_files()["dashboards/phoenix-overview.json"])
    original = json.loads((ROOT / "build/dashboards/phoenix-overview.json").read_text())
    assert [p["title"] for p in built["panels"]] == [p["title"] for p in original["panels"]]


def test_a_finding_in_a_v2_file_names_its_line_there(
    v2_files: dict[str, dict[str, object]], project: Project
) -> None:
    """The linted model is v1, but the line is the v2 file's: the broken query's own line."""
    text = json.dumps(v2_files["phoenix-overview"], indent=2)
    first_query = text.index('"expr": "')
    broken = text[:first_query] + '"expr": "sum(rate(' + text[first_query + len('"expr": "') :]
    path = project.write("overview.v2.json", broken)
    result = project.run("lint", "--json-file", str(path), "--format", "json")
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "promql/syntax"]
    expected = broken[:first_query].count("\n") + 1
    assert finding["line"] == expected, (finding, broken.splitlines()[expected - 1])
