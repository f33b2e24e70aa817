"""Lint settings for tests that exercise every rule, the policy rules (off by default)
included, at the severities they had before they became policy."""

from __future__ import annotations

import re

from phoenix_dash.lint import rules as _rules  # noqa: F401 - registers the rules
from phoenix_dash.lint.core import REGISTRY, Severity
from phoenix_dash.lint.settings import RuleSettings

POLICY_SEVERITY = {
    "promql/regex-static-string": Severity.INFO,
    "dashboard/editable": Severity.INFO,
    "alert/severity": Severity.ERROR,
    "alert/required-labels": Severity.ERROR,
    "alert/required-annotations": Severity.ERROR,
}
PHOENIX_OPTIONS = {
    "alert/required-labels": {"labels": ["severity", "team", "component"]},
    "alert/required-annotations": {"annotations": ["summary", "description", "runbook_url"]},
}
EVERY_RULE = RuleSettings(
    {
        rule_id: POLICY_SEVERITY.get(rule_id, Severity.WARNING)
        for rule_id, lint_rule in REGISTRY.items()
        if lint_rule.info.severity == Severity.OFF
    },
    PHOENIX_OPTIONS,
)


def documented_defects() -> set[tuple[str, str]]:
    """(dashboard, rule) of each finding docs/lint/realworld.md lists as a real defect of the
    production dashboards."""
    from tests.support.project import ROOT

    table = (ROOT / "docs" / "lint" / "realworld.md").read_text()
    return set(re.findall(r"^\| ([\w-]+) \| `([\w/-]+)` \|", table, re.MULTILINE))
