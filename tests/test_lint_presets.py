"""Presets: another tool's rule set turned on by name in lint.rules. dashboard-linter's own rule
tests (the table-driven cases of its lint/rule_*_test.go, extracted by
tests/data/dashboard_linter/harness) run through the phoenix-dash rules that carry each of
its rules: the verdict (pass, warning, error) agrees except where presets.py documents why."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from phoenix_dash.cli import main
from phoenix_dash.config import Entry
from phoenix_dash.errors import ConfigError, Location
from phoenix_dash.lint.core import REGISTRY, Severity
from phoenix_dash.lint.examples import builders
from phoenix_dash.lint.presets import PRESETS, preset_settings
from phoenix_dash.lint.runner import lint_json
from phoenix_dash.lint.settings import rule_settings, written_settings

CASES = json.loads(
    (Path(__file__).parent / "data" / "dashboard_linter" / "cases.json").read_text("utf-8")
)["cases"]
PEER_RULES = {peer.name: peer for peer in PRESETS["dashboard-linter"].rules}
DIFFERENT = {
    case: difference.reason
    for difference in PRESETS["dashboard-linter"].differences
    for case in difference.cases
}
# dashboard-linter's severities as phoenix-dash's; "fixed" is an error its --fix repaired.
PEER_SEVERITY = {"success": 0, "quiet": 0, "exclude": 0, "warning": 2, "error": 3, "fixed": 3}


def _entry(rule: str, setting: Any) -> Entry:
    return Entry({"rule": rule, "setting": setting}, Location("phoenix-dash.yaml", 7), {})


def _verdicts(case: Mapping[str, Any]) -> tuple[int, int, list[str]]:
    """(the peer's worst severity, ours, our messages) on one of the peer's test cases,
    with only the rules that carry the peer rule on, as the peer rule sets them."""
    carried = PEER_RULES[case["rule"]].carried_by
    findings = [
        f
        for f in lint_json([("case.json", case["dashboard"])], settings=written_settings(carried))
        if f.rule in carried
    ]
    peer = max(PEER_SEVERITY[result["severity"]] for result in case["expected"])
    ours = max((int(f.severity) for f in findings), default=0)
    return peer, ours, [f"{f.rule}: {f.message}" for f in findings]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_dashboard_linter_preset_agrees_with_its_rule_tests(case: Mapping[str, Any]) -> None:
    peer, ours, messages = _verdicts(case)
    if case["id"] in DIFFERENT:
        assert peer != ours, f"documented as a difference but agrees: {DIFFERENT[case['id']]}"
    else:
        expected = [result["message"] for result in case["expected"]]
        assert peer == ours, f"dashboard-linter: {expected}; phoenix-dash: {messages}"


def test_every_peer_rule_is_tested_and_agreement_is_high() -> None:
    tested = {case["rule"] for case in CASES}
    assert tested == set(PEER_RULES), "a peer rule without test cases, or a case without rule"
    assert set(DIFFERENT) <= {case["id"] for case in CASES}
    assert PRESETS["dashboard-linter"].tested_cases == len(CASES)  # the docs page says so
    assert len(DIFFERENT) / len(CASES) < 0.1, f"{len(DIFFERENT)} of {len(CASES)} differ"


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_name_registered_rules_and_their_options(name: str) -> None:
    for rule_id, setting in preset_settings(name).items():
        assert rule_id in REGISTRY, rule_id
        Severity.parse(setting["severity"])
        for option, value in setting.items():
            if option != "severity":
                default = REGISTRY[rule_id].info.options[option]
                assert isinstance(value, type(default)), (rule_id, option)


def test_preset_turns_policy_rules_on_and_joins_what_two_peer_rules_ask() -> None:
    settings = rule_settings((_entry("dashboard-linter", True),))
    assert settings.severity("promql/rate-interval") == Severity.ERROR
    assert settings.options("promql/rate-interval")["require_rate_interval"] is True
    assert settings.options("promql/job-instance-matchers")["labels"] == ["job", "instance"]
    assert settings.severity("template/datasource-variable-label") == Severity.WARNING
    assert settings.severity("panel/grid-overlap") == Severity.ERROR  # untouched default


def test_a_rules_own_entry_overrides_the_preset_whatever_the_order() -> None:
    for entries in (
        (_entry("promql/rate-interval", "warning"), _entry("dashboard-linter", "on")),
        (_entry("dashboard-linter", "on"), _entry("promql/rate-interval", "warning")),
    ):
        settings = rule_settings(entries)
        assert settings.severity("promql/rate-interval") == Severity.WARNING
        assert settings.options("promql/rate-interval")["require_rate_interval"] is True


def test_a_preset_off_changes_nothing_and_a_bad_value_names_its_line() -> None:
    assert rule_settings((_entry("dashboard-linter", False),)).severities == {}
    with pytest.raises(ConfigError) as raised:
        rule_settings((_entry("dashboard-linter", "error"),))
    assert "on or off" in str(raised.value)
    assert raised.value.location is not None and raised.value.location.line == 7
    with pytest.raises(ConfigError, match="did you mean dashboard-linter"):
        rule_settings((_entry("dashboard-lintr", True),))


def test_lint_command_applies_the_preset_from_phoenix_dash_yaml(tmp_path: Path) -> None:
    """End to end: a team's settings file turns the preset on; a dashboard the peer would
    fail (fixed rate window, no $job) fails `phoenix-dash lint --json-file` with its rules."""
    settings = """\
        version: 1
        datasources:
          prometheus: {type: prometheus, uid: prom}
        lint:
          rules:
            dashboard-linter: on
            panel/missing-description: off
        """
    # The lint examples' clean dashboard, without $job and $instance and with a fixed window:
    # clean for phoenix-dash's defaults, three findings for dashboard-linter's rules.
    dashboard = builders.dashboard(builders.panel(expr="sum(rate(http_requests_total[5m]))"))
    del dashboard["templating"]["list"][1:]
    (tmp_path / "svc.json").write_text(json.dumps(dashboard), encoding="utf-8")

    def lint(config: str) -> tuple[set[str], int]:
        (tmp_path / "phoenix-dash.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
        result = CliRunner().invoke(
            main,
            [
                *("lint", "--config", str(tmp_path / "phoenix-dash.yaml"), "--format", "json"),
                *("--json-file", str(tmp_path / "svc.json")),
            ],
        )
        found = json.loads(result.output)["findings"]
        return {f["rule"] for f in found}, result.exit_code

    peer_rules = {
        "promql/rate-interval",
        "template/job-instance-variables",
        "promql/job-instance-matchers",
    }
    rules, code = lint(settings)
    assert peer_rules <= rules and "panel/missing-description" not in rules and code == 1
    rules, code = lint(settings.replace("dashboard-linter: on", "dashboard-linter: off"))
    assert not peer_rules & rules and code == 0
