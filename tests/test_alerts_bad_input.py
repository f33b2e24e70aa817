"""Bad alert definitions and thresholds: one line naming the place, exit 2, nothing written."""

from __future__ import annotations

import shutil

import pytest

from tests.support.alerts import CONFIG, RULE_MODULE, alert_project
from tests.support.project import ROOT, Project


def test_a_good_rule_builds(project: Project) -> None:
    alert_project(project, '    rule("Up", uid="up-rule"),')
    result = project.run("build")
    assert result.exit_code == 0, result.output
    assert "alerts/grafana/ops/ops.json" in project.build_files()


BAD_RULES = {
    "missing condition refId": (
        '    rule("Up", condition="Z"),',
        0,
        "rule 'Up': condition 'Z' is not one of the refIds A, B, C",
    ),
    "reference to a missing refId": (
        '    rule("Up", threshold="$X > 1"),',
        0,
        "rule 'Up': C refers to missing refId 'X'",
    ),
    "cycle": ('    rule("Up", threshold="$C > 1"),', 0, "expressions form a cycle C -> C"),
    "bad for": (
        '    rule("Up", for_="5 minutes"),',
        0,
        "rule 'Up': for: '5 minutes' is not a duration like 30s, 5m or 1h30m",
    ),
    "duplicate uid": (
        '    rule("Up", uid="same"),\n    rule("Down", uid="same"),',
        1,
        "rule uid 'same' is already used (at alerts/rules.py:",
    ),
    "duplicate title": (
        '    rule("Up"),\n    rule("Up"),',
        1,
        "rule title 'Up' is already used in folder 'ops' (at alerts/rules.py:",
    ),
    "invalid uid": (
        '    rule("Up", uid="no spaces allowed"),',
        0,
        "uid 'no spaces allowed' is invalid",
    ),
    "condition that compares nothing": (
        '    rule("Up", condition="B"),',
        0,
        "condition 'B' compares nothing",
    ),
    "math condition that compares nothing": (
        '    rule("Up", threshold="$B * 2"),',
        0,
        "condition 'C' compares nothing",
    ),
    "dashboard variable in the query": (
        """    rule("Up", expr='up{job="$job"}'),""",
        0,
        "rule 'Up': query A uses the dashboard variable $job, which an alert rule cannot "
        "resolve: the rule could never fire",
    ),
    # Found when the rule is compiled to PromQL (the Prometheus form), after loading.
    "counting an instant query": (
        '    rule("Up", condition="E", extra=(AlertExpression(refId="D", expression="A", '
        'expressionType="reduce", reduceFunction="count", reduceMode="dropNN"), '
        'AlertExpression(refId="E", expression="$D > 1", expressionType="math"))),',
        0,
        "rule 'Up': D counts the samples of an instant query, which is always 1",
    ),
    # Grafana refuses __dashboardUid__ without __panelId__ (BEHAVIOR.md R7).
    "dashboard without a panel": (
        '    rule("Up", dashboard_uid="dash"),',
        0,
        "rule 'Up': dashboard_uid without panel_id (Grafana needs both, or neither)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_bad_rule_is_one_line_with_location(case: str, project: Project) -> None:
    rules, offset, message = BAD_RULES[case]
    alert_project(project, rules)
    lines = (project.root / "alerts/rules.py").read_text().splitlines()
    line = lines.index(rules.splitlines()[0]) + 1 + offset  # the rule's own line
    result = project.run("build")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: alerts/rules.py:{line}: "), result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert project.build_files() == {}


def test_bad_group_settings(project: Project) -> None:
    alert_project(project, '    rule("Up"),', interval="15s")
    assert "interval '15s' must be a positive multiple of 10s" in project.run("build").output
    alert_project(project, '    rule("Up"),', folder="nope")
    result = project.run("build")
    assert result.exit_code == 2
    assert "folder 'nope' is not in phoenix-dash.yaml folders (known: ops)" in result.output


def thresholds_project(project: Project, quotas: str) -> Project:
    project.write("phoenix-dash.yaml", CONFIG)
    project.dashboard("d", "dash")
    shutil.copy(ROOT / "alerts/thresholds.schema.json", project.root / "alerts.schema.json")
    project.write(
        "thresholds.yaml",
        f"""\
quotas:
{quotas}
slos:
  request_error_ratio: 5%
  request_latency_p99: 1s
  task_failure_ratio: 10%
  task_queue_time_p95: 30s
  plan_success_rate_min: 90%
  system_load_score_max: 85%
  cache_hit_ratio_min: 70%
  agent_health_score_min: 70%
agents:
  git: {{error_ratio: 5%, queue_depth: 20}}
  llm_router: {{error_ratio: 10%, queue_depth: 50}}
  obsidian: {{error_ratio: 5%, queue_depth: 20}}
""",
    )
    project.write(
        "alerts/rules.py",
        RULE_MODULE
        + """\
from pathlib import Path

from phoenix_dash.values import load_values

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = load_values(ROOT / "thresholds.yaml", ROOT / "alerts.schema.json",
                         display="thresholds.yaml")
LIMIT = THRESHOLDS["quotas"]["memory"]["limit"]
alertgroup = AlertGroup(name="ops", folder="ops", rules=[rule("Memory", threshold=f"$B > {LIMIT}")])
""",
    )
    return project


GOOD_QUOTAS = {
    "cpu": "  cpu: {limit: '32', request: '16', alert_at: 80%}",
    "memory": "  memory: {limit: 64Gi, request: 32Gi, alert_at: 85%}",
    "storage": "  storage: {limit: 500Gi, request: 200Gi, alert_at: 75%}",
}
BAD_QUOTAS = {
    "unknown key": (
        "  gpu: {limit: '1', request: '1', alert_at: 50%}",
        5,
        "quotas: Additional properties are not allowed ('gpu' was unexpected)",
    ),
    "bad unit": (
        "  memory: {limit: 64GB, request: 32Gi, alert_at: 85%}",
        3,
        "quotas.memory.limit: '64GB' has an unknown unit 'GB'",
    ),
    "over 100 %": (
        "  memory: {limit: 64Gi, request: 32Gi, alert_at: 120%}",
        3,
        "quotas.memory.alert_at: '120%' is not a percentage between 0 and 100 %",
    ),
    "negative": (
        "  memory: {limit: -64Gi, request: 32Gi, alert_at: 85%}",
        3,
        "quotas.memory.limit: '-64Gi' is negative",
    ),
    "bare number for a percentage": (
        "  memory: {limit: 64Gi, request: 32Gi, alert_at: 0.85}",
        3,
        "quotas.memory.alert_at: 0.85 is not of type 'string'",
    ),
}


def test_good_thresholds_load(project: Project) -> None:
    thresholds_project(project, "\n".join(GOOD_QUOTAS.values()))
    result = project.run("build")
    assert result.exit_code == 0, result.output
    rules = project.build_files()["alerts/prometheus/alert-rules.yaml"].decode()
    assert f"(up) > {64 * 2**30}" in rules  # 64Gi, from the thresholds file


@pytest.mark.parametrize("case", sorted(BAD_QUOTAS))
def test_bad_thresholds_are_one_line_with_file_line_and_key(case: str, project: Project) -> None:
    replacement, line, message = BAD_QUOTAS[case]
    quotas = dict(GOOD_QUOTAS)
    key = "gpu" if case == "unknown key" else "memory"
    quotas[key] = replacement
    thresholds_project(project, "\n".join(quotas.values()))
    result = project.run("build")
    assert result.exit_code == 2
    assert result.output.startswith(f"error: thresholds.yaml:{line}: "), result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert project.build_files() == {}
