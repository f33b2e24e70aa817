"""What the project's alerts must reach: every alert a unit test expects to fire goes through
one of the project's own routes, not only to the policy's catch-all receiver, and never
outside the policies altogether (Grafana's default contact point: another team's, or no one's).
A label typo (``severtiy``) is what this catches before anyone is left unpaged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .definitions import Notifications, written_at


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
