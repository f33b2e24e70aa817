"""Folders on the resource APIs (``folder.grafana.app``): the spec holds the title, the
parent is the ``grafana.app/folder`` annotation (a write with another parent moves the folder,
unlike the legacy PUT), and folders are created, retitled and moved, never deleted."""

from __future__ import annotations

from ...grafana.connection import GrafanaConnection
from ..model import Action, Change, Remote, Resource
from ..ownership import FOLDER
from ..target import Target
from .base import JSON
from .resource_api import ResourceHandler


class FolderResourceHandler(ResourceHandler):
    def spec(self, resource: Resource) -> JSON:
        return {"title": (resource.desired or {}).get("title", resource.name)}

    def details(self, resource: Resource, item: JSON) -> list[str]:
        desired = resource.desired or {}
        found = {
            "title": (item.get("spec") or {}).get("title"),
            "parentUid": ((item.get("metadata") or {}).get("annotations") or {}).get(FOLDER),
        }
        return [
            f"{key}: {found.get(key)!r} -> {desired.get(key)!r}"
            for key in ("title", "parentUid")
            if (found.get(key) or None) != (desired.get(key) or None)
        ]

    def unmanaged(
        self, conn: GrafanaConnection, resource: Resource, remote: Remote, target: Target
    ) -> Change:
        """phoenix-dash.yaml declares the folder by its uid: one without a manager (created
        by phoenix-dash through the legacy API, or by hand beforehand) becomes
        phoenix-dash's."""
        return Change(
            resource,
            Action.UPDATE,
            remote,
            "declared in phoenix-dash.yaml; now marked as phoenix-dash's",
            self.details(resource, remote.body),
        )

    def changes_spec(self, resource: Resource, item: JSON) -> bool:
        return bool(self.details(resource, item))  # a folder's spec is its title and parent

    def updated(self, resource: Resource, item: JSON) -> str:
        changed = {line.split(":")[0] for line in self.details(resource, item)}
        done = [
            verb for key, verb in (("title", "renamed"), ("parentUid", "moved")) if key in changed
        ]
        return " and ".join(done) or "updated"

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        return []  # folders are never pruned
