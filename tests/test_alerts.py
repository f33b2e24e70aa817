"""Alert rules: the three emitted forms, their equivalence, and the promtool unit tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from phoenix_dash.alerting.promtool import alert_test_files, coverage, run_tests
from phoenix_dash.build import Build
from phoenix_dash.config import load_config
from phoenix_dash.lint.settings import rule_settings
from tests.support.alerts import promtool
from tests.support.grafana_schemas import schema_file
from tests.support.project import ROOT, Project

TESTS_DIR = ROOT / "alerts" / "tests"
UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")


def api_groups(build: Build) -> list[dict[str, Any]]:
    return [
        json.loads(data)
        for path, data in sorted(build.files().items())
        if path.startswith("alerts/grafana/")
    ]


def alerting_validator(definition: str) -> jsonschema.Draft7Validator:
    schema = dict(schema_file("alerting"))
    schema["$ref"] = f"#/definitions/{definition}"
    return jsonschema.Draft7Validator(schema)


def test_rule_groups_and_rules_validate_against_grafanas_schema(
    repo_build: Build, grafana_schemas: Path
) -> None:
    groups = api_groups(repo_build)
    assert len(groups) == 4
    for group in groups:
        assert list(alerting_validator("RuleGroup").iter_errors(group)) == []
        assert isinstance(group["interval"], int) and group["folderUid"] == "phoenix"
        for rule in group["rules"]:
            assert list(alerting_validator("Rule").iter_errors(rule)) == [], rule["title"]


def test_every_rule_has_the_phoenix_metadata(repo_build: Build) -> None:
    rules = [r for g in api_groups(repo_build) for r in g["rules"]]
    assert len(rules) >= 23
    uids = [r["uid"] for r in rules]
    assert len(set(uids)) == len(uids) and all(UID_RE.match(u) for u in uids)
    policy = rule_settings(load_config(ROOT / "phoenix-dash.yaml").lint_rules)
    severities = policy.options("alert/severity")["values"]  # the Phoenix policy
    assert severities == ["info", "warning", "critical"]
    for rule in rules:
        assert rule["labels"]["severity"] in severities
        assert rule["labels"]["team"] and rule["labels"]["component"]
        for key in ("summary", "description", "runbook_url", "__dashboardUid__", "__panelId__"):
            assert rule["annotations"].get(key), (rule["title"], key)
        assert rule["noDataState"] == "OK" and rule["execErrState"] == "Error"
        assert re.fullmatch(r"(\d+[hms])+", rule["for"])
        expressions = [q for q in rule["data"] if q["datasourceUid"] == "__expr__"]
        assert all(
            q["model"]["datasource"] == {"type": "__expr__", "uid": "__expr__"} for q in expressions
        )
        queries = [q for q in rule["data"] if q["datasourceUid"] != "__expr__"]
        assert [q["datasourceUid"] for q in queries] == ["phoenix-prometheus"]


def test_rules_link_to_existing_panels(repo_build: Build, repo_dashboards: dict[str, Any]) -> None:
    from tests.support.grafana_schemas import all_panels

    for rule in (r for g in api_groups(repo_build) for r in g["rules"]):
        dashboard = repo_dashboards[rule["annotations"]["__dashboardUid__"]]
        ids = {p["id"] for p in all_panels(dashboard)}
        assert int(rule["annotations"]["__panelId__"]) in ids, rule["title"]


def test_required_rules_exist(repo_build: Build) -> None:
    titles = {r["title"] for g in api_groups(repo_build) for r in g["rules"]}
    for agent in ("git", "llm_router", "obsidian"):
        assert f"Agent {agent} error ratio high" in titles
        assert f"Agent {agent} queue depth high" in titles
    assert {
        "CPU usage over quota",
        "Memory usage over quota",
        "Storage usage over quota",
        "Request error ratio high",
        "Request latency p99 over SLO",
        "Task failure ratio high",
        "Task queue time high",
        "Agent health score low",
        "Plan success rate low",
        "System load score high",
        "Cache hit ratio low",
        "Scrape target down",
        "Orchestrator metrics absent",
    } <= titles


def test_quota_thresholds_come_from_the_yaml(repo_build: Build) -> None:
    prom = yaml.safe_load(repo_build.files()["alerts/prometheus/alert-rules.yaml"])
    exprs = {r["alert"]: r["expr"] for g in prom["groups"] for r in g["rules"]}
    assert exprs["CPU usage over quota"].endswith(" > 25.6")  # 80 % of 32 cores
    assert exprs["Memory usage over quota"].endswith(f" > {0.85 * 64 * 2**30!r}")  # 85 % of 64Gi
    assert exprs["Storage usage over quota"].endswith(f" > {int(0.75 * 500 * 2**30)}")
    assert exprs["CPU usage above request"].endswith(" > 16")


def test_file_provisioning_has_flat_rules(repo_build: Build) -> None:
    doc = yaml.safe_load(repo_build.files()["alerts/provisioning/alert-rules.yaml"])
    assert doc["apiVersion"] == 1
    for group in doc["groups"]:
        assert group["folder"] == "Phoenix" and group["orgId"] == 1
        assert re.fullmatch(r"\d+[ms]", group["interval"])
        for rule in group["rules"]:
            assert {
                "uid",
                "title",
                "condition",
                "data",
                "for",
                "noDataState",
                "execErrState",
                "labels",
                "annotations",
            } <= set(rule)
            assert "grafana_alert" not in rule


def test_grafanalib_legacy_values_are_gone(repo_build: Build) -> None:
    text = b"".join(d for p, d in repo_build.files().items() if p.startswith("alerts/"))
    for legacy in (b'"-100"', b"No Data", b"grafana_alert", b"intervalSeconds"):
        assert legacy not in text


def test_promtool_check_rules_passes(repo_build: Build, tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "rules.yaml"
    path.write_bytes(repo_build.files()["alerts/prometheus/alert-rules.yaml"])
    done = subprocess.run(
        [str(promtool()), "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 23 rules found" in done.stdout


@pytest.mark.slow  # the real promtool, several runs
def test_alert_unit_tests_pass_on_the_real_rule_engine(repo_build: Build) -> None:
    run = run_tests(
        promtool(),
        repo_build.files()["alerts/prometheus/alert-rules.yaml"],
        alert_test_files(TESTS_DIR),
    )
    assert run.ok, run.output
    assert run.output.count("SUCCESS") == len(alert_test_files(TESTS_DIR)) == 5


def test_every_rule_has_a_firing_and_a_quiet_case(repo_build: Build) -> None:
    names = [r.title for g in repo_build.alert_groups for r in g.rules]
    assert coverage(alert_test_files(TESTS_DIR)).gaps(names) == []


def test_coverage_gaps_are_reported(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        yaml.safe_dump(
            {
                "tests": [
                    {
                        "alert_rule_test": [
                            {"eval_time": "1m", "alertname": "A", "exp_alerts": []},
                            {
                                "eval_time": "1m",
                                "alertname": "Ghost",
                                "exp_alerts": [{"exp_labels": {}}],
                            },
                        ]
                    }
                ]
            }
        )
    )
    gaps = coverage([tmp_path / "t.yaml"]).gaps(["A", "B"])
    assert gaps == [
        "rule 'A' has no test in which it fires",
        "rule 'B' has no test in which it fires",
        "rule 'B' has no test in which it stays quiet",
        "tests name 'Ghost', which is no rule",
    ]


# --- Grafana form == Prometheus form --------------------------------------------------------


def grafana_to_promql(rule: dict[str, Any]) -> str:
    """Grafana's evaluation of a rule, written independently of phoenix-dash's compiler:
    instant query -> reduce (one sample: any reducer but count keeps it, dropNN drops NaN
    as PromQL comparisons do) -> threshold."""
    nodes = {q["refId"]: q for q in rule["data"]}

    def compile_ref(ref: str) -> str:
        node = nodes[ref]
        model = node["model"]
        if node["datasourceUid"] != "__expr__":
            assert model["instant"] is True and model["range"] is False
            return str(model["expr"])
        if model["type"] == "reduce":
            assert model["reducer"] in ("last", "mean", "min", "max", "sum")
            assert model["settings"]["mode"] in ("dropNN", "strict")
            return compile_ref(model["expression"])
        if model["type"] == "threshold":
            (condition,) = model["conditions"]
            op = {"gt": ">", "lt": "<"}[condition["evaluator"]["type"]]
            (value,) = condition["evaluator"]["params"]
            return f"({compile_ref(model['expression'])}) {op} {value!r}"
        raise AssertionError(f"unexpected expression {model['type']}")

    return compile_ref(rule["condition"])


def rules_from_grafana_form(groups: list[dict[str, Any]]) -> bytes:
    """A Prometheus rule file rebuilt from the provisioning-API JSON alone."""

    def annotations(rule: dict[str, Any]) -> dict[str, str]:
        value_ref = next(
            q["model"]["expression"] for q in rule["data"] if q["refId"] == rule["condition"]
        )
        renamed = {"__dashboardUid__": "dashboard_uid", "__panelId__": "panel_id"}
        return {
            renamed.get(k, k): v.replace(f"$values.{value_ref}.Value", "$value")
            for k, v in rule["annotations"].items()
        }

    return yaml.safe_dump(
        {
            "groups": [
                {
                    "name": g["title"],
                    "interval": f"{g['interval']}s",
                    "rules": [
                        {
                            "alert": r["title"],
                            "expr": grafana_to_promql(r),
                            "for": r["for"],
                            "labels": r["labels"],
                            "annotations": annotations(r),
                        }
                        for r in g["rules"]
                    ],
                }
                for g in groups
            ]
        }
    ).encode()


@pytest.mark.slow  # the real promtool, several runs
def test_grafana_form_fires_exactly_like_the_prometheus_form(repo_build: Build) -> None:
    # The same scenario tests (labels, annotations, timing) pass against rules rebuilt from
    # the Grafana JSON: the two forms mean the same thing on a real rule engine.
    rebuilt = rules_from_grafana_form(api_groups(repo_build))
    run = run_tests(promtool(), rebuilt, alert_test_files(TESTS_DIR))
    assert run.ok, run.output


@pytest.mark.slow  # the real promtool, several runs
def test_equivalence_check_would_notice_a_changed_threshold(repo_build: Build) -> None:
    groups = api_groups(repo_build)
    for rule in groups[0]["rules"]:
        for node in rule["data"]:
            if node["model"].get("type") == "threshold":
                node["model"]["conditions"][0]["evaluator"]["params"] = [1e12]
    run = run_tests(promtool(), rules_from_grafana_form(groups), alert_test_files(TESTS_DIR))
    assert not run.ok


@pytest.mark.slow  # the real promtool, several runs
def test_test_alerts_command(project: Project) -> None:
    del project
    from click.testing import CliRunner

    from phoenix_dash.cli import main

    promtool()
    result = CliRunner().invoke(main, ["test-alerts", "--config", str(ROOT / "phoenix-dash.yaml")])
    assert result.exit_code == 0, result.output
    assert "23 rules: promtool check and unit tests passed" in result.output


def test_the_rule_writer_writes_only_keys_sync_compares(repo_build: Build) -> None:
    """Sync decides whether a rule changed from OWNED_*_KEYS alone; a key the writer emits
    outside them would be a change sync never sees."""
    from phoenix_dash.alerting.grafana import (
        GRAFANA_MODEL_DEFAULTS,
        OWNED_MODEL_KEYS,
        OWNED_QUERY_KEYS,
        OWNED_RULE_KEYS,
        api_group,
        owned_rule,
    )

    rules = [rule for group in repo_build.alert_groups for rule in api_group(group)["rules"]]
    assert rules
    for rule in rules:
        assert set(rule) - {"orgID"} <= OWNED_RULE_KEYS  # orgID: the org Grafana writes to
        for query in rule["data"]:
            assert set(query) <= OWNED_QUERY_KEYS
            assert set(query["model"]) <= OWNED_MODEL_KEYS | GRAFANA_MODEL_DEFAULTS
        answer = {**rule, "keep_firing_for": "0s", "record": None, "id": 7, "provenance": "api"}
        assert owned_rule(answer) == owned_rule(rule)
