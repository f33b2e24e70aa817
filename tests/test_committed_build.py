"""sync, diff and render use build/ as committed when its manifest says it is what the code
gives (committed_build.py), and never a stale one: every kind of input, changed after the
build, makes them build from the code again (or, with --from-build, stop naming it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from phoenix_dash import manifest
from tests.support.project import Project
from tests.support.synced import ONE_API, Synced

ENV_MODULE = """\
import os
from grafanalib.core import Dashboard

dashboard = Dashboard(uid="from-env", title=os.environ.get("PHOENIX_TITLE", "Default title"))
"""


def plan(synced: Synced, *options: str) -> dict[str, object]:
    result = synced.run("sync", "--dry-run", "--format", "json", *options)
    assert result.exit_code in (0, 1), result.output
    text = result.output[result.output.index("{") :]  # after any note on stderr
    found: dict[str, object] = json.loads(text)
    return found


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@ONE_API
def test_the_committed_build_syncs_as_the_code_does(synced: Synced) -> None:
    assert synced.run("build").exit_code == 0
    assert (synced.root / "build" / "manifest.json").is_file()
    served = synced.run("sync", "--dry-run", "-v")
    assert "note: using build/ as committed" in served.output
    assert plan(synced, "--from-build") == plan(synced, "--rebuild")
    staging = ("--env", "staging")
    assert plan(synced, "--from-build", *staging) == plan(synced, "--rebuild", *staging)
    first = synced.run("sync", "--from-build")
    assert first.exit_code == 0, first.output
    again = plan(synced, "--rebuild")
    assert again["summary"] == {**again["summary"], "create": 0, "update": 0}  # type: ignore[dict-item]


def _edit_helper(root: Path) -> str:
    replace_in(root / "dashboards/_phoenix.py", '"Phoenix / Overview"', '"Phoenix / Front page"')
    return "dashboards/_phoenix.py changed since the build"


def _edit_threshold(root: Path) -> str:
    replace_in(
        root / "alerts/thresholds.yaml", "request_error_ratio: 5%", "request_error_ratio: 7%"
    )
    return "alerts/thresholds.yaml changed since the build"


def _edit_catalog(root: Path) -> str:
    with (root / "metrics.yaml").open("a") as catalog:
        catalog.write("# reviewed\n")
    return "metrics.yaml changed since the build"


def _edit_setting(root: Path) -> str:
    replace_in(
        root / "phoenix-dash.yaml", "phoenix: {title: Phoenix}", "phoenix: {title: Orchestrator}"
    )
    return "phoenix-dash.yaml changed since the build"


def _add_module(root: Path) -> str:
    module = ENV_MODULE.replace('os.environ.get("PHOENIX_TITLE", "Default title")', '"Second"')
    (root / "dashboards/second.py").write_text(module.replace("from-env", "second"))
    return "dashboards/second.py is new since the build"


def _edit_output(root: Path) -> str:
    replace_in(root / "build/dashboards/phoenix-overview.json", "Phoenix / Overview", "Edited")
    return "build/dashboards/phoenix-overview.json was edited after the build"


EDITS: dict[str, Callable[[Path], str]] = {
    "helper module": _edit_helper,
    "threshold": _edit_threshold,
    "catalog": _edit_catalog,
    "setting": _edit_setting,
    "new module": _add_module,
    "hand-edited build file": _edit_output,
}


@ONE_API
@pytest.mark.parametrize("kind", EDITS)
def test_a_changed_input_is_never_served_from_the_stale_build(synced: Synced, kind: str) -> None:
    assert synced.run("build").exit_code == 0
    assert synced.run("sync").exit_code == 0
    stale_plan = plan(synced, "--from-build")
    reason = EDITS[kind](synced.root)
    refused = synced.run("sync", "--from-build")
    assert refused.exit_code == 2
    assert f"--from-build: build/ is not what the code gives: {reason}" in refused.output
    quiet = synced.run("sync", "--dry-run")  # an author between edits: built, as always
    assert quiet.exit_code in (0, 1) and "note:" not in quiet.output
    told = synced.run("sync", "--dry-run", "-v")
    assert f"note: building from the code: {reason}" in told.output
    assert plan(synced) == plan(synced, "--rebuild")
    if kind not in ("catalog", "hand-edited build file"):  # those two change no resource
        assert plan(synced) != stale_plan
    assert synced.run("build").exit_code == 0  # and once built again, it is served again
    assert plan(synced, "--from-build") == plan(synced, "--rebuild")


@ONE_API
@pytest.mark.parametrize(
    ("built_with", "running"),
    [("1.0.0", "1.0.1.dev3+g1a2b3c4"), ("1.0.1.dev3+g1a2b3c4", "1.0.1.dev9+g5d6e7f8")],
)
def test_a_development_version_of_phoenix_dash_does_not_decide(
    synced: Synced, monkeypatch: pytest.MonkeyPatch, built_with: str, running: str
) -> None:
    """A checkout's version says nothing of its output (it stays the same from commit to
    commit): the committed build is served, and CI's build --check is the guarantee."""
    monkeypatch.setattr(manifest, "__version__", built_with)
    assert synced.run("build").exit_code == 0
    monkeypatch.setattr(manifest, "__version__", running)
    served = synced.run("sync", "--from-build", "--dry-run")
    assert served.exit_code == 0, served.output


@ONE_API
def test_another_phoenix_dash_version_builds_from_the_code(
    synced: Synced, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifest, "__version__", "1.0.0")  # releases, both
    assert synced.run("build").exit_code == 0
    monkeypatch.setattr(manifest, "__version__", "1.1.0")
    refused = synced.run("sync", "--from-build", "--dry-run")
    assert refused.exit_code == 2
    assert "built with phoenix-dash 1.0.0; this is phoenix-dash 1.1.0" in refused.output
    assert (
        "note: building from the code: it was built with phoenix-dash"
        in synced.run("sync", "--dry-run", "-v").output
    )
    check = synced.run("build", "--check")  # the same files: not out of date, but said
    assert check.exit_code == 0, check.output
    assert "note: manifest.json records phoenix-dash" in check.output


def test_a_module_reading_the_environment_is_named_and_always_built(project: Project) -> None:
    project.dashboard("plain", "plain")
    project.write("dashboards/titled.py", ENV_MODULE)
    built = project.run("build")
    assert "note: dashboards/titled.py reads PHOENIX_TITLE from the environment" in built.output
    recorded = json.loads((project.root / "build/manifest.json").read_text())
    assert recorded["environment"] == {"dashboards/titled.py": ["PHOENIX_TITLE"]}
    check = project.run("build", "--check")
    assert check.exit_code == 0 and "dashboards/titled.py reads PHOENIX_TITLE" in check.output
    refused = project.run("render", "--from-build", "--out", str(project.root / "pictures"))
    assert refused.exit_code == 2
    assert "dashboards/titled.py reads the environment (PHOENIX_TITLE)" in refused.output
    assert os.environ.get("PHOENIX_TITLE") is None  # nothing was set on the way


def test_the_manifest_records_helpers_data_files_and_listings(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write("lib/common.py", "TITLE = open('lib/title.txt').read().strip()\n")
    project.write("lib/title.txt", "From a file\n")
    project.write("panels/a.json", "{}")
    project.write(
        "dashboards/d.py",
        """\
        import os
        from grafanalib.core import Dashboard
        from lib.common import TITLE

        panels = sorted(os.listdir("panels"))
        dashboard = Dashboard(uid="d", title=f"{TITLE} {len(panels)}")
        """,
    )
    monkeypatch.chdir(project.root)  # the module reads relative paths
    assert project.run("build").exit_code == 0
    recorded = json.loads((project.root / "build/manifest.json").read_text())
    assert {"lib/common.py", "lib/title.txt", "dashboards/d.py"} <= set(recorded["inputs"])
    assert list(recorded["settings"]) == ["phoenix-dash.yaml"]
    assert recorded["listings"] == {"panels": ["a.json"]}
    assert recorded["modules"] == {"dashboards": ["d.py"]}
    assert not any(
        "__pycache__" in name or name.startswith("build/") for name in recorded["inputs"]
    )
    project.write("panels/b.json", "{}")
    refused = project.run("render", "--from-build", "--out", "pictures")
    assert "panels/b.json is new since the build" in refused.output


def test_the_committed_build_is_used_without_grafanalib_or_the_modules(project: Project) -> None:
    """In a fresh process: serving the committed build imports no grafanalib and runs no
    module (a module that would leave a mark leaves none)."""
    mark = project.root.parent / "module-ran"
    project.write(
        "dashboards/d.py",
        f"""\
        from pathlib import Path
        from grafanalib.core import Dashboard
        Path({str(mark)!r}).touch()
        dashboard = Dashboard(uid="d", title="D")
        """,
    )
    assert project.run("build").exit_code == 0
    mark.unlink()
    script = (
        "import sys; from pathlib import Path\n"
        "from phoenix_dash.config import load_config\n"
        "from phoenix_dash.committed_build import obtain_build\n"
        "config = load_config(Path('phoenix-dash.yaml'))\n"
        "built = obtain_build(config, 'committed').started.finish()\n"
        "print([d.uid for d in built.dashboards], 'grafanalib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=project.root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "['d'] False"
    assert not mark.exists()


def test_schema_v2_projects_build_from_the_code(project: Project) -> None:
    project.write(
        "phoenix-dash.yaml",
        project.root.joinpath("phoenix-dash.yaml").read_text() + "dashboards: {schema: v2}\n",
    )
    project.dashboard("d", "d")
    assert project.run("build").exit_code == 0
    refused = project.run("render", "--from-build", "--out", "pictures")
    assert refused.exit_code == 2 and "dashboards.schema is v2" in refused.output


@ONE_API
def test_settings_that_build_does_not_read_leave_the_build_current(synced: Synced) -> None:
    """A new Grafana URL, an environment or a lint policy changes nothing in build/: sync
    still uses it as committed (and its overlays apply when sync runs)."""
    assert synced.run("build").exit_code == 0
    with synced.config.open("a") as settings:
        settings.write("  production:\n    folders: {phoenix: {uid: phoenix-prod, title: P}}\n")
    served = synced.run("sync", "--dry-run", "-v", "--env", "production")
    assert "note: using build/ as committed" in served.output
    assert "phoenix-prod" in served.output


def test_another_python_is_not_another_build(project: Project) -> None:
    """Python's version is recorded, not compared: a build made on a laptop's 3.12 is used
    by CD's 3.11, and build --check in CI passes without a word."""
    project.dashboard("d", "d")
    assert project.run("build").exit_code == 0
    path = project.root / "build/manifest.json"
    recorded = json.loads(path.read_text())
    recorded["versions"]["python"] = "3.99"
    path.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    served = project.run("render", "--from-build", "--out", str(project.root / "pictures"))
    assert served.exit_code == 0, served.output
    check = project.run("build", "--check")
    assert check.exit_code == 0 and "note:" not in check.output, check.output


def test_from_build_and_rebuild_exclude_each_other(project: Project) -> None:
    project.dashboard("d", "d")
    result = project.run("render", "--from-build", "--rebuild", "--out", "pictures")
    assert result.exit_code == 2
    assert "--from-build and --rebuild exclude each other" in result.output
    assert not (project.root / "pictures").exists()
