"""Folders, from phoenix-dash.yaml: created and retitled, never deleted."""

from __future__ import annotations

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaNotFound
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash
from ..target import Target
from .base import JSON, Handler


class FolderHandler(Handler):
    kind = "folder"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for folder in target.folders.values():
            parent = target.folder_uid(folder.parent) or None
            body = {"uid": folder.uid, "title": folder.title, **({"parentUid": parent}
                                                                 if parent else {})}
            resources.append(Resource(self.kind, folder.uid, folder.title, parent, body,
                                      content_hash(body)))
        # Parents first.
        return sorted(resources, key=lambda r: (r.folder is not None, r.key))

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        found = self._read(conn, resource.key)
        if found is None:
            return Change(resource, Action.CREATE, reason="new folder")
        remote = Remote(found, found.get("version"))
        differences = _differences(found, resource.desired or {})
        if not differences:
            return Change(resource, Action.UNCHANGED, remote)
        return Change(resource, Action.UPDATE, remote, "changed", differences)

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        body = change.resource.desired or {}
        if change.action == Action.CREATE:
            conn.request("POST", "/folders", json=body)
            return "created"
        version = change.remote.version if change.remote else None
        conn.request("PUT", f"/folders/{change.resource.key}",
                     json={"title": body["title"], "version": version,
                           "overwrite": target.force})
        return "updated"

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        found = self._read(conn, change.resource.key)
        return found is not None and not _differences(found, change.resource.desired or {})

    @staticmethod
    def _read(conn: GrafanaConnection, uid: str) -> JSON | None:
        try:
            found: JSON = conn.request("GET", f"/folders/{uid}")
        except GrafanaNotFound:
            return None
        return found


def _differences(found: JSON, desired: JSON) -> list[str]:
    return [f"{key}: {found.get(key)!r} -> {desired.get(key)!r}"
            for key in ("title", "parentUid") if found.get(key) != desired.get(key)]
