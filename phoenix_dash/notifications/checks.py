"""What the project's alerts must reach: every alert a unit test expects to fire goes through
one of the project's own routes, not only to the policy's catch-all receiver, and never
outside the policies altogether (Grafana's default contact point: another team's, or no one's).
A label typo (``severtiy``) is what this catches before anyone is left unpaged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .definitions import Notifications, written_at
from .expectations import (
    expectations_file,
    load_expectations,
    receiver_mismatches,
    unused_expectations,
)


def delivery_gaps(
    notifications: Notifications, alerts: Iterable[tuple[str, Mapping[str, str]]]
) -> list[str]:
    """One line per expected alert (where the test expects it, its labels) that reaches
    none of the project's routes."""
    if notifications.tree is None:
        return []
    gaps = []
    for where, labels in alerts:
        routes = notifications.receivers(labels)
        shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        if all(route.path == "route" for route in routes):
            gaps.append(
                f"{where}: alert {{{shown}}} is not selected by {notifications.file}'s "
                "policies.matchers: Grafana's default contact point would get it, not this "
                "project's"
            )
        elif all(route.path == "route.routes[0]" for route in routes):
            gaps.append(
                f"{where}: alert {{{shown}}} reaches only the catch-all "
                f"{routes[0].receiver} ({written_at(routes[0])}): no route of "
                f"{notifications.file}'s policies selects it"
            )
    return gaps


def receiver_gaps(
    notifications: Notifications,
    fired_by_file: Mapping[Path, Sequence[tuple[str, Mapping[str, str]]]],
) -> list[str]:
    """Each test file's alerts against who its ``.receivers.yaml`` says must get them; a
    file that expects alerts to fire needs one (its lines are suggested)."""
    if notifications.tree is None:
        return []
    gaps = []
    for test_file, fired in sorted(fired_by_file.items()):
        sidecar = expectations_file(test_file)
        if not sidecar.exists():
            suggested = {
                labels["alertname"]: ", ".join(r.receiver for r in notifications.receivers(labels))
                for _, labels in fired
            }
            lines = "; ".join(f"{name}: [{shown}]" for name, shown in suggested.items())
            gaps.append(
                f"{test_file.name}: its alerts fire, but no {sidecar.name} beside it says who "
                f"must receive them (today's routing: {lines})"
            )
            continue
        expected = load_expectations(sidecar)
        gaps += receiver_mismatches(notifications, expected, fired, sidecar.name)
        gaps += unused_expectations(expected, fired)
    return gaps
