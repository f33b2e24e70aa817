"""Suppressions from phoenix-dash.yaml: a rule, a target, a reason, maybe an expiry date.

lint:
  suppress:
    - rule: panel/missing-description
      target: phoenix-overview / Request rate   # dashboard uid, "uid / panel", alert uid
      reason: the title says it all
      expires: 2027-03-01                        # optional; afterwards it is a finding
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..config import Entry
from ..errors import ConfigError
from .core import Finding, Severity

EXPIRED_RULE = "lint/expired-suppression"
UNUSED_RULE = "lint/unused-suppression"


@dataclass(frozen=True)
class Suppression:
    rule: str
    target: str
    reason: str
    expires: dt.date | None
    file: str
    line: int | None

    def matches(self, finding: Finding) -> bool:
        if self.rule != finding.rule:
            return False
        target = finding.target
        return (
            self.target in (target, "*")
            or target.startswith(self.target + " / ")
            or target.split(" / ", 1)[-1] == self.target
        )


def from_settings(entries: Iterable[Entry]) -> list[Suppression]:
    """The suppressions of phoenix-dash.yaml's lint.suppress (shape checked by its schema)."""
    found = []
    for entry in entries:
        item = entry.value
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(
                    f"{item['expires']!r} is not a date like 2027-03-01", entry.keys["expires"]
                ) from None
        elif expires is not None and not isinstance(expires, dt.date):
            raise ConfigError("expires must be a date", entry.keys["expires"])
        found.append(
            Suppression(
                item["rule"],
                item["target"],
                item["reason"],
                expires,
                entry.where.file,
                entry.where.line,
            )
        )
    return found


def apply(
    findings: list[Finding], suppressions: list[Suppression], today: dt.date | None = None
) -> list[Finding]:
    """Findings not suppressed, plus findings about expired and unused suppressions."""
    today = today or dt.date.today()
    active = [s for s in suppressions if s.expires is None or s.expires >= today]
    used: set[int] = set()
    kept = []
    for finding in findings:
        match = next((i for i, s in enumerate(active) if s.matches(finding)), None)
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
    for suppression in suppressions:
        if suppression.expires is not None and suppression.expires < today:
            kept.append(
                Finding(
                    EXPIRED_RULE,
                    Severity.WARNING,
                    f"suppression of {suppression.rule} for {suppression.target!r} "
                    f"expired on {suppression.expires.isoformat()}",
                    suppression.file,
                    suppression.line,
                    "",
                    suppression.target,
                    "Fix the findings it hid, or extend it with a new reason.",
                )
            )
    for index, suppression in enumerate(active):
        if index not in used:
            kept.append(
                Finding(
                    UNUSED_RULE,
                    Severity.INFO,
                    f"suppression of {suppression.rule} for {suppression.target!r} "
                    "matches no finding",
                    suppression.file,
                    suppression.line,
                    "",
                    suppression.target,
                    "Remove it.",
                )
            )
    return kept
