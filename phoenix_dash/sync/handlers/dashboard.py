"""Dashboards: phoenix-dash's own writes are recognised by the version message (tool,
git revision, content hash); a live version that is not one of them is someone's edit."""

from __future__ import annotations

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaNotFound
from ..model import Action, Change, Remote, Resource
from ..normalize import (
    content_hash,
    normalize_dashboard,
    recorded_hash,
    version_message,
)
from ..target import Target
from .base import JSON, Handler, conflict_or


class DashboardHandler(Handler):
    kind = "dashboard"

    def __init__(self) -> None:
        self.existing: set[str] | None = None  # uids known to exist, from one search

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        if not resources:
            return
        hits = conn.request("GET", "/search", params={"type": "dash-db", "limit": 5000})
        self.existing = {hit["uid"] for hit in hits or []} if len(hits or []) < 5000 else None

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for dashboard in build.dashboards:
            body = target.remap(normalize_dashboard(dashboard.clean, stamped=False))
            body["tags"] = sorted({*body.get("tags", []), target.managed_tag})
            if target.uid_prefix:
                body = _with_uids(body, target, {d.uid for d in build.dashboards})
            uid = target.dashboard_uid(dashboard.uid)
            folder = target.folder_uid(build.folder_of(dashboard.uid))
            resources.append(Resource(self.kind, uid, dashboard.title, folder, body,
                                      _dashboard_hash(folder, body)))
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        known_absent = self.existing is not None and resource.key not in self.existing
        remote = None if known_absent else self._read(conn, resource.key)
        if remote is None:
            return Change(resource, Action.CREATE, reason="new dashboard")
        if remote.content_hash == resource.content_hash:
            return Change(resource, Action.UNCHANGED, remote)
        from ..diffing import dashboard_changes

        details = dashboard_changes(remote.body.get("dashboard", {}), resource.desired or {},
                                    remote.body.get("meta", {}).get("folderUid"), resource.folder)
        self._read_history(conn, resource.key, remote)
        if remote.recorded_hash is None:
            change = conflict_or(Action.UPDATE, resource, remote, self._foreign(remote), target)
        elif remote.recorded_hash != remote.content_hash:
            change = conflict_or(Action.UPDATE, resource, remote,
                                  f"edited by {remote.last_editor or 'someone'} at "
                                  f"{remote.last_edited} (version {remote.version}) since "
                                  "phoenix-dash's last write", target)
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = details
        return change

    @staticmethod
    def _foreign(remote: Remote) -> str:
        return (f"last saved by {remote.last_editor or 'someone'} at {remote.last_edited} "
                f"(version {remote.version}), not by phoenix-dash")

    def _read(self, conn: GrafanaConnection, uid: str) -> Remote | None:
        try:
            found = conn.request("GET", f"/dashboards/uid/{uid}")
        except GrafanaNotFound:
            return None
        body = normalize_dashboard(found.get("dashboard", {}), stamped=False)
        folder = found.get("meta", {}).get("folderUid") or ""
        return Remote(found, found.get("dashboard", {}).get("version"),
                      _dashboard_hash(folder, body))

    @staticmethod
    def _read_history(conn: GrafanaConnection, uid: str, remote: Remote) -> None:
        answer = conn.request("GET", f"/dashboards/uid/{uid}/versions", params={"limit": 1})
        versions = answer.get("versions", []) if isinstance(answer, dict) else answer or []
        if versions:
            newest = max(versions, key=lambda v: v.get("version", 0))
            remote.recorded_hash = recorded_hash(newest.get("message"))
            remote.last_editor = str(newest.get("createdBy") or "")
            remote.last_edited = str(newest.get("created") or "")

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        hits = conn.request("GET", "/search", params={"type": "dash-db", "tag": target.managed_tag,
                                                       "limit": 5000})
        return [Resource(self.kind, hit["uid"], hit.get("title", ""), hit.get("folderUid"))
                for hit in hits or []]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource,
                    target: Target) -> Change:
        remote = self._read(conn, resource.key)
        if remote is None:
            return Change(resource, Action.UNCHANGED, reason="already gone")
        self._read_history(conn, resource.key, remote)
        if remote.recorded_hash != remote.content_hash:
            return conflict_or(Action.DELETE, resource, remote,
                                f"to delete, but {self._foreign(remote)}"
                                if remote.recorded_hash is None else
                                f"to delete, but edited by {remote.last_editor or 'someone'} "
                                f"at {remote.last_edited}", target)
        return Change(resource, Action.DELETE, remote, "no longer defined")

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        resource = change.resource
        if change.action == Action.DELETE:
            conn.request("DELETE", f"/dashboards/uid/{resource.key}")
            return "deleted"
        body = dict(resource.desired or {})
        if change.remote is not None:
            body["version"] = change.remote.version
        message = version_message(target.revision, resource.content_hash, target.note)
        conn.request("POST", "/dashboards/db", json={
            "dashboard": body, "folderUid": resource.folder or "", "message": message,
            "overwrite": target.force})
        return "created" if change.action == Action.CREATE else "updated"

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        resource = change.resource
        remote = self._read(conn, resource.key)
        if remote is None:
            return False
        self._read_history(conn, resource.key, remote)
        return remote.recorded_hash == resource.content_hash == remote.content_hash


def _with_uids(body: JSON, target: Target, uids: set[str]) -> JSON:
    """The dashboard under its preview uid, its links to the others pointing at theirs."""
    body = {**body, "uid": target.dashboard_uid(str(body.get("uid")))}
    links = []
    for link in body.get("links") or []:
        url = str(link.get("url") or "")
        if url.startswith("/d/") and url[3:].split("/")[0].split("?")[0] in uids:
            uid = url[3:].split("/")[0].split("?")[0]
            link = {**link, "url": url.replace(f"/d/{uid}", f"/d/{target.dashboard_uid(uid)}", 1)}
        links.append(link)
    body["links"] = links
    return body


def _dashboard_hash(folder: str | None, body: JSON) -> str:
    return content_hash({"folder": folder or "", "dashboard": body})
