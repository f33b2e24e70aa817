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


def judged_by_record(
    resource: Resource, remote: Remote, target: Target, reason: str = "changed in code"
) -> Change:
    """An update of a resource whose record says what phoenix-dash wrote last: the hash of
    its content and the version that write produced (datasources, library panels). Without a
    record it is someone else's; at another version someone saved it since: conflicts
    unless --force."""
    if remote.recorded_hash is None:
        return conflict_or(
            Action.UPDATE, resource, remote, "exists and was not written by phoenix-dash", target
        )
    if remote.recorded_version != remote.version:
        return conflict_or(
            Action.UPDATE,
            resource,
            remote,
            f"saved by someone else since phoenix-dash's last write (version "
            f"{remote.version}, phoenix-dash wrote version {remote.recorded_version})",
            target,
        )
    return Change(resource, Action.UPDATE, remote, reason)


def written_as_recorded(remote: Remote | None, content_hash: str) -> bool:
    """Grafana holds phoenix-dash's last write of ``content_hash``, unsaved since (by the
    record of hash and version, as ``judged_by_record`` reads it)."""
    return (
        remote is not None
        and remote.recorded_hash == content_hash
        and remote.recorded_version == remote.version
    )
