"""Failing and passing examples of the group/* lint rules."""

from __future__ import annotations

from .builders import CLEAN_ALERT, Example, alert_rule, group

EXAMPLES: dict[str, tuple[Example, Example]] = {
    "group/interval": (([], [group(interval=600)]), CLEAN_ALERT),
    "group/size": (
        ([], [group(*[alert_rule(uid=f"r{i}", title=f"r{i}") for i in range(21)])]),
        CLEAN_ALERT,
    ),
}
