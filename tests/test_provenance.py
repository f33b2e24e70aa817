"""Every panel, target and variable knows the Python line that built it."""

from __future__ import annotations

import orjson
import pytest

from phoenix_dash.build import Build, modernize_context
from phoenix_dash.config import load_config
from phoenix_dash.provenance import SOURCE_KEY, SourceTracker
from phoenix_dash.provenance import stamped_at as source_of
from phoenix_dash.render import render_dashboards
from tests.support.project import ROOT, Project


def test_repository_panels_point_at_the_line_with_their_title(repo_build: Build) -> None:
    checked = 0
    for dashboard in repo_build.dashboards:
        for panel in dashboard.json["panels"] + [
            child for row in dashboard.json["panels"] for child in row.get("panels", [])
        ]:
            where = source_of(panel)
            assert where is not None and where.file.startswith("dashboards/"), panel.get("title")
            # Helpers in _phoenix.py build the objects; the stamp names the dashboard's line.
            assert not where.file.startswith("dashboards/_")
            lines = (ROOT / where.file).read_text().splitlines()
            assert where.line is not None
            context = "\n".join(lines[where.line - 1 : where.line + 1])
            if "libraryPanel" in panel:  # a use: its title is the library panel's
                assert "SERVICE_ERROR_RATIO(" in context, (where, panel["title"])
            else:
                assert f'"{panel["title"]}"' in context, (where, panel["title"])
            checked += 1
    assert checked >= 57  # every panel of the four dashboards


def test_stamps_never_reach_the_output(repo_build: Build) -> None:
    for data in repo_build.files().values():
        assert SOURCE_KEY.encode() not in data


def test_targets_and_variables_are_stamped(project: Project) -> None:
    project.write(
        "dashboards/a.py",
        """\
        from grafanalib.core import Dashboard, Target, Template, Templating, TimeSeries

        dashboard = Dashboard(uid="a", title="a",
            templating=Templating(list=[
                Template(name="datasource", query="prometheus", type="datasource"),
            ]),
            panels=[
                TimeSeries(title="p", targets=[
                    Target(expr="up"),
                ]),
            ])
        """,
    )
    from phoenix_dash.build import build_project
    from phoenix_dash.config import load_config

    (built,) = build_project(load_config(project.root / "phoenix-dash.yaml")).dashboards
    assert str(built.location) == "dashboards/a.py:3"
    panel = built.json["panels"][0]
    assert str(source_of(panel)) == "dashboards/a.py:8"
    assert str(source_of(panel["targets"][0])) == "dashboards/a.py:9"
    assert str(source_of(built.json["templating"]["list"][0])) == "dashboards/a.py:5"


def test_a_build_without_sources_is_the_same_json_unstamped(repo_build: Build) -> None:
    """What build, sync and diff use: no stamps, each dashboard kept only as its canonical
    bytes (the memory of a large project), the same files written."""
    from phoenix_dash.build import build_project
    from phoenix_dash.config import load_config

    config = load_config(ROOT / "phoenix-dash.yaml")
    for jobs in (1, 2):
        bare = build_project(config, jobs, with_sources=False)
        assert bare.files() == repo_build.files()
        for dashboard in bare.dashboards:
            assert dashboard.tree is None and dashboard.encoded is not None
            assert SOURCE_KEY.encode() not in dashboard.encoded


def test_without_sources_nothing_is_tracked_and_the_output_is_the_same(
    repo_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build and sync render dashboards without the source bookkeeping (a third of their
    work); the JSON they write is the same as lint's, stamps aside."""
    recorded: list[object] = []

    def record(self: SourceTracker, obj: object, frame: object) -> None:
        recorded.append(obj)

    monkeypatch.setattr(SourceTracker, "record", record)
    config = load_config(ROOT / "phoenix-dash.yaml")
    fast = render_dashboards(
        config.root, config.dashboards_dir, modernize_context(config), with_sources=False
    )
    assert recorded == []
    assert [d.json for d in fast] == [d.clean for d in repo_build.dashboards]
    assert not any(SOURCE_KEY in orjson.dumps(d.json).decode() for d in fast)
