"""A routing tree of the project's own (``policies.routing_tree``), through Grafana's alerting
resource API (``notifications.alerting.grafana.app``), on Grafana 13.1 and later.

Instead of one route in the shared default tree, the project's policies become a named tree
that no other team edits, and its rules carry Grafana's ``__grafana_managed_route__`` label
so that their alerts are routed by it (alerting/grafana.py). The tree's defaults are the
policies' receiver and grouping; its one route is the policies themselves, so alerts their
matchers do not select still reach the policies' receiver, as ``phoenix-dash route`` says.

The resource API ignores ``dryRun`` and writes (BEHAVIOR-ALERTING.md N1): phoenix-dash never
sends it; the plan is the client's. Writes carry the ``resourceVersion`` read (a stale one is
a 409), and the ledger (ledger.py) tells phoenix-dash's writes from other people's edits. The
manager annotations lock the tree against UI edits unless ``sync.notifications_editable``
(N7: a manager of kind kubectl stands for provenance "api")."""

from __future__ import annotations

from typing import Any

from ...build import Build
from ...errors import ConfigError, Location
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaNotFound
from ...grafana.resources import namespace, served_versions
from ...notifications import canonical
from ...notifications.definitions import root_route
from ...notifications.outputs import grafana_route
from ..ledger import Ledger
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash
from ..ownership import MANAGED_BY, MANAGER_ID, OUR_ID, OUR_KIND
from ..target import Target
from .base import JSON, Handler, not_ours
from .notification_base import judged

GROUP = "notifications.alerting.grafana.app"
VERSIONS = ("v1", "v1beta1", "v0alpha1")  # preferred first
NAMED_TREES_SINCE = (13, 1)  # alertingMultiplePolicies, on by default (N4)
DEFAULT_KEYS = ("receiver", "group_by", "group_wait", "group_interval", "repeat_interval")


def resource_route(route: JSON) -> JSON:
    """A route in the resource API's form: matchers as {label, type, value}, ``continue``
    always written (the API requires it)."""
    out: JSON = {
        k: v for k, v in route.items() if k not in ("object_matchers", "routes", "continue")
    }
    out["continue"] = bool(route.get("continue"))
    if route.get("object_matchers"):
        out["matchers"] = [
            {"label": n, "type": op, "value": v} for n, op, v in route["object_matchers"]
        ]
    if route.get("routes"):
        out["routes"] = [resource_route(child) for child in route["routes"]]
    return out


def legacy_route(route: JSON) -> JSON:
    """A resource-API route back in the provisioning API's form, to compare canonically."""
    out: JSON = {k: v for k, v in route.items() if k not in ("matchers", "routes")}
    if route.get("matchers"):
        out["object_matchers"] = [
            [str(m.get("label")), str(m.get("type")), str(m.get("value"))]
            for m in route["matchers"]
        ]
    if route.get("routes"):
        out["routes"] = [legacy_route(child) for child in route["routes"]]
    return out


def tree_of(item: JSON) -> JSON:
    """A RoutingTree object's tree, as a root route in the provisioning API's form."""
    spec = item.get("spec") or {}
    root = dict(spec.get("defaults") or {})
    root["routes"] = [legacy_route(r) for r in spec.get("routes") or []]
    return root


class RoutingTreeHandler(Handler):
    kind = "routing-tree"

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.collection = ""  # /apis/<group>/<version>/namespaces/<ns>/routingtrees
        self.api_version = ""
        self.file = ""  # notifications.yaml, for errors

    def desired(self, build: Build, target: Target) -> list[Resource]:
        notifications = build.notifications
        if notifications is None or notifications.policy is None or not notifications.routing_tree:
            return []
        self.file = notifications.file
        tree = grafana_route(root_route(notifications.policy))
        name = notifications.routing_tree
        digest = content_hash(canonical.route(tree))
        return [Resource(self.kind, name, name, None, tree, digest, source=notifications.file)]

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        if resources:
            self.ledger.load(conn)

    def _locate(self, conn: GrafanaConnection, name: str, target: Target) -> None:
        """Where the server keeps routing trees; an error naming the setting when it keeps
        no named ones (before Grafana 13.1)."""
        if self.collection:
            return
        version = str(conn.check_api().get("version") or "")
        numbers = tuple(int(p) for p in version.split("-")[0].split(".")[:2] if p.isdigit())
        served = served_versions(conn).get(GROUP, [])
        usable = next((v for v in VERSIONS if v in served), "")
        if numbers < NAMED_TREES_SINCE or not usable:
            raise ConfigError(
                f"policies.routing_tree {name!r} needs Grafana 13.1 or later (named routing "
                f"trees); {conn.settings.url} is Grafana {version or 'of an unknown version'}"
                " : remove routing_tree to write a route in the shared tree; nothing was changed",
                Location(self.file or "notifications.yaml", None, "policies.routing_tree"),
            )
        self.api_version = f"{GROUP}/{usable}"
        space = namespace(conn, target.grafana)
        self.collection = f"/apis/{self.api_version}/namespaces/{space}/routingtrees"

    def _read(self, conn: GrafanaConnection, name: str) -> JSON | None:
        try:
            found: JSON = conn.request_root("GET", f"{self.collection}/{name}")
        except GrafanaNotFound:
            return None
        return found

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        self._locate(conn, resource.key, target)
        found = self._read(conn, resource.key)
        if found is None:
            change = Change(resource, Action.CREATE, reason="new routing tree")
            change.details = _tree_changes({}, resource.desired or {})
            return change
        live = tree_of(found)
        remote = Remote(
            found,
            content_hash=content_hash(canonical.route(live)),
            recorded_hash=self.ledger.recorded(self.kind, resource.key),
            resource_version=str((found.get("metadata") or {}).get("resourceVersion") or ""),
        )
        manager = _manager(found)
        if manager and manager != (OUR_KIND, OUR_ID):
            return not_ours(resource, remote, f"{manager[0]} (identity {manager[1]})")
        if remote.content_hash == resource.content_hash and _locked(found) != _locking(target):
            return Change(resource, Action.UPDATE, remote, "provenance as sync says")
        if remote.content_hash == resource.content_hash:
            return Change(resource, Action.UNCHANGED, remote)
        change = judged(Action.UPDATE, resource, remote, target)
        change.details = _tree_changes(live, resource.desired or {})
        return change

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        self.ledger.load(conn)
        return [Resource(self.kind, key, key) for key in self.ledger.keys(self.kind)]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        self._locate(conn, resource.key, target)
        found = self._read(conn, resource.key)
        if found is None:
            return Change(resource, Action.UNCHANGED)
        remote = Remote(
            found,
            content_hash=content_hash(canonical.route(tree_of(found))),
            recorded_hash=self.ledger.recorded(self.kind, resource.key),
        )
        return judged(Action.DELETE, resource, remote, target)

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        name = change.resource.key
        self._locate(conn, name, target)
        if change.action == Action.DELETE:
            conn.request_root("DELETE", f"{self.collection}/{name}")
            self.ledger.note(self.kind, name, None)
            return "deleted"
        body = self._body(name, change.resource.desired or {}, target)
        if change.action == Action.CREATE:
            conn.request_root("POST", self.collection, json=body)
        else:
            if change.remote is not None and not target.force:  # a stale one is a 409
                body["metadata"]["resourceVersion"] = change.remote.resource_version
            conn.request_root("PUT", f"{self.collection}/{name}", json=body)
        self.ledger.note(self.kind, name, change.resource.content_hash)
        return "created" if change.action == Action.CREATE else "updated"

    def _body(self, name: str, tree: JSON, target: Target) -> JSON:
        annotations = {} if target.notifications_editable else _locking(target)
        return {
            "apiVersion": self.api_version,
            "kind": "RoutingTree",
            "metadata": {"name": name, "annotations": annotations},
            "spec": {
                "defaults": {k: tree[k] for k in DEFAULT_KEYS if k in tree},
                "routes": [resource_route(r) for r in tree.get("routes") or []],
            },
        }

    def finish(self, conn: GrafanaConnection) -> None:
        self.ledger.flush(conn)

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        found = self._read(conn, change.resource.key)
        landed = found is not None and (
            content_hash(canonical.route(tree_of(found))) == change.resource.content_hash
        )
        if landed:
            self.ledger.note(self.kind, change.resource.key, change.resource.content_hash)
        return landed


def _manager(item: JSON) -> tuple[str, str] | None:
    notes = (item.get("metadata") or {}).get("annotations") or {}
    kind, identity = str(notes.get(MANAGED_BY) or ""), str(notes.get(MANAGER_ID) or "")
    return (kind, identity) if kind or identity else None


def _locking(target: Target) -> dict[str, Any]:
    """The annotations that lock the tree against UI edits (none when editable)."""
    if target.notifications_editable:
        return {}
    return {MANAGED_BY: OUR_KIND, MANAGER_ID: OUR_ID}


def _locked(item: JSON) -> dict[str, Any]:
    return {MANAGED_BY: OUR_KIND, MANAGER_ID: OUR_ID} if _manager(item) else {}


def _tree_changes(old: JSON, new: JSON) -> list[str]:
    from ..diffing import tree_changes

    return tree_changes(old, new)
