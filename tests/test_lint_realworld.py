"""Lint on any team's dashboards without noise: the production dashboards of ../shared/realworld
give only the errors docs/lint/realworld.md lists (each a real defect), `lint --fix` leaves no
info finding and no schema error and keeps what the authors wrote, a clean Grafana 12 export
gives no finding, and the catalog rules run only where a catalog applies."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from phoenix_dash.cli import main
from tests.support.grafana_schemas import REALWORLD
from tests.support.lint import documented_defects
from tests.support.project import ROOT, Project, oracle

EXPORT = ROOT / "tests" / "data" / "grafana12-ui-export.json"
SCHEMA_RULES = {"dashboard/schema", "panel/options-schema"}


def lint(*args: str, cwd: Path) -> Result:
    """Outside any project (a team linting dashboards that are not its own)."""
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, ["lint", "--format", "json", *args], catch_exceptions=False)


def findings(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def files() -> list[str]:
    return [arg for path in REALWORLD for arg in ("--json-file", str(oracle(path)))]


def test_no_error_and_each_warning_is_a_documented_defect(tmp_path: Path) -> None:
    found = findings(lint(*files(), cwd=tmp_path))
    assert [f for f in found if f["severity"] == "error"] == []
    warnings = {(Path(f["file"]).stem, f["rule"]) for f in found if f["severity"] == "warning"}
    assert warnings == documented_defects() and warnings
    assert not [f for f in found if f["rule"].startswith("catalog/")]  # no catalog applies
    infos = [f for f in found if f["severity"] == "info"]
    assert {f["rule"] for f in infos} <= {"dashboard/schema-defaults", "panel/options-defaults"}
    assert len(found) < 400  # 1,231 before the severity contract


def _kept(path: Path) -> tuple[list[str], list[str]]:
    """Every panel title and query expression of a dashboard file."""
    data = json.loads(path.read_text())
    data = data.get("dashboard", data)
    titles, exprs = [], []
    stack = list(data.get("panels") or []) + [
        p for row in data.get("rows") or [] for p in row.get("panels") or []
    ]
    while stack:
        panel = stack.pop()
        titles.append(str(panel.get("title") or ""))
        exprs += [str(t["expr"]) for t in panel.get("targets") or [] if t.get("expr")]
        stack += panel.get("panels") or []
    return sorted(titles), sorted(exprs)


def test_fix_leaves_no_info_and_no_schema_error_and_keeps_what_was_written(tmp_path: Path) -> None:
    out = tmp_path / "fixed"
    result = lint(*files(), "--fix", "--out", str(out), cwd=tmp_path)
    found = findings(result)
    assert [f for f in found if f["severity"] == "info"] == []
    assert [f for f in found if f["rule"] in SCHEMA_RULES] == []
    assert "fixed " in result.stderr and " added, " in result.stderr
    for path in REALWORLD:
        assert _kept(path) == _kept(out / path.name), path.name
    again = lint(
        *[a if a == "--json-file" else str(out / Path(a).name) for a in files()],
        "--fix",
        cwd=tmp_path,
    )
    assert "already in Grafana's shape" in again.stderr  # a fixed file is left as it is


def test_fix_writes_all_or_nothing_and_keeps_the_api_wrapper(tmp_path: Path) -> None:
    export = json.loads(EXPORT.read_text())
    del export["panels"][0]["fieldConfig"]["overrides"]  # a key Grafana fills in
    wrapped = tmp_path / "answer.json"
    wrapped.write_text(json.dumps({"meta": {"folderUid": "x"}, "dashboard": export}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"panels": [\n')
    before = wrapped.read_bytes()
    refused = lint("--json-file", str(wrapped), "--json-file", str(broken), "--fix", cwd=tmp_path)
    assert refused.exit_code == 2 and refused.output.startswith(f"error: {broken}:2:")
    assert wrapped.read_bytes() == before  # nothing written
    fixed = lint("--json-file", str(wrapped), "--fix", cwd=tmp_path)
    assert findings(fixed) == []
    rewritten = json.loads(wrapped.read_text())
    assert rewritten["meta"] == {"folderUid": "x"}
    assert rewritten["dashboard"]["panels"][0]["fieldConfig"]["overrides"] == []


def test_a_clean_grafana_12_export_gives_no_finding(tmp_path: Path) -> None:
    assert findings(lint("--json-file", str(EXPORT), cwd=tmp_path)) == []


def test_fix_on_the_project_changes_nothing() -> None:
    before = {p: p.read_bytes() for p in (ROOT / "build").rglob("*.json")}
    result = CliRunner().invoke(
        main, ["lint", "--fix", "--config", str(ROOT / "phoenix-dash.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "nothing to fix" in result.stderr
    assert {p: p.read_bytes() for p in (ROOT / "build").rglob("*.json")} == before


# --- lint.rules --------------------------------------------------------------------------------


def _project_with(project: Project, rules: str) -> str:
    project.dashboard("d", "dash")
    config = project.root / "phoenix-dash.yaml"
    config.write_text(config.read_text() + "lint:\n  rules:\n" + rules)
    return str(config)


def test_rules_change_severity_turn_off_and_take_options(project: Project) -> None:
    config = _project_with(
        project,
        "    panel/missing-description: error\n"
        "    template/unused-variable: off\n"
        "    alert/required-labels: {severity: warning, labels: [team]}\n",
    )
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--config", config])
    by_rule = {f["rule"]: f["severity"] for f in json.loads(result.output)["findings"]}
    assert by_rule.get("panel/missing-description") == "error"  # a policy rule turned on
    assert "template/unused-variable" not in by_rule
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "    panel/missing-descripton: warning\n",
            "unknown rule 'panel/missing-descripton'; did you mean panel/missing-description?",
        ),
        ("    panel/missing-description: loud\n", "'loud' is not valid under any"),
        (
            "    alert/required-labels: {labelz: [team]}\n",
            "unknown option 'labelz' (it takes: severity, labels)",
        ),
        ("    alert/required-labels: {labels: team}\n", "labels: expected a list, not 'team'"),
    ],
)
def test_bad_rule_settings_are_one_line_at_their_line(
    project: Project, rules: str, message: str
) -> None:
    config = _project_with(project, rules)
    result = CliRunner().invoke(main, ["lint", "--config", config])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: phoenix-dash.yaml:") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- catalogs ------------------------------------------------------------------------------------


def _queries_dashboard(path: Path) -> str:
    """The clean export, its queries swapped for ones a catalog can judge (the simulator's
    metrics: requests_total a counter, open_connections a gauge)."""
    export = json.loads(EXPORT.read_text())
    exprs = [
        'sum(rate(no_such_metric_total{job=~"$job"}[$__rate_interval]))',
        'sum(rate(open_connections{job=~"$job"}[$__rate_interval]))',
        'sum by (nope) (rate(requests_total{job=~"$job"}[$__rate_interval]))',
        'histogram_quantile(0.9, sum by (le) (rate(requests_total{job=~"$job"}'
        "[$__rate_interval])))",
    ]
    panels = []
    for index, expr in enumerate(exprs):
        panel = json.loads(json.dumps(export["panels"][0]))
        panel.update(id=index + 1, gridPos={"h": 8, "w": 6, "x": 6 * index, "y": 0})
        panel["targets"][0]["expr"] = expr
        panels.append(panel)
    export["panels"] = panels
    path.write_text(json.dumps(export))
    return str(path)


EXPECTED_CATALOG_RULES = {
    "catalog/unknown-metric",
    "catalog/rate-on-gauge",
    "catalog/unknown-label",
    "catalog/quantile-of-non-histogram",
}


def test_catalog_rules_run_with_a_catalog_file_and_not_without(tmp_path: Path) -> None:
    dashboard = _queries_dashboard(tmp_path / "d.json")
    without = findings(lint("--json-file", dashboard, cwd=tmp_path))
    assert not [f for f in without if f["rule"].startswith("catalog/")]
    catalog = str(ROOT / "metrics.yaml")
    with_file = findings(lint("--json-file", dashboard, "--catalog", catalog, cwd=tmp_path))
    assert {f["rule"] for f in with_file if f["rule"].startswith("catalog/")} == (
        EXPECTED_CATALOG_RULES
    )


@pytest.mark.slow
def test_a_live_catalog_from_a_real_prometheus(tmp_path: Path) -> None:
    """The simulator scraped by Debian's Prometheus: names, types and labels from its API."""
    from tests.support.prometheus_stack import Stack
    from tests.support.prometheus_stack import require_prometheus as prometheus

    prometheus()
    dashboard = _queries_dashboard(tmp_path / "d.json")
    stack = Stack()
    try:
        stack.wait_ready()
        found = findings(lint("--json-file", dashboard, "--prometheus", stack.url, cwd=tmp_path))
    finally:
        stack.stop()
    by_rule: dict[str, str] = {}
    for finding in found:
        if finding["rule"].startswith("catalog/"):
            by_rule[finding["rule"]] = by_rule.get(finding["rule"], "") + finding["message"]
    assert set(by_rule) == EXPECTED_CATALOG_RULES
    assert "no_such_metric_total" in by_rule["catalog/unknown-metric"]
    assert "open_connections" in by_rule["catalog/rate-on-gauge"]
    assert "'nope'" in by_rule["catalog/unknown-label"]


def test_a_live_catalog_refused_is_one_line(tmp_path: Path) -> None:
    result = lint("--json-file", str(EXPORT), "--prometheus", "http://127.0.0.1:9", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output == (
        "error: cannot reach Prometheus at http://127.0.0.1:9: connection refused\n"
    )
