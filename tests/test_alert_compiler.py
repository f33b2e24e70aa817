"""The rule model compiled to PromQL beyond the Phoenix rules' simple shape, and quantities."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from phoenix_dash.alerting.model import Math, Query, Reduce, Rule, Threshold
from phoenix_dash.alerting.prometheus import promql
from phoenix_dash.config import DatasourceRef
from phoenix_dash.errors import DefinitionError, Location
from phoenix_dash.quantities import (
    QuantityError,
    format_duration,
    parse_duration,
    parse_percent,
    parse_quantity,
)
from tests.support.alerts import promtool
from tests.support.project import Project

PROM = DatasourceRef("prometheus", "p")


def rule(*nodes: Query | Reduce | Threshold | Math, condition: str = "C") -> Rule:
    return Rule("u", "t", condition, nodes, 300, {}, {}, "OK", "Error", Location("x.py", 1))


def test_reducers_over_range_queries_become_subqueries() -> None:
    compiled = promql(
        rule(
            Query("A", PROM, "sum(rate(x[1m]))", False, 600),
            Reduce("B", "A", "mean", "dropNN"),
            Threshold("C", "B", "gt", (5.0,)),
        )
    )
    assert compiled == "(avg_over_time((sum(rate(x[1m])))[10m:])) > 5"


def test_math_with_two_queries_and_ranges() -> None:
    compiled = promql(
        rule(
            Query("A", PROM, "errors", True, 600),
            Query("B", PROM, "calls", True, 600),
            Math("C", "$A / ${B} >= 0.5", ("A", "B")),
        )
    )
    assert compiled == "(errors) / (calls) >= 0.5"
    within = promql(
        rule(Query("A", PROM, "x", True, 60), Threshold("C", "A", "within_range", (1.0, 2.0)))
    )
    assert within == "((x) > 1) < 2"
    outside = promql(
        rule(Query("A", PROM, "x", True, 60), Threshold("C", "A", "outside_range", (1.0, 2.0)))
    )
    assert outside == "(x) < 1 or (x) > 2"


def test_counting_an_instant_query_is_refused() -> None:
    with pytest.raises(DefinitionError, match="always 1"):
        promql(
            rule(
                Query("A", PROM, "x", True, 60),
                Reduce("B", "A", "count", "strict"),
                Threshold("C", "B", "gt", (1.0,)),
            )
        )


def test_compiled_expressions_pass_promtool(tmp_path: Path) -> None:
    exprs = [
        promql(
            rule(
                Query("A", PROM, "sum(rate(x[1m]))", False, 600),
                Reduce("B", "A", reducer, "dropNN"),
                Threshold("C", "B", "lt", (5.0,)),
            )
        )
        for reducer in ("last", "mean", "min", "max", "sum", "count")
    ]
    path = tmp_path / "rules.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "g",
                        "rules": [{"alert": f"a{i}", "expr": e} for i, e in enumerate(exprs)],
                    }
                ]
            }
        )
    )
    done = subprocess.run(
        [str(promtool()), "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("64Gi", 64 * 2**30),
        ("500Gi", 500 * 2**30),
        ("500m", 0.5),
        ("32", 32.0),
        (16, 16.0),
        ("1.5G", 1.5e9),
        ("2Ki", 2048.0),
        ("1e3", 1000.0),
    ],
)
def test_kubernetes_quantities(text: str | int, value: float) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("bad", ["64GB", "lots", "", "Gi", "1.2.3Mi", True])
def test_bad_quantities_say_why(bad: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(bad)  # type: ignore[arg-type]


def test_percent_and_durations() -> None:
    assert parse_percent("80%") == 0.8 and parse_percent("12.5 %") == 0.125
    with pytest.raises(QuantityError, match="like 80%"):
        parse_percent("0.8")
    assert parse_duration("1h30m") == 5400 and parse_duration("250ms") == 0.25
    with pytest.raises(QuantityError):
        parse_duration("5 minutes")
    assert [format_duration(s) for s in (0, 30, 90, 3600, 86400 + 60, 0.25)] == [
        "0s",
        "30s",
        "1m30s",
        "1h",
        "1d1m",
        "250ms",
    ]


def test_test_alerts_without_promtool_is_a_clear_error(project: Project) -> None:
    from tests.support.alerts import CONFIG, alert_project

    alert_project(project, '    rule("Up", uid="up"),')
    project.write("phoenix-dash.yaml", CONFIG + "prometheus: {promtool: /nonexistent/promtool}\n")
    result = project.run("test-alerts")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: promtool not found at /nonexistent/promtool: install Prometheus (Debian: "
        "apt-get install prometheus), or set prometheus.promtool in phoenix-dash.yaml or "
        "$PROMTOOL"
    )


def test_test_alerts_reports_an_untested_rule(project: Project) -> None:
    from tests.support.alerts import alert_project

    promtool()
    alert_project(project, '    rule("Untested", uid="untested"),')
    project.write("alerts/tests/t.yaml", "rule_files: [x]\ntests: []\n")
    result = project.run("test-alerts")
    assert result.exit_code == 1
    assert "error: rule 'Untested' has no test in which it fires" in result.output
