"""Findings as text (grouped by file, coloured on a terminal), JSON, GitHub workflow commands
or SARIF 2.1.0; and the rule reference."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby

from .core import REGISTRY, Finding, Severity

COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.OFF: "none",  # a policy rule a project may turn on
}
Style = Callable[..., str]


def _plain(text: str, **_: object) -> str:
    return text


def text(findings: list[Finding], style: Style = _plain) -> str:
    lines = []
    for file, group in groupby(findings, key=lambda f: f.file):
        lines.append(style(file, bold=True))
        for finding in group:
            where = f"{finding.line}" if finding.line is not None else finding.path or "-"
            severity = style(f"{finding.severity!s:7}", fg=COLOURS[finding.severity])
            lines.append(
                f"  {where:>6}  {severity} {finding.message}  "
                + style(f"[{finding.rule}]", dim=True)
            )
    counts = {s: sum(f.severity == s for f in findings) for s in Severity}
    summary = ", ".join(
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
        for s in sorted(Severity, reverse=True)
        if s != Severity.OFF
    )
    noun = "finding" if len(findings) == 1 else "findings"
    lines.append(f"{len(findings)} {noun} ({summary})" if findings else "no findings")
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    return json.dumps({"findings": [f.as_json() for f in findings]}, indent=2, sort_keys=True)


def _escape(value: str, property_: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_ else value


def github(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        props = [f"file={_escape(f.file, True)}"]
        if f.line is not None:
            props.append(f"line={f.line}")
        props.append(f"title={_escape(f.rule, True)}")
        lines.append(f"::{GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape(f.message)}")
    return "\n".join(lines)


def sarif(findings: list[Finding], version: str) -> str:
    rule_ids = sorted({f.rule for f in findings} | set(REGISTRY))
    rules = []
    for rule_id in rule_ids:
        info = REGISTRY[rule_id].info if rule_id in REGISTRY else None
        rules.append(
            {
                "id": rule_id,
                "shortDescription": {"text": info.rationale if info else rule_id},
                "help": {"text": info.hint if info else ""},
                "defaultConfiguration": {
                    "level": SARIF_LEVEL[info.severity] if info else "warning"
                },
            }
        )
    results = []
    for f in findings:
        location: dict[str, object] = {"artifactLocation": {"uri": f.file}}
        if f.line is not None:
            location["region"] = {"startLine": f.line}
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": rule_ids.index(f.rule),
                "level": SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": location}],
                "properties": {"target": f.target, "jsonPath": f.path},
            }
        )
    return json.dumps(
        {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "phoenix-dash",
                            "version": version,
                            "informationUri": "https://github.com/phoenix/phoenix-dash",
                            "rules": rules,
                        }
                    },
                    "results": results,
                }
            ],
        },
        indent=2,
        sort_keys=True,
    )


def rules_text(severity_of: Callable[[str], Severity] | None = None) -> str:
    """Every rule with the severity it has here (``severity_of``: the project's lint.rules;
    default: the rules' own), and the default beside it where the project changed it."""
    lines = []
    for rule_id, lint_rule in sorted(REGISTRY.items()):
        info = lint_rule.info
        severity = severity_of(rule_id) if severity_of else info.severity
        changed = f" (default {info.severity})" if severity != info.severity else ""
        lines.append(f"{rule_id:40} {severity!s:8} {info.rationale}{changed}")
    return "\n".join(lines)


def rules_json(severity_of: Callable[[str], Severity] | None = None) -> str:
    return json.dumps(
        [
            {
                "id": rule_id,
                "severity": str(severity_of(rule_id) if severity_of else lint_rule.info.severity),
                "default_severity": str(lint_rule.info.severity),
                "scope": lint_rule.info.scope,
                "rationale": lint_rule.info.rationale,
                "hint": lint_rule.info.hint,
            }
            for rule_id, lint_rule in sorted(REGISTRY.items())
        ],
        indent=2,
    )
