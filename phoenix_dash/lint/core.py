"""The lint engine's vocabulary: rules, the registry, findings and where they point.

A rule is one small function with an id, a default severity, a one-line rationale and a fix
hint. It receives one subject (a dashboard, a panel, a query, an alert rule or a rule group)
and yields Problems; the runner turns them into Findings located at the Python line that built
the object when it knows it, else at the JSON path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ..provenance import stamped_at

JSON = dict[str, Any]


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


SCOPES = ("dashboard", "panel", "query", "alert", "group", "datasource")


@dataclass(frozen=True)
class Problem:
    """What a rule reports: a message, and the JSON object and path it is about."""

    message: str
    node: JSON | None = None
    path: str = ""


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: Severity
    scope: str
    rationale: str
    hint: str


Check = Callable[[Any], Iterable[Problem]]


@dataclass(frozen=True)
class LintRule:
    info: RuleInfo
    check: Check


REGISTRY: dict[str, LintRule] = {}


def rule(id: str, severity: str, scope: str, rationale: str, hint: str) -> Callable[[Check], Check]:
    """Register ``check`` as the lint rule ``id``."""
    assert scope in SCOPES, scope

    def register(check: Check) -> Check:
        assert id not in REGISTRY, f"rule {id} registered twice"
        REGISTRY[id] = LintRule(
            RuleInfo(id, Severity.parse(severity), scope, rationale, hint), check
        )
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

    def findings(self, lint_rule: LintRule) -> Iterator[Finding]:
        for problem in lint_rule.check(self.value):
            stamp = stamped_location(problem.node, *self.fallbacks)
            file, line = stamp if stamp else (self.file, None)
            yield Finding(
                lint_rule.info.id,
                lint_rule.info.severity,
                problem.message,
                file,
                line,
                problem.path or self.path,
                self.target,
                lint_rule.info.hint,
            )
