"""The structural LogQL check (phoenix_dash/lint/logql.py) against Grafana's own LogQL
grammar (@grafana/lezer-logql, the parser of Grafana's query editor, run with Node): on a
corpus of valid and broken queries, and on every Loki query of this repository, both must
agree on whether the query parses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from phoenix_dash.lint.logql import check
from tests.support.project import ROOT, require

ORACLE = ROOT / "tests" / "logql_oracle"
RANGE_MACRO_RE = re.compile(r"\[\$\{?__\w+\}?\]")

VALID = [
    '{job="phoenix"}',
    '{job="a}b", path="[x)"}',
    '{job="phoenix"} | json | line_format "{{.a}} | {{.b}} [{{.c}})"',
    '{job=~"phoenix|api", instance!="a:1", env!~"dev.*"}',
    '{job="phoenix"} |= "error"',
    '{job="phoenix"} != "debug" |~ "time(out)?" !~ `health`',
    '{job="phoenix"} | json',
    '{job="phoenix"} |= "timeout" or "deadline" != ip("10.0.0.0/8")',
    '{job="phoenix"} | logfmt | level="error"',
    '{job="phoenix"} | json | level="error" | component=~"git|obsidian"',
    '{job="phoenix"} | json | duration_ms > 250',
    '{job="phoenix"} | json | duration_ms >= 1.5 and level != "info"',
    '{job="phoenix"} | json | line_format "{{.component}}: {{.message}}"',
    '{job="phoenix"} | json | label_format svc=component',
    '{job="phoenix"} | regexp "(?P<method>\\\\w+) (?P<path>\\\\S+)"',
    '{job="phoenix"} | pattern "<ip> - <_> <status>"',
    '{job="phoenix"} | json | keep level, component',
    '{job="phoenix"} | json | drop metadata',
    '{job="phoenix"} | decolorize',
    'sum(rate({job="phoenix"} | json | level="error" [5m]))',
    'sum by (component) (count_over_time({job="phoenix"} | json [1m]))',
    'quantile_over_time(0.99, {job="phoenix"} | json | unwrap duration_ms [5m]) by (component)',
    'topk(5, sum by (agent) (rate({job="phoenix"} |= "agent" [5m])))',
    '{job="phoenix"} | json | level!="error"',
    '{job="phoenix"} | logfmt | level != "info" != "healthcheck"',
    '{job="phoenix"} | json != "debug"',
    '{job="phoenix"} | json | duration > 1.5s != "slow"',
    '{job="phoenix"} |= "C:\\\\" |= "x"',
    '{job="phoenix"} | line_format "{{.a}}\\\\" | json',
    '{job="a,\\"b", env="x"}',
]

BROKEN = [
    '{job="phoenix"',
    "{}",
    '{job="phoenix"} |= "a" json',
    'rate({job="phoenix"}[5m]',
    '{job="phoenix}',
    'job="phoenix"',
    '{job="phoenix", }',
    "{job=phoenix}",
    '{job="phoenix"} | jsn',
    '{job="phoenix"} | line_format',
    '{job="phoenix"} | json | line_format "{{.component}',
    '{job="phoenix"} |= error',
    '{job="phoenix"} json',
    'sum(rate({job="phoenix"} [5m])',
    '{job="phoenix"} | json | level=',
    '{job="phoenix"} |= "C:\\\\" |= "x',
    '{job="phoenix"} | json | !="x"',
]


@pytest.fixture(scope="module")
def oracle() -> Any:
    node = shutil.which("node")
    require(node is not None, "node not found: Grafana's LogQL grammar runs on Node.js")
    require(
        (ORACLE / "node_modules" / "@grafana" / "lezer-logql").is_dir(),
        f"@grafana/lezer-logql not installed: npm ci --prefix {ORACLE}",
    )

    def parses(queries: list[str]) -> list[bool]:
        lines = "".join(json.dumps(q) + "\n" for q in queries)
        result = subprocess.run(
            [str(node), str(ORACLE / "parse.cjs")],
            input=lines,
            capture_output=True,
            text=True,
            check=True,
            cwd=ORACLE,
        )
        return [json.loads(line) is None for line in result.stdout.splitlines()]

    return parses


def _disagreements(oracle: Any, queries: list[str]) -> list[tuple[str, bool, str | None]]:
    # Grafana interpolates range macros before Loki (or its editor's parser) sees them.
    interpolated = [RANGE_MACRO_RE.sub("[5m]", q) for q in queries]
    return [
        (query, grafana_ok, check(query))
        for query, grafana_ok in zip(queries, oracle(interpolated), strict=True)
        if grafana_ok != (check(query) is None)
    ]


def test_the_oracle_itself_tells_valid_from_broken(oracle: Any) -> None:
    assert oracle(VALID) == [True] * len(VALID)
    assert oracle(BROKEN) == [False] * len(BROKEN)


def test_structural_check_agrees_with_grafanas_grammar(oracle: Any) -> None:
    assert _disagreements(oracle, VALID + BROKEN) == []


def test_every_loki_query_of_this_repository_parses(
    oracle: Any, repo_dashboards: dict[str, dict[str, Any]]
) -> None:
    queries = [
        target["expr"]
        for dashboard in repo_dashboards.values()
        for panel in _panels(dashboard)
        if (panel.get("datasource") or {}).get("type") == "loki"
        for target in panel.get("targets", [])
    ]
    assert queries, "the Overview dashboard has a Loki logs panel"
    assert _disagreements(oracle, queries) == []
    assert all(check(q) is None for q in queries)


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{job="phoenix"} | line_format', "'| line_format' needs an argument"),
        ('{job="phoenix"} | jsn', "unknown pipeline stage '| jsn'"),
        ('{job="phoenix"', "unclosed '{'"),
        ('job="phoenix"', 'no stream selector {label="value"}'),
        ("{job=phoenix}", "invalid matcher 'job=phoenix'"),
        ('{job="phoenix"} |= error', "line filter |= needs a quoted string: '|= error'"),
        ('{job="phoenix"} json', "unexpected 'json' after the selector"),
    ],
)
def test_the_structural_check_says_what_is_wrong(query: str, message: str) -> None:
    assert check(query) == message
