"""The handler interface, and what every handler shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaError
from ..model import Action, Change, Remote, Resource
from ..target import Target

JSON = dict[str, Any]


class Handler(ABC):
    kind: str

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:  # noqa: B027
        """Read in bulk what lets ``plan`` skip per-resource reads (optional)."""

    @abstractmethod
    def desired(self, build: Build, target: Target) -> list[Resource]: ...

    @abstractmethod
    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change: ...

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        """What Grafana has that phoenix-dash manages (candidates for --prune)."""
        return []

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        return Change(resource, Action.DELETE, reason="no longer defined")

    @abstractmethod
    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str: ...

    def ready(self, change: Change) -> None:  # noqa: B027
        """Raise PhoenixDashError when the change cannot be written from here (a secret it
        needs is not set); called for every write before the first one."""

    def validate(
        self, conn: GrafanaConnection, change: Change, target: Target, new_folders: set[str]
    ) -> str:
        """Why Grafana would refuse the change's write, from a server-side dry run; "" when
        it would accept it, or the API has no dry run (the legacy API). ``new_folders``: the
        folders the plan creates, which the dry run cannot see yet."""
        return ""

    def finish(self, conn: GrafanaConnection) -> None:  # noqa: B027
        """After every stage of an apply: what the kind records of its writes (the
        notification ledger). Raises GrafanaError when that fails."""

    def refusal(self, error: GrafanaError) -> str | None:
        """Why Grafana refused a write because something else manages the resource (file
        provisioning, a plugin), or None for any other failure."""
        return None

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        """After a conflict on a create or update: does Grafana already hold exactly what it
        meant to write? A retried request whose first attempt landed (the answer was lost),
        or one sent by an earlier, interrupted sync, meets its own write: no conflict."""
        return False


def conflict_or(
    change_action: Action, resource: Resource, remote: Remote, reason: str, target: Target
) -> Change:
    if target.force:
        return Change(resource, change_action, remote, f"forced over: {reason}")
    return Change(resource, Action.CONFLICT, remote, reason)


def not_ours(resource: Resource, remote: Remote | None, owner: str) -> Change:
    """A resource that something else manages: left alone, --force or not."""
    return Change(
        resource,
        Action.CONFLICT,
        remote,
        f"managed by {owner}, not phoenix-dash; left unchanged",
        forceable=False,
    )
