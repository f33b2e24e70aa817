"""`phoenix-dash init` gives another team a project that builds, lints clean and passes its
alert tests as generated, and never overwrites; the CI examples and pre-commit hooks are valid
against the schemas their tools use (checked offline)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from phoenix_dash.cli import main
from tests.support.grafana import GrafanaTarget
from tests.support.project import ROOT, require


def run(*args: str, cwd: Path) -> Result:
    """A command run in ``cwd``, as a user in their project does (config found upwards)."""
    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(here)


def test_init_makes_a_project_that_builds_lints_clean_and_passes_its_alert_tests(
    tmp_path: Path,
) -> None:
    project = tmp_path / "team-x"
    created = CliRunner().invoke(main, ["init", str(project)])
    assert created.exit_code == 0, created.output
    for rel in (
        "phoenix-dash.yaml",
        "dashboards/service.py",
        "alerts/service.py",
        "alerts/thresholds.yaml",
        "alerts/tests/service.yaml",
        "metrics.yaml",
        "datasources.yaml",
        ".github/workflows/grafana.yml",
    ):
        assert (project / rel).is_file(), rel
    built = run("build", cwd=project)
    assert built.exit_code == 0, built.output
    assert "built 1 dashboard, 1 alert rule, 1 datasource" in built.output
    linted = run("lint", cwd=project)
    assert (linted.exit_code, linted.output.strip()) == (0, "no findings")
    require(
        shutil.which("promtool") is not None,
        "promtool not on PATH (Debian: apt-get install prometheus)",
    )
    tested = run("test-alerts", cwd=project)
    assert tested.exit_code == 0, tested.output


def test_init_never_overwrites(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    config = tmp_path / "phoenix-dash.yaml"
    config.write_text("# mine\n")
    (tmp_path / "dashboards/service.py").unlink()
    again = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 2
    assert again.output.startswith(f"error: {tmp_path} already has .github/workflows/grafana.yml")
    assert again.output.rstrip().endswith("nothing was written")
    assert config.read_text() == "# mine\n"
    assert not (tmp_path / "dashboards/service.py").exists()


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.github-workflows", "phoenix_dash/scaffold/ci/github-workflow.yml"),
        ("vendor.github-workflows", ".github/workflows/release.yml"),
        ("vendor.gitlab-ci", "examples/ci/gitlab-ci.yml"),
    ],
)
def test_ci_examples_are_valid_workflows(schema: str, path: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(ROOT / path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_examples_run_the_pr_and_merge_steps() -> None:
    github = yaml.safe_load((ROOT / "phoenix_dash/scaffold/ci/github-workflow.yml").read_text())
    steps = " ".join(
        str(step.get("run", "")) for job in github["jobs"].values() for step in job["steps"]
    )
    for command in (
        "phoenix-dash lint",
        "phoenix-dash build --check",
        "phoenix-dash diff --format markdown",
        "gh pr comment",
        "phoenix-dash sync",
    ):
        assert command in steps, command
    assert github["jobs"]["sync"]["environment"] == "production"
    gitlab = (ROOT / "examples/ci/gitlab-ci.yml").read_text()
    for command in (
        "phoenix-dash lint",
        "phoenix-dash build --check",
        "phoenix-dash diff",
        "phoenix-dash sync",
    ):
        assert command in gitlab, command


def test_pre_commit_hooks_name_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"] for hook in hooks} == {"phoenix-dash-lint", "phoenix-dash-build-check"}
    for hook in hooks:
        assert set(hook) >= {"id", "name", "entry", "language"}
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        command = hook["entry"].split()[1:]
        help_result = CliRunner().invoke(main, [*command, "--help"])
        assert help_result.exit_code == 0, hook["entry"]


@pytest.mark.parametrize(
    "command", [("build",), ("build", "--check"), ("test-alerts",), ("lint", "--list-rules")]
)
def test_reporting_commands_speak_json(tmp_path: Path, command: tuple[str, ...]) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    if command[0] == "test-alerts":
        require(
            shutil.which("promtool") is not None,
            "promtool not on PATH (Debian: apt-get install prometheus)",
        )
        run("build", cwd=tmp_path)
    result = run(*command, "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    if command == ("build",):
        assert data["dashboards"] == 1 and data["alert_rules"] == 1 and data["changed"]
    elif command == ("build", "--check"):
        assert result.exit_code == 1 and data["check"] and data["files"]
    elif command == ("test-alerts",):
        assert result.exit_code == 0 and data["ok"] and data["rules"] == 1
    else:
        assert {"id", "severity", "scope", "rationale", "hint"} <= set(data[0])


def test_adopt_speaks_json(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    assert run("build", cwd=tmp_path).exit_code == 0
    exported = tmp_path / "export.json"
    exported.write_text(
        (tmp_path / "build/dashboards/my-service.json")
        .read_text()
        .replace('"my-service"', '"copy"')
        .replace('"My service"', '"Copy"')
    )
    result = run("adopt", str(exported), "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["adopted"][0]["module"] == "dashboards/copy.py"


def test_options_default_from_the_environment_and_no_color_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    monkeypatch.setenv("PHOENIX_DASH_BUILD_FORMAT", "json")
    assert json.loads(run("build", cwd=tmp_path).stdout)["dashboards"] == 1
    from phoenix_dash.cli.common import style as _style

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert _style()("text", fg="red") == "text"
    monkeypatch.delenv("NO_COLOR")
    assert _style()("text", fg="red") != "text"


def _cd_sync_commands() -> list[list[str]]:
    """The sync command of each CD example, its revision placeholder filled in."""
    github = yaml.safe_load((ROOT / "phoenix_dash/scaffold/ci/github-workflow.yml").read_text())
    gitlab = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text())
    lines = [str(s.get("run", "")) for s in github["jobs"]["sync"]["steps"]]
    lines += [str(line) for line in gitlab["sync"]["script"]]
    found = [line for line in lines if line.startswith("phoenix-dash sync")]
    assert len(found) == 2, lines
    return [
        shlex.split(
            line.replace("${{ github.sha }}", "0a1b2c").replace("$CI_COMMIT_SHORT_SHA", "0a1b2c")
        )
        for line in found
    ]


def test_the_cd_examples_sync_the_committed_build(
    tmp_path: Path, grafana: GrafanaTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a project made by init and built, each CD example's sync step applies build/ as
    committed (--from-build would stop otherwise), and refuses once the code moved on."""
    project = tmp_path / "team-x"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    monkeypatch.chdir(project)  # as CD runs it, in the checkout
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    # What the workflow's sync step passes: each of its variables, given a value here.
    github = yaml.safe_load((ROOT / "phoenix_dash/scaffold/ci/github-workflow.yml").read_text())
    step = next(
        s for s in github["jobs"]["sync"]["steps"] if "phoenix-dash sync" in s.get("run", "")
    )
    environment = {name: f"value-of-{name}" for name in step["env"]}
    environment.update(GRAFANA_URL=grafana.url, GRAFANA_TOKEN=grafana.token)
    for command in _cd_sync_commands():
        assert "--from-build" in command
        result = CliRunner().invoke(main, command[1:], env=environment, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    module = next((project / "dashboards").glob("*.py"))
    module.write_text(module.read_text() + "\n# edited after the build\n")
    stale = CliRunner().invoke(main, _cd_sync_commands()[0][1:], env=environment)
    assert stale.exit_code == 2
    assert f"dashboards/{module.name} changed since the build" in stale.output


def test_the_workflow_init_writes_installs_the_versions_that_wrote_it(tmp_path: Path) -> None:
    from phoenix_dash.init import INSTALL_PLACEHOLDERS, Pins, pins, templates

    release = Pins("phoenix-dash==1.2.3", "phoenix-dash[render]==1.2.3", "grafanalib==0.7.1")
    workflow = templates(release)[".github/workflows/grafana.yml"].decode()
    installs = [
        step["run"]
        for job in yaml.safe_load(workflow)["jobs"].values()
        for step in job["steps"]
        if str(step.get("run", "")).startswith("pip install")
    ]
    assert installs == [
        'pip install "phoenix-dash==1.2.3" "grafanalib==0.7.1"',
        'pip install "phoenix-dash[render]==1.2.3" "grafanalib==0.7.1"',
        'pip install "phoenix-dash==1.2.3" "grafanalib==0.7.1"',
    ]
    assert release.note is None
    assert not any(p in workflow for p in INSTALL_PLACEHOLDERS)
    # This checkout is a development version: the latest release, said once by init.
    here = pins()
    assert here.phoenix_dash == "phoenix-dash" and here.grafanalib.startswith("grafanalib==")
    created = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert created.exit_code == 0, created.output
    assert "note: phoenix-dash " in created.output and "development version" in created.output
    written = (tmp_path / ".github/workflows/grafana.yml").read_text()
    assert f'pip install "phoenix-dash" "{here.grafanalib}"' in written


def test_the_release_workflow_publishes_a_checked_build_by_trusted_publishing() -> None:
    release = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads `on` as true
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    runs = "\n".join(str(step.get("run", "")) for step in build["steps"])
    assert build["steps"][0]["with"] == {"fetch-depth": 0}  # the tags, for the version
    for command in ("python -m build", "twine check --strict", 'bin/pip" install dist/*.whl'):
        assert command in runs
    for command in ("init", "build", "lint", "test-alerts", "--version"):
        assert f'bin/phoenix-dash" {command}' in runs
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "password" not in str(publish)  # no stored token


@pytest.mark.slow
def test_a_tagged_commit_builds_a_release_of_that_version(tmp_path: Path) -> None:
    """What the release workflow's build job does, offline but for PyPI's build tools: a
    clone tagged v9.8.7 builds phoenix_dash-9.8.7, which twine finds publishable."""
    require(shutil.which("git") is not None, "git not installed")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "tag", "-a", "v9.8.7", "-m", "t"],
        cwd=clone,
        check=True,
    )
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist"), "."],
        cwd=clone,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    names = sorted(p.name for p in (tmp_path / "dist").iterdir())
    assert names == ["phoenix_dash-9.8.7-py3-none-any.whl", "phoenix_dash-9.8.7.tar.gz"]
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            *map(str, (tmp_path / "dist").iterdir()),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
