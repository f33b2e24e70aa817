"""Library panels (``/api/library-elements``), by uid, before the dashboards that use them.

Grafana keeps nothing about who wrote a library element but a version that every PATCH bumps
(L3), so phoenix-dash records in the model (its options: see ``recorded``), as datasources
do in jsonData, the hash of what it wrote and the version that write produced (a create makes
1, a PATCH the sent version + 1; served from /apis, L9, the version is the object's
generation, which a write that changes the record bumps by one too).
An element whose version is not the recorded one was saved by someone else since: a conflict
unless --force. Writes carry the version read: a save between plan and write is a 412, not
overwritten. A library panel still used by a dashboard cannot be deleted (L6): dashboards are
written first, and one used by a dashboard phoenix-dash does not own is left, and said."""

from __future__ import annotations

import copy

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaNotFound
from ...library_panels import KIND_PANEL
from ..diffing import leaf_changes, value_change
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash
from ..target import Target
from .base import JSON, Handler, judged_by_record, written_as_recorded

RECORD_KEY = "phoenixDash"  # in the model's options: {"hash": ..., "version": ...}
BASE = "/library-elements"
# What Grafana adds to a model it stores (L2), left out of the comparison.
FILLED_IN = (("type", ""), ("description", ""))


def recorded(model: JSON) -> JSON:
    """phoenix-dash's record of its last write. It is kept in the panel's options, which
    Grafana keeps whole even when library panels are served from /apis (L9: the model is
    rebuilt from a few keys there); an earlier phoenix-dash kept it at the top of the model."""
    options = model.get("options")
    inside = options.get(RECORD_KEY) if isinstance(options, dict) else None
    record = inside if isinstance(inside, dict) else model.get(RECORD_KEY)
    return record if isinstance(record, dict) else {}


def without_record(model: JSON) -> JSON:
    """The model as the code wrote it: phoenix-dash's record left out, wherever it is."""
    out = {k: v for k, v in model.items() if k != RECORD_KEY}
    options = out.get("options")
    if isinstance(options, dict) and RECORD_KEY in options:
        out["options"] = {k: v for k, v in options.items() if k != RECORD_KEY}
    return out


def with_record(model: JSON, content_hash: str, version: int) -> JSON:
    found = model.get("options")
    options: JSON = found if isinstance(found, dict) else {}
    record = {"hash": content_hash, "version": version}
    return {**model, "options": {**options, RECORD_KEY: record}}


def comparable(body: JSON) -> JSON:
    """What the code decides of an element: its name, folder and model (Grafana's additions
    and phoenix-dash's record left out)."""
    model = without_record(body.get("model") or {})
    for key, default in FILLED_IN:
        if model.get(key) == default:
            model.pop(key)
    return {"name": body.get("name"), "folderUid": body.get("folderUid") or "", "model": model}


class LibraryPanelHandler(Handler):
    kind = "library-panel"

    def __init__(self) -> None:
        self.own_dashboards: set[str] = set()  # the project's, as this target names them

    def desired(self, build: Build, target: Target) -> list[Resource]:
        self.own_dashboards = {target.dashboard_uid(d.uid) for d in build.dashboards}
        folder = target.folder_uid(build.default_folder)
        resources = []
        for library in build.library_panels:
            body = target.remap(library.body(folder))
            uid = target.dashboard_uid(library.uid)  # a preview's own (uid_prefix), like its
            if uid != library.uid:  # dashboards', never production's
                body = {**body, "uid": uid, "name": f"{library.name} ({uid})"}
                body["model"] = {
                    **body["model"],
                    "libraryPanel": {"uid": uid, "name": body["name"]},
                }
            digest = content_hash(comparable(body))
            resources.append(Resource(self.kind, uid, body["name"], folder, body, digest))
        return resources

    @staticmethod
    def _read(conn: GrafanaConnection, uid: str) -> Remote | None:
        try:
            found = (conn.request("GET", f"{BASE}/{uid}") or {}).get("result") or {}
        except GrafanaNotFound:
            return None
        record = recorded(found.get("model") or {})
        version = record.get("version")
        return Remote(
            found,
            found.get("version"),
            content_hash(comparable(found)),
            str(record["hash"]) if record.get("hash") else None,
            version if isinstance(version, int) else None,
        )

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        remote = self._read(conn, resource.key)
        if remote is None:
            return Change(resource, Action.CREATE, reason="new library panel")
        if written_as_recorded(remote, resource.content_hash):
            return Change(resource, Action.UNCHANGED, remote)
        change = judged_by_record(resource, remote, target)
        old, new = comparable(remote.body), comparable(resource.desired or {})
        change.details = [value_change(where, a, b) for where, a, b in leaf_changes(old, new)]
        return change

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        found = conn.request("GET", BASE, params={"kind": KIND_PANEL, "perPage": 1000}) or {}
        elements = (found.get("result") or {}).get("elements") or []
        return [
            Resource(self.kind, str(e["uid"]), str(e.get("name") or ""))
            for e in elements
            if recorded(e.get("model") or {})
        ]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        """Deleted once no dashboard uses it: phoenix-dash's own dashboards stop before the
        deletes run; another's use keeps it."""
        found = conn.request("GET", f"{BASE}/{resource.key}/connections/") or {}
        users = sorted(str(c.get("connectionUid")) for c in found.get("result") or [])
        others = [uid for uid in users if uid not in self.own_dashboards]
        if others:
            return Change(
                resource,
                Action.CONFLICT,
                reason=f"no longer defined, but dashboards phoenix-dash does not write use it "
                f"({', '.join(others)}); Grafana would refuse to delete it",
                forceable=False,
            )
        return Change(resource, Action.DELETE, reason="no longer defined")

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        uid = change.resource.key
        if change.action == Action.DELETE:
            conn.request("DELETE", f"{BASE}/{uid}")
            return "deleted"
        body = copy.deepcopy(change.resource.desired or {})
        if change.action == Action.CREATE:
            body["model"] = with_record(body["model"], change.resource.content_hash, 1)
            conn.request("POST", BASE, json=body)
            return "created"
        version = change.remote.version if change.remote is not None else None
        if target.force or not isinstance(version, int):  # over whatever is there now
            current = self._read(conn, uid)
            version = current.version if current is not None else version
        version = version if isinstance(version, int) else 1
        body["model"] = with_record(body["model"], change.resource.content_hash, version + 1)
        conn.request(
            "PATCH", f"{BASE}/{uid}", json={**body, "kind": KIND_PANEL, "version": version}
        )
        return "updated"

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        remote = self._read(conn, change.resource.key)
        return written_as_recorded(remote, change.resource.content_hash)
