"""The lint engine's vocabulary: rules, the registry, findings and where they point.

A rule is one small function with an id, a default severity, a one-line rationale and a fix
hint. It receives one subject (a dashboard, a panel, a query, an alert rule or a rule group)
and yields Problems; the runner turns them into Findings located at the Python line that built
the object when it knows it, else at the JSON path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ..provenance import stamped_at

JSON = dict[str, Any]


class Severity(IntEnum):
    """The contract each rule's severity keeps (docs/lint/README.md): ERROR, Grafana 12/13
    will fail, or show wrong data or none; WARNING, it works but misleads or will break
    soon; INFO, a shape Grafana fills in or ignores itself, which ``lint --fix`` writes out.
    OFF: a policy rule, for a project to turn on in phoenix-dash.yaml (lint.rules)."""

    OFF = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


SCOPES = ("dashboard", "panel", "query", "alert", "group", "datasource", "notifications")


@dataclass(frozen=True)
class Problem:
    """What a rule reports: a message, and the JSON object and path it is about."""

    message: str
    node: JSON | None = None
    path: str = ""


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity  # the default; phoenix-dash.yaml's lint.rules may change it
    scope: str
    rationale: str
    hint: str
    options: Mapping[str, Any] = field(default_factory=dict)  # settings and their defaults


Check = Callable[[Any], Iterable[Problem]]


@dataclass(frozen=True)
class LintRule:
    info: RuleInfo
    check: Check


REGISTRY: dict[str, LintRule] = {}


def rule(
    id: str,
    severity: str,
    scope: str,
    rationale: str,
    hint: str,
    options: Mapping[str, Any] | None = None,
) -> Callable[[Check], Check]:
    """Register ``check`` as the lint rule ``id``; ``options``: the settings a project may
    give it in lint.rules, with their defaults."""
    assert scope in SCOPES, scope

    def register(check: Check) -> Check:
        assert id not in REGISTRY, f"rule {id} registered twice"
        info = RuleInfo(id, Severity.parse(severity), scope, rationale, hint, dict(options or {}))
        REGISTRY[id] = LintRule(info, check)
        return check

    return register


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    file: str
    line: int | None
    path: str
    target: str  # dashboard uid, "uid / panel title", or alert uid
    hint: str = ""

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file}#{self.path}" if self.path else self.file

    def as_json(self) -> JSON:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "target": self.target,
            "hint": self.hint,
        }


def stamped_location(*nodes: JSON | None) -> tuple[str, int] | None:
    """The first provenance stamp among ``nodes`` (most specific first)."""
    for node in nodes:
        where = stamped_at(node)
        if where is not None and where.line is not None:
            return where.file, where.line
    return None


@dataclass
class Subject:
    """Something a rule looks at, with what locates it."""

    value: Any
    file: str  # the output file (or --json-file) when no Python line is known
    path: str
    target: str
    fallbacks: list[JSON | None] = field(default_factory=list)  # enclosing objects

    def findings(self, lint_rule: LintRule, severity: Severity) -> Iterator[Finding]:
        for problem in lint_rule.check(self.value):
            stamp = stamped_location(problem.node, *self.fallbacks)
            file, line = stamp if stamp else (self.file, None)
            yield Finding(
                lint_rule.info.id,
                severity,
                problem.message,
                file,
                line,
                problem.path or self.path,
                self.target,
                lint_rule.info.hint,
            )
