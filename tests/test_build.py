"""`phoenix-dash build`: deterministic files, --check, all-or-nothing writes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from phoenix_dash.manifest import Manifest
from tests.support.project import ROOT, Project


def test_build_writes_one_canonical_file_per_dashboard(project: Project) -> None:
    project.dashboard("a", "uid-a")
    project.dashboard("b", "uid-b")
    result = project.run("build")
    assert result.exit_code == 0, result.output
    files = project.build_files()
    assert sorted(files) == ["dashboards/uid-a.json", "dashboards/uid-b.json", "manifest.json"]
    data = files["dashboards/uid-a.json"]
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    parsed = json.loads(data)
    assert data.decode() == json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_worker_processes_build_the_same_files_as_one_process(project: Project) -> None:
    from phoenix_dash.render import PARALLEL_MIN_MODULES

    for index in range(PARALLEL_MIN_MODULES + 2):  # enough modules for the worker pool
        project.dashboard(f"d{index:02d}", f"uid-{index:02d}")
    outputs = []
    for jobs in ("1", "2"):  # in a subprocess: the pool forks, and this process has threads
        subprocess.run(
            [sys.executable, "-m", "phoenix_dash", "build", "--jobs", jobs],
            cwd=project.root,
            check=True,
            capture_output=True,
        )
        outputs.append(project.build_files())
    # and the manifest: what the workers read is recorded as one process records it
    assert len(outputs[0]) == PARALLEL_MIN_MODULES + 3 and outputs[0] == outputs[1]


def test_second_build_changes_nothing_and_says_so(project: Project) -> None:
    project.dashboard("a", "uid-a")
    project.run("build")
    mtime = (project.root / "build/dashboards/uid-a.json").stat().st_mtime_ns
    result = project.run("build")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "built 1 dashboard into build/ (no changes)"
    assert (project.root / "build/dashboards/uid-a.json").stat().st_mtime_ns == mtime


def test_stale_files_of_removed_dashboards_are_deleted(project: Project) -> None:
    project.dashboard("a", "uid-a")
    project.dashboard("b", "uid-b")
    project.run("build")
    (project.root / "dashboards/b.py").unlink()
    result = project.run("build")
    assert "build/dashboards/uid-b.json (stale)" in result.output
    assert sorted(project.build_files()) == ["dashboards/uid-a.json", "manifest.json"]


def test_check_lists_every_change_and_writes_nothing(project: Project) -> None:
    project.dashboard("a", "uid-a")
    project.dashboard("b", "uid-b")
    assert project.run("build").exit_code == 0
    assert project.run("build", "--check").exit_code == 0
    project.dashboard("a", "uid-a", title="Renamed")
    (project.root / "dashboards/b.py").unlink()
    project.dashboard("c", "uid-c")
    before = project.build_files()
    result = project.run("build", "--check")
    assert result.exit_code == 1
    assert "build/dashboards/uid-a.json (changed)" in result.output
    assert "build/dashboards/uid-b.json (stale)" in result.output
    assert "build/dashboards/uid-c.json (new)" in result.output
    assert project.build_files() == before


BAD_MODULES = {
    "syntax error": ("dashboard = Dashboard(title='x' uid='a')\n", 1, "syntax error"),
    "raises": ("def f():\n    raise ValueError('boom')\n\nf()\n", 2, "ValueError: boom"),
    "no dashboard": ("x = 1\n", 0, "defines no Dashboard"),
    "wrong type": (
        "dashboard = 'not a dashboard'\n",
        1,
        "`dashboard` holds a str, not a grafanalib Dashboard",
    ),
    "invalid uid": (
        "dashboard = Dashboard(title='x', uid='has space')\n",
        1,
        "uid 'has space' is invalid",
    ),
    "long uid": (f"dashboard = Dashboard(title='x', uid='{'u' * 41}')\n", 1, "is invalid"),
    "no uid": ("dashboard = Dashboard(title='x')\n", 1, "has no uid"),
    "bad attribute": (
        "dashboard = Dashboard(title='x', uid='a',\n"
        "    panels=[TimeSeries(title='p', lineWidth='wide')])\n",
        2,
        "TypeError: 'lineWidth' must be <class 'int'>",
    ),
    "unknown datasource": (
        "dashboard = Dashboard(title='x', uid='a', panels=[\n"
        "    TimeSeries(title='p', dataSource='nope')])\n",
        2,
        "panel 'p': unknown datasource 'nope'",
    ),
    "bad width": (
        "dashboard = Dashboard(title='x', uid='a', panels=[\n"
        "    TimeSeries(title='p', gridPos=GridPos(h=4, w=30, x=0, y=0))])\n",
        2,
        "width 30 is not 1..24",
    ),
}
HEADER = "from grafanalib.core import Dashboard, GridPos, TimeSeries\n"


@pytest.mark.parametrize("case", sorted(BAD_MODULES))
def test_bad_module_is_one_line_with_file_and_line_and_build_untouched(
    case: str, project: Project
) -> None:
    project.dashboard("good", "uid-good")
    assert project.run("build").exit_code == 0
    before = project.build_files()
    body, line, message = BAD_MODULES[case]
    project.write("dashboards/zbad.py", HEADER + body)
    result = project.run("build")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: dashboards/zbad.py:{line + 1}: "), lines[0]  # + HEADER
    assert message in lines[0]
    assert project.build_files() == before


def test_duplicate_uid_names_both_places(project: Project) -> None:
    project.dashboard("a", "same")
    project.dashboard("b", "same")
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: dashboards/b.py:3: dashboard uid 'same' is already used at dashboards/a.py:3"
    )
    assert not (project.root / "build").exists()


def test_helper_modules_are_importable_and_errors_point_inside_them(project: Project) -> None:
    project.write("dashboards/__init__.py", "")
    project.write("dashboards/_shared.py", "def make():\n    raise RuntimeError('in helper')\n")
    project.write("dashboards/a.py", "from dashboards._shared import make\n\ndashboard = make()\n")
    result = project.run("build")
    assert result.output.strip() == "error: dashboards/_shared.py:2: RuntimeError: in helper"


BAD_CONFIGS = {
    "invalid yaml": (
        "version: 1\ndatasources:\n  prometheus: {type: prometheus\n",
        "phoenix-dash.yaml:4: invalid YAML",
    ),
    "schema": (
        "version: 1\ndatasources:\n  prom: {type: prometheus, uid: 'bad uid'}\n",
        "phoenix-dash.yaml:3: datasources.prom.uid: 'bad uid' does not match",
    ),
    "unknown key": (
        "version: 1\ndatasources:\n  prom: {type: prometheus, uid: p}\npaths:\n  dashbords: x\n",
        "phoenix-dash.yaml:5: paths: Additional properties are not allowed",
    ),
    "duplicate key": (
        "version: 1\ndatasources:\n  p: {type: prometheus, uid: a}\n"
        "  p: {type: prometheus, uid: b}\n",
        "phoenix-dash.yaml:4: duplicate key 'p'",
    ),
    "unknown folder": (
        "version: 1\ndatasources:\n  p: {type: prometheus, uid: a}\ndashboards:\n  folder: nope\n",
        "phoenix-dash.yaml:5: dashboards.folder: unknown folder 'nope'",
    ),
    "empty": ("", "phoenix-dash.yaml: the file is empty"),
    "not utf-8": ("version: 1\n# \udcff\n", "phoenix-dash.yaml: cannot read"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_one_line_with_key_path_and_line(case: str, project: Project) -> None:
    project.dashboard("a", "uid-a")
    text, expected = BAD_CONFIGS[case]
    (project.root / "phoenix-dash.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {expected}"), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (project.root / "build").exists()


def test_bad_catalog_is_an_error_with_line(project: Project) -> None:
    project.write(
        "phoenix-dash.yaml",
        "version: 1\npaths: {catalog: metrics.yaml}\n"
        "datasources:\n  prometheus: {type: prometheus, uid: p}\n",
    )
    project.write(
        "metrics.yaml",
        "required_labels: [job]\nmetrics:\n"
        "  - {name: up, type: gauge, unit: short, help: h, labels: [job]}\n"
        "  - {name: up, type: gauge, unit: short, help: h, labels: [job]}\n",
    )
    result = project.run("build")
    assert (
        result.output.strip()
        == "error: metrics.yaml:4: metrics[1].name: metric 'up' is listed twice"
    )


def test_missing_config_and_config_that_is_a_directory(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    result = CliRunner().invoke(main, ["build", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "nope.yaml: file not found" in result.output
    (tmp_path / "dir.yaml").mkdir()
    result = CliRunner().invoke(main, ["build", "--config", str(tmp_path / "dir.yaml")])
    assert result.exit_code == 2 and "is a directory" in result.output


def test_failed_write_leaves_build_as_it_was(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.dashboard("a", "uid-a")
    project.run("build")
    before = project.build_files()
    project.dashboard("b", "uid-b")
    real_rename = os.rename

    def failing_rename(src: str, dst: str) -> None:
        if ".build.new-" in str(src):
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", failing_rename)
    result = project.run("build")
    assert (result.exit_code, result.output) == (
        2,
        "error: cannot write build/: disk full; nothing was changed\n",
    )
    assert project.build_files() == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".build")] == []


def _build_in_subprocess(tmp: Path, seed: str) -> dict[str, bytes]:
    copy = tmp / f"repo-{seed}"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "build", "__pycache__", ".*_cache", "bench"),
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "phoenix_dash", "build"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return {
        p.relative_to(copy).as_posix(): p.read_bytes()
        for p in sorted((copy / "build").rglob("*"))
        if p.is_file()
    }


def test_output_is_byte_identical_across_hash_seeds_and_matches_committed_build(
    tmp_path: Path,
) -> None:
    runs = [_build_in_subprocess(tmp_path, seed) for seed in ("0", "1", "4242")]
    assert runs[0] and runs[0] == runs[1] == runs[2]
    committed = {
        f"build/{p.relative_to(ROOT / 'build').as_posix()}": p.read_bytes()
        for p in sorted((ROOT / "build").rglob("*"))
        if p.is_file()
    }
    # The manifest names the versions that made it: as `build --check`, they are not content
    # (a checkout's development version differs from commit to commit).
    built_manifest = Manifest.parse(runs[0].pop("build/manifest.json"))
    committed_manifest = Manifest.parse(committed.pop("build/manifest.json"))
    assert runs[0] == committed, "build/ is stale: run `phoenix-dash build`"
    assert built_manifest.same_apart_from_versions(committed_manifest), "run `phoenix-dash build`"


def test_a_project_directory_named_like_a_library_does_not_shadow_it(project: Project) -> None:
    """grafanalib is imported from where it is installed before the project's directory
    joins sys.path (a fresh process: here it is imported already)."""
    project.dashboard("d", "uid-d")
    project.write("grafanalib/dashboards.py", "# the peer generator's copies live here\n")
    done = subprocess.run(
        [sys.executable, "-m", "phoenix_dash", "build"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (project.root / "build/dashboards/uid-d.json").is_file()
