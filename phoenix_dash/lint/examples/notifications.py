"""Failing and passing examples of the notifications/* lint rules: notifications.yaml's
content beside a clean alert rule group (its rule sets severity="critical")."""

from __future__ import annotations

from typing import Any

from .builders import JSON, Example, alert_rule, group


def _notifications(**changes: Any) -> JSON:
    content: JSON = {
        "contact_points": [
            {"name": "oncall", "type": "webhook", "settings": {"url": "https://pager.example"}},
        ],
        "templates": {"title": '{{ define "title" }}{{ .CommonLabels.alertname }}{{ end }}'},
        "policies": {
            "receiver": "oncall",
            "routes": [{"matchers": ['severity="critical"'], "receiver": "oncall"}],
        },
    }
    content.update(changes)
    return content


def _with(notifications: JSON) -> Example:
    rule = alert_rule()
    rule["labels"] = {**rule.get("labels", {}), "severity": "critical"}
    return [], [group(rule)], [], notifications


CLEAN = _with(_notifications())
EXTRA_POINT = {"name": "old-slack", "type": "webhook", "settings": {"url": "https://x.example"}}

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "notifications/unused-contact-point": (
        _with(_notifications(contact_points=[*_notifications()["contact_points"], EXTRA_POINT])),
        CLEAN,
    ),
    "notifications/unset-label": (
        _with(
            _notifications(
                policies={
                    "receiver": "oncall",
                    "routes": [{"matchers": ['severtiy="critical"'], "receiver": "oncall"}],
                }
            )
        ),
        CLEAN,
    ),
    "notifications/template-syntax": (
        _with(
            _notifications(templates={"title": '{{ define "title" }}{{ if .Alerts }}x{{ end }}'})
        ),
        CLEAN,
    ),
}
