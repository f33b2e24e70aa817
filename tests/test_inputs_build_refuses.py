"""Inputs a user can get wrong, refused up front with one line and exit 2, nothing written:
JSON that is not a dashboard, selectors that select nothing, a module that prints, the
filesystem in the way (build/ a file, read-only, a symlink loop), a port in use; and the last
boundary for what nobody foresaw."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.project import Project
from tests.support.synced import ONE_API, Synced, writes


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"foo": 1}', "no title and panels (keys found: foo)"),
        ("[1, 2]", "a JSON list, where an object was expected"),
    ],
)
def test_adopt_refuses_json_that_is_not_a_dashboard(
    project: Project, content: str, reason: str
) -> None:
    source = project.write("export.json", content)
    before = sorted(p.name for p in (project.root / "dashboards").iterdir())
    result = project.run("adopt", str(source))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {source}: not a Grafana dashboard: {reason}")
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in (project.root / "dashboards").iterdir()) == before


def test_what_a_module_prints_stays_off_machine_output(project: Project) -> None:
    project.dashboard("d", "dash")
    module = project.root / "dashboards/d.py"
    module.write_text('print("hello from the module")\n' + module.read_text())
    result = project.run("lint", "--format", "json")
    assert json.loads(result.stdout)["findings"] is not None  # parses: nothing mixed in
    assert "hello from the module" in result.stderr
    built = project.run("build")
    assert built.exit_code == 0 and "hello from the module" not in built.stdout


@ONE_API
def test_a_selector_that_selects_nothing_lists_near_matches(synced: Synced) -> None:
    result = synced.run("sync", "--only", "phoenix-overveiw")
    assert result.exit_code == 2
    assert result.output == (
        "error: --only 'phoenix-overveiw' matches nothing; did you mean phoenix-overview?\n"
    )
    excluded = synced.run("diff", "--exclude", "alert-groupz")
    assert excluded.exit_code == 2 and "did you mean alert-group" in excluded.output
    assert writes(synced.grafana) == 0
    joined = synced.run(
        "sync", "--only", "dashboards,folders,datasources,library-panels"
    )  # gcx spelling
    assert joined.exit_code == 0, joined.output
    assert "10 to create" in joined.output  # 4 dashboards, 1 folder, 4 datasources, 1 library


@ONE_API
def test_pull_of_a_uid_grafana_lacks_lists_near_matches(synced: Synced) -> None:
    synced.grafana.require_emulator().quirks.search_lag = 0
    assert synced.run("sync").exit_code == 0
    out = synced.root / "pulled"
    result = synced.run(
        "pull", "--uid", "phoenix-overview", "--uid", "phoenix-overveiw", "--out", str(out)
    )
    assert result.exit_code == 2
    assert result.output == (
        "error: --uid 'phoenix-overveiw': no such dashboard in Grafana; "
        "did you mean phoenix-overview (Phoenix / Overview)?\n"
    )
    assert not out.exists()  # all read before any is written
    assert synced.run("pull", "--tag", "no-such-tag", "--out", str(out)).exit_code == 2


def test_build_being_a_file_is_one_line(project: Project) -> None:
    project.dashboard("d", "dash")
    (project.root / "build").write_text("not a directory")
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output == "error: build is a file, not a directory; nothing was written\n"
    assert (project.root / "build").read_text() == "not a directory"


def test_a_read_only_build_directory_changes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, for whom permissions do not apply: the file system refuses the way
    a read-only mount does."""
    project.dashboard("d", "dash")
    assert project.run("build").exit_code == 0
    before = project.build_files()
    project.dashboard("e", "other")

    def read_only(*args: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "rename", read_only)
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output == (
        "error: cannot write build/: Read-only file system; nothing was changed\n"
    )
    assert project.build_files() == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".build")] == []


@pytest.mark.parametrize("link", ["loop", "dangling"])
def test_a_bad_symbolic_link_among_the_modules_is_one_line(project: Project, link: str) -> None:
    project.dashboard("d", "dash")
    folder = project.root / "dashboards"
    if link == "loop":
        (folder / "a.py").symlink_to("b.py")
        (folder / "b.py").symlink_to("a.py")
        expected = "a symbolic link that loops"
    else:
        (folder / "a.py").symlink_to("/nonexistent/module.py")
        expected = "a link to /nonexistent/module.py, which does not exist"
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output == f"error: {folder / 'a.py'}: {expected}\n"
    assert project.build_files() == {}


def test_simulate_on_a_port_in_use_is_one_line() -> None:
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["simulate", "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 2
    assert result.output == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use (--port picks another)\n"
    )


def test_an_unforeseen_failure_is_one_line_not_a_traceback(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from phoenix_dash import build

    project.dashboard("d", "dash")
    monkeypatch.delenv("PHOENIX_DASH_DEBUG")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(build, "recorded_build", broken)
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output == (
        "error: unexpected RuntimeError: something nobody foresaw (a "
        "phoenix-dash bug: please report it; PHOENIX_DASH_DEBUG=1 shows the "
        "traceback)\n"
    )


@pytest.mark.parametrize("token", ["glsa_first\nglsa_second", "Bearer glsa_abc", "glsa_x\x07"])
def test_a_token_pasted_wrong_is_refused_without_quoting_it(
    project: Project, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.dashboard("d", "dash")
    project.write(
        "phoenix-dash.yaml",
        project.root.joinpath("phoenix-dash.yaml").read_text()
        + "grafana: {url: 'http://127.0.0.1:9'}\n",
    )
    monkeypatch.setenv("GRAFANA_TOKEN", token)
    result = project.run("diff")
    assert result.exit_code == 2
    assert result.output == (
        "error: $GRAFANA_TOKEN holds spaces, line breaks or control "
        "characters inside the token; it must be the token alone (no "
        "'Bearer ' prefix)\n"
    )
    assert "glsa_" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n", "the file is empty"),
        (b"version: 1\n\xff\xfe: x\n", "cannot read: 'utf-8' codec can't decode byte 0xff"),
        (b"- a list\n", "['a list'] is not of type 'object'"),
    ],
)
def test_a_settings_file_that_is_not_settings_is_one_line(
    project: Project, content: bytes, message: str
) -> None:
    (project.root / "phoenix-dash.yaml").write_bytes(content)
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output.startswith("error: phoenix-dash.yaml") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "worker-pool"])
def test_sync_reports_a_broken_build_before_an_unreachable_grafana(
    project: Project, workers: bool
) -> None:
    """sync connects to Grafana while worker processes render a large project; what it
    reports first is still the build's error, as when it built first."""
    from phoenix_dash.render import PARALLEL_MIN_MODULES

    for index in range(PARALLEL_MIN_MODULES if workers else 1):
        project.dashboard(f"d{index:03d}", f"uid-{index:03d}")
    project.write("dashboards/zbad.py", "raise RuntimeError('broken')\n")
    env = {**os.environ, "GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": "glsa_x"}
    # In a subprocess: a worker pool forks, and this process has threads.
    result = subprocess.run(
        [sys.executable, "-m", "phoenix_dash", "sync"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "error: dashboards/zbad.py:1: RuntimeError: broken"
