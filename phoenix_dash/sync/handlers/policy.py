"""phoenix-dash's own route in Grafana's notification policy tree.

The tree is one object that every team shares (Terraform's provider replaces it whole, which
is how one team's apply wipes another's routes). phoenix-dash owns one top-level route: the
one whose matchers are ``policies.matchers`` in notifications.yaml (its selector). A sync is a
read-modify-write of the tree that changes that route alone, put first among the root's
routes when it is new, and keeps everything else (other routes, the root's receiver,
grouping and timers, the tree's provenance) as read. The legacy API has no lock on the tree
(P16): right before writing, the tree is read again and the write is a conflict if anything
else in it changed since the plan.

The tree's provenance is the tree's, not phoenix-dash's to choose: an editable tree ("") is
written with X-Disable-Provenance so other teams can still edit their routes in the UI, a
locked one ("api") without it, since Grafana refuses to unlock it (P17)."""

from __future__ import annotations

import copy

import orjson

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaConflict
from ...notifications import canonical
from ...notifications.outputs import grafana_route
from ..ledger import POLICY_KEY as KEY
from ..ledger import Ledger
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash
from ..target import Target
from .base import JSON, Handler, not_ours
from .notification_base import BASE, EDITABLE, OTHER_WRITERS, judged

PATH = f"{BASE}/policies"
ROOT_KEYS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")


class PolicyHandler(Handler):
    kind = "policy"

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.tree: JSON | None = None
        self.point_names: dict[str, str] = {}  # the code's contact points: uid -> name

    def desired(self, build: Build, target: Target) -> list[Resource]:
        notifications = build.notifications
        if notifications is None or notifications.policy is None or notifications.routing_tree:
            return []  # none, or a routing tree of the project's own (routing_tree.py)
        body = grafana_route(notifications.policy)
        name = ", ".join(notifications.policy.get("matchers") or []) or "(every alert)"
        digest = content_hash(canonical.route(body))
        self.point_names = {p.uid: p.name for p in notifications.contact_points}
        return [Resource(self.kind, KEY, name, None, body, digest, source=notifications.file)]

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        if resources:
            self._load(conn)

    def _load(self, conn: GrafanaConnection) -> JSON:
        self.ledger.load(conn)
        if self.tree is None:
            self.tree = conn.request("GET", PATH) or {}
        return self.tree

    def _selectors(self, resource: Resource | None) -> list[list[list[str]]]:
        """The selector in code, then the one phoenix-dash last wrote (the code may have
        changed it: the old route is then the one to replace)."""
        found = [canonical.selector(resource.desired)] if resource and resource.desired else []
        recorded = self.ledger.selector()
        if recorded:
            found.append(recorded)
        return found

    def _renames(self, conn: GrafanaConnection) -> dict[str, str]:
        """Contact points the code renames (same uid, another name): renaming one makes
        Grafana rename it in every route that names it (P8), before this route is written."""
        if not self.point_names:
            return {}
        live = conn.request("GET", f"{BASE}/contact-points") or []
        return {
            str(p.get("name")): self.point_names[str(p.get("uid"))]
            for p in live
            if self.point_names.get(str(p.get("uid")), p.get("name")) != p.get("name")
        }

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        found = self._load(conn)
        foreign = _foreign(resource, found)
        if foreign is not None:
            return foreign
        # The tree as it will be when this route is written: after the contact point stage.
        tree = _renamed(found, self._renames(conn))
        places = _places(tree, self._selectors(resource))
        if len(places) > 1:
            return _ambiguous(resource, tree, places)
        if not places:  # the tree read is kept: the rest of it must not change under the write
            change = Change(resource, Action.CREATE, Remote(tree), "new route, first in the tree")
            change.details = _tree_changes({}, resource.desired or {})
            return change
        live = (found.get("routes") or [])[places[0]]
        remote = Remote(
            tree,  # what the write is checked against
            content_hash=content_hash(canonical.route(live)),
            recorded_hash=self.ledger.recorded(self.kind, KEY),
        )
        after = content_hash(canonical.route((tree.get("routes") or [])[places[0]]))
        if after == resource.content_hash:
            if after == remote.content_hash or remote.recorded_hash != remote.content_hash:
                return Change(resource, Action.UNCHANGED, remote)
            # Grafana renames the route itself; written once so the ledger knows it so.
            return Change(resource, Action.UPDATE, remote, "a contact point it names is renamed")
        change = judged(Action.UPDATE, resource, remote, target)
        change.details = _tree_changes(live, resource.desired or {})
        return change

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        self.ledger.load(conn)
        if self.ledger.recorded(self.kind, KEY) is None:
            return []
        return [Resource(self.kind, KEY, "phoenix-dash's route")]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        tree = self._load(conn)
        places = _places(tree, self._selectors(None))
        if not places:
            return Change(resource, Action.UNCHANGED)
        foreign = _foreign(resource, tree) or (
            _ambiguous(resource, tree, places) if len(places) > 1 else None
        )
        if foreign is not None:
            return foreign
        live = (tree.get("routes") or [])[places[0]]
        remote = Remote(
            tree,
            content_hash=content_hash(canonical.route(live)),
            recorded_hash=self.ledger.recorded(self.kind, KEY),
        )
        change = judged(Action.DELETE, resource, remote, target)
        change.details = _tree_changes(live, {})
        return change

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        self.ledger.load(conn)  # apply's handlers are fresh: the selector written last
        current = conn.request("GET", PATH) or {}
        selectors = self._selectors(change.resource if change.action != Action.DELETE else None)
        places = _places(current, selectors)
        if not target.force:
            planned = change.remote.body if change.remote is not None else None
            _still_as_planned(current, planned, places, selectors)
        tree = {k: v for k, v in copy.deepcopy(current).items() if k != "provenance"}
        routes = list(tree.get("routes") or [])
        if change.action == Action.DELETE:
            routes = [r for i, r in enumerate(routes) if i not in places]
        elif places:
            routes[places[0]] = change.resource.desired
        else:
            routes.insert(0, change.resource.desired)
        tree["routes"] = routes
        headers = None if current.get("provenance") else EDITABLE
        conn.request("PUT", PATH, json=tree, headers=headers)
        if change.action == Action.DELETE:
            self.ledger.note(self.kind, KEY, None)
            self.ledger.note_selector(None)
            return "deleted"
        self.ledger.note(self.kind, KEY, change.resource.content_hash)
        self.ledger.note_selector(canonical.selector(change.resource.desired or {}))
        return "created" if change.action == Action.CREATE else "updated"

    def finish(self, conn: GrafanaConnection) -> None:
        self.ledger.flush(conn)


def _renamed(tree: JSON, renames: dict[str, str]) -> JSON:
    """``tree`` with every receiver named as ``renames`` says (a copy when any is)."""
    if not renames:
        return tree

    def rename(route: JSON) -> JSON:
        out = dict(route)
        if out.get("receiver") in renames:
            out["receiver"] = renames[out["receiver"]]
        if route.get("routes"):
            out["routes"] = [rename(child) for child in route["routes"]]
        return out

    return rename(tree)


def _places(tree: JSON, selectors: list[list[list[str]]]) -> list[int]:
    """Where phoenix-dash's route is among the root's routes: those with the first selector
    that any route has."""
    routes = tree.get("routes") or []
    for selector in selectors:
        found = [i for i, r in enumerate(routes) if canonical.selector(r) == selector]
        if found:
            return found
    return []


def _others(tree: JSON | None, places: list[int]) -> bytes:
    """Everything in the tree but phoenix-dash's route: what must not change under it."""
    tree = tree or {}
    routes = [canonical.route(r) for i, r in enumerate(tree.get("routes") or []) if i not in places]
    root = {k: tree[k] for k in ROOT_KEYS if tree.get(k)}
    return orjson.dumps({"root": root, "routes": routes, "provenance": tree.get("provenance")})


def _still_as_planned(
    current: JSON, planned: JSON | None, places: list[int], selectors: list[list[list[str]]]
) -> None:
    planned_places = _places(planned, selectors) if planned is not None else []
    mine_now = [canonical.route(current["routes"][i]) for i in places]
    mine_then = [canonical.route((planned or {})["routes"][i]) for i in planned_places]
    others_same = planned is None or _others(current, places) == _others(planned, planned_places)
    if not others_same or mine_now != mine_then:
        raise GrafanaConflict(
            "the policy tree changed since the plan",
            409,
            "PUT",
            PATH,
            "the notification policy tree changed since the plan; nothing was written",
        )


def _foreign(resource: Resource, tree: JSON) -> Change | None:
    provenance = str(tree.get("provenance") or "")
    if provenance in OTHER_WRITERS:
        return not_ours(resource, Remote(tree), f"{OTHER_WRITERS[provenance]} (the whole tree)")
    return None


def _ambiguous(resource: Resource, tree: JSON, places: list[int]) -> Change:
    return Change(
        resource,
        Action.CONFLICT,
        Remote(tree),
        f"{len(places)} top-level routes select {resource.name}; phoenix-dash owns one: "
        "merge them in Grafana",
        forceable=False,
    )


def _tree_changes(old: JSON, new: JSON) -> list[str]:
    from ..diffing import tree_changes

    return tree_changes(old, new)
