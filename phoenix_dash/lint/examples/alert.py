"""Failing and passing examples of the alert/* lint rules."""

from __future__ import annotations

from .builders import (
    _DELETE,
    CLEAN_ALERT,
    Example,
    _alert,
    _set,
    alert_rule,
    group,
)

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "alert/schema": (_alert(_set(["noDataState"], "No Data")), CLEAN_ALERT),
    "alert/condition-ref": (_alert(condition="Z"), CLEAN_ALERT),
    "alert/expression-refs": (_alert(_set(["data", 2, "model", "expression"], "X")), CLEAN_ALERT),
    "alert/for-format": (_alert(None, **{"for": "5 minutes"}), CLEAN_ALERT),
    "alert/no-comparison": (_alert(condition="B"), CLEAN_ALERT),
    "alert/severity": (
        _alert(labels={"severity": "page", "team": "t", "component": "c"}),
        CLEAN_ALERT,
    ),
    "alert/required-labels": (_alert(labels={"severity": "warning"}), CLEAN_ALERT),
    "alert/required-annotations": (
        _alert(_set(["annotations", "runbook_url"], _DELETE)),
        CLEAN_ALERT,
    ),
    "alert/template": (
        _alert(_set(["annotations", "summary"], "{{ $labels.instance }} fails")),
        CLEAN_ALERT,
    ),
    "alert/value-humanize": (
        _alert(_set(["annotations", "description"], "{{ $values.B.Value }} fail")),
        CLEAN_ALERT,
    ),
    "alert/duplicate": (
        ([], [group(alert_rule(), alert_rule(uid="rule-2"))]),
        ([], [group(alert_rule(), alert_rule(uid="rule-2", title="Other"))]),
    ),
    "alert/name-length": (_alert(title="x" * 191), CLEAN_ALERT),
}
