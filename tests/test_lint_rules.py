"""Every lint rule: registered with its metadata, failing on its bad example, quiet on its good
one; and the project's own dashboards and alerts lint clean at warning level."""

from __future__ import annotations

from pathlib import Path

import pytest

from phoenix_dash.build import Build
from phoenix_dash.catalog import load_catalog
from phoenix_dash.config import load_config
from phoenix_dash.lint.core import REGISTRY, Severity
from phoenix_dash.lint.docs import page, write
from phoenix_dash.lint.examples import EXAMPLES, example
from phoenix_dash.lint.presets import PRESETS
from phoenix_dash.lint.promql import parse
from phoenix_dash.lint.runner import lint_build, lint_json
from tests.support.lint import EVERY_RULE
from tests.support.project import ROOT

CATALOG = load_catalog(ROOT / "metrics.yaml")


def findings_of(rule_id: str, good: bool) -> list[str]:
    dashboards, groups, datasources, notifications = example(rule_id, good)
    found = lint_json(
        [(f"d{i}.json", d) for i, d in enumerate(dashboards)],
        groups,
        CATALOG,
        15,
        datasources,
        EVERY_RULE,
        notifications,
    )
    return [f.message for f in found if f.rule == rule_id]


def test_every_rule_has_examples_and_metadata() -> None:
    assert set(EXAMPLES) == set(REGISTRY)
    assert len(REGISTRY) >= 45
    for rule_id, lint_rule in REGISTRY.items():
        info = lint_rule.info
        assert rule_id.count("/") == 1 and rule_id == rule_id.lower()
        assert info.rationale.endswith(".") and info.hint.endswith(".")
        assert "\n" not in info.rationale


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_rule_fires_on_its_bad_example(rule_id: str) -> None:
    assert findings_of(rule_id, good=False)


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_rule_is_quiet_on_its_good_example(rule_id: str) -> None:
    assert findings_of(rule_id, good=True) == []


def test_clean_examples_are_clean_for_every_rule() -> None:
    dashboards, _, datasources, _ = example("dashboard/schema", good=True)
    _, alert_groups, _, _ = example("alert/schema", good=True)
    # The notifications example routes on severity="critical", which its own group sets.
    _, routed_groups, _, notifications = example("notifications/unset-label", good=True)
    for index, rule in enumerate(routed_groups[0]["rules"]):
        rule["uid"] = f"routed-{index}"
    routed_groups[0]["title"] = "routed"
    found = lint_json(
        [("d.json", dashboards[0])],
        [*alert_groups, *routed_groups],
        CATALOG,
        15,
        datasources,
        EVERY_RULE,
        notifications,
    )
    assert [f"{f.rule}: {f.message}" for f in found] == []


def test_project_lints_clean_at_warning_level(repo_build: Build) -> None:
    config = load_config(ROOT / "phoenix-dash.yaml")
    found = lint_build(repo_build, config)
    assert [
        f"{f.where} {f.rule} {f.message}" for f in found if f.severity >= Severity.WARNING
    ] == []


def test_rule_docs_are_up_to_date(tmp_path: Path) -> None:
    """docs/lint/ is what `phoenix-dash lint --write-docs docs/lint` writes: an index and a
    page per rule, each with its failing and passing example."""
    written = write(tmp_path)
    assert len(written) == len(REGISTRY) + 1 + len(PRESETS)
    for path in written:
        committed = ROOT / "docs" / "lint" / path.relative_to(tmp_path)
        assert committed.read_text() == path.read_text(), f"{committed} is stale"
    pages = {p.relative_to(ROOT / "docs" / "lint") for p in (ROOT / "docs" / "lint").rglob("*.md")}
    generated = {p.relative_to(tmp_path) for p in written}
    assert pages - generated == {Path("realworld.md")}  # no page of a rule that is gone


def test_each_page_shows_the_difference_that_makes_the_finding() -> None:
    text = page("promql/rate-interval")
    failing = text.split("## Fails")[1].split("## Passes")[0]
    passing = text.split("## Passes")[1].split("## How to fix")[0]
    assert "[45s]" in failing and "[$__rate_interval]" in passing
    assert "**Default severity: warning**" in text and "promql/rate-interval: error" in text
    assert '| `labels` | `["severity"]` |' in page("alert/required-labels")


def test_counter_rule_fixes_dashboard_linters_bug() -> None:
    # dashboard-linter missed counters that carry matchers; this one must not.
    assert findings_of("promql/counter-agg", good=False) == [
        "panel 'Requests', query A: counter foo_total is read without rate() or increase()"
    ]


def test_unknown_metric_suggests_the_closest_name() -> None:
    assert findings_of("catalog/unknown-metric", good=False) == [
        "panel 'Requests', query A: metric request_total is not in the catalog "
        "(did you mean requests_total?)"
    ]


def test_each_rule_and_its_examples_live_in_the_module_of_its_prefix() -> None:
    from phoenix_dash.lint import examples as lint_examples

    for rule_id, lint_rule in REGISTRY.items():
        prefix = rule_id.split("/")[0]
        assert lint_rule.check.__module__ == f"phoenix_dash.lint.rules.{prefix}", rule_id
        assert rule_id in getattr(lint_examples, prefix).EXAMPLES, rule_id


@pytest.mark.parametrize(
    "expr",
    [
        "sum by(${labels:csv}) (rate(requests_total[$__rate_interval]))",
        "sum without (instance, $extra) (rate(requests_total[$__rate_interval]))",
        "requests_total * on($join) group_left($extra) build_info",
        "topk($n, rate(requests_total[$__rate_interval]))",
    ],
)
def test_variables_parse_where_grafana_puts_them(expr: str) -> None:
    """A variable in a by/without/on list is label names (${v:csv} makes several), and one
    where a number goes is a number: each query is valid once Grafana interpolates it."""
    assert parse(expr).error is None, parse(expr).error


def test_a_query_goes_to_the_datasource_its_variable_picks() -> None:
    """$datasource of a Loki picker makes a LogQL query: promql/syntax stays quiet and
    logql/syntax reads it; no datasource falls to the dashboard's only picker's plugin."""
    loki_picker = {"name": "logs", "type": "datasource", "query": "loki"}
    for datasource in ({"uid": "${logs}"}, "$logs", None):
        dashboards = example("logql/syntax", good=False)[0]
        dashboards[0]["templating"]["list"] = [loki_picker]
        dashboards[0]["panels"][0]["datasource"] = datasource
        found = {f.rule for f in lint_json([("d.json", dashboards[0])], settings=EVERY_RULE)}
        assert "logql/syntax" in found and "promql/syntax" not in found, datasource


def test_equality_on_the_variable_a_panel_or_its_row_repeats_over_is_fine() -> None:
    """Grafana gives each repeated copy one value of the variable: `=` matches it."""
    expr = 'sum(rate(requests_total{job="$job", instance=~"$instance"}[$__rate_interval]))'
    dashboards = example("template/multi-value-equality", good=False)[0]
    panel = dashboards[0]["panels"][0]
    panel["targets"][0]["expr"] = expr

    def flagged() -> bool:
        found = lint_json([("d.json", dashboards[0])], settings=EVERY_RULE)
        return any(f.rule == "template/multi-value-equality" for f in found)

    assert flagged()
    panel["repeat"] = "job"
    assert not flagged()
    del panel["repeat"]
    row = {"type": "row", "title": "Per job", "id": 9, "repeat": "job", "panels": []}
    row["gridPos"] = {"x": 0, "y": 0, "w": 24, "h": 1}
    panel["gridPos"] = {**panel["gridPos"], "y": 1}
    dashboards[0]["panels"].insert(0, row)
    assert not flagged()
