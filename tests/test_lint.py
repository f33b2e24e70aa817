"""phoenix-dash lint: the corpus of broken definitions, formats, exit codes, suppressions."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from phoenix_dash.cli import main
from phoenix_dash.lint.runner import lint_files, lint_json
from tests.support.grafana_schemas import REALWORLD
from tests.support.lint import EVERY_RULE
from tests.support.project import ROOT, Project, oracle

CORPUS = Path(__file__).parent / "lint_corpus"


def run(*args: str, cwd: Path | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    with contextlib.chdir(cwd):
        return runner.invoke(main, list(args), catch_exceptions=False)


def expected(name: str) -> list[str]:
    return (CORPUS / name).read_text().splitlines()


def test_broken_project_findings_point_at_python_lines(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CORPUS / "project", project)
    result = run("lint", "--format", "json", "--config", str(project / "phoenix-dash.yaml"))
    assert result.exit_code == 1
    found = [f"{f['file']}:{f['line']} {f['rule']}" for f in json.loads(result.output)["findings"]]
    assert found == expected("project/expected.txt")


def test_broken_dashboard_json_findings_point_at_json_lines_and_paths() -> None:
    found = lint_files([CORPUS / "broken-dashboard.json"], None, 15, settings=EVERY_RULE)
    assert [f"{f.line} {f.path} {f.rule}" for f in found] == expected("broken-dashboard.expected")
    assert all(f.file.endswith("broken-dashboard.json") for f in found)


def test_a_dashboard_as_the_api_answers_it_gets_lines_too(tmp_path: Path) -> None:
    source = (CORPUS / "broken-dashboard.json").read_text()
    wrapped = tmp_path / "answer.json"
    wrapped.write_text('{"meta": {"folderUid": "x"},\n "dashboard": ' + source + "}")
    direct = lint_files([CORPUS / "broken-dashboard.json"], None, 15)
    found = lint_files([wrapped], None, 15)
    assert [(f.line, f.path, f.rule) for f in found] == [
        ((f.line or 0) + 1, f.path, f.rule) for f in direct
    ]  # one line further down


def test_broken_alert_rules() -> None:
    group = json.loads((CORPUS / "broken-alerts.json").read_text())
    found = lint_json([], [group], settings=EVERY_RULE)
    assert [f"{f.path} {f.rule}" for f in found] == expected("broken-alerts.expected")


def test_exit_codes_and_fail_on() -> None:
    dashboard = str(CORPUS / "broken-dashboard.json")
    assert run("lint", "--json-file", dashboard).exit_code == 1
    clean = str(ROOT / "build/dashboards/phoenix-overview.json")
    assert (
        run("lint", "--json-file", clean, "--config", str(ROOT / "phoenix-dash.yaml")).exit_code
        == 0
    )
    assert run("lint", "--format", "nope").exit_code == 2


def test_text_format_groups_by_file() -> None:
    result = run("lint", "--json-file", str(CORPUS / "broken-dashboard.json"))
    lines = result.output.splitlines()
    assert lines[0].endswith("broken-dashboard.json")
    assert any("[panel/grid-overlap]" in line and "error" in line for line in lines)
    assert lines[-1] == "20 findings (8 errors, 10 warnings, 2 infos)"  # the Phoenix policy on


def test_github_format() -> None:
    result = run("lint", "--format", "github", "--json-file", str(CORPUS / "broken-dashboard.json"))
    lines = result.output.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(
        "line=20,title=panel/grid-overlap::panel 'B' overlaps panel 'A'" in line for line in lines
    )


def test_sarif_format() -> None:
    result = run("lint", "--format", "sarif", "--json-file", str(CORPUS / "broken-dashboard.json"))
    sarif = json.loads(result.output)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert len(run_["results"]) == 20
    for res in run_["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")


def test_list_rules() -> None:
    result = run("lint", "--list-rules")
    assert result.exit_code == 0
    assert "catalog/unknown-metric" in result.output and "promql/syntax" in result.output


def test_list_rules_shows_the_severity_the_project_gives_each_rule(tmp_path: Path) -> None:
    """In a project made by init, whose settings turn policy rules on: as they apply there,
    with the rule's default beside a changed one."""
    assert run("init", str(tmp_path)).exit_code == 0
    listed = run("lint", "--list-rules", cwd=tmp_path)
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line.split()[1:] for line in listed.output.splitlines()}
    assert lines["panel/missing-description"][0] == "warning"
    assert listed.output.count("(default off)") >= 3
    assert lines["promql/syntax"][0] == "error" and "(default" not in " ".join(
        lines["promql/syntax"]
    )
    as_json = json.loads(run("lint", "--list-rules", "--format", "json", cwd=tmp_path).output)
    by_id = {rule["id"]: rule for rule in as_json}
    assert by_id["alert/severity"]["severity"] == "error"
    assert by_id["alert/severity"]["default_severity"] == "off"
    everywhere = run("lint", "--list-rules", cwd=tmp_path.parent)  # no project: the defaults
    assert "(default" not in everywhere.output


def test_malformed_json_file_is_one_line_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "panels": [\n    {"type": "stat",}\n  ]\n}\n')
    result = run("lint", "--json-file", str(bad))
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"error: {bad}:3: invalid JSON: Expecting property name "
        "enclosed in double quotes"
    )


def test_module_that_raises_is_the_same_error_as_build(project: Project) -> None:
    project.write("dashboards/a.py", "raise ValueError('boom')\n")
    result = project.run("lint")
    assert result.exit_code == 2
    assert result.output.strip() == "error: dashboards/a.py:1: ValueError: boom"


SUPPRESS = """\
  suppress:
    - rule: panel/missing-description
      target: broken / No description
      reason: the title says it all
    - rule: panel/unknown-unit
      target: Bad unit
      reason: waiting for a custom unit
      expires: 2020-01-01
    - rule: promql/syntax
      target: nowhere
      reason: stale
"""


def test_suppressions_hide_match_expire_and_go_stale(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CORPUS / "project", project)
    config = project / "phoenix-dash.yaml"
    config.write_text(config.read_text() + SUPPRESS)
    result = run("lint", "--format", "json", "--fail-on", "info", "--config", str(config))
    findings = json.loads(result.output)["findings"]
    rules = [f["rule"] for f in findings]
    assert "panel/missing-description" not in rules
    assert "panel/unknown-unit" in rules  # the suppression expired...
    expired = next(f for f in findings if f["rule"] == "lint/expired-suppression")
    assert expired["file"] == "phoenix-dash.yaml" and expired["line"] == 27
    assert "expired on 2020-01-01" in expired["message"]  # ...and says so
    unused = next(f for f in findings if f["rule"] == "lint/unused-suppression")
    assert unused["line"] == 31


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    - {rule: promql/syntax, target: x}\n", "'reason' is a required property"),
        (
            "    - {rule: no/such-rule, target: x, reason: because}\n",
            "lint.suppress: unknown rule 'no/such-rule'",
        ),
        (
            "    - {rule: promql/syntax, target: x, reason: because, expires: soon}\n",
            "'soon' is not a date like 2027-03-01",
        ),
    ],
)
def test_bad_suppressions_are_config_errors(entry: str, message: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CORPUS / "project", project)
    config = project / "phoenix-dash.yaml"
    config.write_text(config.read_text() + "  suppress:\n" + entry)  # under its lint:
    result = run("lint", "--config", str(config))
    assert result.exit_code == 2
    assert result.output.startswith("error: phoenix-dash.yaml:") and message in result.output


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.stem)
def test_realworld_dashboards_get_findings_not_crashes(path: Path) -> None:
    found = lint_files([oracle(path)], None, 15)
    assert found
    assert {f.file for f in found} == {str(path)}
