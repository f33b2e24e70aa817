"""Every command under hostile input, as one table (tests/support/hostile.py): what a user
or a server can do wrong, and what the command must do then. The rule is the same for each:
one line naming the file, line or setting; the documented exit code (README, "Exit codes");
nothing written unless everything is; no traceback, and no "a phoenix-dash bug" line for
anything a user or a server causes. A new command gets its rows here."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from phoenix_dash.build import BUILD_KINDS, Build
from tests.support.hostile import (
    HTML_LOGIN,
    SERVER,
    Case,
    Outcome,
    Reply,
    make_template,
    prometheus,
    run,
    snapshot,
    workspace_from,
)
from tests.support.project import ROOT

DASHBOARD = json.loads((ROOT / "build/dashboards/phoenix-overview.json").read_text())
Setup = Callable[[Path], None]
Then = Callable[[Path, Outcome], None]


def write(rel: str, text: str) -> Setup:
    def setup(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return setup


def edit(rel: str, old: str, new: str) -> Setup:
    def setup(root: Path) -> None:
        text = (root / rel).read_text()
        assert old in text
        (root / rel).write_text(text.replace(old, new))

    return setup


def dashboard_file(rel: str, **changes: object) -> Setup:
    return write(rel, json.dumps({**DASHBOARD, **changes}))


def panels_at(rel: str, *grids: dict[str, float]) -> Setup:
    panels = [
        {**panel, "gridPos": {**panel["gridPos"], **grid}}
        for panel, grid in zip(DASHBOARD["panels"], grids, strict=False)
    ]
    return dashboard_file(rel, panels=panels + DASHBOARD["panels"][len(grids) :])


def steps(*setups: Setup) -> Setup:
    def setup(root: Path) -> None:
        for each in setups:
            each(root)

    return setup


def settings(extra: str) -> Setup:
    def setup(root: Path) -> None:
        config = root / "phoenix-dash.yaml"
        config.write_text(config.read_text() + extra)

    return setup


def module(name: str, body: str) -> Setup:
    """A dashboard module defining a valid dashboard after ``body`` ran."""
    return write(
        f"dashboards/{name}.py",
        f"{body}\nfrom grafanalib.core import Dashboard\n"
        f'dashboard = Dashboard(uid="{name}", title="{name}", panels=[])\n',
    )


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def committed(rel: str, text: str) -> Setup:
    """``rel`` committed with ``text`` (then the working tree's build/ again)."""

    def setup(root: Path) -> None:
        original = (root / rel).read_bytes()
        (root / rel).write_text(text)
        git(root, "commit", "-qam", "broken")
        (root / rel).write_bytes(original)

    return setup


def shallow_clone(root: Path) -> None:
    """The workspace as CI's default checkout has it: one commit of a longer history."""
    git(root, "commit", "--allow-empty", "-qm", "second")
    clone = root.parent / "shallow"
    git(root.parent, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    shutil.rmtree(root / ".git")
    shutil.move(clone / ".git", root / ".git")


def stem_only(expected: str) -> Then:
    def then(root: Path, outcome: Outcome) -> None:
        assert sorted(p.name for p in (root / "pictures").iterdir()) == [
            f"{expected}.png",
            f"{expected}.svg",
        ]

    return then


def fix_kept_link_and_mode(root: Path, outcome: Outcome) -> None:
    assert (root / "link.json").is_symlink(), "the link was replaced by a file"
    assert json.loads((root / "a.json").read_text())["schemaVersion"] == 42  # fixed
    assert stat.S_IMODE((root / "a.json").stat().st_mode) == 0o600


def link_and_private_export(root: Path) -> None:
    (root / "a.json").write_text((ROOT / "tests/data/grafana12-ui-export.json").read_text())
    (root / "a.json").chmod(0o600)
    (root / "link.json").symlink_to("a.json")


def json_on_stdout(root: Path, outcome: Outcome) -> None:
    assert json.loads(outcome.stdout)["dashboards"] == 2, outcome.stdout


def secret_not_echoed(root: Path, outcome: Outcome) -> None:
    assert "SECRET-VALUE" not in outcome.output


def quick(limit: float) -> Then:
    def then(root: Path, outcome: Outcome) -> None:
        assert outcome.seconds < limit, f"took {outcome.seconds:.1f} s"

    return then


def waited_and_said_so(root: Path, outcome: Outcome) -> None:
    assert re.search(r"waiting for http://127\.0\.0\.1:\d+: no answer for 5 s", outcome.stderr)


def picture_drawn(root: Path, outcome: Outcome) -> None:
    assert (root / "pictures/phoenix-overview.png").stat().st_size > 10_000


HANGS = Reply({"status": "success", "data": {"resultType": "vector", "result": []}}, delay=600)
NEVER_ENDS = "import threading, time\nthreading.Thread(target=time.sleep, args=(600,)).start()"
LIVE = ("render", "--dashboard-file", "d.json", "--prometheus", SERVER)
D_JSON = dashboard_file("d.json")


def matrix(*values: object, times: tuple[object, ...] = (1.0, 2.0)) -> Reply:
    series = [
        {"metric": {"job": "x"}, "values": [[t, v] for t, v in zip(times, values, strict=True)]}
    ]
    return prometheus({"resultType": "matrix", "result": series})


def timeout(seconds: str) -> Setup:
    def setup(root: Path) -> None:
        config = root / "phoenix-dash.yaml"
        text = config.read_text().replace("prometheus:\n", f"prometheus:\n  timeout: {seconds}\n")
        config.write_text(text)

    return setup


CASES = [
    # --- writes where it must not, or the wrong thing --------------------------------------
    Case(
        "render: a uid that climbs out of --out",
        ("render", "--dashboard-file", "evil.json", "--out", "pictures"),
        0,
        "wrote pictures/x-docs-pictures-phoenix-overview.png",
        steps(
            dashboard_file("evil.json", uid="./../../../x/docs/pictures/phoenix-overview"),
            write("docs/pictures/phoenix-overview.png", "committed picture"),
        ),
        kept=("docs", "build"),
        then=stem_only("x-docs-pictures-phoenix-overview"),
    ),
    Case(
        "render: two dashboards, one picture name",
        ("render", "--dashboard-file", "a.json", "--dashboard-file", "b.json"),
        2,
        "error: b.json: its picture would be x-overview.png, as a.json's is",
        steps(
            dashboard_file("a.json", uid="../x/overview"),
            dashboard_file("b.json", uid="x-overview"),
        ),
        absent=("pictures",),
    ),
    Case(
        "lint --fix: two inputs with one name into --out",
        ("lint", "--fix", "--json-file", "a.json", "--json-file", "sub/a.json", "--out", "fixed"),
        2,
        "error: sub/a.json: would be written to fixed/a.json, as a.json would be",
        steps(dashboard_file("a.json"), dashboard_file("sub/a.json")),
        kept=("a.json", "sub"),
        absent=("fixed",),
    ),
    Case(
        "lint --fix: one file given twice",
        ("lint", "--fix", "--json-file", "a.json", "--json-file", "./a.json"),
        2,
        "error: a.json: is the same file as a.json: nothing was written",
        dashboard_file("a.json", schemaVersion=30),
        kept=("a.json",),
    ),
    Case(
        "lint --fix: a link, and a private file",
        ("lint", "--fix", "--json-file", "link.json"),
        0,
        "fixed link.json",
        link_and_private_export,
        then=fix_kept_link_and_mode,
    ),
    Case(
        "init: a file where a folder belongs",
        ("init", "new"),
        2,
        "error: new/dashboards is a file, where init needs a folder; nothing was written",
        write("new/dashboards", "mine"),
        kept=("new",),
    ),
    Case(
        "build --check: setuptools' build/lib beside phoenix-dash's output",
        ("build", "--check"),
        0,
        "build/ is up to date",
        steps(write("build/lib/phoenix_dash/x.py", ""), write("build/bdist.linux/y", "")),
    ),
    Case(
        "build: keeps what is not phoenix-dash's in build/",
        ("build",),
        0,
        "build/dashboards/extra.json (new)",
        steps(write("build/lib/phoenix_dash/x.py", "kept"), module("extra", "")),
        kept=("build/lib",),
    ),
    # --- hangs ---------------------------------------------------------------------------------
    Case(
        "render --prometheus: a server that accepts and never answers",
        LIVE,
        2,
        "error: cannot reach Prometheus at http://127.0.0.1:",
        steps(D_JSON, timeout("7s")),
        replies={"/": HANGS},
        absent=("pictures",),
        then=waited_and_said_so,
        seconds=30,
    ),
    Case(
        "render --prometheus: a server that answers the probe, then keeps quiet",
        LIVE,
        0,
        "queries without data, e.g. ",
        steps(D_JSON, timeout("2s")),
        replies={
            "/api/v1/query_range": HANGS,
            "/api/v1/query": prometheus({"resultType": "vector", "result": []}),
        },
        then=picture_drawn,
        seconds=30,
    ),
    Case(
        "build: a module that starts a thread that never ends",
        ("build",),
        0,
        "built 2 dashboards",
        module("threads", NEVER_ENDS),
        kept=(),
        seconds=30,
    ),
    Case(
        "build in worker processes: a module that starts a thread that never ends",
        ("build", "--jobs", "2"),
        0,
        "built 72 dashboards",
        steps(*(module(f"m{n:02}", "") for n in range(70)), module("threads", NEVER_ENDS)),
        kept=(),
        seconds=60,
    ),
    # --- crashes ----------------------------------------------------------------------------
    Case(
        "render: a panel a million rows down, another a billion tall",
        ("render", "--dashboard-file", "d.json"),
        0,
        "wrote pictures/phoenix-overview.png",
        panels_at("d.json", {}, {"y": 1_000_000}, {"h": 1e9}),
        then=picture_drawn,
    ),
    Case(
        "render --prometheus: data is null",
        LIVE,
        0,
        "warning: ",
        D_JSON,
        replies={"/api/v1/query_range": prometheus(None), "/api/v1/query": prometheus(None)},
        then=picture_drawn,
    ),
    Case(
        "render --prometheus: NaN, infinities and 1e308",
        LIVE,
        0,
        "wrote pictures/phoenix-overview.png",
        D_JSON,
        replies={
            "/api/v1/query_range": matrix("NaN", "+Inf", "-Inf", "1e308", times=(1, 2, 3, 4)),
            "/api/v1/query": prometheus({"resultType": "vector", "result": []}),
        },
        then=picture_drawn,
    ),
    Case(
        "render --prometheus: a timestamp that is no number",
        LIVE,
        0,
        "malformed answer: a timestamp is 'soon', not a number",
        D_JSON,
        replies={
            "/api/v1/query_range": matrix("1", "2", times=("soon", 2)),
            "/api/v1/query": prometheus({"resultType": "vector", "result": []}),
        },
        then=picture_drawn,
    ),
    Case(
        "check: data is null",
        ("check", "--prometheus", SERVER),
        1,
        "malformed answer: data is null, not an object",
        replies={"/": prometheus(None)},
    ),
    Case(
        "lint --prometheus: data is null",
        ("lint", "--prometheus", SERVER),
        2,
        "/api/v1/label/__name__/values answered malformed data: expected a list, not null",
        replies={"/": prometheus(None)},
    ),
    Case(
        "diff --against: merge conflict markers in the revision's build/",
        ("diff", "--against", "HEAD"),
        2,
        "error: build/dashboards/my-service.json at HEAD: invalid JSON at line 1",
        committed("build/dashboards/my-service.json", "<<<<<<< HEAD\n{}\n=======\n"),
    ),
    Case(
        "diff --against: a JSON list in the revision's build/",
        ("diff", "--against", "HEAD"),
        2,
        "error: build/dashboards/my-service.json at HEAD: a JSON list, where build writes an "
        "object",
        committed("build/dashboards/my-service.json", "[1, 2]"),
    ),
    Case(
        "Ctrl-C while a worker pool builds",
        ("build", "--jobs", "2"),
        130,
        "interrupted: stopped.",
        steps(
            *(module(f"m{n:02}", "") for n in range(70)),
            module("m99", "import time\ntime.sleep(60)"),
        ),
        interrupt_after=6,
        seconds=30,
    ),
    # --- wrong exit code or broken machine output --------------------------------------------
    Case(
        "render --prometheus: an SSO page",
        LIVE,
        2,
        "answered with an HTML page (200), not Prometheus's API",
        D_JSON,
        replies={"/": HTML_LOGIN},
        absent=("pictures",),
    ),
    Case(
        "check: a result that is a string",
        ("check", "--prometheus", SERVER),
        1,
        "malformed answer: a vector result is 'up', not a list",
        replies={"/": prometheus({"resultType": "vector", "result": "up"})},
    ),
    Case(
        "build --format json: a module that writes to descriptor 1",
        ("build", "--format", "json"),
        0,
        '"dashboards": 2',
        module(
            "noisy",
            "import os, subprocess, sys\nos.write(1, b'raw\\n')\n"
            "subprocess.run([sys.executable, '-c', 'print(42)'])\nprint('printed')",
        ),
        kept=(),
        then=json_on_stdout,
    ),
    Case(
        "build: an alert condition that compares nothing",
        ("build",),
        2,
        "compares nothing",
        edit("alerts/service.py", '"$B < 1"', '"$B * 1"'),
        kept=("build",),
    ),
    Case(
        "diff: Grafana answers 500 to the first request",
        ("diff",),
        2,
        "nothing was planned or changed",
        env={"GRAFANA_URL": SERVER},
        replies={"/": Reply({"message": "database is locked"}, 500)},
    ),
    # --- unclear or slow ------------------------------------------------------------------------
    Case(
        "diff: a refused connection to Grafana",
        ("diff",),
        2,
        "error: cannot connect to http://127.0.0.1:9/api/health: connection refused",
        env={"GRAFANA_URL": "http://127.0.0.1:9"},
        then=quick(4),
    ),
    Case(
        "check: a refused connection to Prometheus",
        ("check", "--prometheus", "http://127.0.0.1:9"),
        2,
        "error: cannot reach Prometheus at http://127.0.0.1:9: connection refused",
    ),
    Case(
        "check: a server slower than the timeout",
        ("check", "--prometheus", SERVER),
        2,
        "no answer within 7 s",
        timeout("7s"),
        replies={"/": HANGS},
        then=waited_and_said_so,
        seconds=30,
    ),
    Case(
        "diff --against: an unknown revision",
        ("diff", "--against", "no-such-branch"),
        2,
        "error: --against no-such-branch: unknown revision",
    ),
    Case(
        "diff --against: an empty revision",
        ("diff", "--against", ""),
        2,
        "error: --against '': not a revision",
    ),
    Case(
        "diff --against: an option where the revision goes",
        ("diff", "--against=--output=/tmp/x"),
        2,
        "error: --against '--output=/tmp/x': not a revision",
    ),
    Case(
        "diff --against: a revision a shallow clone does not have",
        ("diff", "--against", "HEAD~1"),
        2,
        "unknown revision in this shallow clone: fetch its history (`git fetch --unshallow`; "
        "GitHub Actions: actions/checkout with `fetch-depth: 0`)",
        shallow_clone,
    ),
    Case(
        "diff --against: a revision without build/",
        ("diff", "--against", "HEAD~1"),
        2,
        "error: HEAD~1 has no build/: there is nothing to compare with",
        steps(
            lambda root: git(root, "rm", "-rq", "--cached", "build"),
            lambda root: git(root, "commit", "-qm", "no build"),
            lambda root: git(root, "add", "build"),
            lambda root: git(root, "commit", "-qm", "build again"),
        ),
    ),
    Case(
        "an invalid PHOENIX_DASH_<COMMAND>_<OPTION>",
        ("build",),
        2,
        "error: $PHOENIX_DASH_BUILD_JOBS: 'many' is not a valid integer range (it sets -j / "
        "--jobs)",
        env={"PHOENIX_DASH_BUILD_JOBS": "many"},
    ),
    Case(
        "diff --only: a typo, and Grafana unreachable",
        ("diff", "--only", "dashbords"),
        2,
        "error: --only 'dashbords' matches nothing; did you mean dashboards",
        env={"GRAFANA_URL": "http://127.0.0.1:9"},
    ),
    Case(
        "render: CJK and emoji titles",
        ("render", "--dashboard-file", "d.json"),
        0,
        "wrote pictures/phoenix-overview.png",
        dashboard_file(
            "d.json",
            title="\U0001f680 \u76d1\u63a7 \u30c7\u30d7\u30ed\u30a4",
            panels=[
                {**panel, "title": f"\u30a8\u30e9\u30fc \U0001f525 {panel.get('title')}"}
                for panel in DASHBOARD["panels"]
            ],
        ),
    ),
    Case(
        "route: a project without notifications",
        ("route", "severity=critical"),
        2,
        "error: phoenix-dash.yaml: paths.notifications: not set: route answers from a "
        "notifications.yaml it names",
        edit("phoenix-dash.yaml", "  notifications: notifications.yaml\n", ""),
    ),
    Case(
        "build: a secret written as its value in notifications.yaml",
        ("build",),
        2,
        "notifications.yaml:5: contact_points[0].settings.url: is a secret: write it "
        "{env: VARIABLE}, never its value",
        steps(
            write(
                "notifications.yaml",
                "contact_points:\n  - name: chat\n    type: slack\n    settings:\n"
                "      url: https://hooks.slack.com/services/T0/B0/SECRET-VALUE\n",
            ),
        ),
        then=secret_not_echoed,
    ),
    Case(
        "adopt --datasource: a mapping that is not NAME=DATASOURCE",
        ("adopt", "d.json", "--datasource", "DS_PROMETHEUS"),
        2,
        "error: --datasource 'DS_PROMETHEUS' is not NAME=DATASOURCE (DS_PROMETHEUS=prometheus)",
        D_JSON,
        absent=("dashboards/d.py",),
    ),
    Case(
        "adopt: an export's input of a type the project has no datasource of",
        ("adopt", "export.json"),
        2,
        "datasource input ${DS_LOKI} (a loki datasource, from __inputs) is none of this "
        "project's: map it with --datasource 'DS_LOKI'=<name>",
        dashboard_file(
            "export.json",
            __inputs=[{"name": "DS_LOKI", "type": "datasource", "pluginId": "loki"}],
            panels=[
                {
                    "id": 1,
                    "type": "logs",
                    "title": "Logs",
                    "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                    "datasource": {"type": "loki", "uid": "${DS_LOKI}"},
                    "targets": [{"refId": "A", "expr": '{job="x"}'}],
                }
            ],
        ),
        kept=("dashboards",),
    ),
    # --- earlier rounds ---------------------------------------------------------------------
    Case(
        "a settings file that is not YAML",
        ("build",),
        2,
        "error: phoenix-dash.yaml:",
        settings("paths: [\n"),
        kept=("build",),
    ),
    Case(
        "a module with a syntax error",
        ("build",),
        2,
        "error: dashboards/broken.py:1: syntax error",
        write("dashboards/broken.py", "dashboard = (\n"),
    ),
    Case(
        "a uid Grafana refuses",
        ("build",),
        2,
        "dashboard uid 'has spaces' is invalid",
        write(
            "dashboards/bad.py",
            "from grafanalib.core import Dashboard\n"
            "dashboard = Dashboard(uid='has spaces', title='x', panels=[])\n",
        ),
    ),
    Case(
        "lint --json-file: a file that is not there",
        ("lint", "--json-file", "missing.json"),
        2,
        "missing.json",
    ),
    Case(
        "lint --json-file: a file that is not JSON",
        ("lint", "--json-file", "bad.json"),
        2,
        "error: bad.json:2: invalid JSON",
        write("bad.json", "{\n  nope\n}\n"),
    ),
    Case(
        "render --only: a uid that names no dashboard",
        ("render", "--only", "my-servce"),
        2,
        "error: --only 'my-servce': no dashboard has this uid; did you mean my-service?",
        absent=("pictures",),
    ),
    Case(
        "sync: an SSO page where Grafana should be",
        ("sync",),
        2,
        "answered with an HTML page",
        env={"GRAFANA_URL": SERVER},
        replies={"/": HTML_LOGIN},
    ),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("hostile") / "template")


# Cases that wait out a timeout or a hanging server: outside `pytest -m "not slow"`.
WAITING = {
    "render --prometheus: a server that accepts and never answers",
    "check: a server slower than the timeout",
    "render --prometheus: a server that answers the probe, then keeps quiet",
    "Ctrl-C while a worker pool builds",
}
# Cases whose command draws a picture (a second of matplotlib's import and drawing each):
# outside it too, but for the uid that would climb out of --out (the inner loop keeps the
# Phoenix pictures, test_pictures.py).
DRAWING = {
    "render --prometheus: NaN, infinities and 1e308",
    "render --prometheus: data is null",
    "render --prometheus: a timestamp that is no number",
    "render: CJK and emoji titles",
    "render: a panel a million rows down, another a billion tall",
}
assert {case.id for case in CASES} >= WAITING | DRAWING


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case, id=case.id, marks=[pytest.mark.slow] if case.id in WAITING | DRAWING else []
        )
        for case in CASES
    ],
)
def test_hostile_input(case: Case, template: Path, tmp_path: Path) -> None:
    root = workspace_from(template, tmp_path / "workspace")
    if case.setup is not None:
        case.setup(root)
    before = snapshot(root, case.kept)
    outcome = run(case, root)
    shown = f"exit {outcome.exit}\n--- stdout\n{outcome.stdout}--- stderr\n{outcome.stderr}"
    assert outcome.exit == case.exit, shown
    assert case.says in outcome.output, shown
    assert "Traceback" not in outcome.output and "phoenix-dash bug" not in outcome.output, shown
    assert "Glyph" not in outcome.stderr, shown  # matplotlib's per-character warnings
    if case.exit == 2:
        errors = [line for line in outcome.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and case.says in errors[0], shown
    assert snapshot(root, case.kept) == before, shown
    for rel in case.absent:
        assert not (root / rel).exists(), f"{rel} was written\n{shown}"
    if case.then is not None:
        case.then(root, outcome)


def test_every_build_kind_is_one_phoenix_dash_owns(repo_build: Build) -> None:
    """build --check and build leave alone what is not theirs in build/: so everything they
    write must be under a folder they own."""
    assert {path.split("/", 1)[0] for path in repo_build.files()} <= set(BUILD_KINDS)


def test_setuptools_builds_outside_build() -> None:
    """`pip install .` from a clone used to put build/lib and build/bdist.* into the
    committed build/ (setuptools' default build folder)."""
    import configparser

    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    base = parser.get("build", "build_base")
    assert base and Path(base).parts[0] != "build", base
    assert f"{base}/" in (ROOT / ".gitignore").read_text().splitlines()


def test_an_edit_the_bytecode_cache_cannot_see_is_built(template: Path, tmp_path: Path) -> None:
    """Python trusts a cached .pyc on the source's size and whole-second mtime: an edit
    within the same second, or a checkout of a change of the same size, must still be built."""
    root = workspace_from(template, tmp_path / "workspace")
    helper = root / "dashboards/_titles.py"
    helper.write_text('TITLE = "First title"\n')
    module_file = root / "dashboards/service.py"
    module_file.write_text(
        "from dashboards._titles import TITLE\n"
        + module_file.read_text().replace('title="My service"', "title=TITLE", 1)
    )
    assert "title=TITLE" in module_file.read_text()
    run_build = Case("build", ("build",), 0, "built")
    assert run(run_build, root).exit == 0
    built = root / "build/dashboards/my-service.json"
    assert json.loads(built.read_text())["title"] == "First title"
    stat_before = helper.stat()
    helper.write_text('TITLE = "Other title"\n')  # the same size
    os.utime(helper, ns=(stat_before.st_atime_ns, stat_before.st_mtime_ns))
    assert run(run_build, root).exit == 0
    assert json.loads(built.read_text())["title"] == "Other title"


def test_init_that_fails_half_way_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder init may not write (a read-only one, a full disk): what it wrote so far is
    gone, and the line names the path."""
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    (tmp_path / "project").mkdir()
    (tmp_path / "project/README.md").write_text("mine")
    real_rename = os.rename
    renamed: list[str] = []

    def rename_then_refuse(source: str, target: str) -> None:
        if len(renamed) == 2:
            raise PermissionError(13, "Permission denied", str(target))
        real_rename(source, target)
        renamed.append(str(target))

    monkeypatch.setattr(os, "rename", rename_then_refuse)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "project")])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: cannot write {tmp_path}/project/")
    assert result.output.rstrip().endswith("Permission denied; nothing was written")
    assert len(renamed) == 2  # two were in place before the failure, and are gone again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    assert sorted(p.name for p in (tmp_path / "project").iterdir()) == ["README.md"]
