"""Folders, from phoenix-dash.yaml: created, retitled and moved, never deleted. phoenix-dash
owns a folder's title and parent; Grafana's record of who last updated the folder tells a
rename in the UI from a change in code."""

from __future__ import annotations

import contextlib
from typing import Any

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaForbidden, GrafanaNotFound
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash
from ..target import Target
from .base import JSON, Handler, conflict_or


class FolderHandler(Handler):
    kind = "folder"

    def __init__(self) -> None:
        self.identity = ""  # the login phoenix-dash writes as, read once per plan

    def prefetch(self, conn: GrafanaConnection, resources: list[Resource]) -> None:
        self.identity = ""
        if resources:
            # Not a user's credential: renames in the UI then read as code changes.
            with contextlib.suppress(GrafanaNotFound, GrafanaForbidden):
                self.identity = str((conn.request("GET", "/user") or {}).get("login") or "")

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for folder in target.folders.values():
            parent = target.folder_uid(folder.parent) or None
            body = {
                "uid": folder.uid,
                "title": folder.title,
                **({"parentUid": parent} if parent else {}),
            }
            resources.append(
                Resource(self.kind, folder.uid, folder.title, parent, body, content_hash(body))
            )
        # Parents first.
        return sorted(resources, key=lambda r: (r.folder is not None, r.key))

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        found = self._read(conn, resource.key)
        if found is None:
            return Change(resource, Action.CREATE, reason="new folder")
        remote = Remote(found, found.get("version"), last_editor=str(found.get("updatedBy") or ""))
        differences = _differences(found, resource.desired or {})
        if not differences:
            return Change(resource, Action.UNCHANGED, remote)
        renamed = found.get("title") != (resource.desired or {}).get("title")
        if renamed and remote.last_editor and self.identity and remote.last_editor != self.identity:
            change = conflict_or(
                Action.UPDATE,
                resource,
                remote,
                f"renamed in Grafana by {remote.last_editor} to {found.get('title')!r}",
                target,
            )
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = differences
        return change

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        body = change.resource.desired or {}
        if change.action == Action.CREATE:
            conn.request("POST", "/folders", json=body)
            return "created"
        found = change.remote.body if change.remote else {}
        done = []
        if found.get("title") != body["title"]:
            version = change.remote.version if change.remote else None
            conn.request(
                "PUT",
                f"/folders/{change.resource.key}",
                json={"title": body["title"], "version": version, "overwrite": target.force},
            )
            done.append("renamed")
        if (found.get("parentUid") or None) != body.get("parentUid"):
            # A PUT never changes the parent (F1): moving is its own call.
            conn.request(
                "POST",
                f"/folders/{change.resource.key}/move",
                json={"parentUid": body.get("parentUid") or ""},
            )
            done.append("moved")
        return " and ".join(done) or "updated"

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


def differences(found: JSON, desired: JSON) -> list[tuple[str, Any, Any]]:
    """(key, in Grafana, in code) for a folder's title and parent where they differ; what
    phoenix-dash owns of a folder, on either API."""
    return [
        (key, found.get(key), desired.get(key))
        for key in ("title", "parentUid")
        if (found.get(key) or None) != (desired.get(key) or None)
    ]


def _differences(found: JSON, desired: JSON) -> list[str]:
    return [f"{key}: {was!r} -> {now!r}" for key, was, now in differences(found, desired)]
