"""What the handlers of contact points, mute timings and templates share: the live resources of
a kind read in one list per plan, compared in canonical form (notifications/canonical.py), and
told apart from other people's edits by the project's ledger (sync/ledger.py).

Provenance is chosen once for these kinds (``sync.notifications_editable``): without it
phoenix-dash writes them as "api", which Grafana's UI does not let people edit; with it, with
X-Disable-Provenance, and their edits are conflicts. Grafana refuses to switch a resource
from "api" to editable (P9: a 500 for contact points; P17: a 403 for the others), so such a
resource is a conflict --force cannot settle, named before anything is written."""

from __future__ import annotations

from abc import abstractmethod
from urllib.parse import quote

from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaConflict
from ...notifications import canonical
from ..diffing import leaf_changes, value_change
from ..ledger import Ledger
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash
from ..target import Target
from .base import JSON, Handler, conflict_or, not_ours

BASE = "/v1/provisioning"
OTHER_WRITERS = {
    "file": "file provisioning",
    "converted_prometheus": "the Prometheus configuration import (converted_prometheus)",
}
EDITABLE = {"X-Disable-Provenance": "true"}


def segment(name: str) -> str:
    """A name as one path segment (mute timing names may hold spaces or slashes)."""
    return quote(name, safe="")


def provenance_headers(editable: bool) -> dict[str, str] | None:
    # Grafana disables provenance when the header is present at all, whatever its value.
    return EDITABLE if editable else None


def judged(action: Action, resource: Resource, remote: Remote, target: Target) -> Change:
    """A write (``action``) of a resource Grafana has, judged by the ledger: what
    phoenix-dash wrote last may be changed or deleted; anything else is someone else's, a
    conflict unless --force."""
    if remote.recorded_hash is None:
        reason = "exists and was not written by phoenix-dash"
    elif remote.recorded_hash != remote.content_hash:
        reason = "edited in Grafana since phoenix-dash's last write"
    else:
        done = "changed in code" if action == Action.UPDATE else "no longer defined"
        return Change(resource, action, remote, done)
    return conflict_or(action, resource, remote, reason, target)


class NotificationHandler(Handler):
    noun: str  # for people: "contact point"
    # How a route names this kind ("receiver", "mute_time_intervals"), if routes do.
    named_by_routes: tuple[str, ...] = ()

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.live: dict[str, JSON] | None = None
        self.tree: JSON | None = None  # the policy tree, read once per plan when pruning

    @abstractmethod
    def read_all(self, conn: GrafanaConnection) -> dict[str, JSON]:
        """Every resource of the kind Grafana has, by key."""

    @abstractmethod
    def canonical(self, body: JSON) -> JSON:
        """The content compared and hashed, from a built body or Grafana's answer."""

    @abstractmethod
    def write(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        """Create or update, with the provenance ``target`` asks for."""

    @abstractmethod
    def remove(self, conn: GrafanaConnection, change: Change, target: Target) -> None: ...

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        if resources:
            self._load(conn)

    def _load(self, conn: GrafanaConnection) -> dict[str, JSON]:
        self.ledger.load(conn)
        if self.live is None:
            self.live = self.read_all(conn)
        return self.live

    def resource(self, key: str, name: str, body: JSON, source: str) -> Resource:
        return Resource(
            self.kind,
            key,
            name,
            None,
            body,
            content_hash(self.canonical(body)),
            source=source,
        )

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        found = self._load(conn).get(resource.key)
        if found is None:
            return Change(resource, Action.CREATE, reason=f"new {self.noun}")
        remote = self._remote(found)
        refused = self._foreign(resource, remote, target)
        if refused is not None:
            return refused
        if remote.content_hash == resource.content_hash:
            if not target.notifications_editable and not found.get("provenance"):
                return Change(resource, Action.UPDATE, remote, "lock against UI edits")
            return Change(resource, Action.UNCHANGED, remote)
        change = judged(Action.UPDATE, resource, remote, target)
        change.details = self.details(found, resource.desired or {})
        return change

    def details(self, found: JSON, desired: JSON) -> list[str]:
        old, new = self.canonical(found), self.canonical(desired)
        return [value_change(where, a, b) for where, a, b in leaf_changes(old, new)]

    def _remote(self, found: JSON) -> Remote:
        key = self.key_of(found)
        return Remote(
            found,
            content_hash=content_hash(self.canonical(found)),
            recorded_hash=self.ledger.recorded(self.kind, key),
        )

    def key_of(self, found: JSON) -> str:
        return str(found.get("name"))

    def _foreign(self, resource: Resource, remote: Remote, target: Target) -> Change | None:
        """Another writer's resource, or one whose provenance Grafana will not let go."""
        provenance = str(remote.body.get("provenance") or "")
        if provenance in OTHER_WRITERS:
            return not_ours(resource, remote, OTHER_WRITERS[provenance])
        if provenance and target.notifications_editable:
            return Change(
                resource,
                Action.CONFLICT,
                remote,
                f"Grafana holds it with provenance {provenance!r}, which it refuses to make "
                "UI-editable (sync.notifications_editable); delete it in Grafana, or set "
                "notifications_editable to false",
                forceable=False,
            )
        return None

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        self.ledger.load(conn)
        keys = self.ledger.keys(self.kind)
        return [Resource(self.kind, key, key) for key in keys] if keys else []

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        found = self._load(conn).get(resource.key)
        if found is None:
            return Change(resource, Action.UNCHANGED)  # gone already: nothing to do
        remote = self._remote(found)
        refused = self._foreign(resource, remote, target)
        if refused is not None:
            return refused
        users = self._routes_using(conn, resource.key)
        if users:
            return Change(
                resource,
                Action.CONFLICT,
                remote,
                f"no longer defined, but routes phoenix-dash does not own use it "
                f"({'; '.join(users)}); Grafana would refuse to delete it",
                forceable=False,
            )
        return judged(Action.DELETE, resource, remote, target)

    def _routes_using(self, conn: GrafanaConnection, key: str) -> list[str]:
        """Routes outside phoenix-dash's own that name the resource (P11, P22: Grafana
        answers 409 to its deletion while any route does)."""
        if not self.named_by_routes:
            return []
        name = str((self._load(conn).get(key) or {}).get("name") or key)
        if self.tree is None:  # one read for every resource this plan prunes
            self.tree = conn.request("GET", f"{BASE}/policies") or {}
        tree = self.tree
        ours = self.ledger.selector()
        found: list[str] = []
        for route in tree.get("routes") or []:
            if ours is None or canonical.selector(route) != ours:
                found += _naming(route, name, self.named_by_routes)
        if any(name == tree.get(key) for key in self.named_by_routes):
            found.append("the root (the default receiver)")
        return found

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        key = change.resource.key
        if change.action == Action.DELETE:
            self.remove(conn, change, target)
            self.ledger.note(self.kind, key, None)
            return "deleted"
        if not target.force:
            self._still_as_planned(conn, change)
        self.write(conn, change, target)
        self.ledger.note(self.kind, key, change.resource.content_hash)
        return "created" if change.action == Action.CREATE else "updated"

    def _still_as_planned(self, conn: GrafanaConnection, change: Change) -> None:
        """Read again right before writing: an edit made since the plan is a conflict, not
        overwritten (contact points have no version to lock a write on)."""
        found = self.read_all(conn).get(change.resource.key)
        planned = change.remote.content_hash if change.remote is not None else None
        now = content_hash(self.canonical(found)) if found is not None else None
        if now != planned:
            raise GrafanaConflict(
                "changed by someone else since the plan",
                409,
                "PUT",
                f"{BASE}/{self.kind}s/{change.resource.key}",
                f"the {self.noun} changed since the plan",
            )

    def finish(self, conn: GrafanaConnection) -> None:
        self.ledger.flush(conn)

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        found = self.read_all(conn).get(change.resource.key)
        landed = found is not None and (
            content_hash(self.canonical(found)) == change.resource.content_hash
        )
        if landed:
            self.ledger.note(self.kind, change.resource.key, change.resource.content_hash)
        return landed


def _naming(route: JSON, name: str, keys: tuple[str, ...]) -> list[str]:
    """Routes of this subtree that name ``name`` under one of ``keys``, for people."""
    found = []
    for key in keys:
        value = route.get(key)
        if value == name or (isinstance(value, list) and name in value):
            matchers = ", ".join(f"{n}{op}{v}" for n, op, v in canonical.selector(route))
            found.append(f"route {matchers or '(every alert)'}")
            break
    for child in route.get("routes") or []:
        found += _naming(child, name, keys)
    return found
