"""A project's say over the rules (phoenix-dash.yaml, ``lint.rules``): each rule's severity
or ``off``, and its options (the labels every alert rule needs, ...). A team's policy lives
there, not in the rules' code:

```yaml
lint:
  rules:
    panel/missing-description: warning       # a policy rule, off by default
    promql/regex-static-string: off
    alert/required-labels: {severity: error, labels: [severity, team, component]}
    dashboard-linter: on                      # a preset: another tool's rule set (presets.py)
```
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Entry
from ..errors import ConfigError
from .core import REGISTRY, Severity
from .presets import PRESETS, preset_settings

SEVERITIES = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class RuleSettings:
    """What lint.rules chose; the registry's defaults for the rest."""

    severities: Mapping[str, Severity] = field(default_factory=dict)
    chosen_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def severity(self, rule_id: str) -> Severity:
        return self.severities.get(rule_id, REGISTRY[rule_id].info.severity)

    def options(self, rule_id: str) -> Mapping[str, Any]:
        return {**REGISTRY[rule_id].info.options, **self.chosen_options.get(rule_id, {})}


DEFAULTS = RuleSettings()


def written_settings(chosen: Mapping[str, Mapping[str, Any]]) -> RuleSettings:
    """Settings written as a preset writes them: ``{rule id: {"severity": ..., option: ...}}``
    (known to be valid: tests/test_lint_presets.py checks every preset)."""
    return RuleSettings(
        {rule_id: Severity.parse(setting["severity"]) for rule_id, setting in chosen.items()},
        {
            rule_id: {k: v for k, v in setting.items() if k != "severity"}
            for rule_id, setting in chosen.items()
        },
    )


def rule_settings(entries: tuple[Entry, ...]) -> RuleSettings:
    """lint.rules entries (``{"rule": id, "setting": value}``, where each is written),
    checked: an unknown rule, severity or option is an error at its line."""
    from . import rules  # noqa: F401 - registers the rules (not at the top: they import us)

    severities: dict[str, Severity] = {}
    options: dict[str, dict[str, Any]] = {}
    presets = [entry for entry in entries if str(entry.value["rule"]) in PRESETS]
    own = [entry for entry in entries if str(entry.value["rule"]) not in PRESETS]
    for entry in presets:  # first: a rule's own entry overrides what a preset gives it
        if _preset_on(entry):
            given = written_settings(preset_settings(str(entry.value["rule"])))
            severities.update(given.severities)
            options.update({k: dict(v) for k, v in given.chosen_options.items()})
    for entry in own:
        rule_id, setting = str(entry.value["rule"]), entry.value["setting"]
        if rule_id not in REGISTRY:
            close = difflib.get_close_matches(rule_id, [*REGISTRY, *PRESETS], n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]}?" if close else " (phoenix-dash lint --list-rules)"
            raise ConfigError(f"unknown rule {rule_id!r}{hint}", entry.where)
        if isinstance(setting, str) or setting is False:  # YAML 1.1 reads a bare off as false
            setting = {"severity": setting}
        if not isinstance(setting, Mapping):
            raise ConfigError(f"a severity ({', '.join(SEVERITIES)}) or a mapping", entry.where)
        chosen = dict(setting)
        if "severity" in chosen:
            severities[rule_id] = _severity(rule_id, chosen.pop("severity"), entry)
        options[rule_id] = {**options.get(rule_id, {}), **_options(rule_id, chosen, entry)}
    return RuleSettings(severities, options)


def _preset_on(entry: Entry) -> bool:
    setting = entry.value["setting"]  # YAML 1.1 reads on/off as true/false
    if setting in (True, "on"):
        return True
    if setting in (False, "off"):
        return False
    raise ConfigError(f"a preset is on or off, not {setting!r}", entry.where)


def _severity(rule_id: str, value: Any, entry: Entry) -> Severity:
    if value is False:  # YAML 1.1 reads a bare off as false
        value = "off"
    if not isinstance(value, str) or value not in SEVERITIES:
        raise ConfigError(
            f"severity {value!r} is not one of {', '.join(SEVERITIES)}",
            entry.where,
        )
    return Severity.parse(value)


def _options(rule_id: str, chosen: Mapping[str, Any], entry: Entry) -> dict[str, Any]:
    known = REGISTRY[rule_id].info.options
    for name, value in chosen.items():
        if name not in known:
            offered = ", ".join(["severity", *known]) or "severity"
            raise ConfigError(
                f"unknown option {name!r} (it takes: {offered})",
                entry.where,
            )
        if not isinstance(value, type(known[name])):
            raise ConfigError(
                f"{name}: expected a {type(known[name]).__name__}, not {value!r}",
                entry.where,
            )
    return dict(chosen)
